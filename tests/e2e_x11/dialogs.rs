//! End-to-end: the dialogs a caseworker sees, on a real X server. A hot key
//! opens the form, xdotool fills it in like a person with a keyboard, and the
//! stand-in case window shows what the script typed afterwards — which also
//! proves the focus went back to it. Screenshots of the form are kept in
//! `target/artifacts/`.
//!
//! Needs the Debian packages xvfb openbox xdotool x11-utils python3-tk and
//! Mesa's GL (libgl1-mesa-dri, libegl1) for the egui dialog.

use crate::require_desktop;
use crate::support;

use std::time::Duration;

use support::agent::{Agent, config, set_primary};
use support::desktop::{CaseWindow, Desktop};
use support::tools::Tool;

const LONG: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(10);

/// A script that asks for a CPR number and a benefit in one form, then types
/// both into the window that had focus when the hot key was pressed.
const NY_AFTALE: &str = r#"
id = "ny-aftale"
name = "Ny aftale"
hotkey = "Ctrl+Alt+N"
manual_seconds = 60

[[input]]
name = "cpr"
label = "CPR-nummer"
kind = "cpr"
from = ["prompt"]

[[input]]
name = "ydelse"
label = "Ydelse"
kind = "choice"
choices = ["Kontanthjælp", "Sygedagpenge", "Ledighedsydelse"]
from = ["prompt"]

[[step]]
type = "{{ cpr }};{{ ydelse }}"
"#;

/// Waits for the dialog titled `genvej – {title}` to be on screen with the
/// keyboard focus, ready for keys; returns its window id.
fn wait_for_dialog(desktop: &Desktop, title: &str) -> String {
    let id = desktop.wait_for_window(&format!("genvej – {title}"), SHORT);
    desktop.wait_for_active(&id, SHORT);
    id
}

/// Starts the agent with the «Ny aftale» script, presses its hot key in
/// the Fasit window and waits for the form.
fn open_ny_aftale(desktop: &mut Desktop) -> (CaseWindow, Agent) {
    let fasit = desktop.case_window("Fasit – journal");
    let agent = Agent::start(
        desktop,
        "agent",
        &[("ny-aftale.toml", NY_AFTALE)],
        &config("", ""),
    );
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+n");
    wait_for_dialog(desktop, "Ny aftale");
    (fasit, agent)
}

fn type_ascii(desktop: &Desktop, text: &str) {
    // Only ASCII here: xdotool is exact for digits, letters and '-'.
    desktop.xdotool(&["type", "--delay", "15", text]);
}

#[test]
fn a_form_asks_the_cpr_and_the_script_types_into_the_window_that_had_focus() {
    let mut desktop = require_desktop!();
    let (fasit, agent) = open_ny_aftale(&mut desktop);
    type_ascii(&desktop, "070761-4285");
    // Tab to the choice; Down twice picks the second benefit.
    desktop.key("Tab Down Down");
    desktop.screenshot(&support::artifact("form-filled.png"));
    desktop.key("Return");

    agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(
        fasit.wait_for_text("070761-4285;Sygedagpenge", SHORT),
        "070761-4285;Sygedagpenge"
    );
    let log = agent.stop(&mut desktop);
    assert!(
        !log.contains("4285"),
        "the CPR number reached the log:\n{log}"
    );
}

#[test]
fn escape_cancels_the_form_and_nothing_is_typed() {
    let mut desktop = require_desktop!();
    let (fasit, agent) = open_ny_aftale(&mut desktop);
    type_ascii(&desktop, "0707");
    desktop.key("Escape");

    agent.wait_for_log(&desktop, "«Ny aftale» cancelled", LONG);
    desktop.wait_for_active(&fasit.id, SHORT);
    assert_eq!(fasit.text(), "", "a cancelled form types nothing");
    assert_eq!(
        desktop.find_window("genvej – Ny aftale"),
        None,
        "the dialog closed"
    );
    agent.stop(&mut desktop);
}

