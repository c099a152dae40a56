//! Every crash the fuzzers (fuzz/) and the property test
//! (crates/genvej-format/tests/checker/hostile_input.rs) found, as a test of the behaviour that is right
//! instead.

use crate::common;

use genvej_format::template::{Renderer, TemplateUse};
use minijinja::context;

fn render(template: &str) -> Result<String, minijinja::Error> {
    Renderer::new().render(
        template,
        TemplateUse::Text,
        &context! { today => "2026-11-23", km => 12.5 },
    )
}

/// A script whose one step types `text` (a TOML basic string).
fn script_typing(text: &str) -> String {
    format!(
        "id = \"lang-linje\"\nname = \"Lang linje\"\nhotkey = \"Ctrl+Alt+L\"\nmanual_seconds = 60\n\n[[step]]\ntype = \"{text}\"\n"
    )
}

/// Found by the property test: MiniJinja counts columns in 16 bits, and a
/// syntax error past column 65,535 overflowed (a panic in `genvej check`).
#[test]
fn a_template_line_too_long_for_minijinja_is_a_checker_error_not_a_panic() {
    let text = format!("{}{{{{ @ }}}}", "x".repeat(65_600));
    let (set, _dir) = common::load_files(&[("hotkeys/lang.toml", &script_typing(&text))]);
    let rendered = set.render_diagnostics();
    assert_eq!(set.error_count(), 1, "{rendered}");
    assert!(
        rendered.contains(
            "line 1 of step 1 is 65607 characters long; a template line may have at most 60000"
        ),
        "{rendered}"
    );
    assert!(rendered.contains("lang.toml:7:8"), "{rendered}");
}

#[test]
fn a_long_template_line_under_the_limit_is_fine() {
    let text = format!("{}{{{{ today }}}}", "x".repeat(59_000));
    let (set, _dir) = common::load_files(&[("hotkeys/lang.toml", &script_typing(&text))]);
    assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
}

// ---- Fixed on the `run-safety` branch (issue 14 item 1) ----------------

#[test]
fn add_days_with_a_huge_count_is_a_template_error() {
    assert!(render("{{ today | add_days(9999999999999) }}").is_err());
    assert!(render("{{ today | add_days(-9223372036854775807) }}").is_err());
}

/// Found by the property test (seed 3): `n * 7` overflowed.
#[test]
fn add_weeks_with_a_huge_count_is_a_template_error() {
    assert!(render("{{ today | add_weeks(-0x7fffffffffffffff) | date_long }}").is_err());
    assert!(render("{{ today | add_weeks(9999999999999) }}").is_err());
}

/// Found by the property test (seed 1): "Formatting argument out of range"
/// for a precision above 65,535.
#[test]
fn number_with_a_huge_precision_is_a_template_error() {
    for template in [
        "{{ km | number(65536) }}",
        "{{ km | number(0x7fffffffffffffff) }}",
        "{{ 1 | number(3000000000) }}",
    ] {
        assert!(render(template).is_err(), "{template}");
    }
}

/// Found by the property test (seeds 1–4): MiniJinja 3.1.0 negates the
/// slice step, which overflows for i64::MIN (debug builds; release builds
/// wrap). A hostile JSON answer could supply the step.
#[test]
fn slicing_with_the_most_negative_step_is_not_a_panic() {
    let result = std::panic::catch_unwind(|| {
        Renderer::new().render(
            "{{ tekst[::n] }}",
            TemplateUse::Text,
            &context! { tekst => "Søren", n => i64::MIN },
        )
    });
    assert!(result.is_ok(), "rendering panicked");
}

// ---- Fixed on the `cpr-report` branch (issue 14 item 7) ----------------

/// An export whose script key is near 2^63 (the reader sized a table by
/// the key: "capacity overflow"). Reading the folder must name and skip it
/// and still count the good export beside it.
#[test]
fn an_export_with_a_huge_key_does_not_stop_the_report() {
    use genvej_usage::db::Dataset;
    use genvej_usage::{Outcome, Person, ScriptVersion, Trigger, UsageDb, UsageRecord};

    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("a-good.sqlite");
    let bad = dir.path().join("b-crafted.sqlite");
    {
        let mut db = UsageDb::open(&good).expect("database");
        let record = UsageRecord {
            script: ScriptVersion {
                id: "signatur".into(),
                version: "abc".into(),
                name: "Signatur".into(),
                manual_seconds: 30,
                author_version: None,
            },
            person: Person {
                user_id: "p-1".into(),
                team: "A".into(),
            },
            started_at_ms: 1_795_000_000_000,
            duration_ms: 800,
            outcome: Outcome::Ok,
            trigger: Trigger::Hotkey,
            agent_version: "0.1.0".into(),
            bundle: None,
        };
        db.insert(&[record]).expect("insert");
        drop(UsageDb::create_at_version(&bad, genvej_usage::db::SCHEMA_VERSION).expect("db"));
        let conn = rusqlite::Connection::open(&bad).expect("open crafted");
        conn.execute(
            "INSERT INTO scripts (key, id, version, name, manual_seconds) VALUES (?1, 'x', 'v', 'X', 1)",
            [i64::MAX - 1],
        )
        .expect("crafted row");
    }
    let mut data = Dataset::default();
    for file in [&bad, &good] {
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            UsageDb::open_to_read(file).and_then(|db| db.read_into(&mut data))
        }));
        assert!(read.is_ok(), "reading {} panicked", file.display());
    }
    assert_eq!(data.runs.len(), 1, "the good export's run is counted");
}
