//! A recording desktop for simulation tests and `genvej exec --dry-run`.
//!
//! It keeps virtual time, so waits and timeouts are exact and instant. Typed
//! text goes to whichever fake window has focus at that moment — so a test
//! that moves focus mid-run sees text arrive in the wrong window if the
//! engine's guard ever fails.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::ports::{CancelToken, HttpError, HttpRequest, TypingInput};
use genvej_format::window_match::{WindowId, WindowInfo};

mod dry_run;
mod ports;

pub use dry_run::{DryRunData, FixtureError, source_named};

/// One thing the fake desktop saw, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FakeEvent {
    Typed { window: String, text: String },
    Pressed { window: String, chord: String },
    Pasted { window: String, text: String },
    Launched { program: String, args: Vec<String> },
    OpenedUrl(String),
    Focused(String),
    Asked { title: String, fields: Vec<String> },
    Message { title: String, text: String },
    Fetched { request: String },
    Saved { file: String, bytes: usize },
}

impl FakeEvent {
    /// One readable line, as asserted by tests and printed by `--dry-run`.
    pub fn line(&self) -> String {
        match self {
            FakeEvent::Typed { window, text } => format!("type «{window}» {text:?}"),
            FakeEvent::Pressed { window, chord } => format!("key «{window}» {chord}"),
            FakeEvent::Pasted { window, text } => format!("paste «{window}» {text:?}"),
            FakeEvent::Launched { program, args } => format!("launch {program} {args:?}"),
            FakeEvent::OpenedUrl(url) => format!("open_url {url}"),
            FakeEvent::Focused(window) => format!("focus «{window}»"),
            FakeEvent::Asked { title, fields } => format!("ask «{title}» [{}]", fields.join(", ")),
            FakeEvent::Message { title, text } => format!("message «{title}» {text:?}"),
            FakeEvent::Fetched { request } => format!("fetch {request}"),
            FakeEvent::Saved { file, .. } => format!("save_document «{file}»"),
        }
    }
}

#[derive(Debug, Clone)]
struct FakeWindow {
    info: WindowInfo,
    visible_from: Duration,
    focus_when_shown: bool,
}

/// What a launch makes appear: a window, after a delay, which takes focus.
#[derive(Debug, Clone)]
struct LaunchRule {
    trigger: String,
    title: String,
    class: String,
    after: Duration,
}

/// How forms are answered.
#[derive(Debug, Clone)]
pub enum Answers {
    /// Keep every field's pre-filled value (dry runs).
    Prefilled,
    /// Answer with these values (fields not named keep their pre-filled value).
    Given(BTreeMap<String, String>),
    /// Press Escape.
    Cancel,
}

#[derive(Debug, Clone)]
pub struct FakeDesktop {
    events: Vec<FakeEvent>,
    windows: Vec<FakeWindow>,
    focused: Option<WindowId>,
    clipboard: Option<String>,
    pasted_since_write: bool,
    selection: Option<String>,
    clock: Duration,
    start: NaiveDateTime,
    answers: Answers,
    launch_rules: Vec<LaunchRule>,
    obliging: bool,
    refuse_focus: bool,
    modifiers_held_until: Duration,
    /// Until then the hot key's own key is down: its grab has the keyboard
    /// and keys sent meanwhile never reach a window (X11's passive grab).
    keyboard_grabbed_until: Duration,
    /// Keys sent while the keyboard was grabbed: lost.
    lost_keys: usize,
    /// Each wait for keys to reach a window: (events recorded before it,
    /// the window's title).
    ready_waits: Vec<(usize, String)>,
    focus_thief: Option<(usize, WindowId)>,
    /// Focus moves as the key after this many characters is being sent.
    focus_race: Option<(usize, WindowId)>,
    panic_key: Option<(usize, CancelToken)>,
    /// A bug in the desktop: waiting for a paste panics (with this text).
    crash_when_pasting: Option<String>,
    /// How often the engine released the modifier keys.
    modifiers_released: usize,
    /// How each piece of typing was sent: (window title, input), one entry
    /// per change.
    inputs: Vec<(String, TypingInput)>,
    typed_chars: usize,
    /// How often the focused window was described (title, class, program),
    /// not only named by its id.
    descriptions: usize,
    /// How often only the focused window's id was asked for.
    focus_queries: usize,
    /// How often the local time was read.
    clock_reads: std::cell::Cell<usize>,
    next_id: u64,
    /// Canned answers to `fetch`, by address prefix.
    responses: Vec<(String, Result<serde_json::Value, HttpError>)>,
    /// Fixture answers to `fetch`, by source name (dry runs).
    fixtures: BTreeMap<String, serde_json::Value>,
    /// Canned answers to `download`, by address prefix.
    downloads: Vec<(String, Result<Vec<u8>, HttpError>)>,
    /// Documents saved by runs: (file name, bytes).
    documents: Vec<(String, Vec<u8>)>,
    /// Every request made, headers included.
    requests: Vec<HttpRequest>,
    /// The OS credential store: name → secret.
    credentials: BTreeMap<String, String>,
}

