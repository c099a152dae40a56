//! End-to-end on Windows, under Wine on Xvfb: the cross-compiled release
//! `genvej.exe` runs scripts (`genvej.exe exec`) into Wine's notepad, and
//! what arrived is read back from notepad's Edit control (WM_GETTEXT, by
//! tests/support/windows/wintool.c). Typing 2,000 Danish/Unicode characters
//! exactly, pasting them (seen fetched by notepad itself, through delayed
//! rendering) with the clipboard given back, a paste the target never
//! fetches reported, one CPR typed into two launched programs, focus moved
//! mid-typing, a window that never comes.

use crate::require_desktop;
use crate::support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::agent::{config, toml_string};
use support::desktop::Desktop;
use support::texts::{DANISH_2000, assert_same_text};
use support::tools::Tool;
use support::wine::{Wine, WineAgent, genvej_exe, windows_path};

const LONG: Duration = Duration::from_secs(60);

/// Writes the scripts and config into `name/` in the desktop's folder and
/// runs `genvej.exe exec ID` under Wine; returns (success, output).
fn exec(
    desktop: &Desktop,
    wine: &Wine,
    scripts: &[(&str, &str)],
    config: &str,
    id: &str,
    extra: &[&str],
) -> (bool, String) {
    let folder = desktop.dir().join(id);
    let hotkeys = folder.join("hotkeys");
    std::fs::create_dir_all(&hotkeys).expect("folder");
    for (file, text) in scripts {
        std::fs::write(hotkeys.join(file), text).expect("script");
    }
    let config_file = folder.join("genvej.toml");
    std::fs::write(&config_file, config).expect("config");
    let exe = genvej_exe();
    let mut args = vec![
        "--config".to_string(),
        windows_path(&config_file),
        "--hotkeys".to_string(),
        windows_path(&hotkeys),
        "exec".to_string(),
        id.to_string(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // To a file, not a pipe: programs the script launches (through Wine)
    // would keep a pipe open after genvej.exe has exited.
    let log = folder.join("output.txt");
    let file = std::fs::File::create(&log).expect("output file");
    let status = wine
        .wine(&exe, &args)
        .env("GENVEJ_LOG", "info,genvej_desktop::windows=debug")
        .stdout(file.try_clone().expect("file"))
        .stderr(file)
        .status()
        .expect("genvej.exe runs under wine");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    for line in text.lines() {
        assert!(
            !genvej_format::cpr::contains_cpr(line),
            "a CPR number reached genvej.exe's output:\n{line}"
        );
    }
    (status.success(), text)
}

fn script(id: &str, body: &str) -> String {
    format!("id = \"{id}\"\nname = \"{id}\"\nmanual_seconds = 60\n\n{body}")
}

#[test]
fn genvej_exe_types_2000_danish_characters_exactly_into_notepad() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let title = wine.notepad(&mut desktop, None);
    let body = "[[step]]\nwait_window = { title = \"*Notepad\", timeout_ms = 20000 }\n\n[[step]]\ntype = \"{{ org.text }}\"\n";
    let config = config(
        &format!("text = {}", toml_string(DANISH_2000)),
        "paste_threshold = 100000",
    );

    let started = Instant::now();
    let (ok, output) = exec(
        &desktop,
        &wine,
        &[("typing.toml", &script("typing", body))],
        &config,
        "typing",
        &[],
    );
    let seconds = started.elapsed().as_secs_f64();
    assert!(ok, "{output}");
    let typed = wine.wait_for_edit_text(&title, DANISH_2000, LONG);
    assert_same_text(DANISH_2000, &typed);
    eprintln!(
        "under wine: 2000 characters typed in {seconds:.1} s ({:.0} chars/s, genvej.exe start included)",
        2000.0 / seconds
    );
}

#[test]
fn genvej_exe_pastes_2000_characters_and_gives_the_clipboard_back() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let title = wine.notepad(&mut desktop, None);
    wine.set_clipboard("det sagsbehandleren havde kopieret");
    let body = "[[step]]\nwait_window = { title = \"*Notepad\", timeout_ms = 20000 }\n\n[[step]]\npaste = \"{{ org.text }}\"\n";
    let config = config(&format!("text = {}", toml_string(DANISH_2000)), "");

    let (ok, output) = exec(
        &desktop,
        &wine,
        &[("paste.toml", &script("paste", body))],
        &config,
        "paste",
        &[],
    );
    assert!(ok, "{output}");
    assert_same_text(
        DANISH_2000,
        &wine.wait_for_edit_text(&title, DANISH_2000, LONG),
    );
    assert_eq!(
        wine.clipboard().as_deref(),
        Some("det sagsbehandleren havde kopieret"),
        "the caseworker's clipboard is given back"
    );
    let as_is = wine.edit_text_as_is(&title).unwrap_or_default();
    assert!(
        !as_is.replace("\r\n", "").contains('\n'),
        "line breaks arrive as the Windows \\r\\n, not a bare \\n"
    );
    assert!(
        output.contains("the paste was fetched by the target window's program"),
        "delayed rendering saw notepad fetch the text:\n{output}"
    );
}

