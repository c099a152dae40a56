//! Every crash the fuzzers (fuzz/) and the property test
//! (tests/hostile_input.rs) found, as a test of the behaviour that is right
//! instead. The ones marked `#[ignore]` are fixed on another branch: remove
//! the `ignore` after merging the branch it names.

mod common;

use genvej::template::{Renderer, TemplateUse};
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
#[ignore = "panics in chrono until the run-safety branch is merged; then remove this ignore"]
fn add_days_with_a_huge_count_is_a_template_error() {
    let err = render("{{ today | add_days(9999999999999) }}").expect_err("out of range");
    assert_eq!(err.kind(), minijinja::ErrorKind::InvalidOperation);
}

/// Found by the property test (seed 3): `n * 7` overflowed.
#[test]
#[ignore = "overflows until the run-safety branch is merged; then remove this ignore"]
fn add_weeks_with_a_huge_count_is_a_template_error() {
    let err = render("{{ today | add_weeks(-0x7fffffffffffffff) | date_long }}")
        .expect_err("out of range");
    assert_eq!(err.kind(), minijinja::ErrorKind::InvalidOperation);
}

/// Found by the property test (seed 1): "Formatting argument out of range"
/// for a precision above 65,535.
#[test]
#[ignore = "panics in formatting until the run-safety branch is merged; then remove this ignore"]
fn number_with_a_huge_precision_is_a_template_error() {
    for template in [
        "{{ km | number(65536) }}",
        "{{ km | number(0x7fffffffffffffff) }}",
        "{{ 1 | number(3000000000) }}",
    ] {
        assert!(render(template).is_err(), "{template}");
    }
}
