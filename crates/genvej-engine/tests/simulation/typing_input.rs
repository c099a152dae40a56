//! How typed characters are sent, decided per window by the engine: scan
//! codes for remote-desktop clients (Citrix `Wfica*`, Remote Desktop
//! `TscShellContainerClass`) unless a typing profile says otherwise,
//! Unicode for the rest. The fake desktop records the input of each piece.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDate;
use genvej_engine::fake::FakeDesktop;
use genvej_engine::ports::{CancelToken, TypingInput};
use genvej_engine::{Engine, Status};
use genvej_format::config::{Config, InputMode, TypingProfile};
use genvej_format::template::Renderer;

/// Types into Fasit, then starts the notes program and types into its window.
const TWO_WINDOWS: &str = "id = \"t\"\nname = \"T\"\nmanual_seconds = 5\n[[step]]\ntype = \"Hej @ €\"\n[[step]]\nlaunch = { program = \"notat.exe\" }\n[[step]]\nwait_window = { title = \"Notat*\" }\n[[step]]\ntype = \"æøå\"\n";

/// Runs [`TWO_WINDOWS`] with focus first in a window of `first_class`, then
/// in one of `second_class`; returns what the fake recorded.
fn inputs(config: &Config, first_class: &str, second_class: &str) -> Vec<(String, TypingInput)> {
    let start = NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("valid time");
    let mut desktop = FakeDesktop::new(start);
    let fasit = desktop.add_window("Fasit", first_class);
    desktop.click(fasit);
    desktop.on_launch("notat", "Notat", second_class, Duration::from_millis(100));
    let script = common::script_from(TWO_WINDOWS);
    let renderer = Renderer::new();
    let outcome = Engine::new(&renderer, config, CancelToken::new()).run(
        &mut desktop,
        &script,
        &BTreeMap::new(),
    );
    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(desktop.text_in("Fasit"), "Hej @ €");
    assert_eq!(desktop.text_in("Notat"), "æøå");
    desktop.typing_inputs().to_vec()
}

fn entry(window: &str, input: TypingInput) -> (String, TypingInput) {
    (window.to_string(), input)
}

#[test]
fn citrix_and_remote_desktop_windows_get_scan_codes_and_the_rest_unicode() {
    let config = common::shipped_config();
    assert_eq!(
        inputs(&config, "Wfica_Seamless", "Notepad"),
        [
            entry("Fasit", TypingInput::ScanCodes),
            entry("Notat", TypingInput::Unicode)
        ]
    );
    assert_eq!(
        inputs(&config, "Chrome_WidgetWin_1", "TscShellContainerClass"),
        [
            entry("Fasit", TypingInput::Unicode),
            entry("Notat", TypingInput::ScanCodes)
        ]
    );
}

#[test]
fn a_typing_profile_chooses_the_input_for_its_windows() {
    let mut config = common::shipped_config();
    config.agent.typing_profiles = vec![
        TypingProfile {
            class: Some("Wfica*".into()),
            input: InputMode::Unicode,
            ..TypingProfile::default()
        },
        TypingProfile {
            title: Some("Notat*".into()),
            input: InputMode::Scancode,
            ..TypingProfile::default()
        },
    ];
    assert_eq!(
        inputs(&config, "Wfica", "Notepad"),
        [
            entry("Fasit", TypingInput::Unicode),
            entry("Notat", TypingInput::ScanCodes)
        ]
    );
}
