//! Typing and key presses on X11 through XTest.
//!
//! Why not enigo here: enigo 0.6 looks characters up only on the unshifted
//! level, so every capital letter and shifted punctuation mark is remapped
//! onto a spare keycode, and when the spares run out it unmaps them all and
//! starts over. A window that lags a few events behind then reads a reused
//! keycode through the newer mapping and the character is lost (measured:
//! 1 of 2,000 characters dropped in 1 of 3 runs into a Tk window). Here a
//! character on the layout is pressed with Shift where needed and never
//! remapped; only characters the layout lacks (€, “”, ✓, 🙂 …) borrow a spare
//! keycode, they stay mapped while they are in use, and the least recently
//! used one is reassigned only when every spare is taken. The spare keycodes
//! are cleared again when the keyboard is dropped.
//!
//! A window reads a changed mapping some time after the change: a Tk window
//! under load typed a freshly mapped character as nothing (or as the
//! character the keycode held before) in 1 of 3 runs of 250 Greek letters.
//! So a text's missing characters are mapped before its first key, as many
//! as the spares hold, and the keys wait [`REMAP_SETTLE`] once for windows
//! to catch up; a longer text that needs more of them goes on in segments,
//! with the same pause before a keycode is given to another character (so
//! the window has read the keys it typed) and after (so it reads the new one).
//!
//! A key the caseworker still holds is never pressed over: the server takes
//! a press of a key that is already down as no new key, so the character is
//! lost. It happened with hotstrings: the Space that ends `;navn` was still
//! down when the expansion typed its first space (seen in 5 of 6 runs under
//! Xvfb). Each batch first waits for its keys to be up.

use std::time::Duration;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, KEY_PRESS_EVENT, KEY_RELEASE_EVENT, Keycode, Keysym, Window,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

use super::keyboard_state::wait_keys_released;
use super::keymap::{Keymap, keysym, keysym_of};
use genvej_engine::ports::{KeyboardFailure, PortError, PortResult};
use genvej_format::chord::Chord;
use genvej_format::window_match::WindowId;

const SHIFT_L: Keysym = 0xffe1;
const CONTROL_L: Keysym = 0xffe3;
const LOCK_MASK: u16 = 1 << 1;

/// How long windows get to read a keyboard mapping change before a key that
/// depends on it is pressed (and to read the keys typed before a keycode is
/// reassigned). Paid once per text that needs characters not yet mapped.
pub const REMAP_SETTLE: Duration = Duration::from_millis(50);

/// How long a batch waits for the caseworker to let go of one of its keys
/// before the run stops with [`KeyboardFailure::KeyHeld`].
const HELD_KEY_TIMEOUT: Duration = Duration::from_secs(2);

pub struct X11Keyboard {
    conn: RustConnection,
    root: Window,
    keymap: Keymap,
    keysyms_per_keycode: u8,
    /// Keycodes without any keysym when we started: ours to borrow.
    spare: Vec<Keycode>,
    /// Borrowed keycodes and what they hold, least recently used first.
    borrowed: Vec<(Keysym, Keycode)>,
    /// Modifier keycodes we pressed and have not released yet.
    held: Vec<Keycode>,
    /// The rest of the text announced by [`X11Keyboard::prepare_typing`],
    /// last key first.
    upcoming: Vec<(char, Keysym)>,
}

fn x_error(e: impl std::fmt::Display) -> PortError {
    PortError::Keyboard(KeyboardFailure::NotSent {
        detail: e.to_string(),
    })
}

impl X11Keyboard {
    pub fn connect(display: Option<&str>) -> PortResult<X11Keyboard> {
        let (conn, screen) = x11rb::connect(display).map_err(x_error)?;
        let root = conn.setup().roots[screen].root;
        let keymap = Keymap::fetch(&conn).map_err(x_error)?;
        let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
        let reply = conn
            .get_keyboard_mapping(min, max - min + 1)
            .map_err(x_error)?
            .reply()
            .map_err(x_error)?;
        let spare = (min..=max)
            .filter(|&code| keymap.keysyms_of(code).iter().all(|&s| s == 0))
            .collect();
        Ok(X11Keyboard {
            conn,
            root,
            keymap,
            keysyms_per_keycode: reply.keysyms_per_keycode,
            spare,
            borrowed: Vec::new(),
            held: Vec::new(),
            upcoming: Vec::new(),
        })
    }

