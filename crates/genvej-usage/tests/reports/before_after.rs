//! Honest before/after: the time with genvej measured with the stopwatch
//! (used once there are `min_baselines` of them, else "kun maskinens
//! tid"), the economics (årsværk, kroner, development hours, payback, a
//! projection that names its period and rule), the satisfaction pulse with
//! the small-team rule, and schema 3 → 4.

use chrono::NaiveDate;
use genvej_format::config::{CostEntry, EconomicsSettings};
use genvej_usage::db::{Dataset, SCHEMA_VERSION};
use genvej_usage::economics::Payback;
use genvej_usage::report::{self, ReportOptions};
use genvej_usage::{
    Baseline, Outcome, Person, PulseAnswer, ScriptVersion, Side, UsageDb, html, text,
};

use super::report::{at, person, run};

fn script(id: &str, name: &str, manual_seconds: u32) -> ScriptVersion {
    ScriptVersion {
        id: id.into(),
        version: "abc123".into(),
        name: name.into(),
        manual_seconds,
        author_version: None,
    }
}

fn timing(script_id: &str, who: &Person, seconds: f64, side: Side) -> Baseline {
    Baseline {
        script_id: script_id.into(),
        person: who.clone(),
        measured_at_ms: at(1, 8),
        seconds,
        side,
    }
}

fn pulse(script_id: &str, who: &Person, day: u32, score: Option<u8>) -> PulseAnswer {
    PulseAnswer {
        script_id: script_id.into(),
        person: who.clone(),
        asked_at_ms: at(day, 15),
        score,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn november() -> ReportOptions {
    ReportOptions {
        since: NaiveDate::from_ymd_opt(2026, 11, 1),
        until: NaiveDate::from_ymd_opt(2026, 11, 30),
        ..ReportOptions::default()
    }
}

/// Team Sygedagpenge (6 people) and team Jobparat (2 people), November:
/// - «Forberedende plan» (declared 3600 s; manual measured 3000 s × 5):
///   6 successful runs of 20 s; with genvej measured 600, 700, 800, 900,
///   1000 s → median 800 s is used; the pulse answered by 6 people
///   (scores 5, 4, 4, 3, 5, 3 → mean 4.0) and once dismissed;
/// - «Journalnotat» (declared 300 s): 4 successful runs of 2 s; only 4
///   timings with genvej → "kun maskinens tid"; the pulse answered by the
///   2 Jobparat people only → withheld.
fn pilot(path: &std::path::Path) -> UsageDb {
    let mut db = UsageDb::open(path).expect("database");
    let plan = script("forberedende-plan", "Forberedende plan", 3600);
    let note = script("journalnotat", "Journalnotat", 300);
    let big: Vec<Person> = (0..6).map(|n| person(n, "Sygedagpenge")).collect();
    let small: Vec<Person> = (0..2).map(|n| person(n, "Jobparat")).collect();
    let mut records = Vec::new();
    for (i, who) in big.iter().enumerate() {
        records.push(run(&plan, who, at(2 + i as u32, 10), 20_000, Outcome::Ok));
    }
    for i in 0..4 {
        records.push(run(
            &note,
            &small[i % 2],
            at(10 + i as u32, 10),
            2000,
            Outcome::Ok,
        ));
    }
    db.insert(&records).expect("runs");
    for _ in 0..5 {
        db.insert_baseline(&timing("forberedende-plan", &big[0], 3000.0, Side::Manual))
            .expect("manual");
    }
    for seconds in [1000.0, 600.0, 900.0, 700.0, 800.0] {
        db.insert_baseline(&timing(
            "forberedende-plan",
            &big[1],
            seconds,
            Side::WithGenvej,
        ))
        .expect("with genvej");
    }
    for seconds in [100.0, 120.0, 140.0, 160.0] {
        db.insert_baseline(&timing(
            "journalnotat",
            &small[0],
            seconds,
            Side::WithGenvej,
        ))
        .expect("with genvej");
    }
    for (who, score) in big.iter().zip([5, 4, 4, 3, 5, 3]) {
        db.insert_pulse(&pulse("forberedende-plan", who, 20, Some(score)))
            .expect("pulse");
    }
    db.insert_pulse(&pulse("forberedende-plan", &big[0], 28, None))
        .expect("dismissed");
    for (who, score) in small.iter().zip([1, 2]) {
        db.insert_pulse(&pulse("journalnotat", who, 20, Some(score)))
            .expect("pulse");
    }
    db
}

fn dataset(db: &UsageDb) -> Dataset {
    let mut data = Dataset::default();
    db.read_into(&mut data).expect("readable");
    data
}

fn row<'r>(report: &'r report::Report, id: &str) -> &'r report::ScriptFigures {
    report
        .scripts
        .iter()
        .find(|s| s.id == id)
        .expect("the script's row")
}

