//! Sequences in the Windows agent under Wine (`genvej.exe run`): the leader
//! is a RegisterHotKey chord; while it waits, a low-level keyboard hook
//! takes the next key, whatever it is, from every program. Keys are pressed
//! with xdotool while notepad has the focus; what arrived is read back from
//! notepad's Edit control. Notices are off (`notice_seconds = 0`), and with
//! them the window listing the keys: under Wine + openbox a `genvej.exe
//! dialog` window takes the focus (see tests/e2e_wine/agent.rs).

use crate::require_desktop;
use crate::support;

use std::time::{Duration, Instant};

use support::agent::config;
use support::desktop::Desktop;
use support::tools::Tool;
use support::wine::{Wine, WineAgent};

const LONG: Duration = Duration::from_secs(60);
const WAITING: &str = "sequence Ctrl+Alt+Space: waiting for the next key";

fn script(id: &str, hotkey: &str, text: &str) -> String {
    format!(
        "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"{hotkey}\"\nmanual_seconds = 60\n\n[[step]]\nwait_window = {{ title = \"*Notepad\", timeout_ms = 20000 }}\n\n[[step]]\ntype = \"{text}\"\n"
    )
}

fn start(desktop: &mut Desktop, wine: &Wine, agent_settings: &str) -> WineAgent {
    let scripts = [
        (
            "journal.toml",
            script("journal", "Ctrl+Alt+Space J", "Journalnotat: "),
        ),
        ("plan.toml", script("plan", "Ctrl+Alt+Space P", "Plan: ")),
        ("dato.toml", script("dato", "Ctrl+Alt+D", "7. december ")),
    ];
    let folder = desktop.dir().join("agent");
    WineAgent::start(
        desktop,
        wine,
        &folder,
        &scripts.each_ref().map(|(f, s)| (*f, s.as_str())),
        &config("", &format!("notice_seconds = 0\n{agent_settings}")),
        &["--no-tray"],
    )
}

/// Waits until `needle` is in the agent's log `count` times.
fn wait_for_count(agent: &WineAgent, needle: &str, count: usize) {
    let deadline = Instant::now() + LONG;
    while agent.log_text().matches(needle).count() < count {
        assert!(
            Instant::now() < deadline,
            "`{needle}` not logged {count} time(s):\n{}",
            agent.log_text()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn under_wine_leader_then_a_key_runs_its_script_and_escape_cancels() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let title = wine.notepad(&mut desktop, None);
    let agent = start(&mut desktop, &wine, "");
    let ready = agent.wait_for_log(&desktop, "genvej ready");
    assert!(ready.contains("2 hot keys (0 taken"), "{ready}");

    let pressed = Instant::now();
    desktop.key("ctrl+alt+space");
    agent.wait_for_log(&desktop, WAITING);
    let waiting = pressed.elapsed();
    desktop.key("j");
    agent.wait_for_log(&desktop, "«journal» completed");
    wine.wait_for_edit_text(&title, "Journalnotat: ", LONG);
    eprintln!(
        "under wine: leader → waiting for the next key in {} ms",
        waiting.as_millis()
    );

    desktop.key("ctrl+alt+space");
    wait_for_count(&agent, WAITING, 2);
    desktop.key("Escape");
    agent.wait_for_log(&desktop, "sequence Ctrl+Alt+Space cancelled with Escape");

    // Any other key cancels and reaches no window: a letter ("hej" after an
    // accidental leader must not run the script on J), punctuation, an
    // arrow (which would move the caret, and the text below would land
    // elsewhere).
    for (round, key) in ["h", "comma", "Left"].into_iter().enumerate() {
        desktop.key("ctrl+alt+space");
        wait_for_count(&agent, WAITING, 3 + round);
        desktop.key(key);
        wait_for_count(
            &agent,
            "sequence Ctrl+Alt+Space cancelled: a key that is none of its keys",
            1 + round,
        );
    }

    // The sequence's keys are plain keys again, and the hot keys still work.
    desktop.key("ctrl+alt+d");
    agent.wait_for_log(&desktop, "«dato» completed");
    desktop.key("p");
    let expected = "Journalnotat: 7. december p";
    assert_eq!(wine.wait_for_edit_text(&title, expected, LONG), expected);
    assert_eq!(agent.log_text().matches("«plan»").count(), 0);
    agent.close(&mut desktop, &wine);
}

#[test]
fn under_wine_a_sequence_times_out_and_its_keys_type_again() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let title = wine.notepad(&mut desktop, None);
    let agent = start(&mut desktop, &wine, "sequence_timeout_ms = 500");

    desktop.key("ctrl+alt+space");
    agent.wait_for_log(&desktop, WAITING);
    agent.wait_for_log(
        &desktop,
        "sequence Ctrl+Alt+Space cancelled: no key within 500 ms",
    );
    desktop.key("j");
    let typed = wine.wait_for_edit_text(&title, "j", LONG);
    assert_eq!(typed, "j", "agent log:\n{}", agent.log_text());
    assert_eq!(agent.log_text().matches("«journal»").count(), 0);

    desktop.key("ctrl+alt+space");
    wait_for_count(&agent, WAITING, 2);
    desktop.key("p");
    agent.wait_for_log(&desktop, "«plan» completed");
    assert_eq!(wine.wait_for_edit_text(&title, "jPlan: ", LONG), "jPlan: ");
    agent.close(&mut desktop, &wine);
}
