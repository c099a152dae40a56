//! End-to-end: a source's `Authorization` header comes from the OS
//! credential store — GNOME Keyring's Secret Service on a private session
//! bus — saved there with `genvej credential set`, sent to a case server
//! that refuses requests without it. A credential that is missing or wrong
//! stops the run with a message that names it, and nothing is typed.

use crate::require_desktop;
use crate::support;

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use support::agent::{Agent, config, set_primary};
use support::desktop::Desktop;
use support::tools::Tool;

const LONG: Duration = Duration::from_secs(30);
const TOKEN: &str = "tjenestekonto-8f2c";

const SCRIPT: &str = r#"id = "borgerens-navn"
name = "Borgerens navn"
hotkey = "Ctrl+Alt+N"
manual_seconds = 20

[[input]]
name = "cpr"
kind = "cpr"
from = ["selection"]

[[source]]
name = "borger"
url = "{{ org.fasit_api }}/borgere/{{ cpr.digits }}"
headers = { Authorization = { credential = "fasit-test", prefix = "Bearer " } }

[[step]]
fetch = "borger"

[[step]]
type = "{{ borger.navn }}"
"#;

/// Runs `genvej credential …` on the desktop's session bus, with `stdin`.
fn credential(desktop: &Desktop, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = desktop
        .command(env!("CARGO_BIN_EXE_genvej"))
        .arg("credential")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("genvej starts");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())
        .expect("secret written");
    let output = child.wait_with_output().expect("genvej finishes");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
fn the_header_secret_comes_from_the_os_credential_store() {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::GnomeKeyring);
    desktop.start_session_bus();
    desktop.start_keyring();
    let port = desktop.start_case_server_requiring(Some(TOKEN));
    let window = desktop.case_window("Fasit – borger");
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("borgerens-navn.toml", SCRIPT)],
        &config(&format!("fasit_api = \"http://127.0.0.1:{port}\""), ""),
    );
    set_primary(&mut desktop, "070761-4285");
    desktop.activate(&window);

    // Not saved yet: the run stops at the fetch and says how to save it.
    desktop.key("ctrl+alt+n");
    let line = agent.wait_for_log(&desktop, "stoppede ved trin 1 (fetch", LONG);
    assert!(
        line.contains("legitimationen «fasit-test» (til headeren Authorization): den er ikke gemt")
            && line.contains("genvej credential set fasit-test"),
        "{line}"
    );

    // A wrong secret: the server's refusal is reported.
    let (saved, text) = credential(&desktop, &["set", "fasit-test"], "forkert\n");
    assert!(saved, "{text}");
    desktop.key("ctrl+alt+n");
    let deadline = std::time::Instant::now() + LONG;
    while agent.count_in_log("svarede 401") < 1 {
        assert!(std::time::Instant::now() < deadline, "{}", agent.log_text());
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        window.text(),
        "",
        "nothing typed while the secret is missing or wrong"
    );

    // The right one, replacing the wrong: the citizen's name arrives.
    let (saved, text) = credential(&desktop, &["set", "fasit-test"], &format!("{TOKEN}\n"));
    assert!(saved, "{text}");
    let (found, text) = credential(&desktop, &["check", "fasit-test"], "");
    assert!(found && text.contains("is saved (18 characters)"), "{text}");
    assert!(
        !text.contains(TOKEN),
        "check never prints the secret: {text}"
    );
    desktop.key("ctrl+alt+n");
    assert_eq!(
        window.wait_for_text("Åse Ørum Ågård", LONG),
        "Åse Ørum Ågård"
    );

    let log = agent.stop(&mut desktop);
    assert!(!log.contains(TOKEN), "the secret reached the log:\n{log}");
    let (removed, text) = credential(&desktop, &["delete", "fasit-test"], "");
    assert!(removed, "{text}");
    let (found, _) = credential(&desktop, &["check", "fasit-test"], "");
    assert!(!found, "deleted");
}
