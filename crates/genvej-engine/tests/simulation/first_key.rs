//! A run's first key, with the shipped defaults: it waits for the desktop
//! to say keys reach the window (on X11, the end of the hot key's grab;
//! keys sent before it are lost) — not a fixed pause — and goes out the
//! moment that is so. The fake's hot key "held" for a while loses every key
//! sent meanwhile, so a run that did not wait would lose its first keys here.

use crate::common;
use crate::desktop::desktop_in;

use std::collections::BTreeMap;
use std::time::Duration;

use genvej_engine::fake::FakeDesktop;
use genvej_engine::ports::CancelToken;
use genvej_engine::{Engine, RunError, RunOutcome, Status};
use genvej_format::config::Config;
use genvej_format::script::Script;
use genvej_format::template::Renderer;

fn script(steps: &str) -> Script {
    common::script_from(&format!(
        "id = \"t\"\nname = \"Hilsen\"\nmanual_seconds = 10\n{steps}"
    ))
}

fn run(desktop: &mut FakeDesktop, script: &Script, config: &Config) -> RunOutcome {
    let renderer = Renderer::new();
    Engine::new(&renderer, config, CancelToken::new()).run(desktop, script, &BTreeMap::new())
}

const HILSEN: &str = "[[step]]\ntype = \"Hej Jens\"\n";

#[test]
fn the_first_key_waits_for_the_hot_key_to_let_go_and_no_longer() {
    let mut desktop = desktop_in("Fasit – borger");
    desktop.hold_hot_key_for(Duration::from_millis(30));

    let outcome = run(&mut desktop, &script(HILSEN), &common::shipped_config());

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(
        desktop.lost_keys(),
        0,
        "a key was sent into the hot key's grab"
    );
    assert_eq!(
        desktop.timeline(),
        [
            "ready «Fasit – borger»",
            "type «Fasit – borger» \"Hej Jens\""
        ]
    );
    // The shipped defaults add no fixed pause: the run takes exactly as long
    // as the hot key was held.
    assert_eq!(outcome.duration, Duration::from_millis(30));
}

#[test]
fn a_window_the_script_focuses_is_waited_for_before_its_first_key() {
    let mut desktop = desktop_in("Outlook – indbakke");
    desktop.add_window("Notat – borger", "");
    let steps = "[[step]]\nfocus_window = { title = \"Notat*\", timeout_ms = 2000 }\n\n[[step]]\ntype = \"Hej Jens\"\n";

    let outcome = run(&mut desktop, &script(steps), &common::shipped_config());

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(
        desktop.timeline(),
        [
            "focus «Notat – borger»",
            "ready «Notat – borger»",
            "type «Notat – borger» \"Hej Jens\""
        ]
    );
    assert_eq!(
        outcome.duration,
        Duration::from_millis(50),
        "the shipped settle_ms, paid after a window the script focused"
    );
}

#[test]
fn settle_ms_pauses_after_a_window_the_script_focused_and_never_after_the_hot_key() {
    let mut config = common::shipped_config();
    config.agent.settle_ms = 80;

    let mut desktop = desktop_in("Fasit – borger");
    desktop.hold_hot_key_for(Duration::from_millis(30));
    let outcome = run(&mut desktop, &script(HILSEN), &config);
    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(desktop.text_in("Fasit – borger"), "Hej Jens");
    assert_eq!(
        outcome.duration,
        Duration::from_millis(30),
        "only the hot key's own wait"
    );

    let mut desktop = desktop_in("Outlook – indbakke");
    desktop.add_window("Notat – borger", "");
    desktop.hold_hot_key_for(Duration::from_millis(30));
    let steps = "[[step]]\nfocus_window = { title = \"Notat*\", timeout_ms = 2000 }\n\n[[step]]\ntype = \"Hej Jens\"\n";
    let outcome = run(&mut desktop, &script(steps), &config);
    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(desktop.text_in("Notat – borger"), "Hej Jens");
    assert_eq!(outcome.duration, Duration::from_millis(30 + 80));
}

#[test]
fn a_hot_key_held_down_too_long_fails_with_advice_and_nothing_is_lost() {
    let mut desktop = desktop_in("Fasit – borger");
    desktop.hold_hot_key_for(Duration::from_secs(60));

    let outcome = run(&mut desktop, &script(HILSEN), &common::shipped_config());

    match &outcome.status {
        Status::Failed(failure) => assert!(
            matches!(failure.error, RunError::ModifiersHeld { .. }),
            "{failure}"
        ),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(desktop.lost_keys(), 0);
    assert_eq!(desktop.text_in("Fasit – borger"), "");
}

#[test]
fn the_shipped_settle_pause_is_for_windows_a_script_focuses() {
    assert_eq!(common::shipped_config().agent.settle_ms, 50);
    assert_eq!(
        genvej_format::config::AgentSettings::default().settle_ms,
        50,
        "the built-in default"
    );
}
