//! `genvej report --from` over a shared folder anyone can write to: a
//! crafted or broken export is named on stderr and skipped, the others are
//! reported; names that look like Excel formulas stay text in the CSV; no
//! CPR number is stored in or reported from a usage record.

use std::path::{Path, PathBuf};

use genvej_usage::report::{self, ReportOptions};
use genvej_usage::{Outcome, Person, ScriptVersion, Trigger, UsageDb, UsageRecord, folder, text};

/// `genvej report --from FOLDER --format csv`: the CSV and the exports
/// skipped (as `file: why`).
fn report(folder: &Path) -> (String, Vec<String>) {
    let read = folder::read(folder).expect("folder readable");
    let report = report::build(&read.data, &ReportOptions::default());
    let csv = text::render_csv(
        &report,
        text::CsvStyle {
            separator: ';',
            decimal_comma: true,
        },
    );
    let skipped = read
        .skipped
        .iter()
        .map(|s| {
            assert!(s.why.starts_with(&s.file.display().to_string()), "{s:?}");
            s.why.clone()
        })
        .collect();
    (csv, skipped)
}

fn record(id: &str, name: &str, manual_seconds: u32, team: &str, ms: u64) -> UsageRecord {
    UsageRecord {
        script: ScriptVersion {
            id: id.into(),
            version: "abc123".into(),
            name: name.into(),
            manual_seconds,
            author_version: None,
        },
        person: Person {
            user_id: "p-1".into(),
            team: team.into(),
        },
        started_at_ms: chrono::Utc::now().timestamp_millis() - 3_600_000,
        duration_ms: ms,
        outcome: Outcome::Ok,
        trigger: Trigger::Hotkey,
        agent_version: "0.1.0".into(),
        bundle: None,
    }
}

/// A real workstation's export whose script and team names look like
/// formulas (they are reported, as text), with one script slower than by
/// hand (its time saved is a negative number).
fn good_export(dir: &Path, shared: &Path) -> PathBuf {
    let mut db = UsageDb::open(&dir.join("own.sqlite")).expect("database");
    db.insert(&[
        record("aabn-borger", "Åbn borger", 120, "Sygedagpenge", 2000),
        record(
            "+link",
            "=HYPERLINK(\"https://evil.example\";\"klik\")",
            60,
            "@SUM(1)",
            1000,
        ),
        record("langsom", "-2+3", 1, "\tTeam", 5000),
    ])
    .expect("written");
    let file = shared.join("genvej-good.sqlite");
    db.export_to(&file).expect("exported");
    file
}

/// A copy of the good export, changed by SQL, as another workstation.
fn crafted(good: &Path, shared: &Path, name: &str, sql: &str) {
    let file = shared.join(name);
    std::fs::copy(good, &file).expect("copied");
    let conn = rusqlite::Connection::open(&file).expect("opens");
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         UPDATE meta SET value = 'i-{name}' WHERE key = 'installation'; {sql}"
    ))
    .expect("crafted");
}

