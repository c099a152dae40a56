//! Waiting for a sequence's second key (`J` of `Ctrl+Alt+Space J`) on X11.
//!
//! After the leader fires, the agent asks for the next key: the listener
//! grabs the whole keyboard on its own connection (XGrabKeyboard on the
//! root, `owner_events = false`), so the key goes to genvej alone — also a
//! key that is no follow-up, which then cancels without reaching the
//! focused window. The grab does not move the input focus, so the script
//! runs into the window that had it.
//!
//! The grab is released on every path: by the event thread when the first
//! key that is not a modifier (whatever it is) comes up again — not at its
//! press: its release would reach the window, and the script it starts
//! would type while it is still down (measured: the "p" of "Stor plan"
//! was lost when `P` was the next key) — and by [`stop_waiting`] (the
//! agent's time-out, a reload, shutdown); releasing twice is harmless.
//! The leader's own key is ignored while it is still held (its auto-repeat),
//! and so are modifier keys (the leader's Ctrl and Alt going up or down).
//!
//! [`stop_waiting`]: HotkeyListener::stop_waiting

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use x11rb::CURRENT_TIME;
use x11rb::errors::{ConnectionError, ReplyError};
use x11rb::protocol::xproto::{ConnectionExt as _, GrabMode, GrabStatus, Keycode, ModMask};
use x11rb::rust_connection::RustConnection;

use super::super::keymap::{self, Keymap};
use super::{Dispatcher, GrabListenerError, HotkeyEvent, HotkeyListener, lock};
use genvej_format::chord::{Chord, Key, Modifiers};

/// How long to retry when another program holds the keyboard (a menu, the
/// window manager) before giving up on the sequence.
const GRAB_PATIENCE: Duration = Duration::from_millis(250);

/// What the event thread needs while the keyboard is grabbed.
#[derive(Debug, Clone, Default)]
pub(super) struct NextKey {
    /// Keycodes of the keys asked for.
    keys: HashMap<Keycode, Key>,
    /// Keycodes of modifier keys: pressing one is not "the next key".
    modifiers: HashSet<Keycode>,
}

impl NextKey {
    /// What a press means while waiting: `None` when it is to be ignored
    /// (a modifier), else the event to report (a key asked for, with Shift
    /// if held, or `key: None` for any other key).
    pub(super) fn event_for(&self, keycode: Keycode, state: u16) -> Option<HotkeyEvent> {
        if self.modifiers.contains(&keycode) {
            return None;
        }
        let shift = state & u16::from(ModMask::SHIFT) != 0;
        let key = self.keys.get(&keycode).map(|&key| Chord {
            modifiers: Modifiers {
                shift,
                ..Modifiers::default()
            },
            key,
        });
        Some(HotkeyEvent::Next { key })
    }
}

