//! The time-saved report: arithmetic on databases with known answers,
//! baseline selection, small teams withheld, several workstations merged
//! (each counted once), and schema migrations.

use chrono::{NaiveDate, TimeZone};
use genvej_usage::db::{Dataset, SCHEMA_VERSION};
use genvej_usage::report::{self, ReportOptions, Verdict};
use genvej_usage::{
    Baseline, Outcome, Person, ScriptVersion, Side, Trigger, UsageDb, UsageRecord, html, text,
};

/// A time in November 2026, local (shared with `versions`).
pub(crate) fn at(day: u32, hour: u32) -> i64 {
    let time = NaiveDate::from_ymd_opt(2026, 11, day)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .expect("valid time");
    chrono::Local
        .from_local_datetime(&time)
        .earliest()
        .expect("a local time")
        .timestamp_millis()
}

fn script(id: &str, name: &str, manual_seconds: u32) -> ScriptVersion {
    ScriptVersion {
        id: id.into(),
        version: "abc123".into(),
        name: name.into(),
        manual_seconds,
        author_version: None,
    }
}

pub(crate) fn person(n: usize, team: &str) -> Person {
    Person {
        user_id: format!("p-{team}-{n}"),
        team: team.into(),
    }
}

pub(crate) fn run(
    script: &ScriptVersion,
    who: &Person,
    started: i64,
    ms: u64,
    outcome: Outcome,
) -> UsageRecord {
    UsageRecord {
        script: script.clone(),
        person: who.clone(),
        started_at_ms: started,
        duration_ms: ms,
        outcome,
        trigger: Trigger::Hotkey,
        agent_version: "0.1.0".into(),
        bundle: None,
    }
}

/// Two teams (5 and 2 people), three scripts, November 2026:
/// - «Åbn borger» (declared 120 s, never measured): 10 successful runs of
///   1–10 s, 2 failures at step 3 (fetch), 1 cancelled, 1 refused;
/// - «Forberedende plan» (declared 3600 s; measured 1800, 2400, 3000,
///   4000, 5000 s → median 3000 s used): 4 successful runs of 1 s;
/// - «Journalnotat» (declared 300 s; only 4 measured → declared used):
///   2 successful runs of 0.5 s, both by the small team.
fn pilot_db(path: &std::path::Path) -> UsageDb {
    let mut db = UsageDb::open(path).expect("database");
    let open = script("aabn-borger", "Åbn borger", 120);
    let plan = script("forberedende-plan", "Forberedende plan", 3600);
    let note = script("journalnotat", "Journalnotat", 300);
    let big: Vec<Person> = (0..5).map(|n| person(n, "Sygedagpenge")).collect();
    let small: Vec<Person> = (0..2).map(|n| person(n, "Jobparat")).collect();
    let mut records = Vec::new();
    for i in 0..10u32 {
        records.push(run(
            &open,
            &big[i as usize % 5],
            at(2 + i, 10),
            u64::from(i + 1) * 1000,
            Outcome::Ok,
        ));
    }
    for day in [3, 4] {
        let failed = Outcome::Failed {
            step: 3,
            kind: "fetch".into(),
        };
        records.push(run(&open, &big[0], at(day, 11), 800, failed));
    }
    records.push(run(&open, &big[1], at(5, 12), 4000, Outcome::Cancelled));
    records.push(run(&open, &big[2], at(5, 13), 0, Outcome::Rejected));
    for (i, who) in big.iter().take(4).enumerate() {
        records.push(run(&plan, who, at(16 + i as u32, 9), 1000, Outcome::Ok));
    }
    for who in &small {
        records.push(run(&note, who, at(24, 14), 500, Outcome::Ok));
    }
    db.insert(&records).expect("runs written");
    for seconds in [1800.0, 2400.0, 3000.0, 4000.0, 5000.0] {
        db.insert_baseline(&Baseline {
            script_id: "forberedende-plan".into(),
            person: big[0].clone(),
            measured_at_ms: at(1, 9),
            seconds,
            side: Side::Manual,
        })
        .expect("baseline written");
    }
    for seconds in [100.0, 200.0, 250.0, 400.0] {
        db.insert_baseline(&Baseline {
            script_id: "journalnotat".into(),
            person: small[0].clone(),
            measured_at_ms: at(1, 9),
            seconds,
            side: Side::Manual,
        })
        .expect("baseline written");
    }
    db
}

fn november() -> ReportOptions {
    ReportOptions {
        since: NaiveDate::from_ymd_opt(2026, 11, 1),
        until: NaiveDate::from_ymd_opt(2026, 11, 30),
        ..ReportOptions::default()
    }
}