#[test]
fn measured_times_with_genvej_replace_the_machines_time_once_there_are_enough() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = pilot(&dir.path().join("usage.sqlite"));
    let report = report::build(&dataset(&db), &november());

    let plan = row(&report, "forberedende-plan");
    assert!(plan.baseline.measured && close(plan.baseline.seconds, 3000.0));
    assert_eq!(
        plan.baseline.measured_count, 5,
        "«med genvej» is not a baseline"
    );
    assert_eq!(plan.after.measured_count, 5);
    assert_eq!(plan.after.seconds, Some(800.0), "the median of 600–1000 s");
    // 6 runs × (3000 − 800) s, not 6 × (3000 − 20) s.
    assert!(
        close(plan.saved_seconds, 6.0 * 2200.0),
        "{}",
        plan.saved_seconds
    );

    let note = row(&report, "journalnotat");
    assert_eq!(note.after.seconds, None, "4 timings are too few");
    assert_eq!(note.after.measured_count, 4);
    assert!(close(note.saved_seconds, 4.0 * (300.0 - 2.0)));

    let table = text::render(&report);
    assert!(table.contains("13,3 min (målt, n=5)"), "{table}");
    assert!(table.contains("kun maskinens tid (4 målt)"), "{table}");

    // The same rule as baselines: with min_baselines = 4 the journal's
    // four count too (median of 120 and 140).
    let four = report::build(
        &dataset(&db),
        &ReportOptions {
            min_baselines: 4,
            ..november()
        },
    );
    assert_eq!(row(&four, "journalnotat").after.seconds, Some(130.0));
}

#[test]
fn the_economics_subtract_development_hours_and_find_the_payback_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = pilot(&dir.path().join("usage.sqlite"));
    let options = ReportOptions {
        economics: EconomicsSettings {
            costs: vec![
                CostEntry {
                    hours: 6.0,
                    script: Some("forberedende-plan".into()),
                    what: "udvikling".into(),
                },
                CostEntry {
                    hours: 4.0,
                    script: None,
                    what: "introduktion".into(),
                },
            ],
            ..EconomicsSettings::default()
        },
        ..november()
    };
    let report = report::build(&dataset(&db), &options);
    let e = &report.economics;
    // Saved: 6 × 2200 s + 4 × 298 s = 14,392 s.
    let saved = (6.0 * 2200.0 + 4.0 * 298.0) / 3600.0;
    assert!(close(e.saved_hours, saved), "{}", e.saved_hours);
    assert!(close(e.saved_kroner, saved * 260.0));
    assert!(close(e.saved_fte, saved / 1924.0));
    assert!(close(e.cost_hours, 10.0));
    assert!(close(e.net_hours, saved - 10.0));
    assert!(close(e.net_kroner, (saved - 10.0) * 260.0));
    // The plan saves 0.61 h on each of six days (3.67 h), the journal
    // 0.08 h on each of four (0.33 h): 4 of the 10 hours in November, so
    // the payback is projected at November's pace per day.
    let per_day = saved / 30.0;
    let more = ((10.0 - saved) / per_day).floor() as i64 + 1;
    let expected =
        NaiveDate::from_ymd_opt(2026, 11, 30).expect("day") + chrono::Duration::days(more);
    assert_eq!(e.payback, Payback::Projected(expected));
    assert!(close(row(&report, "forberedende-plan").cost_hours, 6.0));

    let year = e.per_year.as_ref().expect("a projection");
    assert_eq!(year.days, 30);
    assert!(close(year.hours, saved / 30.0 * 365.0));

    let table = text::render(&report);
    for words in [
        "260 kr. pr. time; 1.924 timer pr. årsværk",
        "Udvikling og introduktion: 10,0 t = 2.600 kr.",
        "Fremskrivningen til et år bygger på 30 dage (01.11.2026 – 30.11.2026): sparet tid pr. kalenderdag i perioden × 365. Det er et skøn, ikke en måling.",
        "ikke endnu; ved periodens tempo omkring",
        "«pr. md.» er omregnet: sparet tid i perioden ÷ 30 dage × 30,4 dage",
    ] {
        assert!(table.contains(words), "{words}\nnot in:\n{table}");
    }
    let page = html::render(&report);
    assert!(page.contains("Økonomi") && page.contains("Fremskrevet pr. år"));

    let csv = text::render_csv(
        &report,
        text::CsvStyle {
            separator: ';',
            decimal_comma: true,
        },
    );
    let shared = csv
        .lines()
        .find(|l| l.starts_with(";(fælles"))
        .expect("a row for the shared hours");
    assert!(shared.contains(";4,0;-1040;"), "{shared}");
    let plan = csv
        .lines()
        .find(|l| l.starts_with("forberedende-plan;"))
        .expect("row");
    // 3,667 h saved = 953 kr.; 6 h spent; net −607 kr.
    assert!(plan.contains(";3,667;800,0;målt;5;953;6,0;-607;"), "{plan}");

    // A reached payback: 1 hour of costs is passed on the 3rd (2 × 0.61 h).
    let cheap = report::build(
        &dataset(&db),
        &ReportOptions {
            economics: EconomicsSettings {
                costs: vec![CostEntry {
                    hours: 1.0,
                    script: None,
                    what: String::new(),
                }],
                ..EconomicsSettings::default()
            },
            ..november()
        },
    );
    assert_eq!(
        cheap.economics.payback,
        Payback::Reached(NaiveDate::from_ymd_opt(2026, 11, 3).expect("day"))
    );
    assert!(text::render(&cheap).contains("03.11.2026 (den dag den samlede sparede tid oversteg"));
}

