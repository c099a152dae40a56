//! What another user of the same Linux machine could read or take from a
//! caseworker's agent, tried on a real X server (Xvfb + openbox) with the
//! real `genvej` agent: its logs (private, and at info level free of window
//! titles, which in case systems hold citizens' names), its usage database,
//! and its single-instance socket (a private folder nobody can plant, and a
//! client that stalls or floods it holds up nothing).
//!
//! Needs the Debian packages of the e2e desktop (see tests/support/desktop.rs).
//! Missing tools skip these tests loudly, or fail them when CI/GENVEJ_E2E is set.
#![cfg(target_os = "linux")]

use crate::require_desktop;
use crate::support;

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::agent::{Agent, Launch, config};
use support::desktop::Desktop;

const SHORT: Duration = Duration::from_secs(10);

/// A fake citizen's name; it is in the windows' titles, never in the log.
const CITIZEN: &str = "Karen Testesen";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

#[test]
fn at_info_level_the_log_names_pattern_and_program_never_a_title_and_only_the_user_reads_it() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window(&format!("Fasit – borger {CITIZEN}"));
    desktop.case_window(&format!("Sag 4711 – {CITIZEN}"));
    desktop.activate(&fasit);
    let scripts = [
        (
            "hej.toml",
            "id = \"hej\"\nname = \"Hej\"\nhotkey = \"Ctrl+Alt+J\"\nmanual_seconds = 5\n\n\
             [[step]]\nwait_window = { title = \"Fasit*\", timeout_ms = 5000 }\n\n\
             [[step]]\ntype = \"Hej\"\n",
        ),
        (
            // Focuses the case, then types into Fasit without focusing it:
            // the run stops, and its message names both windows.
            "skift.toml",
            "id = \"skift\"\nname = \"Skift\"\nhotkey = \"Ctrl+Alt+K\"\nmanual_seconds = 5\n\n\
             [[step]]\nwait_window = { title = \"Fasit*\", name = \"fasit\", timeout_ms = 5000 }\n\n\
             [[step]]\nwait_window = { title = \"Sag 4711*\", timeout_ms = 5000 }\n\n\
             [[step]]\ntype = \"x\"\ntarget = \"fasit\"\n",
        ),
    ];
    let launch = Launch {
        tray: false,
        // The log level the config says (info), not the tests' debug.
        env_remove: &["GENVEJ_LOG"],
        ..Launch::default()
    };
    let agent = Agent::start_with(
        &mut desktop,
        "agent",
        &scripts,
        &config("", "log_level = \"info\""),
        launch,
    );

    desktop.key("ctrl+alt+j");
    agent.wait_for_log(&desktop, "«Hej» completed", SHORT);
    fasit.wait_for_text("Hej", SHORT);
    desktop.key("ctrl+alt+k");
    let failed = agent.wait_for_log(&desktop, "fokus flyttede sig", SHORT);
    let folder = agent.folder.clone();
    // Read after the stop: the log file's writer runs in the background and
    // is flushed when the agent stops.
    let stderr = agent.stop(&mut desktop);
    let files = support::agent::log_files_in(&folder);

    assert!(
        failed.contains("fundet med titel \"Fasit*\"")
            && failed.contains("fundet med titel \"Sag 4711*\"")
            // Tk sets no _NET_WM_PID, so the program is named by its class.
            && failed.contains("klasse «Genvej-case-window-"),
        "the warning names the pattern and the program:\n{failed}"
    );
    assert_eq!(files.len(), 1, "one log file today");
    for (name, text) in std::iter::once(("stderr".to_string(), stderr)).chain(files) {
        assert!(text.contains("fokus flyttede sig"), "{name}:\n{text}");
        assert!(
            !text.contains("Testesen") && !text.contains("Karen"),
            "a window title (a citizen's name) reached the {name} log at info level:\n{text}"
        );
    }

    // Only the user may read the logs and the usage records.
    let logs = folder.join("logs");
    assert_eq!(mode(&logs), 0o700, "the log folder");
    for entry in std::fs::read_dir(&logs).expect("log folder").flatten() {
        assert_eq!(mode(&entry.path()), 0o600, "{}", entry.path().display());
    }
    let usage = folder.join("usage.sqlite");
    assert_eq!(mode(&usage), 0o600, "the usage database");
    for side in ["usage.sqlite-wal", "usage.sqlite-shm"] {
        let side = folder.join(side);
        if side.exists() {
            assert_eq!(mode(&side), 0o600, "{}", side.display());
        }
    }
}

