//! The real desktop on Linux/X11: the engine's ports over x11rb (XTest, EWMH, selections).

pub mod clipboard;
pub mod hotkeys;
pub mod hotstrings;
mod instance;
mod keyboard;
pub mod keyboard_grab;
pub mod keyboard_state;
mod keymap;
pub mod no_focus;
pub mod os;
pub mod toast;
pub mod tray;
pub mod unmanaged;
mod windows;

use std::time::Duration;

pub use clipboard::X11Clipboard;
use keyboard::X11Keyboard;
use windows::X11Windows;

use crate::{Dialogs, PasteRules, Services};
use genvej_engine::ports::{
    Clipboard, ClipboardFailure, Keyboard, KeyboardFailure, PortError, PortResult, TypingInput,
    Windows,
};
use genvej_format::chord::Chord;
use genvej_format::window_match::{WindowId, WindowInfo};

/// One X display, as the engine sees it.
pub struct X11Desktop {
    windows: X11Windows,
    keyboard: X11Keyboard,
    clipboard: X11Clipboard,
    services: Services,
    paste_rules: PasteRules,
}

fn clipboard_error(e: clipboard::ClipboardError) -> PortError {
    use clipboard::ClipboardError as E;
    match e {
        E::Connect { .. } | E::Connection(_) => PortError::Unavailable {
            detail: e.to_string(),
        },
        E::NotOwner => PortError::Clipboard(ClipboardFailure::Busy),
        E::Timeout { waited, .. } => PortError::Clipboard(ClipboardFailure::OwnerSilent { waited }),
        other => PortError::Clipboard(ClipboardFailure::Os {
            detail: other.to_string(),
        }),
    }
}

impl X11Desktop {
    /// Extra root certificates for HTTPS (see `agent.ca_file`).
    pub fn set_ca_file(&mut self, ca_file: Option<std::path::PathBuf>) {
        self.services.set_ca_file(ca_file);
    }

    /// Where `merge_pdf` saves documents (`None`: the default folder).
    pub fn set_document_folder(&mut self, folder: Option<std::path::PathBuf>) {
        self.services.set_document_folder(folder);
    }

    /// Connects to `display` (default: `$DISPLAY`).
    pub fn connect(
        display: Option<&str>,
        browser: Option<String>,
        paste_rules: PasteRules,
        dialogs: Box<dyn Dialogs>,
    ) -> PortResult<X11Desktop> {
        Ok(X11Desktop {
            windows: X11Windows::connect(display)?,
            keyboard: X11Keyboard::connect(display)?,
            clipboard: X11Clipboard::connect(display).map_err(clipboard_error)?,
            services: Services::new(browser, dialogs),
            paste_rules,
        })
    }
}

impl Keyboard for X11Desktop {
    fn wait_modifiers_released(&mut self, timeout: Duration) -> PortResult<bool> {
        keyboard_state::wait_modifiers_released(self.windows.conn(), timeout).map_err(|e| {
            PortError::Keyboard(KeyboardFailure::StateUnreadable {
                detail: e.to_string(),
            })
        })
    }

    /// The hot key's passive grab (or a sequence's keyboard grab) is over:
    /// keys sent now go to the focused window, not to our listener.
    fn wait_ready_for_keys(&mut self, _into: WindowId, timeout: Duration) -> PortResult<bool> {
        keyboard_grab::wait_until_free(self.windows.conn(), timeout).map_err(|e| {
            PortError::Keyboard(KeyboardFailure::StateUnreadable {
                detail: e.to_string(),
            })
        })
    }

    /// `input` does not matter here: XTest always sends the key codes of
    /// the (temporarily mapped) keys, which remote clients forward as they are.
    fn type_text(
        &mut self,
        text: &str,
        key_delay: Duration,
        _input: TypingInput,
        into: WindowId,
    ) -> PortResult<()> {
        self.keyboard.type_text(text, key_delay, into)
    }

    fn prepare_typing(&mut self, text: &str) -> PortResult<()> {
        self.keyboard.prepare_typing(text);
        Ok(())
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

    /// A paste's text is marked for clipboard managers as not to be kept.
    fn offer_for_paste(&mut self, text: &str, _into: WindowId) -> PortResult<()> {
        self.clipboard
            .write_for_paste(text)
            .map_err(clipboard_error)
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

super::shared_ports!(X11Desktop);