#[test]
fn an_impossible_cpr_date_is_refused_in_the_form_until_it_is_corrected() {
    let mut desktop = require_desktop!();
    let (fasit, agent) = open_ny_aftale(&mut desktop);
    // 31 February does not exist: Enter must not submit this.
    type_ascii(&desktop, "310299-1234");
    desktop.key("Tab Down Shift+Tab Return");
    desktop.screenshot(&support::artifact("form-invalid-cpr.png"));
    // The focus is back in the CPR field; replace the number and submit.
    desktop.key("ctrl+a");
    type_ascii(&desktop, "070761-4285");
    desktop.key("Return");

    agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(
        fasit.wait_for_text("070761-4285;Kontanthjælp", SHORT),
        "070761-4285;Kontanthjælp",
        "only the corrected number was submitted"
    );
    agent.stop(&mut desktop);
}

#[test]
fn a_message_step_waits_for_ok_and_the_run_types_on_in_the_same_window() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – journal");
    let script = r#"
id = "husk"
name = "Husk at gemme"
hotkey = "Ctrl+Alt+H"
manual_seconds = 10

[[step]]
message = "Gem journalen, før du lukker den."

[[step]]
type = "gemt"
"#;
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("husk.toml", script)],
        &config("", ""),
    );
    desktop.activate(&fasit);

    desktop.key("ctrl+alt+h");
    wait_for_dialog(&desktop, "Husk at gemme");
    assert_eq!(fasit.text(), "", "nothing typed while the message is open");
    desktop.key("Return");

    agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(fasit.wait_for_text("gemt", SHORT), "gemt");
    agent.stop(&mut desktop);
}

#[test]
fn a_failed_run_shows_a_notice_that_does_not_take_the_focus_and_closes_itself() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – journal");
    let script = r#"
id = "vitas"
name = "Åbn Vitas"
hotkey = "Ctrl+Alt+V"
manual_seconds = 30

[[step]]
wait_window = { title = "Vitas*", timeout_ms = 300 }
"#;
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("vitas.toml", script)],
        &config("", "notice_seconds = 2"),
    );
    desktop.activate(&fasit);

    desktop.key("ctrl+alt+v");
    agent.wait_for_log(&desktop, "stoppede ved trin 1", LONG);
    let notice = desktop.wait_for_window("genvej – Åbn Vitas: fejl", SHORT);
    desktop.screenshot(&support::artifact("notice-failed-run.png"));
    assert_eq!(
        desktop.active_window().as_deref(),
        Some(fasit.id.as_str()),
        "the notice must not take the keyboard"
    );
    desktop.wait_for_window_gone(&notice, SHORT);
    agent.stop(&mut desktop);
}

#[test]
fn with_a_notification_service_a_failure_becomes_a_toast_without_the_cpr() {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
    desktop.start_session_bus();
    let notifications = desktop.start_notification_service();
    let fasit = desktop.case_window("Fasit – journal");
    let script = r#"
id = "vitas"
name = "Åbn Vitas"
hotkey = "Ctrl+Alt+V"
manual_seconds = 30

[[input]]
name = "cpr"
kind = "cpr"
from = ["selection"]

[[step]]
require = { condition = "cpr.digits == '0000000000'", message = "Borgeren {{ cpr }} har ingen sag i Vitas" }
"#;
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("vitas.toml", script)],
        &config("", "notice_seconds = 3"),
    );
    set_primary(&mut desktop, "070761-4285");
    desktop.activate(&fasit);

    desktop.key("ctrl+alt+v");
    agent.wait_for_log(&desktop, "stoppede ved trin 1", LONG);
    let line = desktop.wait_for_line(&notifications, "Åbn Vitas: fejl", SHORT);
    let toast: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(toast["app"], "genvej");
    assert_eq!(toast["timeout_ms"], 3000);
    assert_eq!(
        toast["body"],
        "«Åbn Vitas» stoppede ved trin 1 (require, linje 12): Borgeren 070761-XXXX har ingen sag i Vitas"
    );
    assert!(
        !line.contains("4285"),
        "a CPR number in a notification: {line}"
    );
    assert_eq!(
        desktop.find_window("genvej – Åbn Vitas: fejl"),
        None,
        "no own window when the desktop shows the notice"
    );
    agent.stop(&mut desktop);
}
