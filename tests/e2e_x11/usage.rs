//! End-to-end: real runs of the agent on Xvfb leave usage records — ok,
//! failed at a step, cancelled — with their triggers and durations and
//! nothing personal (the database files are searched for CPR numbers);
//! `genvej report` reads them; the HTML report is opened in headless
//! Chromium and kept as a screenshot in `target/artifacts/`.

use crate::require_desktop;
use crate::require_tools;
use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::agent::{Agent, config_with_usage, set_primary};
use support::tools::{Tool, find_program};

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
type = "Borger {{ cpr }}"
"#;

const VENT: &str = r#"id = "vent-paa-vitas"
name = "Vent på Vitas"
hotkey = "Ctrl+Alt+V"
manual_seconds = 30

[[step]]
wait_window = { title = "Vitas findes ikke", timeout_ms = 300 }
"#;

const AFTALE: &str = r#"id = "ny-aftale"
name = "Ny aftale"
hotkey = "Ctrl+Alt+N"
manual_seconds = 60

[[input]]
name = "cpr"
label = "CPR-nummer"
kind = "cpr"
from = ["prompt"]

[[step]]
type = "{{ cpr }}"
"#;

const USAGE: &str = "user_id = \"p-e2e\"\nteam = \"Sygedagpenge\"";

fn genvej(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_genvej"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("genvej runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

/// One row of the `runs` table, with the script's id and the person.
#[derive(Debug)]
struct Recorded {
    script: String,
    /// 0 ok, 1 failed, 2 cancelled, 3 refused.
    outcome: i64,
    failed_step: Option<i64>,
    failed_kind: Option<String>,
    /// 0 hot key, 1 hotstring, 2 tray, 3 exec.
    trigger: i64,
    duration_ms: i64,
    user: String,
    team: String,
}

/// Every recorded run, oldest first.
fn rows(database: &Path) -> Vec<Recorded> {
    let conn = rusqlite::Connection::open(database).expect("database opens");
    let mut stmt = conn
        .prepare(
            "SELECT s.id, r.outcome, r.failed_step, r.failed_kind, r.trigger, r.duration_ms, p.user_id, p.team
             FROM runs r JOIN scripts s ON s.key = r.script JOIN people p ON p.key = r.person
             ORDER BY r.id",
        )
        .expect("query");
    stmt.query_map([], |r| {
        Ok(Recorded {
            script: r.get(0)?,
            outcome: r.get(1)?,
            failed_step: r.get(2)?,
            failed_kind: r.get(3)?,
            trigger: r.get(4)?,
            duration_ms: r.get(5)?,
            user: r.get(6)?,
            team: r.get(7)?,
        })
    })
    .expect("rows")
    .collect::<Result<_, _>>()
    .expect("readable rows")
}

/// Fails when a CPR-shaped string is in any of the database's files.
fn assert_no_cpr_in(folder: &Path) {
    let cpr = regex::Regex::new(r"\d{6}-?\d{4}").expect("regex");
    let mut searched = 0;
    for entry in std::fs::read_dir(folder).expect("folder").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("usage.sqlite") {
            continue;
        }
        let bytes = std::fs::read(entry.path()).expect("readable");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!cpr.is_match(&text), "a CPR-shaped string is in {name}");
        assert!(!text.contains("070761"), "the CPR is in {name}");
        searched += 1;
    }
    assert!(searched > 0, "no database files in {}", folder.display());
}

