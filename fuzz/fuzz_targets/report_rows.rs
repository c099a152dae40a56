//! Fuzz target: crafted rows in a usage export (any keys, ids, times,
//! durations, outcomes, baselines; a current or an older schema) → read
//! like `report --from` reads an export → the report in every format, for
//! any report options. Reaches the arithmetic the raw-bytes target
//! (report_export) rarely gets to. Nothing may panic.

#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use arbitrary::Arbitrary;
use genvej_usage::db::{Dataset, SCHEMA_VERSION, UsageDb};
use genvej_usage::{html, report, text};
use libfuzzer_sys::fuzz_target;
use rusqlite::params;

#[derive(Arbitrary, Debug)]
struct Export {
    older_schema: bool,
    installation: Option<String>,
    scripts: Vec<(i64, String, String, String, i64)>,
    people: Vec<(i64, String, String)>,
    runs: Vec<(i64, i64, i64, i64, i64, i64, Option<i64>, Option<String>)>,
    baselines: Vec<(String, i64, i64, f64)>,
    read_twice: bool,
    since: Option<(i32, u32, u32)>,
    until: Option<(i32, u32, u32)>,
    team: Option<String>,
    min_baselines: u8,
    min_team_size: u8,
    comma: bool,
}

static FILE: LazyLock<PathBuf> = LazyLock::new(|| {
    let folder = std::env::temp_dir().join(format!("genvej-fuzz-rows-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temp folder");
    folder.join("export.sqlite")
});

fn write(file: &PathBuf, export: &Export) -> rusqlite::Result<()> {
    let _ = std::fs::remove_file(file);
    let version = if export.older_schema {
        1
    } else {
        SCHEMA_VERSION
    };
    drop(UsageDb::create_at_version(file, version).expect("create export"));
    let mut conn = rusqlite::Connection::open(file)?;
    let tx = conn.transaction()?;
    if let Some(id) = &export.installation {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('installation', ?1)",
            [id],
        )?;
    }
    for (key, id, version, name, manual) in &export.scripts {
        let _ = tx.execute(
            "INSERT INTO scripts (key, id, version, name, manual_seconds) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, id, version, name, manual],
        );
    }
    for (key, user, team) in &export.people {
        let _ = tx.execute(
            "INSERT INTO people (key, user_id, team) VALUES (?1, ?2, ?3)",
            params![key, user, team],
        );
    }
    for (id, script, person, started, duration, outcome, step, kind) in &export.runs {
        let _ = tx.execute(
            "INSERT INTO runs (id, script, person, started_at, duration_ms, outcome, failed_step, failed_kind, trigger, agent_version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 'fuzz')",
            params![id, script, person, started, duration, outcome, step, kind],
        );
    }
    if !export.older_schema {
        for (script_id, person, measured, seconds) in &export.baselines {
            let _ = tx.execute(
                "INSERT INTO baselines (script_id, person, measured_at, seconds) VALUES (?1, ?2, ?3, ?4)",
                params![script_id, person, measured, seconds],
            );
        }
    }
    tx.commit()
}

fn date(parts: Option<(i32, u32, u32)>) -> Option<chrono::NaiveDate> {
    parts.and_then(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d))
}

fuzz_target!(|export: Export| {
    let file = &*FILE;
    if write(file, &export).is_err() {
        return;
    }
    genvej_fuzz::run_tolerating(genvej_fuzz::KNOWN_REPORT, || {
        let mut dataset = Dataset::default();
        let reads = if export.read_twice { 2 } else { 1 };
        for _ in 0..reads {
            if UsageDb::open_to_read(file)
                .and_then(|db| db.read_into(&mut dataset))
                .is_err()
            {
                return;
            }
        }
        let options = report::ReportOptions {
            since: date(export.since),
            until: date(export.until),
            team: export.team.clone(),
            min_baselines: export.min_baselines.into(),
            min_team_size: export.min_team_size.into(),
            ..report::ReportOptions::default()
        };
        let built = report::build(&dataset, &options);
        let _ = text::render(&built);
        let _ = html::render(&built);
        let _ = text::render_csv(
            &built,
            text::CsvStyle {
                separator: if export.comma { ',' } else { ';' },
                decimal_comma: !export.comma,
            },
        );
    });
});