impl FakeDesktop {
    /// An empty desktop whose clock reads `start`.
    pub fn new(start: NaiveDateTime) -> Self {
        FakeDesktop {
            events: Vec::new(),
            windows: Vec::new(),
            focused: None,
            clipboard: None,
            pasted_since_write: false,
            selection: None,
            clock: Duration::ZERO,
            start,
            answers: Answers::Prefilled,
            launch_rules: Vec::new(),
            obliging: false,
            refuse_focus: false,
            modifiers_held_until: Duration::ZERO,
            keyboard_grabbed_until: Duration::ZERO,
            lost_keys: 0,
            ready_waits: Vec::new(),
            focus_thief: None,
            focus_race: None,
            panic_key: None,
            crash_when_pasting: None,
            modifiers_released: 0,
            inputs: Vec::new(),
            typed_chars: 0,
            descriptions: 0,
            focus_queries: 0,
            clock_reads: std::cell::Cell::new(0),
            next_id: 1,
            responses: Vec::new(),
            fixtures: BTreeMap::new(),
            downloads: Vec::new(),
            documents: Vec::new(),
            requests: Vec::new(),
            credentials: BTreeMap::new(),
        }
    }

    /// For dry runs: one focused window, and every awaited window "appears".
    pub fn obliging(start: NaiveDateTime) -> Self {
        let mut desktop = FakeDesktop::new(start);
        desktop.obliging = true;
        let id = desktop.add_window("aktivt vindue", "");
        desktop.focused = Some(id);
        desktop
    }

    /// Answers `fetch` requests whose address starts with `url_prefix`.
    pub fn respond(&mut self, url_prefix: &str, answer: Result<serde_json::Value, HttpError>) {
        self.responses.push((url_prefix.to_string(), answer));
    }

    /// Answers every `fetch` of the source `name` with `answer` (a dry run's
    /// fixture; see [`DryRunData`]).
    pub fn answer_source(&mut self, name: &str, answer: serde_json::Value) {
        self.fixtures.insert(name.to_string(), answer);
    }

    /// Answers `download` requests whose address starts with `url_prefix`.
    pub fn respond_bytes(&mut self, url_prefix: &str, answer: Result<Vec<u8>, HttpError>) {
        self.downloads.push((url_prefix.to_string(), answer));
    }

    /// Saves a secret in the stand-in credential store.
    pub fn save_credential(&mut self, name: &str, secret: &str) {
        self.credentials.insert(name.into(), secret.into());
    }

    /// Every request runs made (fetches and downloads), headers included.
    pub fn requests(&self) -> &[HttpRequest] {
        &self.requests
    }

    /// The documents runs saved: (file name, bytes).
    pub fn documents(&self) -> &[(String, Vec<u8>)] {
        &self.documents
    }

    /// Adds a visible window and returns its id.
    pub fn add_window(&mut self, title: &str, class: &str) -> WindowId {
        self.push_window(title, class, self.clock, false)
    }

    /// Gives a window focus, as if the caseworker clicked it.
    pub fn click(&mut self, id: WindowId) {
        self.focused = Some(id);
    }

    /// When a launched program or opened URL contains `trigger`, a window
    /// titled `title` appears `after` later and takes focus.
    pub fn on_launch(&mut self, trigger: &str, title: &str, class: &str, after: Duration) {
        self.launch_rules.push(LaunchRule {
            trigger: trigger.into(),
            title: title.into(),
            class: class.into(),
            after,
        });
    }

    pub fn answer_forms(&mut self, answers: Answers) {
        self.answers = answers;
    }

    pub fn select_text(&mut self, text: &str) {
        self.selection = Some(text.into());
    }

    pub fn set_clipboard(&mut self, text: Option<&str>) {
        self.clipboard = text.map(Into::into);
    }

    pub fn clipboard(&self) -> Option<&str> {
        self.clipboard.as_deref()
    }

    /// The caseworker keeps holding the hot key's modifiers this long.
    pub fn hold_modifiers_for(&mut self, duration: Duration) {
        self.modifiers_held_until = self.clock + duration;
    }

    /// The caseworker keeps the hot key's own key down this long (its
    /// modifiers may be up): the hot key's grab keeps the keyboard, and keys
    /// sent meanwhile are lost, as on X11.
    pub fn hold_hot_key_for(&mut self, duration: Duration) {
        self.keyboard_grabbed_until = self.clock + duration;
    }

    /// Keys sent while a hot key's grab had the keyboard (none reached a window).
    pub fn lost_keys(&self) -> usize {
        self.lost_keys
    }

