//! `for_each` groups on the recording fake: a form filled row by row, an
//! empty list, a value that is not a list, the panic key inside a group and
//! the bound on items.

use crate::common;
use crate::desktop::desktop_in;

use std::collections::BTreeMap;

use genvej_engine::fake::FakeDesktop;
use genvej_engine::ports::CancelToken;
use genvej_engine::{Engine, RunError, RunOutcome, Status};
use genvej_format::script::Script;
use genvej_format::template::Renderer;

/// A script whose first step sets `plan` to `plan_value`, then `steps`.
fn script(plan_value: &str, steps: &str) -> Script {
    common::script_from(&format!(
        "id = \"t\"\nname = \"Plan\"\nmanual_seconds = 10\n\
         [[step]]\nset = {{ name = \"aktiviteter\", value = \"{{{{ {plan_value} }}}}\" }}\n{steps}"
    ))
}

/// Fills one form row per activity: name, Tab, hours, a chord for a new row.
const FORM: &str = r#"
[[step]]
for_each = "aktiviteter"
as = "aktivitet"
steps = [
  { type = "{{ aktivitet.navn }}" },
  { key = "Tab" },
  { type = "{{ aktivitet.timer }}" },
  { key = "Ctrl+N", when = "not position.last" },
  { pause_ms = 10 },
]
[[step]]
key = "Ctrl+S"
"#;

fn run(desktop: &mut FakeDesktop, cancel: &CancelToken, script: &Script) -> RunOutcome {
    let renderer = Renderer::new();
    Engine::new(&renderer, &common::shipped_config(), cancel.clone()).run(
        desktop,
        script,
        &BTreeMap::new(),
    )
}

fn failure_text(outcome: &RunOutcome) -> String {
    match &outcome.status {
        Status::Failed(failure) => failure.to_string(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

const THREE: &str = "[{'navn': 'Jobsøgning', 'timer': 4}, {'navn': 'Praktik', 'timer': 20}, {'navn': 'Kursus', 'timer': 6}]";

#[test]
fn a_group_fills_a_form_row_by_row_for_each_item() {
    let mut desktop = desktop_in("Plan");
    let outcome = run(&mut desktop, &CancelToken::new(), &script(THREE, FORM));
    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(
        desktop.lines(),
        [
            "type «Plan» \"Jobsøgning\"",
            "key «Plan» Tab",
            "type «Plan» \"4\"",
            "key «Plan» Ctrl+N",
            "type «Plan» \"Praktik\"",
            "key «Plan» Tab",
            "type «Plan» \"20\"",
            "key «Plan» Ctrl+N",
            "type «Plan» \"Kursus\"",
            "key «Plan» Tab",
            "type «Plan» \"6\"",
            "key «Plan» Ctrl+S",
        ]
    );
    assert_eq!(outcome.steps_completed, 3);
}

#[test]
fn an_empty_list_runs_nothing_of_the_group() {
    let mut desktop = desktop_in("Plan");
    let outcome = run(&mut desktop, &CancelToken::new(), &script("[]", FORM));
    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(desktop.lines(), ["key «Plan» Ctrl+S"]);
}

#[test]
fn a_value_that_is_not_a_list_stops_the_run_naming_the_step() {
    let mut desktop = desktop_in("Plan");
    let outcome = run(
        &mut desktop,
        &CancelToken::new(),
        &script("'Jobsøgning'", FORM),
    );
    assert_eq!(
        failure_text(&outcome),
        "«Plan» stoppede ved trin 2 (for_each, linje 7): «aktiviteter» er ikke en liste, så trinene for hvert punkt blev ikke kørt"
    );
    assert!(desktop.lines().is_empty(), "{:?}", desktop.lines());
}

#[test]
fn a_failing_inner_step_names_the_item_and_the_inner_step() {
    let mut desktop = desktop_in("Plan");
    let plan = "[{'navn': 'Jobsøgning', 'timer': 4}, {'navn': 'Praktik'}]";
    let outcome = run(&mut desktop, &CancelToken::new(), &script(plan, FORM));
    assert_eq!(
        failure_text(&outcome),
        "«Plan» stoppede ved trin 2 (for_each, linje 7): punkt 2, deltrin 3 (type, linje 13): skabelonen på linje 13 kunne ikke udfyldes: `aktivitet.timer` is undefined"
    );
    assert_eq!(
        desktop.lines().last().map(String::as_str),
        Some("key «Plan» Tab")
    );
}

#[test]
fn the_panic_key_inside_a_group_stops_before_the_next_step() {
    let mut desktop = desktop_in("Plan");
    let cancel = CancelToken::new();
    // The panic key comes while the second item's name is typed.
    desktop.press_panic_key_after("Jobsøgning4Pr".chars().count(), cancel.clone());
    let outcome = run(&mut desktop, &cancel, &script(THREE, FORM));
    assert_eq!(outcome.status, Status::Cancelled { step: Some(2) });
    let text = desktop.text_in("Plan");
    assert!(!text.contains("Kursus"), "{text}");
    assert!(
        !desktop.lines().iter().any(|l| l.contains("Ctrl+S")),
        "{:?}",
        desktop.lines()
    );
}

#[test]
fn a_list_longer_than_the_bound_runs_nothing_of_the_group() {
    let mut desktop = desktop_in("Plan");
    let outcome = run(
        &mut desktop,
        &CancelToken::new(),
        &script("range(1001)", FORM),
    );
    match &outcome.status {
        Status::Failed(failure) => assert_eq!(
            failure.error,
            RunError::TooManyItems {
                list: "aktiviteter".into(),
                limit: 1000
            }
        ),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(
        failure_text(&outcome),
        "«Plan» stoppede ved trin 2 (for_each, linje 7): «aktiviteter» har mere end 1000 punkter, og det er flere, end en gruppe må køre; intet af gruppen blev kørt"
    );
    assert!(desktop.lines().is_empty());
}

#[test]
fn the_run_text_limit_counts_every_item() {
    let mut config = common::shipped_config();
    config.agent.max_text_chars = 20;
    let renderer = Renderer::new();
    let mut desktop = desktop_in("Plan");
    let outcome = Engine::new(&renderer, &config, CancelToken::new()).run(
        &mut desktop,
        &script(THREE, FORM),
        &BTreeMap::new(),
    );
    // "Jobsøgning", "4", "Praktik" and "20" are 20 characters; "Kursus" is one too many.
    assert_eq!(
        failure_text(&outcome),
        "«Plan» stoppede ved trin 2 (for_each, linje 7): punkt 3, deltrin 1 (type, linje 11): teksten er 6 tegn, men en kørsel må højst skrive eller indsætte 20 tegn i alt (agent.max_text_chars)"
    );
    assert!(!desktop.text_in("Plan").contains("Kursus"));
}

#[test]
fn focus_moving_away_inside_a_group_stops_the_run_and_nothing_more_is_typed() {
    let mut desktop = desktop_in("Plan");
    let mail = desktop.add_window("Mail", "");
    // The caseworker clicks the mail while the second item's name is typed.
    desktop.steal_focus_after("Jobsøgning4Pr".chars().count(), mail);
    let outcome = run(&mut desktop, &CancelToken::new(), &script(THREE, FORM));
    assert_eq!(
        failure_text(&outcome),
        "«Plan» stoppede ved trin 2 (for_each, linje 7): punkt 2, deltrin 1 (type, linje 11): fokus flyttede sig fra «Plan» til «Mail»; intet mere blev skrevet"
    );
    assert_eq!(desktop.text_in("Mail"), "");
    assert!(!desktop.text_in("Plan").contains("Kursus"));
}
