//! The Windows desktop: typing with SendInput (Unicode units, or for
//! remote-desktop clients the scan codes of keys on the layout — see
//! [`crate::key_events`]; line breaks and tabs as keys), chords as virtual
//! keys with their scan codes, the clipboard (marked as
//! excluded from clipboard history and the cloud clipboard), top-level
//! windows by title, class and program, and focus with the foreground-lock
//! workarounds. Http, credentials, documents, dialogs and the clock are the
//! shared ones.
//!
//! Known limits: windows of elevated (administrator) programs refuse
//! synthetic keys from a normal process (UIPI) — reported, not ignored; the
//! focus check before each key is not atomic as on X11 (Windows has no
//! server grab), so a focus change can cost at most the key being sent.

mod clipboard_owner;
mod focused;
pub mod hotkeys;
pub mod hotstrings;
pub mod os;
pub mod session;
pub mod tray;
mod win32;

use std::time::{Duration, Instant};

use windows_sys::Win32::UI::Input::KeyboardAndMouse as vk;

use self::clipboard_owner::{ClipboardOwner, Fetch};
use self::focused::FocusedWindow;
use self::win32::layout::ActiveLayout;
use crate::key_events::{self, KeyEvent, Typist};
use crate::{Dialogs, PasteRules, Services};
use genvej_engine::ports::{
    Clipboard, ClipboardFailure, Keyboard, KeyboardFailure, OpenFailure, PortError, PortResult,
    TypingInput, Windows,
};
use genvej_format::chord::{Chord, Key, NamedKey};
use genvej_format::window_match::{WindowId, WindowInfo};

pub use win32::access::{can_write, is_admin};
pub use win32::attach_parent_console;
/// Opens a URL, document or folder with the program Windows has for it.
pub fn shell_open(target: &str) -> PortResult<()> {
    win32::shell_open(target).map_err(|code| PortError::Open {
        target: target.to_string(),
        reason: match code {
            2 | 3 => OpenFailure::NotFound,
            5 => OpenFailure::AccessDenied,
            31 => OpenFailure::NoProgram,
            code => OpenFailure::Code(code as i64),
        },
    })
}

/// A deployment setting the MSI wrote under `HKLM\Software\genvej`
/// (e.g. `ScriptFolder` from the SCRIPTFOLDER property); `None` when unset
/// or empty.
pub fn deployment_setting(name: &str) -> Option<String> {
    win32::machine_registry_string("Software\\genvej", name).filter(|v| !v.trim().is_empty())
}

/// Message loops for the agent's Windows threads (hot keys, tray, session).
pub use win32::messages;

/// A dialog window kept ready by its own process (the command palette):
/// shown, centred and hidden directly, and the agent's right to the
/// foreground handed on to that process.
pub mod dialog_window {
    pub use super::win32::dialog_window::{allow_foreground, hide, present};

    /// The window's handle as a number, from winit's window handle.
    pub fn id_of(window: &impl raw_window_handle::HasWindowHandle) -> Option<u64> {
        match window.window_handle().map(|h| h.as_raw()) {
            Ok(raw_window_handle::RawWindowHandle::Win32(h)) => u64::try_from(h.hwnd.get()).ok(),
            _ => None,
        }
    }
}

pub struct WindowsDesktop {
    services: Services,
    paste_rules: PasteRules,
    /// Modifiers this adapter holds down (released after a failure).
    held: Vec<u16>,
    /// Promises text for pastes (started at the first paste).
    clipboard_owner: Option<ClipboardOwner>,
    /// The process of the window the promised text is for.
    paste_target: Option<u32>,
    /// Describes the focused window (what never changes read once).
    focused: FocusedWindow,
}

impl WindowsDesktop {
    pub fn new(
        browser: Option<String>,
        paste_rules: PasteRules,
        dialogs: Box<dyn Dialogs>,
    ) -> WindowsDesktop {
        WindowsDesktop {
            services: Services::new(browser, dialogs),
            paste_rules,
            held: Vec::new(),
            clipboard_owner: None,
            paste_target: None,
            focused: FocusedWindow::default(),
        }
    }