    /// The events as lines, with each wait for keys to reach a window
    /// (`ready «title»`) where it happened.
    pub fn timeline(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut waits = self.ready_waits.iter().peekable();
        for (index, event) in self.events.iter().enumerate() {
            while let Some((_, title)) = waits.next_if(|(before, _)| *before <= index) {
                lines.push(format!("ready «{title}»"));
            }
            lines.push(event.line());
        }
        lines.extend(waits.map(|(_, title)| format!("ready «{title}»")));
        lines
    }

    /// After `chars` typed characters, focus jumps to `window` (a click, a pop-up).
    pub fn steal_focus_after(&mut self, chars: usize, window: WindowId) {
        self.focus_thief = Some((chars, window));
    }

    /// Focus jumps to `window` at the very moment the key after `chars`
    /// characters is sent — after the engine's own check, before the key.
    pub fn steal_focus_while_sending(&mut self, chars: usize, window: WindowId) {
        self.focus_race = Some((chars, window));
    }

    /// After `chars` typed characters, the caseworker presses the panic key.
    pub fn press_panic_key_after(&mut self, chars: usize, token: CancelToken) {
        self.panic_key = Some((chars, token));
    }

    /// Makes the next paste panic inside the desktop, with our text already
    /// on the clipboard — a bug in an adapter, as the engine must survive it.
    pub fn crash_when_pasting(&mut self, message: &str) {
        self.crash_when_pasting = Some(message.into());
    }

    /// How often runs have released the modifier keys (once at every end).
    /// How typing was sent, in order: the focused window's title and the
    /// input the engine chose, one entry each time either changes.
    pub fn typing_inputs(&self) -> &[(String, TypingInput)] {
        &self.inputs
    }

    pub fn modifiers_released(&self) -> usize {
        self.modifiers_released
    }

    /// How many characters have been typed so far, into any window.
    pub fn typed_chars(&self) -> usize {
        self.typed_chars
    }

    /// How often a run asked for the focused window described (title, class
    /// and program) rather than only which one it is.
    pub fn window_descriptions(&self) -> usize {
        self.descriptions
    }

    /// How often a run asked only which window has focus.
    pub fn focus_queries(&self) -> usize {
        self.focus_queries
    }

    /// How often a run read the local time (`now`).
    pub fn clock_reads(&self) -> usize {
        self.clock_reads.get()
    }

    /// Focus requests are ignored (a window manager that refuses).
    pub fn refuse_focus(&mut self) {
        self.refuse_focus = true;
    }

    pub fn events(&self) -> &[FakeEvent] {
        &self.events
    }

    /// The events as lines; consecutive typing into one window is one line.
    pub fn lines(&self) -> Vec<String> {
        self.events.iter().map(FakeEvent::line).collect()
    }

    /// Everything that arrived in one window, typed or pasted.
    pub fn text_in(&self, title: &str) -> String {
        self.events
            .iter()
            .filter_map(|e| match e {
                FakeEvent::Typed { window, text } | FakeEvent::Pasted { window, text }
                    if window == title =>
                {
                    Some(text.as_str())
                }
                _ => None,
            })
            .collect()
    }

    fn push_window(
        &mut self,
        title: &str,
        class: &str,
        visible_from: Duration,
        focus_when_shown: bool,
    ) -> WindowId {
        let id = WindowId(self.next_id);
        self.next_id += 1;
        self.windows.push(FakeWindow {
            info: WindowInfo {
                id,
                title: title.into(),
                class: class.into(),
                executable: None,
            },
            visible_from,
            focus_when_shown,
        });
        id
    }

    /// Applies what virtual time has brought: windows appearing and taking focus.
    fn advance(&mut self) {
        for window in &mut self.windows {
            if window.focus_when_shown && window.visible_from <= self.clock {
                window.focus_when_shown = false;
                self.focused = Some(window.info.id);
            }
        }
    }

    fn focused_title(&self) -> String {
        self.focused
            .and_then(|id| self.windows.iter().find(|w| w.info.id == id))
            .map_or_else(|| "intet vindue".to_string(), |w| w.info.title.clone())
    }

    fn apply_launch_rules(&mut self, launched: &str) {
        let rules: Vec<LaunchRule> = self
            .launch_rules
            .iter()
            .filter(|r| launched.contains(&r.trigger))
            .cloned()
            .collect();
        for rule in rules {
            let at = self.clock + rule.after;
            self.push_window(&rule.title, &rule.class, at, true);
        }
    }

    fn record_input(&mut self, input: TypingInput) {
        let entry = (self.focused_title(), input);
        if self.inputs.last() != Some(&entry) {
            self.inputs.push(entry);
        }
    }

    fn record_typed(&mut self, text: &str) {
        let window = self.focused_title();
        if let Some(FakeEvent::Typed {
            window: last,
            text: so_far,
        }) = self.events.last_mut()
        {
            if *last == window {
                so_far.push_str(text);
                return;
            }
        }
        self.events.push(FakeEvent::Typed {
            window,
            text: text.into(),
        });
    }
}