#[test]
fn during_a_paste_clipboard_managers_see_the_text_marked_secret() {
    const HINT: &str = "x-kde-passwordManagerHint";
    let mut desktop = require_desktop!();
    // A window that never fetches a paste: the agent holds the paste on
    // the clipboard for its whole paste timeout (2 s).
    let title = "Stand-in without paste";
    let mut window = desktop.command("xmessage");
    window
        .args(["-title", title, "Ingen indsæt her"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    desktop.spawn(window);
    desktop.wait_for_window(title, SHORT);
    desktop.set_clipboard("det sagsbehandleren havde kopieret");
    let script = "id = \"p\"\nname = \"P\"\nhotkey = \"Ctrl+Alt+P\"\nmanual_seconds = 5\n\n\
                  [[step]]\nwait_window = { title = \"Stand-in*\", timeout_ms = 5000 }\n\n\
                  [[step]]\npaste = \"Borger: Karen Testesen\"\n";
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("p.toml", script)],
        &config("", ""),
    );

    desktop.key("ctrl+alt+p");
    // What a clipboard manager does when the owner changes: ask TARGETS.
    let deadline = Instant::now() + SHORT;
    let offered = loop {
        let targets = desktop
            .read_selection("clipboard", Some("TARGETS"))
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default();
        if targets.lines().any(|l| l == HINT) {
            break targets;
        }
        assert!(
            Instant::now() < deadline,
            "the paste was never marked; TARGETS: {targets:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(offered.lines().any(|l| l == "UTF8_STRING"), "{offered:?}");
    assert_eq!(
        desktop
            .read_selection("clipboard", Some(HINT))
            .expect("the hint"),
        b"secret"
    );

    // Reading the hint did not count as the paste: the run still fails,
    // and the caseworker's own clipboard comes back, unmarked.
    agent.wait_for_log(&desktop, "hentede ikke den indsatte tekst", SHORT);
    assert_eq!(
        desktop.clipboard().as_deref(),
        Some("det sagsbehandleren havde kopieret")
    );
    let targets = desktop
        .read_selection("clipboard", Some("TARGETS"))
        .expect("TARGETS");
    assert!(
        !String::from_utf8_lossy(&targets).lines().any(|l| l == HINT),
        "the caseworker's own text is not marked"
    );
    agent.stop(&mut desktop);
}

/// A private temp folder for the agent instead of /tmp, and no
/// `XDG_RUNTIME_DIR`: the socket's folder is then made by genvej itself.
fn temp_dir(desktop: &Desktop) -> PathBuf {
    let dir = desktop.dir().join("tmp");
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

/// `env` with TMPDIR set, as a wrapper that execs genvej.
fn with_tmpdir(tmp: &Path) -> Vec<String> {
    vec!["env".into(), format!("TMPDIR={}", tmp.display())]
}

/// A second `genvej run` on this desktop with the same temp folder; waits
/// (bounded) for it to exit.
fn start_again(desktop: &Desktop, tmp: &Path, folder: &Path) -> Output {
    let mut command = desktop.command(env!("CARGO_BIN_EXE_genvej"));
    command
        .arg("--config")
        .arg(folder.join("genvej.toml"))
        .arg("--hotkeys")
        .arg(folder.join("hotkeys"))
        .args(["run", "--no-tray"])
        .env("TMPDIR", tmp)
        .env_remove("XDG_RUNTIME_DIR");
    run_bounded(command, Duration::from_secs(20))
}

fn run_bounded(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("genvej starts");
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "genvej did not exit within {limit:?}:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn a_client_that_stalls_or_floods_the_socket_blocks_neither_hot_keys_nor_a_reload() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let tmp = temp_dir(&desktop);
    let wrapper = with_tmpdir(&tmp);
    let wrapper: Vec<&str> = wrapper.iter().map(String::as_str).collect();
    let launch = Launch {
        tray: false,
        env_remove: &["XDG_RUNTIME_DIR"],
        wrapper: &wrapper,
    };
    let script = "id = \"n\"\nname = \"N\"\nhotkey = \"Ctrl+Alt+N\"\nmanual_seconds = 5\n\n\
                  [[step]]\nwait_window = { title = \"Fasit*\", timeout_ms = 5000 }\n\n\
                  [[step]]\ntype = \"x\"\n";
    let agent = Agent::start_with(
        &mut desktop,
        "agent",
        &[("n.toml", script)],
        &config("", ""),
        launch,
    );

    // The socket is in a folder of ours that nobody else may open.
    let folder = tmp.join(format!("genvej-{}", uid()));
    let meta = std::fs::symlink_metadata(&folder).expect("the socket folder");
    assert!(meta.is_dir() && !meta.file_type().is_symlink());
    assert_eq!(meta.uid(), uid());
    assert_eq!(meta.mode() & 0o777, 0o700);
    let socket = std::fs::read_dir(&folder)
        .expect("list")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "sock"))
        .expect("the agent's socket");

    // One client connects and says nothing; another sends megabytes.
    let silent = UnixStream::connect(&socket).expect("silent client connects");
    let mut flood = UnixStream::connect(&socket).expect("flooding client connects");
    let flooder = std::thread::spawn(move || {
        let megabytes = vec![b'r'; 8 << 20];
        // The agent stops reading after its limit: the write then fails.
        flood.write_all(&megabytes).is_err()
    });

    // Hot keys still work.
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+n");
    fasit.wait_for_text("x", SHORT);

    // A second start still makes the agent reload, at once.
    let asked = Instant::now();
    let second = start_again(&desktop, &tmp, &agent.folder);
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{said}");
    assert!(said.contains("genvej is already running"), "{said}");
    agent.wait_for_log(&desktop, "asked for a reload", SHORT);
    agent.wait_for_log(&desktop, "genvej reloaded", SHORT);
    eprintln!(
        "with a silent and a flooding client connected, a second start had the agent reload in {} ms",
        asked.elapsed().as_millis()
    );
    assert_eq!(
        agent.count_in_log("asked for a reload"),
        1,
        "the flood is not taken for a request"
    );
    assert!(flooder.join().expect("flooder"), "the flood was cut off");
    drop(silent);
    agent.stop(&mut desktop);
}

#[test]
fn a_socket_folder_someone_else_made_first_is_refused_with_a_clear_message() {
    let desktop = require_desktop!(without_window_manager);
    let tmp = temp_dir(&desktop);
    let folder = desktop.dir().join("agent");
    std::fs::create_dir_all(folder.join("hotkeys")).expect("hotkeys");
    std::fs::write(folder.join("genvej.toml"), config("", "")).expect("config");
    let expected = tmp.join(format!("genvej-{}", uid()));

    // Another user made the name a link to a folder of theirs.
    let theirs = tmp.join("theirs");
    std::fs::create_dir(&theirs).expect("their folder");
    std::os::unix::fs::symlink(&theirs, &expected).expect("planted link");
    let refused = start_again(&desktop, &tmp, &folder);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{said}");
    assert!(
        said.contains(&format!("{} is a symbolic link", expected.display()))
            && said.contains("Remove it"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_dir(&theirs).expect("list").count(),
        0,
        "nothing was put in their folder"
    );

    // Another user made it a folder of theirs, open to everyone.
    std::fs::remove_file(&expected).expect("link removed");
    std::fs::create_dir(&expected).expect("their folder");
    std::fs::set_permissions(&expected, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    if let Err(e) = std::os::unix::fs::chown(&expected, Some(65534), Some(65534)) {
        eprintln!("SKIPPED the foreign-owner half: cannot give a folder to another user ({e})");
        return;
    }
    let refused = start_again(&desktop, &tmp, &folder);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{said}");
    assert!(
        said.contains("is owned by another user (uid 65534"),
        "{said}"
    );
    assert_eq!(std::fs::read_dir(&expected).expect("list").count(), 0);
}