#[test]
fn a_paste_the_target_never_fetches_stops_the_run_and_the_clipboard_is_given_back() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    // A window that takes keys and never pastes (never asks for the text).
    let title = "Stand-in without paste";
    let mut window = wine.wintool(&["window", title]);
    window.stdout(Stdio::null()).stderr(Stdio::null());
    desktop.spawn(window);
    desktop.wait_for_window(title, LONG);
    wine.set_clipboard("det sagsbehandleren havde kopieret");
    let body = "[[step]]\nwait_window = { title = \"Stand-in*\", timeout_ms = 20000 }\n\n[[step]]\npaste = \"tekst som ingen henter\"\n";

    let (ok, output) = exec(
        &desktop,
        &wine,
        &[("paste.toml", &script("paste", body))],
        &config("", ""),
        "paste",
        &[],
    );
    assert!(!ok, "the run must fail:\n{output}");
    assert!(
        output.contains("hentede ikke den indsatte tekst inden for 2000 ms"),
        "{output}"
    );
    assert_eq!(
        wine.clipboard().as_deref(),
        Some("det sagsbehandleren havde kopieret"),
        "the caseworker's clipboard is given back"
    );
}

#[test]
fn one_cpr_is_typed_into_two_launched_programs() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    // A window to start from, as the caseworker's journal.
    wine.notepad(&mut desktop, None);
    for name in ["fasit.txt", "vitas.txt"] {
        std::fs::write(wine.drive_c().join(name), "").expect("file");
    }
    let mut body = String::from("[[input]]\nname = \"cpr\"\nkind = \"cpr\"\n\n");
    for name in ["fasit.txt", "vitas.txt"] {
        body.push_str(&format!(
            "[[step]]\nlaunch = {{ program = \"notepad.exe\", args = [\"C:\\\\{name}\"] }}\n\n[[step]]\nwait_window = {{ title = \"{name} - Notepad\", timeout_ms = 30000 }}\n\n[[step]]\ntype = \"{{{{ cpr }}}}\"\n\n"
        ));
    }
    let (ok, output) = exec(
        &desktop,
        &wine,
        &[("aabn.toml", &script("aabn", &body))],
        &config("", ""),
        "aabn",
        &["--set", "cpr=070761-4285"],
    );
    assert!(ok, "{output}");
    for name in ["fasit.txt", "vitas.txt"] {
        let title = format!("{name} - Notepad");
        assert_eq!(
            wine.wait_for_edit_text(&title, "070761-4285", LONG),
            "070761-4285"
        );
    }
}