#[test]
fn a_projection_from_a_few_days_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = pilot(&dir.path().join("usage.sqlite"));
    let week = report::build(
        &dataset(&db),
        &ReportOptions {
            since: NaiveDate::from_ymd_opt(2026, 11, 2),
            until: NaiveDate::from_ymd_opt(2026, 11, 8),
            ..ReportOptions::default()
        },
    );
    let year = week.economics.per_year.as_ref().expect("projected");
    assert_eq!(year.days, 7);
    assert!(year.short);
    let table = text::render(&week);
    assert!(
        table.contains("bygger på 7 dage (02.11.2026 – 08.11.2026)")
            && table.contains("Perioden er kortere end 28 dage: tag tallet med stort forbehold."),
        "{table}"
    );
}

#[test]
fn the_pulse_is_shown_per_script_and_team_only_where_enough_people_answered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = pilot(&dir.path().join("usage.sqlite"));
    let report = report::build(&dataset(&db), &november());

    let plan = &row(&report, "forberedende-plan").pulse;
    assert_eq!(plan.answers, 6, "the dismissed question is not an answer");
    assert_eq!(plan.mean, Some(4.0));
    assert_eq!(plan.counts, [0, 0, 2, 2, 2]);
    let note = &row(&report, "journalnotat").pulse;
    assert!(note.withheld && note.mean.is_none() && note.counts == [0; 5]);
    assert_eq!(note.answers, 2);

    assert_eq!(report.pulse_teams.len(), 1);
    assert_eq!(report.pulse_teams[0].team, "Sygedagpenge");
    assert_eq!(report.suppressed_pulse_teams, 1, "Jobparat: 2 people");
    let table = text::render(&report);
    assert!(
        table.contains("4,0 (n=6)") && table.contains("for få svar (n=2)"),
        "{table}"
    );
    assert!(table.contains("1 team, hvor færre end 5 personer svarede, vises ikke."));

    // The small team asked for alone: nothing of it is shown.
    let small = report::build(
        &dataset(&db),
        &ReportOptions {
            team: Some("Jobparat".into()),
            ..november()
        },
    );
    assert!(small.suppressed_all);
    assert!(small.scripts.is_empty() && small.pulse_teams.is_empty());
    assert!(close(small.economics.saved_hours, 0.0));
    let table = text::render(&small);
    assert!(
        !table.contains("Tilfredshed") && !table.contains("målt"),
        "{table}"
    );
    let csv = text::render_csv(
        &small,
        text::CsvStyle {
            separator: ';',
            decimal_comma: true,
        },
    );
    assert_eq!(csv.lines().count(), 1, "the header only: {csv}");
}

