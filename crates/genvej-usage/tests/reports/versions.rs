//! `genvej report --by-version`: a script's figures before and after a
//! release, with known answers; the author's version, the bundle and the
//! content hash as labels; the small-team rule; a database of the schema
//! before versions were recorded is upgraded and still read.

use crate::report::{at, person};
use chrono::NaiveDate;
use genvej_usage::db::{Dataset, SCHEMA_VERSION};
use genvej_usage::release::{self, VersionLabel};
use genvej_usage::report::ReportOptions;
use genvej_usage::{Outcome, Person, ScriptVersion, UsageDb, UsageRecord, html, text};

fn version(id: &str, name: &str, manual: u32, hash: &str, author: Option<&str>) -> ScriptVersion {
    ScriptVersion {
        id: id.into(),
        version: hash.into(),
        name: name.into(),
        manual_seconds: manual,
        author_version: author.map(str::to_string),
    }
}

/// A run of `script` from `bundle`.
fn run(
    script: &ScriptVersion,
    who: &Person,
    started: i64,
    ms: u64,
    outcome: Outcome,
    bundle: Option<u64>,
) -> UsageRecord {
    UsageRecord {
        bundle,
        ..crate::report::run(script, who, started, ms, outcome)
    }
}

/// November 2026, team Sygedagpenge (5 people) and Jobparat (2):
/// - «Åbn borger» (120 s by hand, never measured):
///   - 1.0 from bundle 5: ok in 2, 4, 6, 8 s (2nd–5th), failed on the 6th;
///   - 1.1 from bundles 6 and 7: ok in 1, 1, 2 s (10th–12th), one refused;
/// - «Signatur» (30 s, no author's version, one file):
///   - from a folder: ok in 0.5 s on the 3rd, by Jobparat;
///   - from bundle 6: ok in 1 s twice on the 10th.
fn release_db(path: &std::path::Path) -> UsageDb {
    let mut db = UsageDb::open(path).expect("database");
    let old = version(
        "aabn-borger",
        "Åbn borger",
        120,
        "aaaaaaaaaaa1",
        Some("1.0"),
    );
    let new = version(
        "aabn-borger",
        "Åbn borger",
        120,
        "aaaaaaaaaaa2",
        Some("1.1"),
    );
    let signature = version("signatur", "Signatur", 30, "bbbbbbbbbbb1", None);
    let big: Vec<Person> = (0..5).map(|n| person(n, "Sygedagpenge")).collect();
    let small: Vec<Person> = (0..2).map(|n| person(n, "Jobparat")).collect();
    let mut records = Vec::new();
    for (i, seconds) in [2, 4, 6, 8].into_iter().enumerate() {
        let day = 2 + i as u32;
        records.push(run(
            &old,
            &big[i],
            at(day, 10),
            seconds * 1000,
            Outcome::Ok,
            Some(5),
        ));
    }
    let failed = Outcome::Failed {
        step: 2,
        kind: "fetch".into(),
    };
    records.push(run(&old, &big[4], at(6, 10), 700, failed, Some(5)));
    records.push(run(&new, &big[0], at(10, 10), 1000, Outcome::Ok, Some(6)));
    records.push(run(&new, &big[1], at(11, 10), 1000, Outcome::Ok, Some(7)));
    records.push(run(&new, &big[2], at(12, 10), 2000, Outcome::Ok, Some(7)));
    records.push(run(
        &new,
        &big[3],
        at(12, 11),
        0,
        Outcome::Rejected,
        Some(7),
    ));
    records.push(run(&signature, &small[0], at(3, 9), 500, Outcome::Ok, None));
    records.push(run(
        &signature,
        &big[0],
        at(10, 9),
        1000,
        Outcome::Ok,
        Some(6),
    ));
    records.push(run(
        &signature,
        &big[1],
        at(10, 9),
        1000,
        Outcome::Ok,
        Some(6),
    ));
    db.insert(&records).expect("runs written");
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

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("a day")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn each_version_of_a_script_gets_its_own_figures_oldest_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = release_db(&dir.path().join("usage.sqlite"));
    let report = release::by_version(&dataset(&db), &november());

    assert!(!report.suppressed_all);
    let ids: Vec<&str> = report.scripts.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["aabn-borger", "signatur"]);

    let open = &report.scripts[0];
    assert_eq!(open.name, "Åbn borger");
    assert!(close(open.baseline.seconds, 120.0) && !open.baseline.measured);
    let labels: Vec<&VersionLabel> = open.versions.iter().map(|v| &v.label).collect();
    assert_eq!(
        labels,
        [
            &VersionLabel::Author("1.0".into()),
            &VersionLabel::Author("1.1".into())
        ]
    );
    let before = &open.versions[0];
    assert_eq!((before.runs, before.ok), (5, 4));
    assert!(close(before.success_rate.expect("rate"), 0.8));
    assert_eq!(before.median_ms, Some(5000), "the middle of 2, 4, 6, 8 s");
    assert!(close(before.saved_seconds, 4.0 * 120.0 - 20.0));
    assert_eq!((before.first_day, before.last_day), (day(2), day(6)));
    assert_eq!(before.bundles, Some((5, 5)));

    let after = &open.versions[1];
    assert_eq!((after.runs, after.ok), (4, 3));
    assert!(
        close(after.success_rate.expect("rate"), 1.0),
        "a refused run is no attempt"
    );
    assert_eq!(after.median_ms, Some(1000));
    assert!(close(after.saved_seconds, 3.0 * 120.0 - 4.0));
    assert_eq!((after.first_day, after.last_day), (day(10), day(12)));
    assert_eq!(
        after.bundles,
        Some((6, 7)),
        "one author's version over two bundles is one row"
    );

    // No author's version: the bundle names the version, else the content.
    let signature = &report.scripts[1];
    let labels: Vec<&VersionLabel> = signature.versions.iter().map(|v| &v.label).collect();
    assert_eq!(
        labels,
        [
            &VersionLabel::Content("bbbbbbbbbbb1".into()),
            &VersionLabel::Bundle(6)
        ]
    );
    assert_eq!(signature.versions[0].runs, 1);
    assert!(close(signature.versions[0].saved_seconds, 29.5));
    assert_eq!(signature.versions[1].runs, 2);
    assert!(close(signature.versions[1].saved_seconds, 58.0));
}