    pub fn set_ca_file(&mut self, ca_file: Option<std::path::PathBuf>) {
        self.services.set_ca_file(ca_file);
    }

    /// Where `merge_pdf` saves documents (`None`: the default folder).
    pub fn set_document_folder(&mut self, folder: Option<std::path::PathBuf>) {
        self.services.set_document_folder(folder);
    }

    /// Waits until no Ctrl/Alt/Win key is down (other than ones this adapter
    /// holds for a chord).
    fn wait_for_commands_released(&self) -> PortResult<()> {
        let deadline = Instant::now() + HELD_MODIFIER_TIMEOUT;
        while COMMAND_MODIFIERS
            .iter()
            .any(|k| !self.held.contains(k) && win32::is_down(*k))
        {
            if Instant::now() > deadline {
                return Err(PortError::Keyboard(KeyboardFailure::ModifierHeld));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }

    fn info(raw: win32::RawWindow) -> WindowInfo {
        WindowInfo {
            id: WindowId(raw.id),
            title: raw.title,
            class: raw.class,
            executable: win32::executable(raw.pid),
        }
    }

    /// Sends events only while `into` has the focus, and never while the
    /// caseworker holds Ctrl, Alt or the Windows key: Windows would combine
    /// them with our keys (Ctrl+S, Alt+F … in the target program). That
    /// happens when they press a chord mid-run — the panic key is one — so
    /// wait for the release; the panic key's cancel is seen right after.
    ///
    /// The events go in one `SendInput` call after one focus check. Each
    /// character's events release the modifiers they press; if Windows
    /// takes only part of them, those modifiers are released at once.
    fn send_into(&self, into: WindowId, events: &[KeyEvent]) -> PortResult<()> {
        self.wait_for_commands_released()?;
        if win32::foreground() != into.0 {
            return Err(PortError::FocusMoved);
        }
        if win32::send_events(events) {
            Ok(())
        } else {
            win32::send_events(&key_events::modifier_releases(events));
            Err(PortError::Keyboard(KeyboardFailure::Refused))
        }
    }
}

/// How long a paste whose fetch genvej cannot see is given before the
/// clipboard is restored.
const UNSEEN_PASTE_SETTLE: Duration = Duration::from_millis(300);
/// How long typing waits for the caseworker to let go of Ctrl/Alt/Win.
const HELD_MODIFIER_TIMEOUT: Duration = Duration::from_secs(5);

/// Modifiers that turn a typed key into a command.
const COMMAND_MODIFIERS: [u16; 4] = [vk::VK_CONTROL, vk::VK_MENU, vk::VK_LWIN, vk::VK_RWIN];

const MODIFIERS: [u16; 5] = [
    vk::VK_CONTROL,
    vk::VK_MENU,
    vk::VK_SHIFT,
    vk::VK_LWIN,
    vk::VK_RWIN,
];

/// The virtual key of a chord's key.
fn virtual_key(key: Key) -> u16 {
    match key {
        Key::Letter(c) | Key::Digit(c) => c as u16,
        Key::Function(n) => vk::VK_F1 + u16::from(n.saturating_sub(1)),
        Key::Named(named) => match named {
            NamedKey::Enter => vk::VK_RETURN,
            NamedKey::Tab => vk::VK_TAB,
            NamedKey::Escape => vk::VK_ESCAPE,
            NamedKey::Space => vk::VK_SPACE,
            NamedKey::Backspace => vk::VK_BACK,
            NamedKey::Delete => vk::VK_DELETE,
            NamedKey::Insert => vk::VK_INSERT,
            NamedKey::Home => vk::VK_HOME,
            NamedKey::End => vk::VK_END,
            NamedKey::PageUp => vk::VK_PRIOR,
            NamedKey::PageDown => vk::VK_NEXT,
            NamedKey::Up => vk::VK_UP,
            NamedKey::Down => vk::VK_DOWN,
            NamedKey::Left => vk::VK_LEFT,
            NamedKey::Right => vk::VK_RIGHT,
            NamedKey::Pause => vk::VK_PAUSE,
            NamedKey::PrintScreen => vk::VK_SNAPSHOT,
            NamedKey::Menu => vk::VK_APPS,
        },
    }
}

/// The modifiers of a chord as virtual keys, in press order.
fn modifier_keys(chord: &Chord) -> Vec<u16> {
    let m = chord.modifiers;
    [
        (m.ctrl, vk::VK_CONTROL),
        (m.alt, vk::VK_MENU),
        (m.shift, vk::VK_SHIFT),
        (m.super_key, vk::VK_LWIN),
    ]
    .into_iter()
    .filter_map(|(on, key)| on.then_some(key))
    .collect()
}

impl Keyboard for WindowsDesktop {
    fn wait_modifiers_released(&mut self, timeout: Duration) -> PortResult<bool> {
        let deadline = Instant::now() + timeout;
        loop {
            if !MODIFIERS.iter().any(|k| win32::is_down(*k)) {
                return Ok(true);
            }
            if Instant::now() > deadline {
                return Ok(false);
            }
            // Every millisecond: this wait is most of a hot key's latency
            // (the hot key fires while its modifiers are still down).
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Characters as Unicode, or in [`TypingInput::ScanCodes`] as the scan
    /// codes of their keys on the target window's layout (see
    /// [`key_events`]); line breaks and tabs as keys with scan codes.
    fn type_text(
        &mut self,
        text: &str,
        key_delay: Duration,
        input: TypingInput,
        into: WindowId,
    ) -> PortResult<()> {
        let layout = ActiveLayout::of(into.0);
        let scan_codes = input == TypingInput::ScanCodes;
        if scan_codes {
            tracing::debug!("typing as scan codes (keyboard layout {:08X})", layout.id());
        }
        // Caps Lock matters only to letters sent as their keys.
        let caps_lock = scan_codes && win32::layout::caps_lock_on();
        let typist = Typist::new(&layout, scan_codes, caps_lock);
        // Without a delay the piece goes in SendInput calls checked for focus
        // once each, up to and including a line break or tab: SendInput puts
        // its events in the queue together, so no click of the caseworker's
        // can land between them.
        let mut batch = Vec::new();
        for c in text.chars() {
            let events = typist.events(c);
            if events.is_empty() {
                continue;
            }
            if key_delay.is_zero() {
                batch.extend(events);
                // Enter or Tab may open a dialog or move to another window:
                // what follows is sent after a new focus check.
                if matches!(c, '\n' | '\t') {
                    self.send_into(into, &std::mem::take(&mut batch))?;
                }
                continue;
            }
            self.send_into(into, &events)?;
            std::thread::sleep(key_delay);
        }
        if !batch.is_empty() {
            self.send_into(into, &batch)?;
        }
        Ok(())
    }

    /// The chord's keys carry their scan codes (the paste key must reach a
    /// remote session as Ctrl+V).
    fn press(&mut self, chord: &Chord, into: WindowId) -> PortResult<()> {
        let layout = ActiveLayout::of(into.0);
        let events = key_events::chord(&layout, &modifier_keys(chord), virtual_key(chord.key));
        self.send_into(into, &events)
    }

    fn release_modifiers(&mut self) -> PortResult<()> {
        let held: Vec<_> = self.held.drain(..).map(|k| win32::key(k, true)).collect();
        win32::send(&held);
        Ok(())
    }
}

impl Clipboard for WindowsDesktop {
    fn read_text(&mut self) -> PortResult<Option<String>> {
        win32::clipboard_text().map_err(clipboard_error)
    }

    fn write_text(&mut self, text: &str) -> PortResult<()> {
        win32::set_clipboard_text(text).map_err(clipboard_error)
    }

    fn clear(&mut self) -> PortResult<()> {
        win32::clear_clipboard().map_err(clipboard_error)
    }

    /// Promised with delayed rendering, so that [`Self::wait_until_pasted`]
    /// learns when the target fetched it.
    fn offer_for_paste(&mut self, text: &str, into: WindowId) -> PortResult<()> {
        let owner = match &mut self.clipboard_owner {
            Some(owner) => owner,
            slot => slot.insert(ClipboardOwner::start().map_err(clipboard_error)?),
        };
        owner
            .offer(&with_windows_line_breaks(text))
            .map_err(clipboard_error)?;
        self.paste_target = win32::describe(into.0).map(|w| w.pid);
        Ok(())
    }

    /// Done when the target's program fetches the promised text. If another
    /// program fetched it first (a clipboard tool that ignores the privacy
    /// marks), the target's own fetch cannot be seen: then wait while it
    /// processes the paste key, as without delayed rendering.
    fn wait_until_pasted(&mut self, timeout: Duration) -> PortResult<bool> {
        let started = Instant::now();
        let target = self.paste_target.take();
        let fetch = match &self.clipboard_owner {
            Some(owner) => owner.wait(target, timeout),
            None => Fetch::ByOther,
        };
        match fetch {
            Fetch::ByTarget => {
                tracing::debug!("the paste was fetched by the target window's program");
                Ok(true)
            }
            Fetch::ByOther => {
                tracing::debug!("the paste was fetched by another program first; waiting a while");
                let settle = UNSEEN_PASTE_SETTLE.min(timeout);
                std::thread::sleep(settle.saturating_sub(started.elapsed()));
                Ok(true)
            }
            Fetch::Replaced | Fetch::NotFetched => Ok(false),
        }
    }

    /// Copies the selection with Ctrl+C, reads it and puts the clipboard
    /// back as it was.
    fn selected_text(&mut self, timeout: Duration) -> PortResult<Option<String>> {
        let Some(focused) = win32::describe(win32::foreground()) else {
            return Ok(None);
        };
        let before = win32::clipboard_text().map_err(clipboard_error)?;
        let sequence = win32::clipboard_sequence();
        let copy = Chord::parse_hotkey("Ctrl+C").map_err(|e| {
            PortError::Keyboard(KeyboardFailure::NotSent {
                detail: e.to_string(),
            })
        })?;
        self.press(&copy, WindowId(focused.id))?;
        let deadline = Instant::now() + timeout;
        while win32::clipboard_sequence() == sequence {
            if Instant::now() > deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let selected = win32::clipboard_text().map_err(clipboard_error)?;
        match before {
            Some(text) => win32::set_clipboard_text(&text),
            None => win32::clear_clipboard(),
        }
        .map_err(clipboard_error)?;
        Ok(selected.filter(|s| !s.is_empty()))
    }

    fn paste_chord_for(&mut self, window: &WindowInfo) -> Chord {
        self.paste_rules.chord_for(window)
    }
}

/// Text on the Windows clipboard ends its lines with `\r\n`; edit
/// controls show a bare `\n` as nothing or a box.
fn with_windows_line_breaks(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 20);
    let mut previous = '\0';
    for c in text.chars() {
        if c == '\n' && previous != '\r' {
            out.push('\r');
        }
        out.push(c);
        previous = c;
    }
    out
}

fn clipboard_error(e: ClipboardFailure) -> PortError {
    PortError::Clipboard(e)
}

impl Windows for WindowsDesktop {
    fn list(&mut self) -> PortResult<Vec<WindowInfo>> {
        Ok(win32::top_level_windows()
            .into_iter()
            .map(WindowsDesktop::info)
            .collect())
    }

    /// What never changes (a window's class, a process's program) is read
    /// once: see [`FocusedWindow`].
    fn focused(&mut self) -> PortResult<Option<WindowInfo>> {
        Ok(self.focused.describe())
    }

    /// GetForegroundWindow alone: no title read, no process opened.
    fn focused_id(&mut self) -> PortResult<Option<WindowId>> {
        Ok(Some(win32::foreground())
            .filter(|id| *id != 0)
            .map(WindowId))
    }

    fn focus(&mut self, id: WindowId) -> PortResult<()> {
        win32::bring_to_front(id.0);
        Ok(())
    }
}

super::shared_ports!(WindowsDesktop);
