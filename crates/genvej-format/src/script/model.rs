//! A checked script: what the engine runs. Built only by the loader, so every
//! value here has passed validation.

use std::path::PathBuf;
use std::time::Duration;

use regex::Regex;

use crate::chord::{Chord, Key, Modifiers, NamedKey};
use crate::hotkey::HotKey;
use crate::window_match::WindowMatch;

#[derive(Debug, Clone)]
pub struct Script {
    pub id: String,
    pub name: String,
    /// A chord, or a leader chord and one key after it (a sequence).
    pub hotkey: Option<HotKey>,
    pub manual_seconds: u32,
    pub description: String,
    /// Menu group: `category`, else the folder the file is in.
    pub category: String,
    pub only_when: Option<WindowMatch>,
    pub key_delay: Option<Duration>,
    pub inputs: Vec<Input>,
    pub hotstrings: Vec<Hotstring>,
    pub sources: Vec<Source>,
    pub steps: Vec<Step>,
    pub file: ScriptFile,
    /// Who owns the script, its version and who approved it.
    pub release: Release,
}

/// A script's release metadata: optional in a personal folder, required by
/// `genvej check --release` for the organisation's library.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Release {
    /// Who answers for the script, e.g. "IT-kontoret, Anne Holm".
    pub owner: Option<String>,
    /// The author's version, e.g. "1.2"; usage records carry it.
    pub version: Option<String>,
    /// The professional (faglig) approval.
    pub professional: Option<Approval>,
    /// The legal (juridisk) approval.
    pub legal: Option<Approval>,
}

impl Release {
    /// Both the professional and the legal approval are given.
    pub fn fully_approved(&self) -> bool {
        self.professional.is_some() && self.legal.is_some()
    }
}

/// Who approved a script, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub by: String,
    pub on: chrono::NaiveDate,
}

impl Script {
    /// The run a typed hotstring makes: erase the abbreviation and the space
    /// or Tab that ended it, type the expansion, then that space or Tab again.
    /// It has no inputs, so it never asks anything.
    pub fn hotstring_expansion(&self, index: usize, ended_by_tab: bool) -> Option<Script> {
        let hotstring = self.hotstrings.get(index)?;
        let ending = if ended_by_tab {
            NamedKey::Tab
        } else {
            NamedKey::Space
        };
        let key = |key: NamedKey, repeat: usize| Action::Key {
            chords: vec![Chord {
                modifiers: Modifiers::default(),
                key: Key::Named(key),
            }],
            repeat: u32::try_from(repeat).unwrap_or(u32::MAX),
        };
        let actions = [
            key(
                NamedKey::Backspace,
                hotstring.abbreviation.chars().count() + 1,
            ),
            Action::Type {
                text: hotstring.text.clone(),
                key_delay: None,
            },
            key(ending, 1),
        ];
        Some(Script {
            name: format!("{} ({})", self.name, hotstring.abbreviation),
            inputs: Vec::new(),
            hotstrings: Vec::new(),
            steps: actions
                .into_iter()
                .enumerate()
                .map(|(i, action)| Step {
                    number: i + 1,
                    line: hotstring.text.line,
                    action,
                    when: None,
                    target: None,
                })
                .collect(),
            ..self.clone()
        })
    }
}

/// The file a script was read from; the hash identifies its version in usage
/// records.
#[derive(Debug, Clone)]
pub struct ScriptFile {
    pub path: PathBuf,
    pub content_hash: String,
    /// From the caseworker's own folder, not the organisation's.
    pub personal: bool,
    /// The sequence number of the signed bundle the script came from
    /// (`None`: read from a folder); usage records carry it.
    pub bundle: Option<u64>,
}

/// An HTTP source (see `[[source]]`).
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub url: Template,
    pub method: HttpMethod,
    pub headers: Vec<(String, HeaderValue)>,
    pub query: Vec<(String, Template)>,
    pub json: Option<Template>,
    pub timeout: Duration,
    pub retries: u32,
    pub optional: bool,
    pub fallback: Option<serde_json::Value>,
    /// Fields the answer must have (checked when it arrives).
    pub expect: Vec<super::field_path::FieldPath>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