impl HotkeyListener {
    /// Takes the keyboard until the next key is pressed; that key arrives as
    /// [`HotkeyEvent::Next`] (one of `keys`, else `key: None`), and the
    /// keyboard is let go at once. `Ok(false)` when another program holds
    /// the keyboard and would not let go within a quarter of a second.
    pub fn await_next_key(&self, keys: &[Key]) -> Result<bool, GrabListenerError> {
        let conn = &*self.conn;
        let keymap = Keymap::fetch(conn)?;
        let mut next = NextKey {
            modifiers: keymap.modifier_keycodes().map(|(_, code)| code).collect(),
            ..NextKey::default()
        };
        for &key in keys {
            let codes = keymap::keysym_of(key)
                .map(|sym| keymap.keycodes_for(sym))
                .unwrap_or_default();
            for code in codes {
                next.keys.insert(code, key);
            }
        }
        {
            let mut table = lock(&self.grabs);
            table.next_key = Some(next);
            table.ungrab_on_release = None;
        }
        // Recorded before the grab, so no run types into it unwarned.
        super::super::keyboard_grab::keyboard_taken(true);
        let started = Instant::now();
        loop {
            let status = conn
                .grab_keyboard(
                    false,
                    self.root,
                    CURRENT_TIME,
                    GrabMode::ASYNC,
                    GrabMode::ASYNC,
                )?
                .reply()?
                .status;
            if status == GrabStatus::SUCCESS {
                return Ok(true);
            }
            if started.elapsed() > GRAB_PATIENCE {
                lock(&self.grabs).next_key = None;
                super::super::keyboard_grab::keyboard_taken(false);
                tracing::debug!(?status, "the keyboard could not be grabbed for a sequence");
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops waiting for a next key and lets the keyboard go (harmless when
    /// not waiting) — at once, or, when the next key came and is still
    /// down, as it comes up.
    pub fn stop_waiting(&self) -> Result<(), ConnectionError> {
        {
            let mut table = lock(&self.grabs);
            table.next_key = None;
            if table.ungrab_on_release.is_some() {
                // The next key came and is still down: the event thread lets
                // go when it comes up (a grab holds every key event, so its
                // release reaches us).
                return Ok(());
            }
        }
        release_keyboard(&self.conn)
    }
}

impl Dispatcher {
    /// While a sequence waits: reports the key and says `Some(true)` (the
    /// keyboard is let go when that key comes up), or ignores a modifier or
    /// the still-held leader (`Some(false)`). `None` when no sequence waits.
    pub(super) fn next_key(&mut self, keycode: Keycode, state: u16) -> Option<bool> {
        let mut table = lock(&self.grabs);
        let waiting = table.next_key.as_ref()?;
        if self.held.contains_key(&keycode) {
            return Some(false); // the leader's key, repeating: keep waiting
        }
        let Some(event) = waiting.event_for(keycode, state) else {
            return Some(false);
        };
        table.next_key = None;
        table.ungrab_on_release = Some(keycode);
        drop(table);
        self.reporter.send(event);
        Some(true)
    }

    /// Whether `keycode` is the sequence's next key, still down, whose
    /// release lets the keyboard go.
    pub(super) fn ends_sequence_on_release(&self, keycode: Keycode) -> bool {
        lock(&self.grabs).ungrab_on_release == Some(keycode)
    }
}

/// UngrabKeyboard (only ever releases this client's grab), then a round
/// trip: once the server has let go, a run may type.
pub(super) fn release_keyboard(conn: &RustConnection) -> Result<(), ConnectionError> {
    conn.ungrab_keyboard(CURRENT_TIME)?;
    let synced = match conn.get_input_focus()?.reply() {
        Ok(_) | Err(ReplyError::X11Error(_)) => Ok(()),
        Err(ReplyError::ConnectionError(e)) => Err(e),
    };
    super::super::keyboard_grab::keyboard_taken(false);
    synced
}

#[cfg(test)]
mod tests {
    use super::*;
    use genvej_format::chord::NamedKey;

    #[test]
    fn while_waiting_a_key_asked_for_comes_with_shift_modifiers_are_ignored_and_others_cancel() {
        let next = NextKey {
            keys: HashMap::from([(44, Key::Letter('J')), (9, Key::Named(NamedKey::Escape))]),
            modifiers: HashSet::from([37, 64, 50]),
        };
        let shift = u16::from(ModMask::SHIFT);
        let control = u16::from(ModMask::CONTROL);
        let key = |text: &str| {
            Some(HotkeyEvent::Next {
                key: Some(Chord::parse(text).expect(text)),
            })
        };
        assert_eq!(next.event_for(37, control), None, "Ctrl going down");
        assert_eq!(next.event_for(44, control), key("J"), "Ctrl still held");
        assert_eq!(next.event_for(44, shift), key("Shift+J"));
        assert_eq!(next.event_for(9, 0), key("Escape"));
        assert_eq!(
            next.event_for(45, 0),
            Some(HotkeyEvent::Next { key: None }),
            "another key"
        );
    }
}