fn dataset(db: &UsageDb) -> Dataset {
    let mut data = Dataset::default();
    db.read_into(&mut data).expect("readable");
    data
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn each_script_gets_runs_success_durations_baseline_and_time_saved() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = pilot_db(&dir.path().join("usage.sqlite"));
    let report = report::build(&dataset(&db), &november());

    assert_eq!(report.runs, 20);
    assert_eq!(report.people, 7);
    assert_eq!(report.days, 30);
    let open = report
        .scripts
        .iter()
        .find(|s| s.id == "aabn-borger")
        .expect("row");
    assert_eq!(
        (
            open.runs,
            open.ok,
            open.failed,
            open.cancelled,
            open.rejected
        ),
        (14, 10, 2, 1, 1)
    );
    assert!(
        close(open.success_rate.expect("rate"), 10.0 / 13.0),
        "refused runs are not attempts"
    );
    assert_eq!(open.median_ms, Some(5500));
    assert_eq!(open.p90_ms, Some(9000));
    assert!(!open.baseline.measured);
    assert!(close(open.baseline.seconds, 120.0));
    // 10 × 120 s − (1 + 2 + … + 10) s
    assert!(
        close(open.saved_seconds, 1200.0 - 55.0),
        "{}",
        open.saved_seconds
    );

    let plan = report
        .scripts
        .iter()
        .find(|s| s.id == "forberedende-plan")
        .expect("row");
    assert!(plan.baseline.measured, "5 timings are enough");
    assert_eq!(plan.baseline.measured_count, 5);
    assert!(
        close(plan.baseline.seconds, 3000.0),
        "the median, not the estimate"
    );
    assert!(close(plan.saved_seconds, 4.0 * 2999.0));

    let note = report
        .scripts
        .iter()
        .find(|s| s.id == "journalnotat")
        .expect("row");
    assert!(!note.baseline.measured, "4 timings are too few");
    assert_eq!(note.baseline.measured_count, 4);
    assert!(close(note.saved_seconds, 2.0 * 299.5));

    assert_eq!(
        report.scripts[0].id, "forberedende-plan",
        "most time saved first"
    );
    assert!(close(report.saved_seconds, 1145.0 + 11996.0 + 599.0));
    let months: f64 = report.months.iter().map(|m| m.1).sum();
    assert_eq!(report.months.len(), 1);
    assert!(close(months, report.saved_seconds));
    let weeks: f64 = report.weeks.iter().map(|w| w.1).sum();
    assert!(close(weeks, report.saved_seconds));
    assert_eq!(report.weeks.first().map(|w| w.0.as_str()), Some("2026-U45"));

    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].step, 3);
    assert_eq!(report.failures[0].kind, "fetch");
    assert_eq!(report.failures[0].count, 2);
}

#[test]
fn teams_are_compared_with_the_business_case_and_small_teams_are_withheld() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = pilot_db(&dir.path().join("usage.sqlite"));
    let report = report::build(&dataset(&db), &november());

    assert_eq!(report.teams.len(), 1, "Jobparat has 2 people: withheld");
    assert_eq!(report.suppressed_teams, 1);
    let team = &report.teams[0];
    assert_eq!((team.team.as_str(), team.people), ("Sygedagpenge", 5));
    let saved = 1145.0 + 11996.0;
    assert!(close(team.saved_seconds, saved));
    let per_person_month = saved / 3600.0 / 5.0 / (30.0 / (365.25 / 12.0));
    assert!(close(team.hours_per_person_month, per_person_month));
    assert!(close(per_person_month, 0.740_702_199), "{per_person_month}");
    assert_eq!(team.verdict, Verdict::BelowPilot);
    assert!(text::render(&report).contains("1 team med færre end 5 personer vises ikke for sig"));

    let only_small = report::build(
        &dataset(&db),
        &ReportOptions {
            team: Some("Jobparat".into()),
            ..november()
        },
    );
    assert!(only_small.suppressed_all);
    assert!(only_small.scripts.is_empty() && only_small.weeks.is_empty());
    assert!(text::render(&only_small).contains("færre end 5 personer"));
}

#[test]
fn verdicts_follow_the_business_case_figures() {
    assert_eq!(Verdict::of(0.5), Verdict::BelowPilot);
    assert_eq!(Verdict::of(1.0), Verdict::WithinPilot);
    assert_eq!(Verdict::of(1.5), Verdict::WithinPilot);
    assert_eq!(Verdict::of(1.6), Verdict::AbovePilot);
    assert_eq!(
        Verdict::of(2.2),
        Verdict::AtTarget,
        "½ h a week ≈ 2.17 h a month"
    );
}

