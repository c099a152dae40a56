//! The real desktop on Linux/X11: the engine's ports over x11rb (XTest, EWMH, selections).

pub mod clipboard;
pub mod hotkeys;
pub mod hotstrings;
mod keyboard;
pub mod keyboard_state;
mod keymap;
mod windows;

use std::collections::BTreeMap;
use std::time::Duration;

pub use clipboard::X11Clipboard;
use keyboard::X11Keyboard;
use windows::X11Windows;

use super::http::HttpClient;
use super::system::{self, DocumentFolder, SystemClock};
use crate::chord::Chord;
use crate::dialog::DialogProcess;
use crate::platform::PasteRules;
use crate::ports::{
    Clipboard, Clock, Credentials, Documents, Form, Http, HttpError, HttpRequest, Keyboard,
    Launcher, PortError, PortResult, Prompter, Windows,
};
use crate::window_match::{WindowId, WindowInfo};

/// One X display, as the engine sees it.
pub struct X11Desktop {
    windows: X11Windows,
    keyboard: X11Keyboard,
    clipboard: X11Clipboard,
    clock: SystemClock,
    dialogs: DialogProcess,
    http: HttpClient,
    documents: DocumentFolder,
    browser: Option<String>,
    paste_rules: PasteRules,
}

fn clipboard_error(e: clipboard::ClipboardError) -> PortError {
    PortError::Failed(format!("udklipsholderen: {e}"))
}

impl X11Desktop {
    /// Extra root certificates for HTTPS (see `agent.ca_file`).
    pub fn set_ca_file(&mut self, ca_file: Option<std::path::PathBuf>) {
        self.http.set_ca_file(ca_file);
    }

    /// Where `merge_pdf` saves documents (`None`: the default folder).
    pub fn set_document_folder(&mut self, folder: Option<std::path::PathBuf>) {
        self.documents = match folder {
            Some(folder) => DocumentFolder { folder },
            None => DocumentFolder::default(),
        };
    }

    /// Connects to `display` (default: `$DISPLAY`).
    pub fn connect(
        display: Option<&str>,
        browser: Option<String>,
        paste_rules: PasteRules,
    ) -> PortResult<X11Desktop> {
        Ok(X11Desktop {
            windows: X11Windows::connect(display)?,
            keyboard: X11Keyboard::connect(display)?,
            clipboard: X11Clipboard::connect(display).map_err(clipboard_error)?,
            clock: SystemClock::default(),
            dialogs: DialogProcess::current(),
            http: HttpClient::new(),
            documents: DocumentFolder::default(),
            browser,
            paste_rules,
        })
    }
}

impl Keyboard for X11Desktop {
    fn wait_modifiers_released(&mut self, timeout: Duration) -> PortResult<bool> {
        keyboard_state::wait_modifiers_released(self.windows.conn(), timeout)
            .map_err(|e| PortError::Failed(format!("tastaturets tilstand kunne ikke læses: {e}")))
    }

    fn type_text(&mut self, text: &str, key_delay: Duration, into: WindowId) -> PortResult<()> {
        self.keyboard.type_text(text, key_delay, into)
    }

    fn press(&mut self, chord: &Chord, into: WindowId) -> PortResult<()> {
        self.keyboard.press(chord, into)
    }

    fn release_modifiers(&mut self) -> PortResult<()> {
        self.keyboard.release_modifiers()
    }
}

impl Clipboard for X11Desktop {
    fn read_text(&mut self) -> PortResult<Option<String>> {
        self.clipboard
            .read_text(Duration::from_millis(500))
            .map_err(clipboard_error)
    }

    fn write_text(&mut self, text: &str) -> PortResult<()> {
        self.clipboard.write_text(text).map_err(clipboard_error)
    }

    fn clear(&mut self) -> PortResult<()> {
        self.clipboard.clear().map_err(clipboard_error)
    }

    fn wait_until_pasted(&mut self, timeout: Duration) -> PortResult<bool> {
        self.clipboard
            .wait_until_served(timeout)
            .map_err(clipboard_error)
    }

    fn selected_text(&mut self, timeout: Duration) -> PortResult<Option<String>> {
        self.clipboard
            .read_primary(timeout)
            .map_err(clipboard_error)
    }

    fn paste_chord_for(&mut self, window: &WindowInfo) -> Chord {
        self.paste_rules.chord_for(window)
    }
}

impl Windows for X11Desktop {
    fn list(&mut self) -> PortResult<Vec<WindowInfo>> {
        self.windows.list()
    }

    fn focused(&mut self) -> PortResult<Option<WindowInfo>> {
        self.windows.focused()
    }

    fn focus(&mut self, id: WindowId) -> PortResult<()> {
        self.windows.focus(id)
    }
}

impl Launcher for X11Desktop {
    fn launch(&mut self, program: &str, args: &[String]) -> PortResult<()> {
        system::launch(program, args)
    }

    fn open_url(&mut self, url: &str) -> PortResult<()> {
        system::open_url(url, self.browser.as_deref())
    }
}

impl Http for X11Desktop {
    fn fetch(&mut self, request: &HttpRequest) -> Result<serde_json::Value, HttpError> {
        self.http.fetch(request)
    }

    fn download(&mut self, request: &HttpRequest) -> Result<Vec<u8>, HttpError> {
        self.http.download(request)
    }
}

impl Credentials for X11Desktop {
    fn credential(&mut self, name: &str) -> Result<String, String> {
        crate::platform::credentials::read(name)
    }
}

impl Documents for X11Desktop {
    fn save_document(&mut self, file_name: &str, bytes: &[u8]) -> PortResult<String> {
        self.documents.save(file_name, bytes)
    }
}

impl Prompter for X11Desktop {
    fn ask(&mut self, form: &Form) -> PortResult<Option<BTreeMap<String, String>>> {
        self.dialogs.ask(form, self.clock.now().date())
    }

    fn show_message(&mut self, title: &str, text: &str) -> PortResult<()> {
        self.dialogs.message(title, text)
    }
}

impl Clock for X11Desktop {
    fn now(&self) -> chrono::NaiveDateTime {
        self.clock.now()
    }

    fn monotonic(&self) -> Duration {
        self.clock.monotonic()
    }

    fn sleep(&mut self, duration: Duration) {
        self.clock.sleep(duration);
    }
}
