//! Sequences end to end (`hotkey = "Ctrl+Alt+Space J"`): the real agent on
//! Xvfb + openbox, a stand-in case window, keys pressed with xdotool. The
//! leader shows the keys that may follow; the next key runs its script into
//! the focused window; Escape, another key or the time-out cancels, and the
//! keyboard is the caseworker's again afterwards.

use crate::require_desktop;
use crate::support;

use std::time::{Duration, Instant};

use support::agent::{Agent, config};
use support::desktop::Desktop;

const SHORT: Duration = Duration::from_secs(10);
const WAITING: &str = "sequence Ctrl+Alt+Space: waiting for the next key";

fn script(id: &str, name: &str, hotkey: &str, text: &str) -> String {
    format!(
        "id = \"{id}\"\nname = \"{name}\"\nhotkey = \"{hotkey}\"\nmanual_seconds = 60\n\n[[step]]\nwait_window = {{ title = \"Fasit*\", timeout_ms = 5000 }}\n\n[[step]]\ntype = \"{text}\"\n"
    )
}

fn scripts() -> Vec<(&'static str, String)> {
    vec![
        (
            "journal.toml",
            script(
                "journal",
                "Journalnotat",
                "Ctrl+Alt+Space J",
                "Journalnotat: ",
            ),
        ),
        (
            "plan.toml",
            script("plan", "Plan", "Ctrl+Alt+Space P", "Plan: "),
        ),
        (
            "plan-stor.toml",
            script(
                "plan-stor",
                "Stor plan",
                "Ctrl+Alt+Space Shift+P",
                "Stor plan: ",
            ),
        ),
        (
            "dato.toml",
            script("dato", "Dato", "Ctrl+Alt+D", "7. december"),
        ),
    ]
}

fn start(desktop: &mut Desktop, agent_settings: &str) -> Agent {
    let scripts = scripts();
    let files: Vec<(&str, &str)> = scripts.iter().map(|(f, s)| (*f, s.as_str())).collect();
    Agent::start(desktop, "agent", &files, &config("", agent_settings))
}

/// Waits until `needle` is in the agent's log `count` times.
fn wait_for_count(agent: &Agent, needle: &str, count: usize) {
    let deadline = Instant::now() + SHORT;
    while agent.count_in_log(needle) < count {
        assert!(
            Instant::now() < deadline,
            "`{needle}` not logged {count} time(s) within {SHORT:?}:\n{}",
            agent.log_text()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn leader_then_a_key_runs_its_script_into_the_focused_window_and_shows_the_keys_meanwhile() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let agent = start(&mut desktop, "");
    desktop.activate(&fasit);

    let pressed = Instant::now();
    desktop.key("ctrl+alt+space");
    agent.wait_for_log(&desktop, WAITING, SHORT);
    let waiting = pressed.elapsed();
    let overlay = desktop.wait_for_window("genvej – Ctrl+Alt+Space", SHORT);
    let shown = pressed.elapsed();
    desktop.key("j");
    agent.wait_for_log(&desktop, "«Journalnotat» completed", SHORT);
    eprintln!(
        "leader → keyboard taken, waiting: {} ms; window of keys on screen: {} ms (xdotool included)",
        waiting.as_millis(),
        shown.as_millis()
    );
    assert_eq!(
        fasit.wait_for_text("Journalnotat: ", SHORT),
        "Journalnotat: "
    );
    desktop.wait_for_window_gone(&overlay, SHORT);

    // Shift makes another key; the leader's modifiers may still be held.
    desktop.key("ctrl+alt+space");
    wait_for_count(&agent, WAITING, 2);
    desktop.key("shift+p");
    agent.wait_for_log(&desktop, "«Stor plan» completed", SHORT);
    desktop.key("ctrl+alt+space");
    wait_for_count(&agent, WAITING, 3);
    desktop.key("ctrl+alt+p");
    agent.wait_for_log(&desktop, "«Plan» completed", SHORT);
    assert_eq!(
        fasit.wait_for_text("Journalnotat: Stor plan: Plan: ", SHORT),
        "Journalnotat: Stor plan: Plan: "
    );
    agent.stop(&mut desktop);
}

#[test]
fn escape_or_another_key_cancels_types_nothing_and_the_hot_keys_still_work() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let agent = start(&mut desktop, "");
    desktop.activate(&fasit);

    desktop.key("ctrl+alt+space");
    agent.wait_for_log(&desktop, WAITING, SHORT);
    desktop.key("Escape");
    agent.wait_for_log(
        &desktop,
        "sequence Ctrl+Alt+Space cancelled with Escape",
        SHORT,
    );

    desktop.key("ctrl+alt+space");
    wait_for_count(&agent, WAITING, 2);
    desktop.key("x");
    agent.wait_for_log(
        &desktop,
        "sequence Ctrl+Alt+Space cancelled: a key that is none of its keys",
        SHORT,
    );

    // The keyboard is free again: a hot key and plain typing both arrive,
    // and nothing of the cancelled sequences did.
    desktop.key("ctrl+alt+d");
    agent.wait_for_log(&desktop, "«Dato» completed", SHORT);
    desktop.key("a");
    assert_eq!(fasit.wait_for_text("7. decembera", SHORT), "7. decembera");
    assert_eq!(agent.count_in_log("«Journalnotat»"), 0);
    agent.stop(&mut desktop);
}

#[test]
fn a_sequence_times_out_is_logged_and_lets_the_keyboard_go() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let agent = start(&mut desktop, "sequence_timeout_ms = 400");
    desktop.activate(&fasit);

    desktop.key("ctrl+alt+space");
    agent.wait_for_log(&desktop, WAITING, SHORT);
    agent.wait_for_log(
        &desktop,
        "sequence Ctrl+Alt+Space cancelled: no key within 400 ms",
        SHORT,
    );
    // Typed after the time-out: reaches the window, runs nothing.
    desktop.key("j");
    assert_eq!(fasit.wait_for_text("j", SHORT), "j");
    assert_eq!(agent.count_in_log("«Journalnotat»"), 0);

    // And the next sequence works as before.
    desktop.key("ctrl+alt+space");
    wait_for_count(&agent, WAITING, 2);
    desktop.key("j");
    agent.wait_for_log(&desktop, "«Journalnotat» completed", SHORT);
    assert_eq!(
        fasit.wait_for_text("jJournalnotat: ", SHORT),
        "jJournalnotat: "
    );
    agent.stop(&mut desktop);
}
