//! Simulation of sources beyond scripts.rs: secrets for request
//! headers come from the OS credential store (a stand-in here), never from
//! the script; `expect` checks an answer's shape when it arrives. Either
//! failing stops the run before anything is typed.

use crate::common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use genvej_engine::fake::FakeDesktop;
use genvej_engine::ports::CancelToken;
use genvej_engine::{Engine, Status};
use genvej_format::template::Renderer;

const SCRIPT: &str = r#"id = "navn"
name = "Borgerens navn"
manual_seconds = 20

[[input]]
name = "cpr"
kind = "cpr"

[[source]]
name = "borger"
url = "https://fasit.example.invalid/borgere/{{ cpr.digits }}"
headers = { Authorization = { credential = "fasit", prefix = "Bearer " }, Accept = "application/json" }

[[step]]
fetch = "borger"

[[step]]
type = "{{ borger.navn }}"
"#;

/// The caseworker in Fasit; no server answers yet.
fn bare_desktop() -> FakeDesktop {
    let start = NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("valid time");
    let mut desktop = FakeDesktop::new(start);
    let id = desktop.add_window("Fasit – borger", "");
    desktop.click(id);
    desktop
}

/// Fasit answers with the citizen's name.
fn desktop() -> FakeDesktop {
    let mut desktop = bare_desktop();
    desktop.respond(
        "https://fasit.example.invalid/",
        Ok(serde_json::json!({"navn": "Åse Ørum"})),
    );
    desktop
}

fn run(desktop: &mut FakeDesktop) -> Status {
    run_script(desktop, SCRIPT)
}

fn run_script(desktop: &mut FakeDesktop, source: &str) -> Status {
    let script = common::script_from(source);
    let config = common::shipped_config();
    let renderer = Renderer::new();
    let preset = BTreeMap::from([("cpr".to_string(), "070761-4285".to_string())]);
    Engine::new(&renderer, &config, CancelToken::new())
        .run(desktop, &script, &preset)
        .status
}

#[test]
fn the_saved_credential_is_sent_with_its_prefix() {
    let mut desktop = desktop();
    desktop.save_credential("fasit", "s3cret-token");

    let status = run(&mut desktop);

    assert_eq!(status, Status::Completed, "{status:?}");
    let request = &desktop.requests()[0];
    assert_eq!(
        request.headers,
        vec![
            ("Accept".to_string(), "application/json".to_string()),
            (
                "Authorization".to_string(),
                "Bearer s3cret-token".to_string()
            ),
        ]
    );
    assert!(
        !format!("{request:?}").contains("s3cret"),
        "a request's Debug output shows no header values"
    );
    assert_eq!(desktop.text_in("Fasit – borger"), "Åse Ørum");
}

#[test]
fn a_credential_that_is_not_saved_stops_the_run_before_the_request() {
    let mut desktop = desktop();

    let status = run(&mut desktop);

    let Status::Failed(failure) = status else {
        panic!("expected a failure, got {status:?}");
    };
    assert_eq!(
        failure.to_string(),
        "«Borgerens navn» stoppede ved trin 1 (fetch, linje 14): kilden «borger» kunne ikke hentes: \
         legitimationen «fasit» (til headeren Authorization): den er ikke gemt i styresystemets \
         nøglering (gem den med `genvej credential set fasit`)"
    );
    assert!(desktop.requests().is_empty(), "nothing was sent");
    assert_eq!(desktop.text_in("Fasit – borger"), "");
}

/// Types the name, then each activity's hours: a field missing from the
/// second activity would stop the run halfway without `expect`.
const EXPECTING: &str = r#"id = "aktiviteter"
name = "Aktiviteter"
manual_seconds = 60

[[input]]
name = "cpr"
kind = "cpr"

[[source]]
name = "borger"
url = "https://fasit.example.invalid/borgere/{{ cpr.digits }}"
expect = ["navn", "aktiviteter[].titel", "aktiviteter[].timer"]

[[source]]
name = "noter"
url = "https://vitas.example.invalid/noter/{{ cpr.digits }}"
expect = ["[].titel"]
optional = true
fallback = []

[[step]]
fetch = ["borger", "noter"]

[[step]]
type = "{{ borger.navn }}\n"

[[step]]
type = "{% for a in borger.aktiviteter %}{{ a.titel }}: {{ a.timer }}\n{% endfor %}"

[[step]]
type = "{{ noter | length }} noter"
"#;

#[test]
fn an_answer_missing_an_expected_field_stops_the_run_before_anything_is_typed() {
    let mut desktop = bare_desktop();
    desktop.respond(
        "https://fasit.example.invalid/",
        Ok(serde_json::json!({
            "navn": "Åse Ørum",
            "aktiviteter": [{"titel": "Praktik", "timer": 20}, {"titel": "Dansk"}]
        })),
    );

    let status = run_script(&mut desktop, EXPECTING);

    let Status::Failed(failure) = status else {
        panic!("expected a failure, got {status:?}");
    };
    assert_eq!(
        failure.to_string(),
        "«Aktiviteter» stoppede ved trin 1 (fetch, linje 21): kilden «borger» kunne ikke hentes: \
         feltet «aktiviteter[1].timer» mangler i svaret"
    );
    assert_eq!(desktop.text_in("Fasit – borger"), "", "nothing typed");
}

#[test]
fn an_optional_answer_missing_an_expected_field_gets_its_fallback() {
    let mut desktop = bare_desktop();
    desktop.respond(
        "https://fasit.example.invalid/",
        Ok(serde_json::json!({"navn": "Åse Ørum", "aktiviteter": []})),
    );
    desktop.respond(
        "https://vitas.example.invalid/",
        Ok(serde_json::json!([{"titel": "Samtale"}, {"overskrift": "Forkert felt"}])),
    );

    let status = run_script(&mut desktop, EXPECTING);

    assert_eq!(status, Status::Completed, "{status:?}");
    assert_eq!(desktop.text_in("Fasit – borger"), "Åse Ørum\n0 noter");
}

#[test]
fn requests_carry_the_configured_answer_limit_and_a_too_big_answer_names_the_source() {
    let mut desktop = desktop();
    desktop.save_credential("fasit", "s3cret-token");
    assert_eq!(run(&mut desktop), Status::Completed);
    assert_eq!(
        desktop.requests()[0].max_bytes,
        10 * 1024 * 1024,
        "10 MB by default"
    );

    let mut desktop = bare_desktop();
    desktop.save_credential("fasit", "s3cret-token");
    desktop.respond(
        "https://fasit.example.invalid/",
        Err(genvej_engine::ports::HttpError::TooBig {
            host: "fasit.example.invalid".into(),
            limit: 10 * 1024 * 1024,
        }),
    );
    let Status::Failed(failure) = run(&mut desktop) else {
        panic!("expected a failure");
    };
    assert_eq!(
        failure.to_string(),
        "«Borgerens navn» stoppede ved trin 1 (fetch, linje 14): kilden «borger» kunne ikke hentes: \
         svaret fra fasit.example.invalid er større end 10 MB og blev ikke læst færdigt (grænsen står under [limits] i genvej.toml)"
    );
    assert_eq!(desktop.text_in("Fasit – borger"), "");
}
