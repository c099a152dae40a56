//! The first key of a run, with the shipped defaults: the hot key's passive
//! grab moves keyboard focus away from the window and back (FocusOut
//! NotifyGrab, FocusIn NotifyUngrab), and `focus_window` moves it to another
//! window. The agent waits for those events instead of a fixed pause; these
//! tests press the hot key many times and check that every round's text
//! arrives whole, its first character included.

use crate::require_desktop;
use crate::support;

use std::time::{Duration, Instant};

use support::agent::{Agent, config};

const SHORT: Duration = Duration::from_secs(10);
const ROUNDS: usize = 30;

/// The agent settings of these tests: the shipped defaults, unless the
/// environment variable `GENVEJ_TEST_AGENT` adds some (to measure, e.g.
/// `settle_ms = 50`, against the same rounds).
fn agent_settings() -> String {
    std::env::var("GENVEJ_TEST_AGENT").unwrap_or_default()
}

/// Presses `hotkey` `ROUNDS` times; after each press the run must complete
/// and `window` must hold `expected(round)` exactly.
fn press_rounds(
    desktop: &support::desktop::Desktop,
    agent: &Agent,
    hotkey: &str,
    mut check: impl FnMut(usize),
) {
    for round in 1..=ROUNDS {
        let pressed = Instant::now();
        desktop.key(hotkey);
        wait_until(SHORT, || agent.count_in_log("completed") >= round);
        check(round);
        eprintln!("round {round}: {:?}", pressed.elapsed());
    }
}

fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn the_first_key_after_the_hot_key_arrives_in_every_round() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let script = "id = \"hilsen\"\nname = \"Hilsen\"\nhotkey = \"Ctrl+Alt+T\"\nmanual_seconds = 5\n\n[[step]]\ntype = \"Hej Jens. \"\n";
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("hilsen.toml", script)],
        &config("", &agent_settings()),
    );

    press_rounds(&desktop, &agent, "ctrl+alt+t", |round| {
        let expected = "Hej Jens. ".repeat(round);
        let text = fasit.wait_for_text(&expected, SHORT);
        assert_eq!(text, expected, "round {round}: a key was lost");
    });
    agent.stop(&mut desktop);
}

#[test]
fn the_first_key_after_focus_window_arrives_in_every_round() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let notat = desktop.case_window("Notat – borger");
    // Each hot key moves focus to the other window, then types there.
    let to = |id: &str, key: &str, title: &str, text: &str| {
        format!(
            "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"{key}\"\nmanual_seconds = 5\n\n[[step]]\nfocus_window = {{ title = \"{title}\", timeout_ms = 5000 }}\n\n[[step]]\ntype = \"{text}\"\n"
        )
    };
    let scripts = [
        (
            "fasit.toml",
            to("fasit", "Ctrl+Alt+F", "Fasit*", "Hej Fasit. "),
        ),
        (
            "notat.toml",
            to("notat", "Ctrl+Alt+N", "Notat*", "Hej Notat. "),
        ),
    ];
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &scripts.each_ref().map(|(f, s)| (*f, s.as_str())),
        &config("", &agent_settings()),
    );

    desktop.activate(&notat);
    for round in 1..=ROUNDS {
        let pressed = Instant::now();
        let (hotkey, window, text) = if round % 2 == 1 {
            ("ctrl+alt+f", &fasit, "Hej Fasit. ")
        } else {
            ("ctrl+alt+n", &notat, "Hej Notat. ")
        };
        desktop.key(hotkey);
        wait_until(SHORT, || agent.count_in_log("completed") >= round);
        let expected = text.repeat(round.div_ceil(2));
        let arrived = window.wait_for_text(&expected, SHORT);
        assert_eq!(arrived, expected, "round {round}: a key was lost");
        eprintln!("round {round}: {:?}", pressed.elapsed());
    }
    agent.stop(&mut desktop);
}

/// One chord, two scripts, each for its own window (`only_when`): the run
/// worker describes the focused window as soon as it hears of the press,
/// while the agent decides, and every press must go to the script of the
/// window it was made in — never to the one of the window before it.
#[test]
fn a_chord_shared_by_two_windows_runs_the_script_of_the_window_each_press_was_made_in() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let notat = desktop.case_window("Notat – borger");
    let script = |id: &str, title: &str, text: &str| {
        format!(
            "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"Ctrl+Alt+T\"\nmanual_seconds = 5\nonly_when = {{ title = \"{title}\" }}\n\n[[step]]\ntype = \"{text}\"\n"
        )
    };
    let scripts = [
        ("fasit.toml", script("fasit", "Fasit*", "F")),
        ("notat.toml", script("notat", "Notat*", "N")),
    ];
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &scripts.each_ref().map(|(f, s)| (*f, s.as_str())),
        &config("", &agent_settings()),
    );

    for round in 1..=10 {
        for (window, letter) in [(&fasit, "F"), (&notat, "N")] {
            desktop.activate(window);
            desktop.key("ctrl+alt+t");
            let expected = letter.repeat(round);
            let arrived = window.wait_for_text(&expected, SHORT);
            assert_eq!(arrived, expected, "round {round}, {}", window.title);
        }
    }
    assert_eq!(fasit.text(), "F".repeat(10));
    assert_eq!(notat.text(), "N".repeat(10));
    agent.stop(&mut desktop);
}