#[test]
fn the_comparison_reads_as_text_csv_and_html() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = release_db(&dir.path().join("usage.sqlite"));
    let report = release::by_version(&dataset(&db), &november());

    let table = text::render_versions(&report);
    let rows: Vec<String> = table
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for row in [
        "Periode: 01.11.2026 – 30.11.2026",
        "Åbn borger (aabn-borger; manuel tid 2,0 min (skønnet; 0 målt))",
        "Version Kørsler Lykkedes Median Sparet Første dag Sidste dag",
        "1.0 5 80 % 5,0 s 0,1 t 02.11.2026 06.11.2026",
        "1.1 4 100 % 1,0 s 0,1 t 10.11.2026 12.11.2026",
        "indhold bbbbbbbbbbb1 1 100 % 0,5 s 0,0 t 03.11.2026 03.11.2026",
        "pakke 6 2 100 % 1,0 s 0,0 t 10.11.2026 10.11.2026",
    ] {
        assert!(rows.iter().any(|r| r == row), "no row «{row}» in\n{table}");
    }

    let csv = text::render_versions_csv(
        &report,
        text::CsvStyle {
            separator: ';',
            decimal_comma: true,
        },
    );
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "genvej;navn;version;kilde;pakke_fra;pakke_til;korsler;lykkedes;succesrate;median_s;manuel_s;sparet_timer;forste_dag;sidste_dag",
            "aabn-borger;Åbn borger;1.0;forfatter;5;5;5;4;0,800;5,000;120,0;0,128;2026-11-02;2026-11-06",
            "aabn-borger;Åbn borger;1.1;forfatter;6;7;4;3;1,000;1,000;120,0;0,099;2026-11-10;2026-11-12",
            "signatur;Signatur;bbbbbbbbbbb1;indhold;;;1;1;1,000;0,500;30,0;0,008;2026-11-03;2026-11-03",
            "signatur;Signatur;6;pakke;6;6;2;2;1,000;1,000;30,0;0,016;2026-11-10;2026-11-10",
        ]
    );

    let page = html::render_versions(&report);
    for outside in ["<script", "src=", "href=", "https://", "@import", "url("] {
        assert!(!page.contains(outside), "loads nothing: {outside}");
    }
    for shown in [
        "<h2>Åbn borger</h2>",
        "<td>1.1</td>",
        "<td>pakke 6</td>",
        "<td>80 %</td>",
    ] {
        assert!(page.contains(shown), "{shown} not in\n{page}");
    }
}

#[test]
fn the_small_team_rule_applies_to_the_comparison_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = release_db(&dir.path().join("usage.sqlite"));
    let data = dataset(&db);

    let small = release::by_version(
        &data,
        &ReportOptions {
            team: Some("Jobparat".into()),
            ..november()
        },
    );
    assert!(small.suppressed_all && small.scripts.is_empty());
    assert!(text::render_versions(&small).contains("færre end 5 personer"));
    let csv = text::render_versions_csv(
        &small,
        text::CsvStyle {
            separator: ';',
            decimal_comma: true,
        },
    );
    assert_eq!(csv.lines().count(), 1, "the header only:\n{csv}");
    assert!(!html::render_versions(&small).contains("<table"));

    // The big team alone: the small team's run from the folder is not in it.
    let big = release::by_version(
        &data,
        &ReportOptions {
            team: Some("Sygedagpenge".into()),
            ..november()
        },
    );
    let signature = big
        .scripts
        .iter()
        .find(|s| s.id == "signatur")
        .expect("row");
    assert_eq!(signature.versions.len(), 1);
    assert_eq!(signature.versions[0].label, VersionLabel::Bundle(6));
}

