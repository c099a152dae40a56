//! End-to-end on Xvfb: the agent as an installed one runs it — a
//! machine-wide config with the organisation's policy, the caseworker's own
//! config and scripts beside it, started as an ordinary user (`nobody` when
//! the tests run as root). The caseworker's signature script types; their
//! script that starts a program and their setting that redirects the case
//! system are refused by the policy, with the reasons in the log; a central
//! folder the caseworker could add scripts to is reported once, in the log
//! and on screen, and not again at the next reload.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::require_desktop;

const LONG: Duration = Duration::from_secs(30);
const SHORT: Duration = Duration::from_secs(10);

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn the_policy_holds_for_an_ordinary_users_agent() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – journal");

    // Everything in a folder the ordinary user can read; their own files
    // (logs, usage records, personal config) in a folder that is theirs.
    let station = tempfile::tempdir().expect("temp dir");
    let at = |p: &str| -> PathBuf { station.path().join(p) };
    write(
        &at("machine/genvej.toml"),
        "[agent]\nhotkey_folders = [\"hotkeys\"]\nsettle_ms = 50\n\n[org]\nfasit_url = \"https://fasit.kommune.invalid\"\n\n[policy]\npersonal_scripts = \"text-only\"\n",
    );
    write(
        &at("machine/hotkeys/Journal/central.toml"),
        "id = \"central\"\nname = \"Central\"\nhotkey = \"Ctrl+Alt+C\"\nmanual_seconds = 10\n\n[[step]]\ntype = \"c\"\n",
    );
    write(
        &at("home/genvej/genvej.toml"),
        "[profile]\nname = \"Mette Sørensen\"\n\n[org]\nfasit_url = \"https://evil.invalid\"\n\n[agent]\nlog_folder = \"logs\"\n",
    );
    write(
        &at("home/genvej/hotkeys/signatur.toml"),
        "id = \"signatur\"\nname = \"Signatur\"\nhotkey = \"Ctrl+Alt+S\"\nmanual_seconds = 10\n\n[[step]]\nwait_window = { title = \"Fasit*\" }\n\n[[step]]\ntype = \"Venlig hilsen {{ profile.name }} {{ org.fasit_url }}\"\n",
    );
    write(
        &at("home/genvej/hotkeys/program.toml"),
        "id = \"program\"\nname = \"Program\"\nhotkey = \"Ctrl+Alt+P\"\nmanual_seconds = 10\n\n[[step]]\nlaunch = { program = \"xterm\" }\n",
    );
    for dir in ["", "machine", "machine/hotkeys", "machine/hotkeys/Journal"] {
        mode(&at(dir), 0o755);
    }
    // ProgramData's default: every user may add to folders below it.
    mode(&at("machine/hotkeys/Journal"), 0o777);
    let ordinary = rustix::process::geteuid().is_root();
    if ordinary {
        std::os::unix::fs::chown(at("home"), Some(65534), Some(65534)).expect("chown");
        for entry in ["home/genvej", "home/genvej/hotkeys"] {
            std::os::unix::fs::chown(at(entry), Some(65534), Some(65534)).expect("chown");
        }
    }

    let stderr = at("agent-stderr.log");
    let genvej = env!("CARGO_BIN_EXE_genvej");
    let mut command = if ordinary {
        let mut c = desktop.command("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", genvej]);
        c
    } else {
        desktop.command(genvej)
    };
    command
        .arg("--config")
        .arg(at("machine/genvej.toml"))
        .arg("--config")
        .arg(at("home/genvej/genvej.toml"))
        .args(["run", "--no-tray"])
        .env("HOME", at("home"))
        .env("XDG_DATA_HOME", at("home"))
        .env("XDG_RUNTIME_DIR", at("home"))
        .env("GENVEJ_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr).expect("log"));
    let pid = desktop.spawn(command);
    let ready = desktop.wait_for_line(&stderr, "genvej ready", LONG);
    assert!(ready.contains("genvej ready: 2 scripts"), "{ready}");

    let log = std::fs::read_to_string(&stderr).unwrap_or_default();
    let planted = at("machine/hotkeys/Journal");
    assert!(
        log.contains(&format!(
            "the central script folder {} can be changed by you",
            planted.display()
        )),
        "{log}"
    );
    desktop.wait_for_window("genvej – Usikker opsætning", SHORT);
    assert!(
        log.contains("`launch` is not allowed in a personal script"),
        "{log}"
    );
    assert!(
        log.contains("`org` is ignored: only the machine-wide config may set it"),
        "{log}"
    );

    // The personal signature types, with the organisation's address.
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+s");
    desktop.wait_for_line(&stderr, "«Signatur» completed", LONG);
    fasit.wait_for_text(
        "Venlig hilsen Mette Sørensen https://fasit.kommune.invalid",
        SHORT,
    );

    // A reload reports the folder no second time.
    write(
        &at("machine/hotkeys/Journal/central.toml"),
        "id = \"central\"\nname = \"Central 2\"\nhotkey = \"Ctrl+Alt+C\"\nmanual_seconds = 10\n\n[[step]]\ntype = \"c\"\n",
    );
    desktop.wait_for_line(&stderr, "genvej reloaded", LONG);
    let log = std::fs::read_to_string(&stderr).unwrap_or_default();
    assert_eq!(
        log.matches("can be changed by you").count(),
        1,
        "reported once:\n{log}"
    );

    desktop.stop(pid);
    desktop.wait_for_line(&stderr, "genvej stopped", SHORT);
}