#[test]
fn real_runs_are_recorded_with_outcome_trigger_and_duration_and_nothing_personal() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – journal");
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[
            ("hils.toml", HILS),
            ("vent.toml", VENT),
            ("aftale.toml", AFTALE),
        ],
        &config_with_usage("", "", USAGE),
    );
    set_primary(&mut desktop, "070761-4285");
    desktop.activate(&fasit);

    desktop.key("ctrl+alt+h");
    fasit.wait_for_text("Borger 070761-4285", LONG);
    agent.wait_for_log(&desktop, "«Hils på borgeren» completed", LONG);

    desktop.key("ctrl+alt+v");
    agent.wait_for_log(&desktop, "«Vent på Vitas» stoppede ved trin 1", LONG);

    desktop.key("ctrl+alt+n");
    let dialog = desktop.wait_for_window("genvej – Ny aftale", SHORT);
    desktop.wait_for_active(&dialog, SHORT);
    desktop.key("Escape");
    agent.wait_for_log(&desktop, "«Ny aftale» cancelled", LONG);

    let folder = agent.folder.clone();
    agent.stop(&mut desktop);

    let runs = rows(&folder.join("usage.sqlite"));
    let summary: Vec<String> = runs
        .iter()
        .map(|r| {
            format!(
                "{} outcome {} step {:?} {:?} trigger {}",
                r.script, r.outcome, r.failed_step, r.failed_kind, r.trigger
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            "hils outcome 0 step None None trigger 0",
            "vent-paa-vitas outcome 1 step Some(1) Some(\"wait_window\") trigger 0",
            "ny-aftale outcome 2 step None None trigger 0",
        ],
        "ok, failed at step 1, cancelled; all by hot key"
    );
    let durations: Vec<i64> = runs.iter().map(|r| r.duration_ms).collect();
    assert!((1..10_000).contains(&durations[0]), "{durations:?}");
    assert!(
        (300..10_000).contains(&durations[1]),
        "waited 300 ms: {durations:?}"
    );
    assert!(durations[2] > 0, "{durations:?}");
    assert!(
        runs.iter()
            .all(|r| r.user == "p-e2e" && r.team == "Sygedagpenge")
    );
    assert_no_cpr_in(&folder);

    // The report reads the same database.
    let config = folder.join("genvej.toml");
    let (ok, text) = genvej(&["report", "--config", &config.to_string_lossy()]);
    assert!(ok, "{text}");
    assert!(
        text.contains("3 kørsler, 1 personer, 1 arbejdspladser"),
        "{text}"
    );
    assert!(text.contains("Hils på borgeren"), "{text}");
    assert!(text.contains("trin 1 (wait_window)"), "{text}");
    assert!(
        text.contains("1 team med færre end 5 personer vises ikke for sig"),
        "{text}"
    );

    let export = folder.join("delt");
    let (ok, text) = genvej(&[
        "export",
        "--config",
        &config.to_string_lossy(),
        "--to",
        &export.to_string_lossy(),
    ]);
    assert!(ok, "{text}");
    let (ok, merged) = genvej(&[
        "report",
        "--config",
        &config.to_string_lossy(),
        "--from",
        &export.to_string_lossy(),
        "--format",
        "csv",
    ]);
    assert!(ok, "{merged}");
    assert!(
        merged.contains("hils;Hils på borgeren;1;1;0;0;0;1,000;"),
        "{merged}"
    );
}

#[test]
fn the_stopwatch_hot_key_asks_which_task_and_saves_the_manual_time() {
    let mut desktop = require_desktop!();
    let usage = format!("{USAGE}\nstopwatch_hotkey = \"Ctrl+Alt+M\"");
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("hils.toml", HILS), ("aftale.toml", AFTALE)],
        &config_with_usage("", "", &usage),
    );

    desktop.key("ctrl+alt+m");
    let dialog = desktop.wait_for_window("genvej – Mål tid", SHORT);
    desktop.wait_for_active(&dialog, SHORT);
    // The choices are sorted: «Hils på borgeren …», «Ny aftale …».
    desktop.key("Down Down");
    desktop.screenshot(&support::artifact("stopwatch-choice.png"));
    desktop.key("Return");
    agent.wait_for_log(&desktop, "measuring the manual time of «Ny aftale»", SHORT);
    let started = Instant::now();

    desktop.key("ctrl+alt+m");
    agent.wait_for_log(&desktop, "manual time of «Ny aftale» measured", SHORT);
    let most = started.elapsed().as_secs_f64();
    let folder = agent.folder.clone();
    agent.stop(&mut desktop);

    let conn = rusqlite::Connection::open(folder.join("usage.sqlite")).expect("database");
    let (script, seconds, user, team): (String, f64, String, String) = conn
        .query_row(
            "SELECT b.script_id, b.seconds, p.user_id, p.team FROM baselines b JOIN people p ON p.key = b.person",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("one manual timing");
    assert_eq!(
        (script.as_str(), user.as_str(), team.as_str()),
        ("ny-aftale", "p-e2e", "Sygedagpenge")
    );
    assert!(
        seconds > 0.0 && seconds <= most + 0.5,
        "{seconds} s, at most {most} s"
    );
}

/// Chromium, as Debian installs it (the test names [`Tool::Chromium`]).
fn chromium() -> PathBuf {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| find_program(name))
        .expect("the test names Tool::Chromium in require_tools!")
}

