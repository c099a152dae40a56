//! Typing profiles (`[[agent.typing_profiles]]`): how keys are sent to
//! windows that need it — slower (`key_delay_ms`), or as scan codes
//! (`input`) for remote-desktop clients such as Citrix Workspace and
//! Remote Desktop, which forward the keyboard's scan codes to the remote
//! session and drop or mistranslate Unicode-only keys.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::window_match::{TextPattern, WindowInfo, WindowMatch};

/// Window classes of remote-desktop clients that `input = "auto"` types
/// into with scan codes: Citrix Workspace (`Wfica*`) and Remote Desktop
/// (`TscShellContainerClass`).
pub const REMOTE_CLIENT_CLASSES: [&str; 2] = ["Wfica*", "TscShellContainerClass"];

/// How typed characters are sent to a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InputMode {
    /// Scan codes for the window classes of Citrix Workspace (`Wfica*`) and
    /// Remote Desktop (`TscShellContainerClass`), Unicode for the rest.
    #[default]
    Auto,
    /// Each character as itself (Windows: KEYEVENTF_UNICODE), whatever the
    /// keyboard layout.
    Unicode,
    /// Characters on the active keyboard layout as the scan codes of their
    /// keys with Shift/AltGr, the rest as Unicode (Windows only; X11 always
    /// sends key codes).
    Scancode,
}

impl InputMode {
    /// Whether typing into `window` goes as scan codes: `auto` decides by
    /// the window's class.
    pub fn uses_scan_codes(self, window: &WindowInfo) -> bool {
        match self {
            InputMode::Unicode => false,
            InputMode::Scancode => true,
            InputMode::Auto => is_remote_client(&window.class),
        }
    }
}

/// Whether a window class is a remote-desktop client's (see
/// [`REMOTE_CLIENT_CLASSES`]; case ignored).
pub fn is_remote_client(class: &str) -> bool {
    REMOTE_CLIENT_CLASSES
        .iter()
        .any(|pattern| TextPattern::glob(pattern).is_match(class))
}

/// How keys are typed into windows that match.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypingProfile {
    /// Window title pattern.
    pub title: Option<String>,
    /// Window class pattern, e.g. `Wfica*` for Citrix.
    pub class: Option<String>,
    /// Pause after each typed key, in milliseconds; without it the agent's
    /// `key_delay_ms`.
    #[serde(default)]
    pub key_delay_ms: Option<u32>,
    /// `unicode`, `scancode` or `auto` (default): scan codes for Citrix
    /// (`Wfica*`) and Remote Desktop (`TscShellContainerClass`) windows,
    /// Unicode otherwise. Windows only; on X11 keys always go as key codes.
    #[serde(default)]
    pub input: InputMode,
}

impl TypingProfile {
    pub fn matches(&self, window: &WindowInfo) -> bool {
        let pattern = |p: &Option<String>| p.as_deref().map(TextPattern::glob);
        let matcher = WindowMatch {
            title: pattern(&self.title),
            class: pattern(&self.class),
            executable: None,
        };
        (self.title.is_some() || self.class.is_some()) && matcher.matches(window)
    }
}

/// The first profile that matches `window` (the one that decides both its
/// key delay and its input mode).
pub fn profile_for<'a>(
    profiles: &'a [TypingProfile],
    window: &WindowInfo,
) -> Option<&'a TypingProfile> {
    profiles.iter().find(|profile| profile.matches(window))
}

/// How typing into `window` is sent: the matching profile's `input`, or
/// `auto` when none matches. `true`: scan codes.
pub fn uses_scan_codes(profiles: &[TypingProfile], window: &WindowInfo) -> bool {
    profile_for(profiles, window)
        .map_or(InputMode::Auto, |profile| profile.input)
        .uses_scan_codes(window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window_match::WindowId;

    fn window(class: &str, title: &str) -> WindowInfo {
        WindowInfo {
            id: WindowId(1),
            title: title.into(),
            class: class.into(),
            executable: None,
        }
    }

    #[test]
    fn auto_types_scan_codes_into_citrix_and_remote_desktop_only() {
        for class in ["Wfica", "WFICA_Seamless", "TscShellContainerClass"] {
            assert!(is_remote_client(class), "{class}");
            assert!(uses_scan_codes(&[], &window(class, "Fasit")), "{class}");
        }
        for class in [
            "Notepad",
            "Edit",
            "TscShellContainerClassX",
            "Chrome_WidgetWin_1",
        ] {
            assert!(!is_remote_client(class), "{class}");
            assert!(!uses_scan_codes(&[], &window(class, "Fasit")), "{class}");
        }
    }

    #[test]
    fn the_first_matching_profile_decides_the_input() {
        let profiles = [
            TypingProfile {
                title: Some("*Opus*".into()),
                input: InputMode::Unicode,
                ..TypingProfile::default()
            },
            TypingProfile {
                class: Some("Notepad".into()),
                input: InputMode::Scancode,
                ..TypingProfile::default()
            },
        ];
        // A profile may switch Citrix to Unicode and a local window to scan codes.
        assert!(!uses_scan_codes(
            &profiles,
            &window("Wfica", "Opus - Citrix")
        ));
        assert!(uses_scan_codes(&profiles, &window("Notepad", "Noter")));
        // A profile without `input` is `auto`.
        let plain = [TypingProfile {
            class: Some("*".into()),
            key_delay_ms: Some(20),
            ..TypingProfile::default()
        }];
        assert!(uses_scan_codes(&plain, &window("Wfica", "Fasit")));
        assert!(!uses_scan_codes(&plain, &window("Notepad", "Fasit")));
    }
}

#[cfg(test)]
mod config_tests {
    use super::InputMode;
    use crate::config::Config;
    use std::path::Path;

    #[test]
    fn a_profile_may_set_only_the_input_and_a_wrong_value_is_pointed_at() {
        let text = "[[agent.typing_profiles]]\nclass = \"Wfica*\"\ninput = \"scancode\"\n\n[[agent.typing_profiles]]\ntitle = \"*Opus*\"\nkey_delay_ms = 20\n";
        let config = Config::parse(Path::new("g.toml"), text).expect("valid");
        let profiles = &config.agent.typing_profiles;
        assert_eq!(profiles[0].input, InputMode::Scancode);
        assert_eq!(profiles[0].key_delay_ms, None);
        assert_eq!(profiles[1].input, InputMode::Auto);
        assert_eq!(profiles[1].key_delay_ms, Some(20));

        let wrong = "[[agent.typing_profiles]]\nclass = \"Wfica*\"\ninput = \"scancodes\"\n";
        let error = Config::parse(Path::new("g.toml"), wrong)
            .expect_err("unknown mode")
            .to_string();
        assert!(
            error.starts_with(
                "g.toml:3:9: error: unknown variant `scancodes`, expected one of `auto`, `unicode`, `scancode`"
            ),
            "{error}"
        );
    }
}
