//! End-to-end on Xvfb: the stopwatch's «med genvej» side chosen with the
//! keyboard and saved as such; the satisfaction pulse asked after a
//! successful run, answered with the arrow keys or skipped with Escape,
//! asked once a week per script, and closed when a hot key starts a run while it is on screen —
//! the run types into the case window, never into the question.

use crate::require_desktop;
use crate::support;

use std::time::Duration;

use support::agent::{Agent, config_with_usage, set_primary};

const LONG: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(10);

const HILS: &str = r#"id = "hils"
name = "Hils på borgeren"
hotkey = "Ctrl+Alt+H"
manual_seconds = 45

[[input]]
name = "cpr"
kind = "cpr"
from = ["selection"]

[[step]]
type = "Borger {{ cpr }}. "
"#;

const HILSEN: &str = r#"id = "hilsen"
name = "Hilsen"
hotkey = "Ctrl+Alt+K"
manual_seconds = 20

[[step]]
type = "Med venlig hilsen"
"#;

const NOTAT: &str = r#"id = "notat"
name = "Notat"
hotkey = "Ctrl+Alt+J"
manual_seconds = 20

[[step]]
type = " Notat."
"#;

const USAGE: &str =
    "user_id = \"p-e2e\"\nteam = \"Sygedagpenge\"\nstopwatch_hotkey = \"Ctrl+Alt+U\"";

/// Waits until the log has `needle` `count` times (a log line may follow
/// what it reports on the screen by a moment).
fn wait_for_count(agent: &Agent, needle: &str, count: usize) {
    let started = std::time::Instant::now();
    while agent.count_in_log(needle) < count {
        assert!(
            started.elapsed() < SHORT,
            "{needle:?} is not {count} times in the log:\n{}",
            agent.log_text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(agent.count_in_log(needle), count, "{needle:?}");
}

#[test]
fn the_stopwatch_times_the_whole_task_with_genvej_when_asked_to() {
    let mut desktop = require_desktop!();
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("hils.toml", HILS), ("hilsen.toml", HILSEN)],
        &config_with_usage("", "", USAGE),
    );

    desktop.key("ctrl+alt+u");
    let dialog = desktop.wait_for_window("genvej – Mål tid", SHORT);
    desktop.wait_for_active(&dialog, SHORT);
    // The tasks are sorted: «Hils på borgeren …», «Hilsen …». Then Tab to
    // «Hvordan løser du den?» (by hand is chosen) and one down: with genvej.
    desktop.key("Down Tab Down");
    desktop.screenshot(&support::artifact("stopwatch-with-genvej.png"));
    desktop.key("Return");
    agent.wait_for_log(
        &desktop,
        "measuring the time of «Hils på borgeren» with genvej",
        SHORT,
    );
    desktop.key("ctrl+alt+u");
    agent.wait_for_log(
        &desktop,
        "time with genvej of «Hils på borgeren» measured",
        SHORT,
    );
    let folder = agent.folder.clone();
    agent.stop(&mut desktop);

    let conn = rusqlite::Connection::open(folder.join("usage.sqlite")).expect("database");
    let (script, with_genvej): (String, i64) = conn
        .query_row("SELECT script_id, with_genvej FROM baselines", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("one timing");
    assert_eq!((script.as_str(), with_genvej), ("hils", 1));
}

#[test]
fn the_pulse_asks_after_a_successful_run_once_a_week_and_gives_way_to_the_next_run() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – journal");
    let usage = format!("{USAGE}\nsatisfaction_pulse = true");
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[
            ("hils.toml", HILS),
            ("hilsen.toml", HILSEN),
            ("notat.toml", NOTAT),
        ],
        &config_with_usage("", "", &usage),
    );
    set_primary(&mut desktop, "070761-4285");
    desktop.activate(&fasit);

    // A successful run, then the question — after the run, not during it.
    desktop.key("ctrl+alt+h");
    let once = "Borger 070761-4285. ";
    assert_eq!(fasit.wait_for_text(once, LONG), once);
    agent.wait_for_log(&desktop, "«Hils på borgeren» completed", LONG);
    let question = desktop.wait_for_window("genvej – Hvor godt hjalp genvejen?", SHORT);
    desktop.wait_for_active(&question, SHORT);
    desktop.screenshot(&support::artifact("pulse-question.png"));

    // The next hot key closes the question first; the run types into
    // Fasit, and the same script is not asked again this week.
    desktop.key("ctrl+alt+h");
    desktop.wait_for_window_gone(&question, SHORT);
    let twice = "Borger 070761-4285. Borger 070761-4285. ";
    assert_eq!(
        fasit.wait_for_text(twice, LONG),
        twice,
        "the run typed into Fasit, not into the question"
    );
    agent.wait_for_log(&desktop, "satisfaction pulse skipped", SHORT);
    wait_for_count(&agent, "«Hils på borgeren» completed", 2);

    // Another script: answered 4 with the arrow keys.
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+k");
    let all = "Borger 070761-4285. Borger 070761-4285. Med venlig hilsen";
    assert_eq!(fasit.wait_for_text(all, LONG), all);
    let question = desktop.wait_for_window("genvej – Hvor godt hjalp genvejen?", SHORT);
    desktop.wait_for_active(&question, SHORT);
    desktop.key("Down Down Down Down Return");
    agent.wait_for_log(&desktop, "satisfaction pulse answered", SHORT);
    desktop.wait_for_window_gone(&question, SHORT);
    wait_for_count(&agent, "«Hilsen» completed", 1);

    // A third: Escape skips, the window closes, and the answer is none.
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+j");
    let all = format!("{all} Notat.");
    assert_eq!(fasit.wait_for_text(&all, LONG), all);
    let question = desktop.wait_for_window("genvej – Hvor godt hjalp genvejen?", SHORT);
    desktop.wait_for_active(&question, SHORT);
    desktop.key("Escape");
    desktop.wait_for_window_gone(&question, SHORT);
    wait_for_count(&agent, "satisfaction pulse skipped", 2);
    assert_eq!(
        agent.count_in_log("asking the satisfaction pulse"),
        3,
        "once for each script"
    );

    let folder = agent.folder.clone();
    agent.stop(&mut desktop);
    let conn = rusqlite::Connection::open(folder.join("usage.sqlite")).expect("database");
    let mut stmt = conn
        .prepare(
            "SELECT q.script_id, q.score, p.user_id FROM pulses q
             JOIN people p ON p.key = q.person ORDER BY q.id",
        )
        .expect("query");
    let pulses: Vec<(String, Option<i64>, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("readable");
    assert_eq!(
        pulses,
        [
            ("hils".to_string(), None, "p-e2e".to_string()),
            ("hilsen".to_string(), Some(4), "p-e2e".to_string()),
            ("notat".to_string(), None, "p-e2e".to_string()),
        ]
    );
}