/// A pilot's worth of records: 12 weeks, 6 scripts, 3 teams (one small).
fn pilot_database(path: &Path) {
    use chrono::TimeZone;
    use genvej_usage::{
        Baseline, Outcome, Person, ScriptVersion, Side, Trigger, UsageDb, UsageRecord,
    };
    let mut db = UsageDb::open(path).expect("database");
    let scripts = [
        ("aabn-borger", "Åbn borger i alle systemer", 150),
        ("forberedende-plan", "Forberedende plan", 3600),
        ("journalnotat", "Journalnotat", 420),
        ("indkaldelse", "Indkaldelse til samtale", 600),
        ("underskrift", "Underskrift", 20),
        ("befordring", "Befordringsgodtgørelse", 300),
    ];
    let teams = [("Sygedagpenge", 8), ("Jobparat", 6), ("Unge", 3)];
    let start = chrono::Local
        .with_ymd_and_hms(2026, 9, 7, 9, 0, 0)
        .earliest()
        .expect("a local time")
        .timestamp_millis();
    let mut records = Vec::new();
    let mut n: u64 = 0;
    for (team, size) in teams {
        for person in 0..size {
            let who = Person {
                user_id: format!("p-{team}-{person}"),
                team: team.into(),
            };
            for day in 0..84i64 {
                if day % 7 >= 5 {
                    continue;
                }
                for (i, (id, name, manual)) in scripts.iter().enumerate() {
                    n += 1;
                    // Use grows over the pilot; the plan is used less often.
                    if (n * 7919 + day as u64 * 31) % 100 >= (20 + day as u64) / (1 + i as u64 / 2)
                    {
                        continue;
                    }
                    let outcome = match n % 41 {
                        0 => Outcome::Failed {
                            step: 2,
                            kind: "fetch".into(),
                        },
                        7 => Outcome::Failed {
                            step: 4,
                            kind: "wait_window".into(),
                        },
                        13 => Outcome::Cancelled,
                        _ => Outcome::Ok,
                    };
                    records.push(UsageRecord {
                        script: ScriptVersion {
                            id: (*id).into(),
                            version: "v1".into(),
                            name: (*name).into(),
                            manual_seconds: *manual,
                            author_version: None,
                        },
                        person: who.clone(),
                        started_at_ms: start + day * 86_400_000 + (n % 480) as i64 * 60_000,
                        duration_ms: 300 + (n * 37) % 4000,
                        outcome,
                        trigger: Trigger::Hotkey,
                        agent_version: "0.1.0".into(),
                        bundle: None,
                    });
                }
            }
        }
    }
    db.insert(&records).expect("written");
    for seconds in [2700.0, 3300.0, 4100.0, 5200.0, 3900.0, 4500.0] {
        db.insert_baseline(&Baseline {
            script_id: "forberedende-plan".into(),
            person: Person {
                user_id: "p-Sygedagpenge-0".into(),
                team: "Sygedagpenge".into(),
            },
            measured_at_ms: start,
            seconds,
            side: Side::Manual,
        })
        .expect("baseline");
    }
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    require_tools!(Tool::Chromium, Tool::ImageMagick);
    let browser = chromium();
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("usage.sqlite");
    pilot_database(&database);
    let config = dir.path().join("genvej.toml");
    std::fs::write(&config, "[usage]\ndatabase = \"usage.sqlite\"\n").expect("config");
    let page = dir.path().join("rapport.html");
    let (ok, text) = genvej(&[
        "report",
        "--config",
        &config.to_string_lossy(),
        "--format",
        "html",
        "--out",
        &page.to_string_lossy(),
    ]);
    assert!(ok, "{text}");

    let png = support::artifact("time-saved-report.png");
    let _ = std::fs::remove_file(&png);
    let profile = dir.path().join("chromium-profile");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1000,2600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + LONG;
    loop {
        if child.try_wait().expect("waitable").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish the screenshot");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    // A page with charts has many colours; a blank or broken one has few.
    let colours = Command::new("identify")
        .args(["-format", "%k"])
        .arg(&png)
        .output()
        .expect("identify runs");
    let colours: usize = String::from_utf8_lossy(&colours.stdout)
        .trim()
        .parse()
        .expect("a colour count");
    assert!(
        colours > 200,
        "the screenshot looks empty: {colours} colours"
    );
    eprintln!("report screenshot: {} ({colours} colours)", png.display());
}