#[test]
fn a_database_of_the_schema_before_versions_is_upgraded_and_its_runs_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("usage.sqlite");
    drop(UsageDb::create_at_version(&path, 2).expect("schema 2"));
    // Two runs as the genvej before this one wrote them.
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    conn.execute_batch(&format!(
        "INSERT INTO meta (key, value) VALUES ('installation', 'i-gammel');
         INSERT INTO scripts (key, id, version, name, manual_seconds)
             VALUES (1, 'signatur', 'bbbbbbbbbbb1', 'Signatur', 30);
         INSERT INTO people (key, user_id, team) VALUES (1, 'p-1', 'Sygedagpenge');
         INSERT INTO runs (script, person, started_at, duration_ms, outcome, trigger, agent_version)
             VALUES (1, 1, {}, 1000, 0, 0, '0.1.0'), (1, 1, {}, 3000, 0, 0, '0.1.0');",
        at(2, 10),
        at(3, 10)
    ))
    .expect("written");
    drop(conn);

    // An old export is read (through an upgraded copy; the file stays).
    let shared = dir.path().join("delt");
    std::fs::create_dir_all(&shared).expect("folder");
    std::fs::copy(&path, shared.join("genvej-i-gammel.sqlite")).expect("copied");
    let read = genvej_usage::folder::read(&shared).expect("folder readable");
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    assert_eq!(read.data.runs.len(), 2);
    assert!(read.data.runs.iter().all(|r| r.bundle.is_none()));
    assert_eq!(read.data.scripts[0].author_version, None);
    let conn = rusqlite::Connection::open(shared.join("genvej-i-gammel.sqlite")).expect("sqlite");
    let kept: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(kept, 2, "reading an export never changes it");
    drop(conn);

    // This workstation's own database is upgraded in place and keeps its
    // runs; the same file now runs as 1.2 from bundle 9.
    let mut db = UsageDb::open(&path).expect("upgraded");
    assert_eq!(db.schema_version().expect("version"), SCHEMA_VERSION);
    let signature = version("signatur", "Signatur", 30, "bbbbbbbbbbb1", Some("1.2"));
    db.insert(&[run(
        &signature,
        &person(1, "Sygedagpenge"),
        at(4, 10),
        2000,
        Outcome::Ok,
        Some(9),
    )])
    .expect("written");
    let data = dataset(&db);
    assert_eq!(data.runs.len(), 3, "the old runs are kept");
    assert_eq!(data.scripts.len(), 1, "one file, one row");
    assert_eq!(
        data.scripts[0].author_version.as_deref(),
        Some("1.2"),
        "the row of the old runs learned the author's version"
    );
    let bundles: Vec<Option<u64>> = data.runs.iter().map(|r| r.bundle).collect();
    assert_eq!(bundles, [None, None, Some(9)]);

    // Exported and read back: the new fields travel.
    db.export_to(&shared.join("genvej-i-gammel.sqlite"))
        .expect("exported");
    let read = genvej_usage::folder::read(&shared).expect("folder readable");
    assert_eq!(read.data.runs.len(), 3);
    assert_eq!(read.data.runs[2].bundle, Some(9));
    let report = release::by_version(&read.data, &november());
    let versions = &report.scripts[0].versions;
    assert_eq!(versions.len(), 1, "the file has one author's version now");
    assert_eq!(versions[0].runs, 3);
}

#[test]
fn a_version_or_bundle_that_could_carry_anything_is_not_recorded() {
    for good in ["1.2", "2026.3-rc1", "v7", "1.0+build_5", &"1.".repeat(20)] {
        assert!(release::is_version(good), "{good}");
    }
    for bad in [
        "",
        "070761-4285",
        "0707614285",
        "1.2 beta",
        "Anne Holm",
        "æ1",
        "1\n2",
        &"1.".repeat(21),
    ] {
        assert!(!release::is_version(bad), "{bad:?}");
    }
    assert!(release::is_bundle(i64::MAX as u64));
    assert!(!release::is_bundle(u64::MAX));

    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = UsageDb::open(&dir.path().join("usage.sqlite")).expect("database");
    let who = person(1, "A");
    let records: Vec<UsageRecord> = [
        ("cpr", "070761-4285", Some(3)),
        (
            "lang",
            "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17",
            Some(u64::MAX),
        ),
        ("navn", "Anne Holm", None),
    ]
    .iter()
    .enumerate()
    .map(|(n, (id, author, bundle))| {
        let script = version(id, id, 30, &format!("c{n}"), Some(author));
        run(&script, &who, at(2, 10), 100, Outcome::Ok, *bundle)
    })
    .collect();
    db.insert(&records).expect("written");
    let data = dataset(&db);
    assert!(
        data.scripts.iter().all(|s| s.author_version.is_none()),
        "{:?}",
        data.scripts
    );
    let bundles: Vec<Option<u64>> = data.runs.iter().map(|r| r.bundle).collect();
    assert_eq!(bundles, [Some(3), None, None]);
}