    /// Remembers the text a step is about to type in pieces, so that a
    /// piece needing a character not yet mapped maps the following ones too.
    pub fn prepare_typing(&mut self, text: &str) {
        self.upcoming = text
            .chars()
            .rev()
            .filter_map(|c| keysym_of_char(c).map(|sym| (c, sym)))
            .collect();
    }

    pub fn type_text(&mut self, text: &str, key_delay: Duration, into: WindowId) -> PortResult<()> {
        let caps_lock = self.lock_is_on()?;
        // Keys ready to send: with no key delay they go as one batch inside
        // one server grab (focus checked once, atomically, for all of them);
        // with a delay each key is its own batch.
        let mut batch: Vec<(Keycode, bool)> = Vec::new();
        for c in text.chars() {
            let Some(sym) = keysym_of_char(c) else {
                continue;
            };
            if self.upcoming.last() == Some(&(c, sym)) {
                self.upcoming.pop();
            } else {
                self.upcoming.clear();
            }
            if !self.on_layout(sym) && !self.is_mapped(sym) {
                // A keycode may be given to another character: the keys
                // waiting for it go first.
                self.send_batch(&mut batch, into)?;
                let ahead: Vec<(char, Keysym)> = std::iter::once((c, sym))
                    .chain(self.upcoming.iter().rev().copied())
                    .collect();
                self.map_missing(&ahead)?;
            }
            let (code, mut shift) = self.keycode_for(sym)?;
            if caps_lock && c.is_alphabetic() && !self.is_borrowed(code) {
                shift = !shift;
            }
            batch.push((code, shift));
            if !key_delay.is_zero() {
                self.send_batch(&mut batch, into)?;
                std::thread::sleep(key_delay);
            }
        }
        self.send_batch(&mut batch, into)
    }

