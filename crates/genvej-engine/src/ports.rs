//! The small traits the engine owns. Platform adapters (`x11`, `windows`) and
//! the recording `fake` implement them; the engine never calls an OS crate.

use std::collections::BTreeMap;
use std::time::Duration;

use genvej_format::chord::Chord;
use genvej_format::script::{Bounds, HttpMethod, InputKind};
use genvej_format::window_match::{WindowId, WindowInfo, WindowMatch};

pub use crate::messages::{
    ClipboardFailure, CredentialError, DialogKind, HttpError, KeyboardFailure, OpenFailure,
    PortError,
};

pub type PortResult<T> = Result<T, PortError>;

/// How a desktop sends typed characters; the engine decides per window from
/// the typing profiles (`input = "unicode" | "scancode" | "auto"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TypingInput {
    /// Each character as itself (Windows: KEYEVENTF_UNICODE).
    #[default]
    Unicode,
    /// Characters on the active keyboard layout as the scan codes of their
    /// keys with the modifiers they need, the rest as Unicode: for remote
    /// clients (Citrix, Remote Desktop) that forward scan codes.
    ScanCodes,
}

/// Typing and key presses into the focused window.
pub trait Keyboard {
    /// Waits until no modifier key (Ctrl, Alt, Shift, Super) is held, so that
    /// injected keys do not combine with the caseworker's hot key. `false`
    /// when they are still held after `timeout`.
    fn wait_modifiers_released(&mut self, timeout: Duration) -> PortResult<bool>;
    /// Waits until keys sent now reach `into`, after a hot key or a focus
    /// change: no hot key's grab holds the keyboard any more (on X11 a hot
    /// key's passive grab lasts until its key comes up, and every key sent
    /// meanwhile goes to the grab, not to the window) and the window has
    /// been told it has focus. Returns as soon as that is so; `Ok(false)`
    /// when the keyboard is still held after `timeout`. A desktop whose hot
    /// keys take nothing from the window (Windows' RegisterHotKey) returns
    /// `Ok(true)` at once.
    fn wait_ready_for_keys(&mut self, into: WindowId, timeout: Duration) -> PortResult<bool> {
        let _ = (into, timeout);
        Ok(true)
    }
    /// Types text exactly as given into `into`; line breaks and tabs are sent
    /// as keys. Each key is sent only if keyboard focus is in `into` at that
    /// moment (checked atomically where the desktop allows), else
    /// [`PortError::FocusMoved`]. `input` is how the characters go (the
    /// window's typing profile decides; X11 always sends key codes).
    fn type_text(
        &mut self,
        text: &str,
        key_delay: Duration,
        input: TypingInput,
        into: WindowId,
    ) -> PortResult<()>;
    /// Announces the whole text a step is about to type in pieces with
    /// [`Keyboard::type_text`], so a desktop that must prepare keys for it (X11
    /// maps the characters the layout lacks and lets windows read the new
    /// mapping) does that once, not per piece. Nothing is sent to a window.
    fn prepare_typing(&mut self, text: &str) -> PortResult<()> {
        let _ = text;
        Ok(())
    }
    /// Presses and releases a chord in `into`, with the same focus rule.
    fn press(&mut self, chord: &Chord, into: WindowId) -> PortResult<()>;
    /// Releases any modifier this adapter pressed and has not released (after
    /// a failure or a cancel), so no key is left down.
    fn release_modifiers(&mut self) -> PortResult<()>;
}

/// The clipboard and the current selection.
pub trait Clipboard {
    fn read_text(&mut self) -> PortResult<Option<String>>;
    fn write_text(&mut self, text: &str) -> PortResult<()>;
    /// Empties the clipboard.
    fn clear(&mut self) -> PortResult<()>;
    /// Puts text on the clipboard for one paste into `into`. Desktops that
    /// hand clipboard text over on request (X11 always; Windows with delayed
    /// rendering) can then tell when that window has fetched it.
    fn offer_for_paste(&mut self, text: &str, into: WindowId) -> PortResult<()> {
        let _ = into;
        self.write_text(text)
    }
    /// After the paste key was sent: waits until the target has fetched the
    /// text offered for the paste. `false` when it did not in time.
    fn wait_until_pasted(&mut self, timeout: Duration) -> PortResult<bool>;
    /// The text selected in the focused window, if any, without leaving it on
    /// the clipboard.
    fn selected_text(&mut self, timeout: Duration) -> PortResult<Option<String>>;
    /// The chord that pastes into this window (Ctrl+V; Shift+Insert for
    /// terminals and targets configured so).
    fn paste_chord_for(&mut self, window: &WindowInfo) -> Chord;
}

