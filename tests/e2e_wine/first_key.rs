//! The first key of a run under Wine, with the shipped defaults (no
//! `settle_ms` pause: RegisterHotKey takes nothing from the window, so the
//! agent types as soon as the hot key's modifiers are up). The hot key is
//! pressed many times into notepad; every round's text must arrive whole,
//! its first character included.

use crate::require_desktop;
use crate::support;

use std::time::{Duration, Instant};

use support::agent::config;
use support::tools::Tool;
use support::wine::{Wine, WineAgent};

const ROUNDS: usize = 30;
const ROUND_TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn the_first_key_after_the_hot_key_arrives_in_every_round_in_notepad() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let title = wine.notepad(&mut desktop, None);
    let script = "id = \"hilsen\"\nname = \"Hilsen\"\nhotkey = \"Ctrl+Alt+T\"\nmanual_seconds = 5\n\n[[step]]\ntype = \"Hej Jens. \"\n";
    let folder = desktop.dir().join("agent");
    // The shipped defaults, without on-screen notices (each would be a
    // window taking the focus).
    let agent = WineAgent::start(
        &mut desktop,
        &wine,
        &folder,
        &[("hilsen.toml", script)],
        &config("", "notice_seconds = 0"),
        &["--no-tray"],
    );

    for round in 1..=ROUNDS {
        let pressed = Instant::now();
        desktop.key("ctrl+alt+t");
        let deadline = pressed + ROUND_TIMEOUT;
        while agent.log_text().matches("«Hilsen» completed").count() < round {
            assert!(
                Instant::now() < deadline,
                "round {round} did not complete; log:\n{}",
                agent.log_text()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let expected = "Hej Jens. ".repeat(round);
        let arrived = wine.wait_for_edit_text(&title, &expected, ROUND_TIMEOUT);
        assert_eq!(arrived, expected, "round {round}: a key was lost");
        eprintln!("round {round}: {} ms", pressed.elapsed().as_millis());
    }
    agent.close(&mut desktop, &wine);
}

/// One chord, two scripts, each for its own window (`only_when`): the
/// agent describes the window at each press (on the thread that gets the
/// press, before the run), and every press must go to the script of the
/// window it was made in — never to the one of the window before it.
#[test]
fn a_chord_shared_by_two_windows_runs_the_script_of_the_window_each_press_was_made_in() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let fasit = wine.notepad(&mut desktop, Some("fasit.txt"));
    let fasit_id = desktop.wait_for_window(&fasit, ROUND_TIMEOUT);
    let mail = wine.notepad(&mut desktop, Some("mail.txt"));
    let mail_id = desktop.wait_for_window(&mail, ROUND_TIMEOUT);
    let script = |id: &str, title: &str, text: &str| {
        format!(
            "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"Ctrl+Alt+T\"\nmanual_seconds = 5\nonly_when = {{ title = \"{title}\" }}\n\n[[step]]\ntype = \"{text}\"\n"
        )
    };
    let in_fasit = script("fasit", "fasit.txt*", "F");
    let in_mail = script("mail", "mail.txt*", "M");
    let folder = desktop.dir().join("agent");
    let agent = WineAgent::start(
        &mut desktop,
        &wine,
        &folder,
        &[("fasit.toml", &in_fasit), ("mail.toml", &in_mail)],
        &config("", "notice_seconds = 0"),
        &["--no-tray"],
    );

    for round in 1..=4 {
        for (title, id, letter) in [(&fasit, &fasit_id, "F"), (&mail, &mail_id, "M")] {
            desktop.activate_id(id);
            wine.wait_for_foreground(title, ROUND_TIMEOUT);
            desktop.key("ctrl+alt+t");
            let expected = letter.repeat(round);
            let arrived = wine.wait_for_edit_text(title, &expected, ROUND_TIMEOUT);
            assert_eq!(
                arrived,
                expected,
                "round {round}, {title}; log:\n{}",
                agent.log_text()
            );
        }
    }
    assert_eq!(wine.edit_text(&fasit).as_deref(), Some("FFFF"));
    assert_eq!(wine.edit_text(&mail).as_deref(), Some("MMMM"));
    agent.close(&mut desktop, &wine);
}