    /// Sends `batch` (and empties it) while the server is grabbed and focus
    /// is in `into`.
    fn send_batch(&mut self, batch: &mut Vec<(Keycode, bool)>, into: WindowId) -> PortResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let keys = std::mem::take(batch);
        let codes: Vec<Keycode> = keys.iter().map(|&(code, _)| code).collect();
        self.wait_until_up(&codes)?;
        self.while_focused(into, |keyboard| {
            for &(code, shift) in &keys {
                keyboard.tap(code, shift)?;
            }
            keyboard.sync()
        })
    }

    /// Maps the characters the layout lacks for the longest start of `keys`
    /// whose missing characters fit in the spare keycodes, then gives
    /// windows [`REMAP_SETTLE`] to read the change.
    fn map_missing(&mut self, keys: &[(char, Keysym)]) -> PortResult<()> {
        let mut needed: Vec<Keysym> = Vec::new();
        let mut fits = 0;
        for &(_, sym) in keys {
            if !self.on_layout(sym) && !needed.contains(&sym) {
                if needed.len() == self.spare.len() {
                    break;
                }
                needed.push(sym);
            }
            fits += 1;
        }
        if !keys.is_empty() && fits == 0 {
            return Err(PortError::Keyboard(KeyboardFailure::NoSpareKey));
        }
        // The ones already mapped become the most recently used, so that
        // mapping the others never takes their keycodes.
        for &sym in &needed {
            if let Some(at) = self.borrowed.iter().position(|&(s, _)| s == sym) {
                let entry = self.borrowed.remove(at);
                self.borrowed.push(entry);
            }
        }
        let fresh: Vec<Keysym> = needed
            .into_iter()
            .filter(|&sym| !self.is_mapped(sym))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let free = self
            .spare
            .iter()
            .filter(|&&code| !self.is_borrowed(code))
            .count();
        if fresh.len() > free {
            std::thread::sleep(REMAP_SETTLE);
        }
        for sym in fresh {
            self.borrow_keycode(sym)?;
        }
        std::thread::sleep(REMAP_SETTLE);
        Ok(())
    }

    pub fn press(&mut self, chord: &Chord, into: WindowId) -> PortResult<()> {
        let m = chord.modifiers;
        let mut modifiers = Vec::new();
        for (on, sym) in [
            (m.ctrl, CONTROL_L),
            (m.alt, keysym::ALT_L),
            (m.shift, SHIFT_L),
            (m.super_key, keysym::SUPER_L),
        ] {
            if on {
                modifiers.push(self.keycode_for(sym)?.0);
            }
        }
        let sym = keysym_of(chord.key).ok_or_else(|| {
            PortError::Keyboard(KeyboardFailure::UnknownKey {
                key: chord.key.to_string(),
            })
        })?;
        let (key, _) = self.keycode_for(sym)?;
        self.wait_until_up(&[key])?;
        let result = self.while_focused(into, |keyboard| {
            for &code in &modifiers {
                keyboard.fake(KEY_PRESS_EVENT, code)?;
                keyboard.held.push(code);
            }
            keyboard.tap(key, false)?;
            keyboard.release_modifiers()
        });
        let released = self.release_modifiers();
        result.and(released)
    }

    /// Runs `send` with the X server grabbed, after checking that keyboard
    /// focus is in `into`. While the server is grabbed no other client — a
    /// window manager handling a click, say — can move focus, so the check
    /// and the keys are one step. (The engine's own focus check before each
    /// key left a fraction of a millisecond in which a key could reach a
    /// window the caseworker had just clicked; seen once under load.)
    fn while_focused(
        &mut self,
        into: WindowId,
        send: impl FnOnce(&mut Self) -> PortResult<()>,
    ) -> PortResult<()> {
        self.conn.grab_server().map_err(x_error)?;
        // A panic while the server is grabbed would freeze the whole desktop:
        // ungrab first, then let it go on to the run's own recovery.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            match self.focus_is_in(into) {
                Ok(true) => send(self),
                Ok(false) => Err(PortError::FocusMoved),
                Err(e) => Err(e),
            }
        }));
        let ungrabbed = self
            .conn
            .ungrab_server()
            .map_err(x_error)
            .and_then(|_| self.sync());
        let result = result.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        result.and(ungrabbed)
    }

    /// Waits until none of `keys` is physically down, for at most
    /// [`HELD_KEY_TIMEOUT`]. Outside the server grab: the release must be
    /// able to reach the server.
    fn wait_until_up(&self, keys: &[Keycode]) -> PortResult<()> {
        match wait_keys_released(&self.conn, keys, HELD_KEY_TIMEOUT) {
            Ok(true) => Ok(()),
            Ok(false) => Err(PortError::Keyboard(KeyboardFailure::KeyHeld)),
            Err(e) => Err(x_error(e)),
        }
    }

    /// Whether the X input focus is `into` or a window inside it.
    fn focus_is_in(&self, into: WindowId) -> PortResult<bool> {
        const POINTER_ROOT: Window = 1;
        let target = Window::try_from(into.0).map_err(|_| PortError::WindowGone)?;
        let mut window = self
            .conn
            .get_input_focus()
            .map_err(x_error)?
            .reply()
            .map_err(x_error)?
            .focus;
        while window != x11rb::NONE && window != POINTER_ROOT && window != self.root {
            if window == target {
                return Ok(true);
            }
            window = self
                .conn
                .query_tree(window)
                .map_err(x_error)?
                .reply()
                .map_err(x_error)?
                .parent;
        }
        Ok(false)
    }

    /// Releases, in reverse order, every modifier we pressed.
    pub fn release_modifiers(&mut self) -> PortResult<()> {
        let mut first_error = None;
        while let Some(code) = self.held.pop() {
            if let Err(e) = self.fake(KEY_RELEASE_EVENT, code) {
                first_error.get_or_insert(e);
            }
        }
        self.sync()?;
        first_error.map_or(Ok(()), Err)
    }

    /// Presses and releases one key, with Shift around it when asked (the
    /// caller waits for the server with [`Self::sync`]).
    fn tap(&mut self, code: Keycode, shift: bool) -> PortResult<()> {
        let shift_code = if shift {
            Some(self.keycode_for(SHIFT_L)?.0)
        } else {
            None
        };
        if let Some(s) = shift_code {
            self.fake(KEY_PRESS_EVENT, s)?;
            self.held.push(s);
        }
        self.fake(KEY_PRESS_EVENT, code)?;
        self.fake(KEY_RELEASE_EVENT, code)?;
        if let Some(s) = shift_code {
            self.fake(KEY_RELEASE_EVENT, s)?;
            self.held.retain(|&h| h != s);
        }
        Ok(())
    }

    /// The keycode that types `sym`, and whether it needs Shift.
    fn keycode_for(&mut self, sym: Keysym) -> PortResult<(Keycode, bool)> {
        if let Some(found) = self.layout_key(sym) {
            return Ok(found);
        }
        if let Some(&(_, code)) = self.borrowed.iter().find(|&&(s, _)| s == sym) {
            return self.borrow_keycode(sym).map(|_| (code, false));
        }
        // A key outside any text (a chord's key the layout lacks): map it and
        // let windows read the change before it is pressed.
        let code = self.borrow_keycode(sym)?;
        std::thread::sleep(REMAP_SETTLE);
        Ok((code, false))
    }

    /// The layout's own keycode for `sym` and whether it needs Shift.
    fn layout_key(&self, sym: Keysym) -> Option<(Keycode, bool)> {
        [(0, false), (1, true)]
            .into_iter()
            .find_map(|(level, shift)| {
                self.keymap
                    .keycodes_for(sym)
                    .into_iter()
                    .find(|&code| self.keymap.keysyms_of(code).get(level) == Some(&sym))
                    .map(|code| (code, shift))
            })
    }

    fn on_layout(&self, sym: Keysym) -> bool {
        self.layout_key(sym).is_some()
    }

    fn is_mapped(&self, sym: Keysym) -> bool {
        self.borrowed.iter().any(|&(s, _)| s == sym)
    }

    fn is_borrowed(&self, code: Keycode) -> bool {
        self.borrowed.iter().any(|&(_, c)| c == code)
    }

    /// A spare keycode mapped to `sym` (on both levels, so Shift does not matter).
    fn borrow_keycode(&mut self, sym: Keysym) -> PortResult<Keycode> {
        if let Some(at) = self.borrowed.iter().position(|&(s, _)| s == sym) {
            let entry = self.borrowed.remove(at);
            self.borrowed.push(entry);
            return Ok(entry.1);
        }
        let free = self
            .spare
            .iter()
            .copied()
            .find(|&code| !self.is_borrowed(code));
        let code = match free {
            Some(code) => code,
            None if !self.borrowed.is_empty() => self.borrowed.remove(0).1,
            None => {
                return Err(PortError::Keyboard(KeyboardFailure::NoSpareKey));
            }
        };
        self.map_keycode(code, sym)?;
        self.borrowed.push((sym, code));
        Ok(code)
    }

    fn map_keycode(&self, code: Keycode, sym: Keysym) -> PortResult<()> {
        let mut syms = vec![0; usize::from(self.keysyms_per_keycode)];
        syms.iter_mut().take(2).for_each(|s| *s = sym);
        self.conn
            .change_keyboard_mapping(1, code, self.keysyms_per_keycode, &syms)
            .map_err(x_error)?;
        self.sync()
    }

    fn fake(&self, kind: u8, code: Keycode) -> PortResult<()> {
        self.conn
            .xtest_fake_input(kind, code, x11rb::CURRENT_TIME, self.root, 0, 0, 0)
            .map_err(x_error)?;
        Ok(())
    }

    /// A round trip: the server has processed everything sent before it.
    fn sync(&self) -> PortResult<()> {
        self.conn
            .get_input_focus()
            .map_err(x_error)?
            .reply()
            .map_err(x_error)?;
        Ok(())
    }

    fn lock_is_on(&self) -> PortResult<bool> {
        let pointer = self
            .conn
            .query_pointer(self.root)
            .map_err(x_error)?
            .reply()
            .map_err(x_error)?;
        Ok(u16::from(pointer.mask) & LOCK_MASK != 0)
    }
}

impl Drop for X11Keyboard {
    fn drop(&mut self) {
        let _ = self.release_modifiers();
        for (_, code) in std::mem::take(&mut self.borrowed) {
            let _ = self.map_keycode(code, 0);
        }
    }
}

/// The keysym that types `c`: Latin-1 keysyms equal the code point; other
/// characters use the Unicode keysym range. Line breaks and tabs are keys.
fn keysym_of_char(c: char) -> Option<Keysym> {
    match c {
        '\n' => Some(keysym::RETURN),
        '\t' => Some(keysym::TAB),
        '\r' => None,
        c if (' '..='~').contains(&c) || ('\u{a0}'..='\u{ff}').contains(&c) => Some(u32::from(c)),
        c => Some(0x0100_0000 + u32::from(c)),
    }
}