#[test]
fn a_window_that_never_appears_is_reported_and_nothing_is_typed() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let title = wine.notepad(&mut desktop, None);
    let body = "[[step]]\nwait_window = { title = \"Vitas*\", timeout_ms = 1000 }\n\n[[step]]\ntype = \"må ikke skrives\"\n";

    let (ok, output) = exec(
        &desktop,
        &wine,
        &[("vent.toml", &script("vent", body))],
        &config("", ""),
        "vent",
        &[],
    );
    assert!(!ok, "{output}");
    assert!(
        output.contains("«vent» stoppede ved trin 1 (wait_window"),
        "{output}"
    );
    assert_eq!(wine.edit_text(&title).as_deref(), Some(""), "nothing typed");
}

#[test]
fn focus_moved_mid_typing_stops_the_run_and_the_other_window_gets_nothing() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let other_title = wine.notepad(&mut desktop, Some("outlook.txt"));
    let other = desktop.wait_for_window(&other_title, LONG);
    let target_title = wine.notepad(&mut desktop, Some("fasit.txt"));
    let text = "Borgeren mødte op til samtalen. ".repeat(10);
    let body = format!(
        "[[step]]\nfocus_window = {{ title = \"fasit.txt - Notepad\" }}\n\n[[step]]\ntype = {}\nkey_delay_ms = 40\n",
        toml_string(&text)
    );
    let folder_script = script("skriv", &body);
    std::thread::scope(|scope| {
        let run = scope.spawn(|| {
            exec(
                &desktop,
                &wine,
                &[("skriv.toml", &folder_script)],
                &config("", ""),
                "skriv",
                &[],
            )
        });
        // Once typing has begun, the caseworker clicks another window.
        let deadline = Instant::now() + LONG;
        while wine
            .edit_text(&target_title)
            .is_none_or(|t| t.chars().count() < 5)
        {
            assert!(Instant::now() < deadline, "typing did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        desktop.xdotool(&["windowactivate", &other]);
        let (ok, output) = run.join().expect("exec thread");
        assert!(!ok, "{output}");
        assert!(output.contains("fokus flyttede sig"), "{output}");
    });
    assert_eq!(
        wine.edit_text(&other_title).as_deref(),
        Some(""),
        "the other window got nothing"
    );
    let typed = wine.edit_text(&target_title).unwrap_or_default();
    assert!(
        !typed.is_empty() && text.starts_with(&typed) && typed.len() < text.len(),
        "the target got a beginning of the text, then nothing: {typed:?}"
    );
}

#[test]
fn open_url_opens_a_folder_with_the_program_windows_has_for_it() {
    let desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    std::fs::create_dir_all(wine.drive_c().join("sagsmappe")).expect("folder");
    // open_url opens only web addresses unless the organisation allows
    // more; here it allows `file:` addresses.
    let allow_file = format!("{}\n[policy]\nurl_schemes = [\"file\"]\n", config("", ""));
    // ShellExecute "open" on a folder starts Explorer on it.
    let body = "[[step]]\nopen_url = 'file:///C:/sagsmappe'\n\n[[step]]\nwait_window = { title = \"*sagsmappe*\", timeout_ms = 30000 }\n";
    let (ok, output) = exec(
        &desktop,
        &wine,
        &[("mappe.toml", &script("mappe", body))],
        &allow_file,
        "mappe",
        &[],
    );
    assert!(ok, "{output}");

    // Something Windows has no program for is reported, not ignored.
    let body = "[[step]]\nopen_url = 'file:///C:/findes-ikke/x.sag'\n";
    let (ok, output) = exec(
        &desktop,
        &wine,
        &[("ingen.toml", &script("ingen", body))],
        &allow_file,
        "ingen",
        &[],
    );
    assert!(!ok, "{output}");
    assert!(output.contains("kunne ikke åbne"), "{output}");

    // Without the organisation's permission a path is not a script that runs.
    let body = "[[step]]\nopen_url = 'C:\\sagsmappe'\n";
    let (ok, output) = exec(
        &desktop,
        &wine,
        &[("sti.toml", &script("sti", body))],
        &config("", ""),
        "sti",
        &[],
    );
    assert!(!ok, "{output}");
}

/// Builds the MSI of `version` from the release genvej.exe into `out`.
fn msi(version: &str, out: &Path) -> std::path::PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("installer/windows/build-msi.sh");
    let output = std::process::Command::new("bash")
        .arg(script)
        .arg(genvej_exe())
        .arg(out)
        .env("GENVEJ_VERSION", version)
        .output()
        .expect("build-msi.sh runs (sudo apt-get install -y wixl msitools)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = std::path::PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let files = std::process::Command::new("msiinfo")
        .args(["export"])
        .arg(&path)
        .arg("File")
        .output()
        .expect("msiinfo (sudo apt-get install -y msitools)");
    let files = String::from_utf8_lossy(&files.stdout).to_lowercase();
    assert!(files.contains("genvej.exe"), "{files}");
    assert!(
        !files.contains("bcryptprimitives") && !files.contains("wintool"),
        "a test helper must never ship:\n{files}"
    );
    assert_central_files_are_locked(&path);
    path
}

/// Only SYSTEM and Administrators may change ProgramData\genvej (the
/// folder, the hotkeys folder and the config); Users may read. Wine does
/// not enforce ACLs, so the MSI's own tables are what can be checked.
fn assert_central_files_are_locked(msi: &Path) {
    let table = |name: &str| {
        let out = std::process::Command::new("msiinfo")
            .arg("export")
            .arg(msi)
            .arg(name)
            .output()
            .expect("msiinfo (sudo apt-get install -y msitools)");
        String::from_utf8_lossy(&out.stdout).replace('\r', "")
    };
    let locks = table("MsiLockPermissionsEx");
    let folder = "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FRFX;;;BU)";
    let file = "D:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FRFX;;;BU)";
    for row in [
        format!("LockDataFolder\tDataFolder\tCreateFolder\t{folder}\t"),
        format!("LockHotkeysFolder\tHotkeysFolder\tCreateFolder\t{folder}\t"),
        format!("LockMachineConfig\tGenvejToml\tFile\t{file}\t"),
    ] {
        assert!(
            locks.lines().any(|l| l == row),
            "no row {row:?} in MsiLockPermissionsEx:\n{locks}"
        );
    }
    // Nothing in the lock table lets Users (BU), Everyone (WD),
    // Authenticated Users (AU) or CREATOR OWNER (CO) write.
    for line in locks.lines().skip(3) {
        for trustee in ["BU", "WD", "AU", "CO"] {
            for ace in line.split('(').skip(1) {
                let ace = ace.trim_end_matches([')', '\t']);
                let ace = ace.split(')').next().unwrap_or_default();
                if ace.ends_with(&format!(";;;{trustee}")) {
                    assert!(
                        ace.contains("FRFX") && !ace.contains("FA") && !ace.contains("FW"),
                        "{trustee} may write: {line}"
                    );
                }
            }
        }
    }
    let folders = table("CreateFolder");
    for folder in ["DataFolder", "HotkeysFolder"] {
        assert!(
            folders
                .lines()
                .any(|l| l.starts_with(&format!("{folder}\t"))),
            "{folders}"
        );
    }
    let sequence = table("InstallExecuteSequence");
    assert!(
        sequence.lines().any(|l| l.starts_with("CreateFolders\t")),
        "the lock on the folders is applied by CreateFolders:\n{sequence}"
    );
}

/// `msiexec ARGS… /l*v LOG`; on failure the panic shows the exit status,
/// what Wine printed and the end of the installer's own log. A msiexec
/// that ended before the installer wrote a line of its log is started once
/// more (CI saw one exit 1 from Wine in some hundred installs); a failure
/// of the install itself is never retried.
fn msiexec(wine: &Wine, args: &[&str]) {
    let log = wine.drive_c().join("msiexec.log");
    let mut tries = 0;
    loop {
        tries += 1;
        let _ = std::fs::remove_file(&log);
        let output = wine
            .command("wine")
            .arg("msiexec")
            .args(args)
            .args(["/l*v", r"C:\msiexec.log"])
            .env("WINEDEBUG", "err+all")
            .output()
            .expect("msiexec runs");
        if output.status.success() {
            return;
        }
        let installer_log = std::fs::read(&log).map(|bytes| installer_log_text(&bytes));
        let wine_printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let never_started = installer_log
            .as_ref()
            .map_or(true, |text| text.trim().is_empty());
        if never_started && tries == 1 {
            eprintln!(
                "msiexec {args:?} ended ({}) before its log began; once more. Wine printed:\n{wine_printed}",
                output.status
            );
            let _ = wine.command("wineserver").arg("-w").status();
            continue;
        }
        let text = installer_log.unwrap_or_else(|e| format!("(no installer log: {e})"));
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        panic!(
            "msiexec {args:?} failed: {}\nwine printed:\n{wine_printed}\nthe installer log ends:\n{}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
}

/// Wine's msiexec writes its log in UTF-16 when it starts with a BOM.
fn installer_log_text(bytes: &[u8]) -> String {
    match bytes {
        [0xff, 0xfe, rest @ ..] => String::from_utf16_lossy(
            &rest
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect::<Vec<_>>(),
        ),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[test]
fn the_msi_installs_silently_upgrades_keeping_the_config_and_uninstalls() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild, Tool::Msitools);
    let wine = Wine::start(&desktop);
    let out = desktop.dir().join("msi");
    let first = msi("0.1.0", &out);
    let second = msi("0.1.1", &out);

    msiexec(&wine, &["/i", &windows_path(&first), "/qn"]);
    let program = wine.drive_c().join("Program Files/genvej/genvej.exe");
    let config = wine.drive_c().join("ProgramData/genvej/genvej.toml");
    assert!(program.exists(), "{}", program.display());
    assert!(config.exists(), "{}", config.display());
    assert!(
        wine.drive_c()
            .join("ProgramData/genvej/hotkeys/Plan/forberedende-plan.toml")
            .exists()
    );
    // Autostart at every user's logon: the machine-wide Run key.
    let run_key = wine
        .command("wine")
        .args([
            "reg",
            "query",
            r"HKLM\Software\Microsoft\Windows\CurrentVersion\Run",
            "/v",
            "genvej",
        ])
        .output()
        .expect("wine reg runs");
    let run_key = String::from_utf8_lossy(&run_key.stdout);
    assert!(run_key.contains(r"genvej\genvej.exe"), "{run_key}");

    // The installed program finds the installed config and scripts itself.
    let checked = wine
        .wine(&program, &["check"])
        .output()
        .expect("installed genvej.exe runs");
    let text = String::from_utf8_lossy(&checked.stdout).into_owned()
        + &String::from_utf8_lossy(&checked.stderr);
    assert!(checked.status.success(), "{text}");
    assert!(
        text.contains("checked 15 script files") && text.contains(": 0 errors"),
        "{text}"
    );

    // A folder that looks like a development checkout — in the current
    // folder, or at C:\ above Program Files, where every user may create
    // folders — does not replace the installed config and scripts.
    let planted_script = "id = \"planted\"\nname = \"Plantet\"\nhotkey = \"Ctrl+Alt+Q\"\nmanual_seconds = 10\n\n[[step]]\nlaunch = { program = \"calc\" }\n";
    let here = desktop.dir().join("planted-here");
    for root in [here.clone(), wine.drive_c()] {
        std::fs::create_dir_all(root.join("config")).expect("folder");
        std::fs::create_dir_all(root.join("hotkeys")).expect("folder");
        std::fs::write(root.join("config/genvej.toml"), "[agent]\n").expect("config");
        std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"x\"\n").expect("manifest");
        std::fs::write(root.join("hotkeys/planted.toml"), planted_script).expect("script");
    }
    let listed = wine
        .wine(&program, &["list"])
        .current_dir(&here)
        .output()
        .expect("installed genvej.exe runs");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("forberedende-plan") && !listed.contains("planted"),
        "the installed scripts, not the planted ones:\n{listed}"
    );

    // Started as the Run key starts it (no arguments), it is the agent, on
    // the installed scripts; closing it stops it cleanly.
    let folder = desktop.dir().join("installed-agent");
    let agent = WineAgent::start_exe(&mut desktop, &wine, &program, &folder, &[]);
    let ready = agent.wait_for_log(&desktop, "genvej ready");
    assert!(ready.contains("genvej ready: 15 scripts"), "{ready}");
    agent.close(&mut desktop, &wine);

    // The organisation edits the config; the upgrade keeps it.
    let edited = std::fs::read_to_string(&config).expect("config") + "\n# rettet af IT\n";
    std::fs::write(&config, &edited).expect("edit");
    // The upgrade names a central script folder (the SCRIPTFOLDER property).
    let central = wine.drive_c().join("central");
    std::fs::create_dir_all(&central).expect("folder");
    std::fs::write(
        central.join("central.toml"),
        "id = \"central\"\nname = \"Fra den centrale mappe\"\nhotkey = \"Ctrl+Alt+Z\"\nmanual_seconds = 10\n\n[[step]]\ntype = \"x\"\n",
    )
    .expect("script");
    msiexec(
        &wine,
        &[
            "/i",
            &windows_path(&second),
            "SCRIPTFOLDER=C:\\central",
            "/qn",
        ],
    );
    assert_eq!(std::fs::read_to_string(&config).expect("config"), edited);
    assert!(program.exists(), "the upgrade left the program in place");
    let listed = wine
        .wine(&program, &["list"])
        .output()
        .expect("installed genvej.exe runs");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("Fra den centrale mappe") && !listed.contains("forberedende-plan"),
        "the central folder replaces the bundled scripts:\n{listed}"
    );

    msiexec(&wine, &["/x", &windows_path(&second), "/qn"]);
    assert!(!program.exists(), "uninstall removes the program");
    assert_eq!(
        std::fs::read_to_string(&config).expect("config kept"),
        edited,
        "the organisation's config outlives the program"
    );

    // An install that names where signed bundles come from, the key that
    // signs them and this workstation's ring (BUNDLEFROM, BUNDLEKEY,
    // BUNDLERING): written to HKLM\Software\genvej, and the installed
    // program's [bundles] (the machine config names no bundles.from).
    const KEY: &str = "RWReew0XFNFEyQbv0i6gDOkgQnOYseL0hxsWW4i9r2N0T6eeqomThNSP";
    let bundle_key = format!("BUNDLEKEY={KEY}");
    msiexec(
        &wine,
        &[
            "/i",
            &windows_path(&first),
            "BUNDLEFROM=C:\\udgivelse",
            &bundle_key,
            "BUNDLERING=pilot",
            "/qn",
        ],
    );
    let deployed = wine
        .command("wine")
        .args(["reg", "query", r"HKLM\Software\genvej"])
        .output()
        .expect("wine reg runs");
    let deployed = String::from_utf8_lossy(&deployed.stdout);
    for value in [
        "BundleFrom",
        r"C:\udgivelse",
        "BundleKey",
        KEY,
        "BundleRing",
        "pilot",
    ] {
        assert!(deployed.contains(value), "{value} not written:\n{deployed}");
    }
    let status = wine
        .wine(&program, &["bundle", "status"])
        .output()
        .expect("installed genvej.exe runs");
    let status = String::from_utf8_lossy(&status.stdout).into_owned()
        + &String::from_utf8_lossy(&status.stderr);
    for line in [
        r"from:     C:\udgivelse",
        "ring:     pilot (reads all.genvej-bundle, pilot.genvej-bundle)",
        "keys:     1 trusted",
        "library:  none",
    ] {
        assert!(status.contains(line), "no «{line}» in:\n{status}");
    }

    msiexec(&wine, &["/x", &windows_path(&first), "/qn"]);
    assert!(!program.exists(), "uninstall removes the program");
}