#[test]
fn exports_from_several_workstations_merge_and_each_run_counts_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shared = dir.path().join("delt");
    std::fs::create_dir_all(&shared).expect("folder");
    let first = pilot_db(&dir.path().join("a.sqlite"));
    let mut second = UsageDb::open(&dir.path().join("b.sqlite")).expect("database");
    second
        .insert(&[run(
            &script("aabn-borger", "Åbn borger", 120),
            &person(9, "Sygedagpenge"),
            at(20, 10),
            2000,
            Outcome::Ok,
        )])
        .expect("written");
    first.export_to(&shared.join("a.sqlite")).expect("exported");
    first
        .export_to(&shared.join("a-igen.sqlite"))
        .expect("exported twice");
    second
        .export_to(&shared.join("b.sqlite"))
        .expect("exported");

    let mut data = Dataset::default();
    for name in ["a.sqlite", "a-igen.sqlite", "b.sqlite"] {
        UsageDb::open_to_read(&shared.join(name))
            .and_then(|db| db.read_into(&mut data))
            .expect("readable");
    }
    let report = report::build(&data, &november());
    assert_eq!(report.workstations, 2);
    assert_eq!(
        report.runs, 21,
        "the second export of one workstation adds nothing"
    );
    assert_eq!(report.people, 8);
    let plan = report
        .scripts
        .iter()
        .find(|s| s.id == "forberedende-plan")
        .expect("row");
    assert_eq!(
        plan.baseline.measured_count, 5,
        "baselines are counted once too"
    );
}

#[test]
fn an_older_database_is_upgraded_in_place_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("usage.sqlite");
    drop(UsageDb::create_at_version(&path, 1).expect("version 1"));
    // One run, as a genvej of schema 1 wrote it.
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    conn.execute_batch(&format!(
        "INSERT INTO scripts (key, id, version, name, manual_seconds)
             VALUES (1, 'aabn-borger', 'abc123', 'Åbn borger', 120);
         INSERT INTO people (key, user_id, team) VALUES (1, 'p-Sygedagpenge-0', 'Sygedagpenge');
         INSERT INTO runs (script, person, started_at, duration_ms, outcome, trigger, agent_version)
             VALUES (1, 1, {}, 1500, 0, 0, '0.1.0');",
        at(2, 10)
    ))
    .expect("a version-1 database takes runs");
    drop(conn);

    // Read through a copy: the file itself stays at version 1.
    let read = UsageDb::open_to_read(&path).expect("readable");
    assert_eq!(dataset(&read).runs.len(), 1);
    drop(read);
    let mut upgraded = UsageDb::open(&path).expect("upgraded");
    assert_eq!(upgraded.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(dataset(&upgraded).runs.len(), 1, "the old run is kept");
    upgraded
        .insert_baseline(&Baseline {
            script_id: "aabn-borger".into(),
            person: person(0, "Sygedagpenge"),
            measured_at_ms: at(3, 10),
            seconds: 95.0,
            side: Side::Manual,
        })
        .expect("the new table works");
    drop(upgraded);

    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    conn.pragma_update(None, "user_version", 99).expect("set");
    drop(conn);
    let refused = UsageDb::open(&path).err().expect("refused").to_string();
    assert!(
        refused.ends_with(&format!("was written by a newer genvej (schema 99; this one knows up to {SCHEMA_VERSION}): update genvej to read it")),
        "{refused}"
    );
}

#[test]
fn csv_is_danish_excel_friendly_and_html_is_self_contained() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = pilot_db(&dir.path().join("usage.sqlite"));
    let report = report::build(&dataset(&db), &november());

    let csv = text::render_csv(
        &report,
        text::CsvStyle {
            separator: ';',
            decimal_comma: true,
        },
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("genvej;navn;korsler;lykkedes;"));
    assert_eq!(
        lines[1],
        "forberedende-plan;Forberedende plan;4;4;0;0;0;1,000;1,000;1,000;3000,0;målt;5;3,332;;maskinens tid;0;866;0,0;866;0,021;30;0;"
    );
    let english = text::render_csv(
        &report,
        text::CsvStyle {
            separator: ',',
            decimal_comma: false,
        },
    );
    assert!(
        english.contains("Forberedende plan,4,4,0,0,0,1.000,"),
        "{english}"
    );

    let page = html::render(&report);
    for outside in ["<script", "src=", "href=", "https://", "@import", "url("] {
        assert!(
            !page.contains(outside),
            "the report must not load anything: {outside}"
        );
    }
    assert_eq!(
        page.matches("<svg").count(),
        4,
        "weeks, scripts, manual vs automated, failures"
    );
    assert!(page.contains("Forberedende plan") && page.contains("under pilotens mål"));
}
