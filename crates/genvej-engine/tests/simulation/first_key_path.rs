//! What a run does between the hot key and its first key, with the shipped
//! defaults: every OS call there is time the caseworker waits (under Wine a
//! window description — title, class and a process lookup — costs a good
//! part of a millisecond, and reading the local time as much). The focused
//! window is described once, when the run starts; a batch of typed keys
//! leaves the focus check to the desktop, which makes it as it sends the
//! batch; the check before a paste or a key chord asks only which window
//! has focus (and describes it only when it is the wrong one, for the
//! message); the clock is read only by a template that names `today` or
//! `now`.

use crate::common;
use crate::desktop::desktop_in;

use std::collections::BTreeMap;

use genvej_engine::fake::FakeDesktop;
use genvej_engine::ports::{CancelToken, Windows};
use genvej_engine::{Engine, RunOutcome, Status};
use genvej_format::config::Config;
use genvej_format::template::Renderer;
use genvej_format::window_match::WindowInfo;

fn run(desktop: &mut FakeDesktop, steps: &str, config: &Config) -> RunOutcome {
    run_in(desktop, steps, config, None)
}

/// A run started from a window the caller described (the agent describes
/// it while the hot key's press travels to the run).
fn run_in(
    desktop: &mut FakeDesktop,
    steps: &str,
    config: &Config,
    described: Option<WindowInfo>,
) -> RunOutcome {
    let script = common::script_from_with(
        &format!("id = \"t\"\nname = \"Tekst\"\nmanual_seconds = 10\n{steps}"),
        config,
    );
    let renderer = Renderer::new();
    Engine::new(&renderer, config, CancelToken::new()).run_in(
        desktop,
        &script,
        &BTreeMap::new(),
        described,
    )
}

#[test]
fn a_typed_text_describes_the_focused_window_once_and_then_asks_only_which_it_is() {
    let mut desktop = desktop_in("Fasit – borger");
    // 100 characters: four batches of keys, each after a focus check.
    let text = "Borgeren er indkaldt til samtale om sin plan og har fået brevet. ".repeat(2);
    let text: String = text.chars().take(100).collect();

    let outcome = run(
        &mut desktop,
        &format!("[[step]]\ntype = \"{text}\"\n"),
        &common::shipped_config(),
    );

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(desktop.text_in("Fasit – borger"), text);
    assert_eq!(
        desktop.window_descriptions(),
        1,
        "the focused window was described again before a batch of keys"
    );
    assert_eq!(
        desktop.focus_queries(),
        0,
        "the engine asked for the focus before a batch; the desktop checks it as it sends"
    );
}

#[test]
fn a_window_described_at_the_press_is_not_described_again() {
    let mut desktop = desktop_in("Fasit – borger");
    let described = desktop.focused().expect("the fake answers");
    let descriptions = desktop.window_descriptions();

    let outcome = run_in(
        &mut desktop,
        "only_when = { title = \"Fasit*\" }\n\n[[step]]\ntype = \"Hej Jens\"\n",
        &common::shipped_config(),
        described,
    );

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(desktop.text_in("Fasit – borger"), "Hej Jens");
    assert_eq!(desktop.window_descriptions(), descriptions);
}

#[test]
fn a_window_described_at_the_press_but_no_longer_in_front_gets_nothing_and_neither_does_the_other()
{
    let mut desktop = desktop_in("Fasit – borger");
    let described = desktop.focused().expect("the fake answers");
    // Between the press and the run the caseworker clicked another window.
    let other = desktop.add_window("Outlook", "");
    desktop.click(other);

    let outcome = run_in(
        &mut desktop,
        "[[step]]\ntype = \"Hej Jens\"\n",
        &common::shipped_config(),
        described,
    );

    let Status::Failed(failure) = &outcome.status else {
        panic!("the run went on: {:?}", outcome.status);
    };
    assert_eq!(
        failure.to_string(),
        "«Tekst» stoppede ved trin 1 (type, linje 4): fokus flyttede sig fra «Fasit – borger» til «Outlook»; intet mere blev skrevet"
    );
    assert_eq!(desktop.text_in("Fasit – borger"), "");
    assert_eq!(desktop.text_in("Outlook"), "");
}

#[test]
fn plain_names_are_filled_in_as_a_render_fills_them() {
    let mut desktop = desktop_in("Fasit – borger");
    // Names the run answers itself (org text, the script, its own values,
    // their attributes) and names it leaves to a render (profile, a
    // number, a list), in one text: both kinds give the text a render does.
    let steps = "[[step]]\nset = { name = \"borger\", value = \"{{ {'navn': 'Åse Ærø', 'alder': 42} }}\" }\n\n\
                 [[step]]\nset = { name = \"hilsen\", value = \"Kære {{ borger.navn }}\" }\n\n\
                 [[step]]\ntype = \"{{ hilsen }} – {{ org.jobcenter_name }}, {{ script.name }} ({{ script.id }}) – {{ profile.name }} – {{ borger.alder }} år\"\n";

    let outcome = run(&mut desktop, steps, &common::shipped_config());

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(
        desktop.text_in("Fasit – borger"),
        "Kære Åse Ærø – Jobcenter Eksempelby, Tekst (t) – Mette Sørensen – 42 år"
    );
}

#[test]
fn the_script_s_name_and_id_are_there_for_a_render_too() {
    let mut desktop = desktop_in("Fasit – borger");

    // `profile.name` is left to a render, so `script.…` is rendered too.
    let outcome = run(
        &mut desktop,
        "[[step]]\ntype = \"{{ script.name }} ({{ script.id }}), {{ profile.name }}\"\n",
        &common::shipped_config(),
    );

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(
        desktop.text_in("Fasit – borger"),
        "Tekst (t), Mette Sørensen"
    );
}

#[test]
fn a_text_that_names_no_date_or_time_never_reads_the_clock() {
    let mut desktop = desktop_in("Fasit – borger");

    let outcome = run(
        &mut desktop,
        "[[step]]\ntype = \"{{ 'Hej' ~ ' Jens' }}\"\n",
        &common::shipped_config(),
    );

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(desktop.text_in("Fasit – borger"), "Hej Jens");
    assert_eq!(desktop.clock_reads(), 0);
}

#[test]
fn today_and_now_are_there_for_a_text_that_names_them() {
    let mut desktop = desktop_in("Fasit – borger");

    let outcome = run(
        &mut desktop,
        "[[step]]\ntype = \"Samtale {{ today }} kl. {{ now }}\"\n",
        &common::shipped_config(),
    );

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(
        desktop.text_in("Fasit – borger"),
        "Samtale 2026-11-23 kl. 09:30"
    );
    assert!(desktop.clock_reads() > 0);
}