/// Top-level windows.
pub trait Windows {
    fn list(&mut self) -> PortResult<Vec<WindowInfo>>;
    /// The focused window, described: title, class and program.
    fn focused(&mut self) -> PortResult<Option<WindowInfo>>;
    /// Only which window has focus, for the check before a paste or a key
    /// chord (typed text relies on [`Keyboard::type_text`]'s own check); the
    /// window is described only when it is not the expected one. A
    /// desktop where describing costs more than asking (Windows: the
    /// program's name is a process lookup) answers this without it.
    fn focused_id(&mut self) -> PortResult<Option<WindowId>> {
        Ok(self.focused()?.map(|w| w.id))
    }
    /// Asks for a window to be focused; the engine checks that it was.
    fn focus(&mut self, id: WindowId) -> PortResult<()>;
    /// The windows that match, newest last.
    fn matching(&mut self, window: &WindowMatch) -> PortResult<Vec<WindowInfo>> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|w| window.matches(w))
            .collect())
    }
}

/// Starting programs and opening URLs.
pub trait Launcher {
    /// Starts a program with arguments as a list (never through a shell).
    fn launch(&mut self, program: &str, args: &[String]) -> PortResult<()>;
    fn open_url(&mut self, url: &str) -> PortResult<()>;
}

/// Getting data from the case systems over HTTP.
pub trait Http {
    /// Sends the request (with its retries) and returns the JSON answer.
    fn fetch(&mut self, request: &HttpRequest) -> Result<serde_json::Value, HttpError>;
    /// Sends the request and returns the answer's bytes (e.g. a PDF).
    fn download(&mut self, request: &HttpRequest) -> Result<Vec<u8>, HttpError>;
}

/// Saving the documents a run makes.
pub trait Documents {
    /// Saves `bytes` as `file_name` in the document folder (never replacing
    /// an existing file) and returns the path it was saved to.
    fn save_document(&mut self, file_name: &str, bytes: &[u8]) -> PortResult<String>;
}

/// A `fetch` of one source, rendered and ready to send. Its `Debug` shows
/// neither header values nor the body (they hold secrets and citizen data).
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    /// The source's name, for messages and logs.
    pub source: String,
    pub method: HttpMethod,
    /// The full address, query included.
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// Whether a header holds a secret (`credential`, `env`): redirects of
    /// such a request must stay on the same scheme, host and port.
    pub carries_secret: bool,
    /// A JSON body.
    pub body: Option<String>,
    /// For one attempt.
    pub timeout: Duration,
    /// Extra attempts after a lost connection, a timeout or a 5xx answer.
    pub retries: u32,
    /// The largest answer read (`[limits]`); reading stops there.
    pub max_bytes: u64,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("source", &self.source)
            .field("method", &self.method)
            .field("request", &self.describe())
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("carries_secret", &self.carries_secret)
            .field("body", &self.body.as_ref().map(|b| b.len()))
            .finish()
    }
}

impl HttpRequest {
    /// `host[:port]` of the address, for messages.
    pub fn host(&self) -> &str {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        rest.split(['/', '?']).next().unwrap_or(rest)
    }

    /// Method, host and path with CPR numbers masked and no query: what logs
    /// and messages may show.
    pub fn describe(&self) -> String {
        let path = self.url.split('?').next().unwrap_or_default();
        genvej_format::cpr::redact(&format!("{} {path}", self.method.name()))
    }
}

/// Asking the caseworker.
pub trait Prompter {
    /// Shows a form; `None` when the caseworker cancels.
    fn ask(&mut self, form: &Form) -> PortResult<Option<BTreeMap<String, String>>>;
    fn show_message(&mut self, title: &str, text: &str) -> PortResult<()>;
}

/// Secrets kept in the OS credential store (Windows Credential Manager,
/// Secret Service on Linux), looked up by name when a request is made.
pub trait Credentials {
    /// The secret saved under `name`; the error says why it could not be
    /// read (not saved, store locked or not running), never the secret.
    fn credential(&mut self, name: &str) -> Result<String, CredentialError>;
}

/// Time: wall clock for dates, a monotonic clock and sleeping for waits.
pub trait Clock {
    fn now(&self) -> chrono::NaiveDateTime;
    /// Time since some fixed point; only differences matter.
    fn monotonic(&self) -> Duration;
    fn sleep(&mut self, duration: Duration);
}

/// Everything a run needs from the desktop.
pub trait Desktop:
    Keyboard + Clipboard + Windows + Launcher + Http + Credentials + Documents + Prompter + Clock
{
}
impl<T> Desktop for T where
    T: Keyboard
        + Clipboard
        + Windows
        + Launcher
        + Http
        + Credentials
        + Documents
        + Prompter
        + Clock
        + ?Sized
{
}

/// Several inputs asked at once.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Form {
    /// The script's name, as the dialog's title.
    pub title: String,
    pub fields: Vec<FormField>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FormField {
    pub name: String,
    pub label: String,
    pub kind: InputKind,
    /// Pre-filled value (rendered default, or what the selection held).
    pub value: Option<String>,
    pub required: bool,
    pub choices: Vec<String>,
    pub help: Option<String>,
    /// The input's `pattern` (regex source) and `min`/`max`, so the dialog
    /// checks a field exactly as the engine will.
    pub pattern: Option<String>,
    pub bounds: Bounds,
}

pub use genvej_format::cancel::CancelToken;