impl HttpMethod {
    pub fn name(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

#[derive(Debug, Clone)]
pub enum HeaderValue {
    Template(Template),
    /// Read from this environment variable when the request is made.
    Env {
        var: String,
        prefix: String,
    },
    /// Read from the OS credential store when the request is made.
    Credential {
        name: String,
        prefix: String,
    },
}

/// A template with the line it starts on, for run-time messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The template's text as written in the script.
    pub text: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub label: String,
    pub kind: InputKind,
    pub sources: Vec<InputSource>,
    pub required: bool,
    pub default: Option<Template>,
    pub pattern: Option<Regex>,
    pub bounds: Bounds,
    pub choices: Vec<String>,
    pub help: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Text,
    Multiline,
    Cpr,
    Choice,
    Date,
    Number,
    Checkbox,
    /// A time of day, `HH:MM` (00:00–23:59); typed also as `9:30` or `09.30`.
    Time,
}

impl InputKind {
    pub const ALL: &[(&str, InputKind)] = &[
        ("text", InputKind::Text),
        ("multiline", InputKind::Multiline),
        ("cpr", InputKind::Cpr),
        ("choice", InputKind::Choice),
        ("date", InputKind::Date),
        ("number", InputKind::Number),
        ("checkbox", InputKind::Checkbox),
        ("time", InputKind::Time),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("text", |(n, _)| n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputSource {
    Selection,
    Clipboard,
    Prompt,
}

impl InputSource {
    pub const ALL: &[(&str, InputSource)] = &[
        ("selection", InputSource::Selection),
        ("clipboard", InputSource::Clipboard),
        ("prompt", InputSource::Prompt),
    ];
}

/// `min`/`max` of an input, by kind.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub enum Bounds {
    #[default]
    None,
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Length {
        min: Option<usize>,
        max: Option<usize>,
    },
    Date {
        min: Option<DateBound>,
        max: Option<DateBound>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum DateBound {
    Today,
    Fixed(chrono::NaiveDate),
}

#[derive(Debug, Clone)]
pub struct Hotstring {
    pub abbreviation: String,
    pub text: Template,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// 1-based position in the script.
    pub number: usize,
    /// Line of the `[[step]]` header.
    pub line: usize,
    pub action: Action,
    pub when: Option<Template>,
    pub target: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Action {
    Type {
        text: Template,
        key_delay: Option<Duration>,
    },
    Paste {
        text: Template,
    },
    Key {
        chords: Vec<Chord>,
        repeat: u32,
    },
    Launch {
        program: Template,
        args: Vec<Template>,
    },
    OpenUrl {
        url: Template,
    },
    WaitWindow {
        window: WindowMatch,
        timeout: Duration,
        name: Option<String>,
    },
    FocusWindow {
        window: WindowMatch,
        timeout: Duration,
        name: Option<String>,
    },
    CopySelection {
        into: String,
        timeout: Duration,
    },
    ReadClipboard {
        into: String,
    },
    Pause {
        duration: Duration,
    },
    Set {
        name: String,
        value: Template,
    },
    Message {
        text: Template,
    },
    Require {
        condition: Template,
        message: Template,
    },
    Fetch {
        sources: Vec<String>,
    },
    MergePdf {
        each: String,
        url: Template,
        name: Option<Template>,
        file: Template,
        timeout: Duration,
    },
    /// Runs `steps` once per item of the list `list`, with the item bound
    /// to the variable `name` (a group holds no further groups).
    ForEach {
        list: String,
        name: String,
        steps: Vec<Step>,
    },
}

impl Action {
    /// Whether the step sends keys or text to the focused window (and so is
    /// subject to the wrong-window guard).
    pub fn injects_input(&self) -> bool {
        matches!(
            self,
            Action::Type { .. } | Action::Paste { .. } | Action::Key { .. }
        )
    }

    /// The step's name as written in scripts.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Type { .. } => "type",
            Action::Paste { .. } => "paste",
            Action::Key { .. } => "key",
            Action::Launch { .. } => "launch",
            Action::OpenUrl { .. } => "open_url",
            Action::WaitWindow { .. } => "wait_window",
            Action::FocusWindow { .. } => "focus_window",
            Action::CopySelection { .. } => "copy_selection",
            Action::ReadClipboard { .. } => "read_clipboard",
            Action::Pause { .. } => "pause_ms",
            Action::Set { .. } => "set",
            Action::Message { .. } => "message",
            Action::Require { .. } => "require",
            Action::Fetch { .. } => "fetch",
            Action::MergePdf { .. } => "merge_pdf",
            Action::ForEach { .. } => "for_each",
        }
    }
}

/// The variable a `merge_pdf` step sets to the saved file's path.
pub const MERGED_PDF_VARIABLE: &str = "merged_pdf";
/// The list item's name inside a `merge_pdf` step's `url` and `name`.
pub const ITEM_VARIABLE: &str = "item";
/// Where a `for_each` group is in its list: `position.index` (from 1),
/// `position.first`, `position.last` and `position.length`. (Not `loop`:
/// templates reserve that name for their own `{% for %}` loops.)
pub const LOOP_VARIABLE: &str = "position";

/// Limits the checker enforces.
pub const DEFAULT_WINDOW_TIMEOUT: Duration = Duration::from_millis(10_000);
pub const DEFAULT_SELECTION_TIMEOUT: Duration = Duration::from_millis(1_000);
pub const MAX_TIMEOUT_MS: u64 = 600_000;
pub const MAX_PAUSE_MS: u64 = 60_000;
pub const MAX_KEY_DELAY_MS: u32 = 1_000;
pub const MAX_REPEAT: u32 = 100;
/// The most items a `for_each` group runs its steps for.
pub const MAX_GROUP_ITEMS: usize = 1_000;