#[test]
fn hostile_exports_are_named_and_skipped_and_the_good_one_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shared = dir.path().join("delt");
    std::fs::create_dir_all(&shared).expect("folder");
    let good = good_export(dir.path(), &shared);
    let bytes = std::fs::read(&good).expect("readable");

    crafted(
        &good,
        &shared,
        "huge-key.sqlite",
        "UPDATE people SET key = 9223372036854775000 WHERE key = 1",
    );
    crafted(
        &good,
        &shared,
        "wrong-type.sqlite",
        "UPDATE runs SET duration_ms = 'lang' WHERE id = 2",
    );
    crafted(
        &good,
        &shared,
        "not-utf8.sqlite",
        "UPDATE scripts SET name = CAST(X'FFFE41' AS TEXT) WHERE key = 1",
    );
    crafted(
        &good,
        &shared,
        "bad-outcome.sqlite",
        "UPDATE runs SET outcome = 200",
    );
    crafted(
        &good,
        &shared,
        "negative-duration.sqlite",
        "UPDATE runs SET duration_ms = -5",
    );
    crafted(
        &good,
        &shared,
        "long-name.sqlite",
        "UPDATE scripts SET name = printf('%.*c', 100000, 'x')",
    );
    crafted(
        &good,
        &shared,
        "endless-view.sqlite",
        "DROP TABLE runs;
         CREATE VIEW runs AS
           WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n)
           SELECT id, 1 AS script, 1 AS person, 0 AS started_at, 0 AS duration_ms,
                  0 AS outcome, NULL AS failed_step, NULL AS failed_kind FROM n",
    );
    crafted(
        &good,
        &shared,
        "cpr-as-version.sqlite",
        "UPDATE scripts SET author_version = '070761-4285' WHERE key = 1",
    );
    crafted(
        &good,
        &shared,
        "negative-bundle.sqlite",
        "UPDATE runs SET bundle = -1 WHERE id = 1",
    );
    crafted(&good, &shared, "newer.sqlite", "PRAGMA user_version = 99");
    std::fs::write(shared.join("truncated.sqlite"), &bytes[..bytes.len() / 3]).expect("written");
    std::fs::write(shared.join("not-a-database.sqlite"), "id;navn\n1;x\n").expect("written");
    std::fs::File::create(shared.join("huge.sqlite"))
        .and_then(|f| f.set_len(genvej_usage::db::MAX_EXPORT_BYTES + 1))
        .expect("a sparse 64 MB file");
    std::fs::create_dir_all(shared.join("folder.sqlite")).expect("folder");
    crafted(&good, &shared, "big-log.sqlite", "");
    std::fs::File::create(shared.join("big-log.sqlite-wal"))
        .and_then(|f| f.set_len(genvej_usage::db::MAX_EXPORT_BYTES))
        .expect("a sparse 64 MB log");

    let (csv, skipped_files) = report(&shared);

    assert_eq!(skipped_files.len(), 15, "{skipped_files:#?}");
    let skipped = |file: &str, why: &str| {
        let line = skipped_files
            .iter()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} is not named:\n{skipped_files:#?}"));
        assert!(line.contains(why), "{file}: expected «{why}» in\n{line}");
    };
    skipped(
        "huge-key.sqlite",
        "people row 9223372036854775000: key 9223372036854775000 is not between 1 and 100000",
    );
    skipped("wrong-type.sqlite", "Invalid column type Text at index: 4");
    skipped("not-utf8.sqlite", "utf-8");
    skipped(
        "bad-outcome.sqlite",
        "runs row 1: outcome 200 is not between 0 and 3",
    );
    skipped(
        "negative-duration.sqlite",
        "runs row 1: duration_ms -5 is not between 0 and 604800000",
    );
    skipped(
        "long-name.sqlite",
        "scripts row 1: name is longer than 500 characters",
    );
    skipped(
        "endless-view.sqlite",
        "`runs` is not a plain table; this is not an export by genvej",
    );
    skipped(
        "cpr-as-version.sqlite",
        "scripts row 1: author_version is not a version like 1.2",
    );
    skipped(
        "negative-bundle.sqlite",
        "runs row 1: bundle -1 is not between 0 and 9223372036854775807",
    );
    skipped("newer.sqlite", "was written by a newer genvej (schema 99");
    skipped("truncated.sqlite", "malformed");
    skipped("not-a-database.sqlite", "not a database");
    skipped("huge.sqlite", "is 65 MB; an export may be at most 64 MB");
    skipped("folder.sqlite", "is not a file");
    skipped("big-log.sqlite", "is 65 MB; an export may be at most 64 MB");

    // The good workstation is reported, and only it: three runs.
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    let abn = rows
        .iter()
        .find(|r| r.starts_with("aabn-borger;"))
        .expect("the good export's script");
    assert!(
        abn.starts_with("aabn-borger;Åbn borger;1;1;0;0;0;"),
        "{abn}"
    );
}

#[test]
fn names_that_look_like_formulas_stay_text_and_negative_figures_stay_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shared = dir.path().join("delt");
    std::fs::create_dir_all(&shared).expect("folder");
    good_export(dir.path(), &shared);

    let (csv, skipped) = report(&shared);

    assert!(skipped.is_empty(), "{skipped:?}");
    assert!(
        csv.contains("'+link;\"'=HYPERLINK(\"\"https://evil.example\"\";\"\"klik\"\")\";1;1;"),
        "{csv}"
    );
    let slow = csv
        .lines()
        .find(|l| l.starts_with("langsom;"))
        .expect("the slow script's row");
    assert!(slow.starts_with("langsom;'-2+3;1;1;"), "{slow}");
    assert!(
        slow.contains(";skønnet;0;-0,001;"),
        "time saved is negative and stays a number: {slow}"
    );
    for line in csv.lines() {
        for cell in line.split(';') {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r'])
                    && !cell.trim_start_matches('"').starts_with(['=', '+', '@']),
                "a formula reaches Excel: {cell:?} in {line:?}"
            );
        }
    }
}

#[test]
fn usage_records_never_hold_a_cpr_number() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("usage.sqlite");
    let mut db = UsageDb::open(&path).expect("database");
    db.insert(&[record(
        "borger-0707614285",
        "Borger 070761\u{2013}4285",
        60,
        "Team 070761.4285",
        1000,
    )])
    .expect("written");
    drop(db);

    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    let stored: String = conn
        .query_row(
            "SELECT s.id || ' ' || s.name || ' ' || p.team FROM runs r
             JOIN scripts s ON s.key = r.script JOIN people p ON p.key = r.person",
            [],
            |r| r.get(0),
        )
        .expect("one run");
    assert_eq!(
        stored,
        "borger-070761-XXXX Borger 070761-XXXX Team 070761-XXXX"
    );
}

#[test]
fn csv_text_cells_cannot_become_formulas_or_split_a_row() {
    let cases = [
        ("Åbn borger", "Åbn borger"),
        ("=1+1", "'=1+1"),
        ("+45 1234", "'+45 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "\"'\r=1\""),
        ("  =1", "'  =1"),
        ("\u{FF1D}1", "'\u{FF1D}1"),
        ("a;b", "\"a;b\""),
        ("sagt \"hej\"", "\"sagt \"\"hej\"\"\""),
        ("linje 1\nlinje 2", "\"linje 1\nlinje 2\""),
        ("linje 1\rlinje 2", "\"linje 1\rlinje 2\""),
        (
            "=HYPERLINK(\"x\";\"y\")",
            "\"'=HYPERLINK(\"\"x\"\";\"\"y\"\")\"",
        ),
        ("1-2", "1-2"),
    ];
    for (cell, expected) in cases {
        assert_eq!(text::csv_text(cell, ';'), expected, "{cell:?}");
    }
}
