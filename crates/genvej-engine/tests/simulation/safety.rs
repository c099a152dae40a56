//! Runs that go wrong inside — a bug that panics in the desktop, a template
//! that never ends or makes too much text, the panic key during a render —
//! end as one failed or cancelled run against the recording fake, with the
//! caseworker's clipboard and keys put back, and the next run works.

use crate::common;
use crate::desktop::desktop_in;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use genvej_engine::fake::FakeDesktop;
use genvej_engine::ports::CancelToken;
use genvej_engine::{Engine, RunError, RunOutcome, Status};
use genvej_format::script::Script;
use genvej_format::template::Renderer;

fn script(steps: &str) -> Script {
    common::script_from(&format!(
        "id = \"t\"\nname = \"Test\"\nmanual_seconds = 10\n{steps}"
    ))
}

/// Runs like the agent's worker does: one renderer for every run, stopped by
/// the same token as the run.
fn run(
    renderer: &Renderer,
    cancel: &CancelToken,
    desktop: &mut FakeDesktop,
    script: &Script,
) -> RunOutcome {
    cancel.reset();
    Engine::new(renderer, &common::shipped_config(), cancel.clone()).run(
        desktop,
        script,
        &BTreeMap::new(),
    )
}

fn error_of(outcome: &RunOutcome) -> RunError {
    match &outcome.status {
        Status::Failed(failure) => failure.error.clone(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_panic_in_the_desktop_fails_the_run_and_the_next_run_works() {
    let cancel = CancelToken::new();
    let renderer = Renderer::with_cancel(cancel.clone());
    let mut desktop = desktop_in("Journal");
    desktop.set_clipboard(Some("sagsbehandlerens eget"));
    desktop.crash_when_pasting("adapter bug while pasting for 070761-4285");

    let outcome = run(
        &renderer,
        &cancel,
        &mut desktop,
        &script("[[step]]\npaste = \"Første tekst\"\n[[step]]\ntype = \"aldrig\"\n"),
    );

    let Status::Failed(failure) = &outcome.status else {
        panic!("a panicking run ends as failed, got {:?}", outcome.status);
    };
    assert_eq!(failure.error, RunError::Internal);
    assert_eq!(failure.step, Some((1, 4)), "the step it stopped at");
    assert_eq!(
        failure.to_string(),
        "«Test» stoppede ved trin 1 (paste, linje 4): genvej fik en intern fejl, og kørslen blev stoppet (detaljerne står i loggen)"
    );
    assert_eq!(outcome.steps_completed, 0);
    assert_eq!(desktop.modifiers_released(), 1, "modifiers released");
    assert_eq!(
        desktop.clipboard(),
        Some("sagsbehandlerens eget"),
        "the caseworker's clipboard is put back"
    );
    assert_eq!(
        desktop.text_in("Journal"),
        "Første tekst",
        "the paste arrived before the panic; the next step never ran"
    );

    let next = run(
        &renderer,
        &cancel,
        &mut desktop,
        &script("[[step]]\ntype = \"Hej\"\n"),
    );
    assert_eq!(next.status, Status::Completed);
    assert_eq!(desktop.text_in("Journal"), "Første tekstHej");
    assert_eq!(desktop.modifiers_released(), 2);
}

#[test]
fn the_filters_that_used_to_panic_stop_the_run_with_a_template_error_and_its_line() {
    // The template's second line is line 10 of the file: a multi-line
    // string's first line is the one after its opening `"""`.
    let cancel = CancelToken::new();
    let renderer = Renderer::with_cancel(cancel.clone());
    for (template, says) in [
        (
            "{{ today | add_days(9999999999999) }}",
            "add_days(9999999999999) goes outside the calendar (years -262143 to 262142)",
        ),
        (
            "{{ 1 | number(3000000000) }}",
            "3000000000 decimals are too many; at most 10",
        ),
    ] {
        let mut desktop = desktop_in("Journal");
        let outcome = run(
            &renderer,
            &cancel,
            &mut desktop,
            &script(&format!(
                "[[step]]\nkey = \"Tab\"\n\n[[step]]\ntype = \"\"\"\nlinje et\n{template}\"\"\"\n"
            )),
        );
        let text = match &outcome.status {
            Status::Failed(failure) => failure.to_string(),
            other => panic!("{template}: expected a failure, got {other:?}"),
        };
        assert_eq!(
            text,
            format!(
                "«Test» stoppede ved trin 2 (type, linje 7): skabelonen på linje 10 kunne ikke udfyldes: {says}"
            ),
        );
        assert_eq!(desktop.text_in("Journal"), "", "{template}: nothing typed");
    }
}

#[test]
fn a_runaway_template_stops_within_a_second_naming_its_line() {
    let cancel = CancelToken::new();
    let renderer = Renderer::with_cancel(cancel.clone());
    let mut desktop = desktop_in("Journal");
    let started = Instant::now();
    let outcome = run(
        &renderer,
        &cancel,
        &mut desktop,
        &script(
            "[[step]]\ntype = \"{% for a in range(10000) %}{% for b in range(10000) %}{{ a }}{% endfor %}{% endfor %}\"\n",
        ),
    );
    let took = started.elapsed();
    // About 300 ms in a debug build on an idle machine, 30 ms in release.
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let Status::Failed(failure) = &outcome.status else {
        panic!("expected a failure, got {:?}", outcome.status);
    };
    assert_eq!(
        failure.to_string(),
        "«Test» stoppede ved trin 1 (type, linje 4): skabelonen på linje 5 kunne ikke udfyldes: den blev stoppet, fordi den gjorde for meget arbejde (for mange gentagelser eller for meget tekst)"
    );
    assert_eq!(desktop.text_in("Journal"), "");
}

#[test]
fn the_panic_key_during_a_render_cancels_the_run() {
    let cancel = CancelToken::new();
    let renderer = Renderer::with_cancel(cancel.clone());
    let mut desktop = desktop_in("Journal");
    let script = script(
        "[[step]]\ntype = \"{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}\"\n",
    );
    let engine_cancel = cancel.clone();
    // The run starts (the token is reset), then the caseworker presses the
    // panic key while the template renders.
    let pressing = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        engine_cancel.cancel();
    });
    cancel.reset();
    let started = Instant::now();
    let outcome = Engine::new(&renderer, &common::shipped_config(), cancel.clone()).run(
        &mut desktop,
        &script,
        &BTreeMap::new(),
    );
    pressing.join().expect("panic key thread");
    assert_eq!(outcome.status, Status::Cancelled { step: Some(1) });
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_run_may_not_type_or_paste_more_than_its_limit() {
    let cancel = CancelToken::new();
    let renderer = Renderer::with_cancel(cancel.clone());
    let mut desktop = desktop_in("Journal");
    desktop.set_clipboard(Some("eget"));
    // 60,000 characters pasted, then 60,000 more would pass 100,000.
    let outcome = run(
        &renderer,
        &cancel,
        &mut desktop,
        &script(
            "[[step]]\npaste = \"{{ 'x' * 60000 }}\"\n[[step]]\npaste = \"{{ 'y' * 60000 }}\"\n",
        ),
    );
    assert_eq!(
        error_of(&outcome),
        RunError::TextTooLong {
            chars: 60_000,
            limit: 100_000
        }
    );
    assert_eq!(
        error_of(&outcome).to_string(),
        "teksten er 60000 tegn, men en kørsel må højst skrive eller indsætte 100000 tegn i alt (agent.max_text_chars)"
    );
    assert_eq!(outcome.steps_completed, 1);
    assert!(
        !desktop.text_in("Journal").contains('y'),
        "the second text was not sent"
    );
    assert_eq!(desktop.clipboard(), Some("eget"));
}

#[test]
fn the_organisation_sets_the_text_limit_in_the_config() {
    let mut config = common::shipped_config();
    config.agent.max_text_chars = 5;
    let renderer = Renderer::new();
    let mut desktop = desktop_in("Journal");
    let outcome = Engine::new(&renderer, &config, CancelToken::new()).run(
        &mut desktop,
        &script("[[step]]\ntype = \"Hej\"\n[[step]]\ntype = \" med dig\"\n"),
        &BTreeMap::new(),
    );
    assert_eq!(
        error_of(&outcome),
        RunError::TextTooLong { chars: 8, limit: 5 }
    );
    assert_eq!(
        desktop.text_in("Journal"),
        "Hej",
        "nothing of the second text"
    );
}