#[test]
fn a_schema_3_database_becomes_4_and_keeps_its_runs_and_timings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("usage.sqlite");
    drop(UsageDb::create_at_version(&path, 3).expect("version 3"));
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    conn.execute_batch(&format!(
        "INSERT INTO scripts (key, id, version, name, manual_seconds, author_version)
             VALUES (1, 'forberedende-plan', 'abc123', 'Forberedende plan', 3600, '1.2');
         INSERT INTO people (key, user_id, team) VALUES (1, 'p-Sygedagpenge-0', 'Sygedagpenge');
         INSERT INTO runs (script, person, started_at, duration_ms, outcome, trigger, agent_version, bundle)
             VALUES (1, 1, {}, 1500, 0, 0, '0.1.0', 7);
         INSERT INTO baselines (script_id, person, measured_at, seconds)
             VALUES ('forberedende-plan', 1, {}, 2900.0);",
        at(2, 10),
        at(1, 9)
    ))
    .expect("a version-3 database takes runs and baselines");
    drop(conn);

    // Read through an upgraded copy: the file stays at 3.
    let copy = UsageDb::open_to_read(&path).expect("readable");
    let data = dataset(&copy);
    assert_eq!((data.runs.len(), data.baselines.len()), (1, 1));
    assert_eq!(
        data.baselines[0].side,
        Side::Manual,
        "old timings were by hand"
    );
    assert!(data.pulses.is_empty());
    drop(copy);

    let mut db = UsageDb::open(&path).expect("upgraded");
    assert_eq!(db.schema_version().expect("version"), 4);
    assert_eq!(SCHEMA_VERSION, 4);
    let who = person(0, "Sygedagpenge");
    db.insert_pulse(&pulse("forberedende-plan", &who, 3, Some(4)))
        .expect("the new table works");
    db.insert_baseline(&timing("forberedende-plan", &who, 700.0, Side::WithGenvej))
        .expect("the new column works");
    let data = dataset(&db);
    assert_eq!(data.runs.len(), 1, "the old run is kept");
    assert_eq!(data.runs[0].bundle, Some(7));
    assert_eq!(data.scripts[0].author_version.as_deref(), Some("1.2"));
    let sides: Vec<Side> = data.baselines.iter().map(|b| b.side).collect();
    assert_eq!(sides, [Side::Manual, Side::WithGenvej]);
    assert_eq!(data.pulses.len(), 1);
    assert_eq!(
        db.pulses_asked("p-Sygedagpenge-0").expect("asked"),
        [("forberedende-plan".to_string(), at(3, 15))]
    );
}

#[test]
fn a_crafted_pulse_or_timing_side_is_refused_and_no_cpr_number_is_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("usage.sqlite");
    let mut db = UsageDb::open(&path).expect("database");
    let who = Person {
        user_id: "p-1".into(),
        team: "Team 0707614285".into(),
    };
    db.insert_pulse(&pulse("borger-070761-4285", &who, 3, Some(9)))
        .expect("written");
    db.insert_baseline(&timing("borger 070761 4285", &who, 60.0, Side::WithGenvej))
        .expect("written");
    drop(db);
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    let stored: String = conn
        .query_row(
            "SELECT q.script_id || ' ' || p.team || ' ' || ifnull(q.score, 'intet') || ' ' || b.script_id
             FROM pulses q JOIN people p ON p.key = q.person, baselines b",
            [],
            |r| r.get(0),
        )
        .expect("one of each");
    assert_eq!(
        stored, "borger-070761-XXXX Team 070761-XXXX intet borger 070761-XXXX",
        "a score outside 1–5 is no answer"
    );

    // An export whose pulse holds a score genvej never writes is refused.
    conn.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE pulses SET score = 7;",
    )
    .expect("crafted");
    drop(conn);
    let mut data = Dataset::default();
    let refused = UsageDb::open_to_read(&path)
        .and_then(|db| db.read_into(&mut data))
        .expect_err("refused")
        .to_string();
    assert!(
        refused.ends_with("pulses row 1: score 7 is not between 1 and 5"),
        "{refused}"
    );
    assert!(
        data.pulses.is_empty() && data.baselines.is_empty(),
        "all or nothing"
    );
}
