//! `[agent]`: how the agent runs on the caseworker's PC — where scripts
//! come from, its own hot keys, typing and timing, notices and logging.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{TypingProfile, yes};
use crate::chord_lint::KeyboardLayout;

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentSettings {
    /// Folders with scripts, searched in order (e.g. a central read-only folder
    /// and a personal one). Relative paths are relative to this file.
    #[serde(default)]
    pub hotkey_folders: Vec<PathBuf>,
    /// Stops a running script at once.
    #[serde(default = "default_panic_key")]
    pub panic_key: String,
    /// Opens the command palette: a search over every script; Enter runs
    /// the chosen one into the window that had focus. No script may use it.
    #[serde(default)]
    pub palette_hotkey: Option<String>,
    /// Keeps the command palette ready in a process of its own, started
    /// with the agent, so it shows at once when its chord is pressed (that
    /// process's memory while it waits: about 35 MB of its own on Linux,
    /// plus shared graphics libraries). `false`: started at each chord (a
    /// fifth of a second or more). Only with `palette_hotkey`.
    #[serde(default = "yes")]
    pub palette_ready: bool,
    /// Pause after each typed key, in milliseconds, unless a script says otherwise.
    #[serde(default = "default_key_delay_ms")]
    pub key_delay_ms: u32,
    /// Texts longer than this many characters are pasted rather than typed.
    #[serde(default = "default_paste_threshold")]
    pub paste_threshold: usize,
    /// The most characters one run may type and paste in all (and the
    /// longest text a `message` step may show); more stops the run before
    /// the text is sent.
    #[serde(default = "default_max_text_chars")]
    pub max_text_chars: usize,
    /// How long to wait for the caseworker to let go of the hot key's modifier
    /// keys before anything is typed, in milliseconds.
    #[serde(default = "default_modifier_release_ms")]
    pub modifier_release_timeout_ms: u64,
    /// Pause after a script's `wait_window` or `focus_window` (and after a
    /// form gives the focus back) before keys go to that window, in
    /// milliseconds: a window that just appeared may not yet have put its
    /// own text field in focus. Not before the first key after the hot key:
    /// there the agent waits for the hot key to let go of the keyboard.
    #[serde(default = "default_settle_ms")]
    pub settle_ms: u64,
    /// How long a notice (a run failed, a hot key was refused, scripts have
    /// errors) stays on screen, in seconds; 0 shows none (nor the window of
    /// keys a sequence's leader shows).
    #[serde(default = "default_notice_seconds")]
    pub notice_seconds: u64,
    /// `error`, `warn`, `info`, `debug` or `trace`.
    #[serde(default = "default_log_level")]
    pub log_level: String,
    /// A PEM file with extra root certificates for `fetch` over HTTPS (e.g.
    /// the organisation's internal CA), trusted besides the system's.
    /// Certificate checks cannot be switched off.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Where `merge_pdf` steps save documents; default the user's Documents
    /// folder + `genvej`.
    #[serde(default)]
    pub document_folder: Option<PathBuf>,
    /// Let document file names contain CPR numbers (off: a name with one
    /// stops the run). An organisation decision, for the machine-wide config.
    #[serde(default)]
    pub allow_cpr_in_file_names: bool,
    /// Where the agent writes its daily log files (14 days are kept);
    /// default `~/.local/share/genvej/logs` (Linux), `%LOCALAPPDATA%\genvej\logs` (Windows).
    #[serde(default)]
    pub log_folder: Option<PathBuf>,
    /// The program that opens URLs (e.g. `firefox`); default: the desktop's
    /// default browser (`xdg-open` on Linux).
    #[serde(default)]
    pub browser: Option<String>,
    /// Window classes (`*` and `?` allowed) that paste with Shift+Insert
    /// instead of Ctrl+V, e.g. terminal windows.
    #[serde(default)]
    pub shift_insert_classes: Vec<String>,
    /// How keys are typed into some windows, e.g. Citrix or remote desktops:
    /// `[[agent.typing_profiles]]` with `class` and/or `title` (`*`, `?`
    /// allowed), `key_delay_ms` (a script's or step's own delay wins) and
    /// `input` (`unicode`, `scancode`, `auto`). The first match decides.
    #[serde(default)]
    pub typing_profiles: Vec<TypingProfile>,
    /// The keyboard layouts caseworkers type on: `da`, `nb`, `sv`, `de`.
    /// The checker warns about hot keys that are characters on them (on
    /// Windows Ctrl+Alt is AltGr, so Ctrl+Alt+2 is @ on a Danish keyboard).
    #[serde(default = "default_keyboard_layouts")]
    pub keyboard_layouts: Vec<KeyboardLayout>,
    /// After a sequence's leader (`Ctrl+Alt+Space` of `Ctrl+Alt+Space J`),
    /// how long the agent waits for the next key, in milliseconds
    /// (300–10000); then the sequence is cancelled.
    #[serde(default = "default_sequence_timeout_ms")]
    pub sequence_timeout_ms: u64,
}

impl Default for AgentSettings {
    fn default() -> Self {
        AgentSettings {
            hotkey_folders: Vec::new(),
            panic_key: default_panic_key(),
            palette_hotkey: None,
            palette_ready: true,
            key_delay_ms: default_key_delay_ms(),
            paste_threshold: default_paste_threshold(),
            max_text_chars: DEFAULT_MAX_TEXT_CHARS,
            modifier_release_timeout_ms: default_modifier_release_ms(),
            settle_ms: default_settle_ms(),
            notice_seconds: default_notice_seconds(),
            log_level: default_log_level(),
            log_folder: None,
            document_folder: None,
            allow_cpr_in_file_names: false,
            ca_file: None,
            browser: None,
            shift_insert_classes: Vec::new(),
            typing_profiles: Vec::new(),
            keyboard_layouts: default_keyboard_layouts(),
            sequence_timeout_ms: default_sequence_timeout_ms(),
        }
    }
}

/// The shortest and longest wait for a sequence's second key: shorter
/// leaves no time to read the keys shown, longer leaves the keyboard taken.
pub const SEQUENCE_TIMEOUT_MS: std::ops::RangeInclusive<u64> = 300..=10_000;

fn default_sequence_timeout_ms() -> u64 {
    2000
}
fn default_keyboard_layouts() -> Vec<KeyboardLayout> {
    vec![KeyboardLayout::Danish]
}
fn default_panic_key() -> String {
    "Ctrl+Alt+Escape".into()
}
fn default_key_delay_ms() -> u32 {
    0
}
fn default_paste_threshold() -> usize {
    400
}
/// `agent.max_text_chars` unless the config says otherwise: about 50 pages.
pub const DEFAULT_MAX_TEXT_CHARS: usize = 100_000;
fn default_max_text_chars() -> usize {
    DEFAULT_MAX_TEXT_CHARS
}
fn default_modifier_release_ms() -> u64 {
    3_000
}
fn default_settle_ms() -> u64 {
    50
}
fn default_notice_seconds() -> u64 {
    8
}
fn default_log_level() -> String {
    "info".into()
}
