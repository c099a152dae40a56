//! Whether this process's hot keys hold the keyboard right now.
//!
//! A hot key is a passive `XGrabKey`: from the moment its key goes down
//! until that key comes up, every key event — the ones genvej itself sends
//! with XTest included — goes to the hot-key listener, not to the focused
//! window. A sequence's leader takes the whole keyboard (`XGrabKeyboard`)
//! until its next key. A run that types inside either grab loses its keys:
//! measured under Xvfb with `settle_ms = 0`, a whole first batch ("Hej Jens.
//! ") vanished when the hot key's modifiers came up before its letter.
//!
//! The listener's thread records here what it sees (the hot key's press and
//! release, the sequence's grab and ungrab) and the run's desktop waits
//! here, woken the moment the grab ends. The listener and the desktop use
//! different X connections, so this state is shared through the process
//! (one listener per process). A release the listener never sees (its keys
//! replaced while one was held) cannot block runs: the waiter also asks the
//! server whether the recorded keys are still physically down.

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{ConnectionExt as _, Keycode};

use super::keyboard_state::is_down;

/// How often a waiter checks the physical key state while it waits for the
/// listener's word (only matters if a release went unseen).
const RECHECK: Duration = Duration::from_millis(20);

#[derive(Debug, Default)]
struct Held {
    /// Hot-key keys down now: their passive grabs are active.
    keys: BTreeSet<Keycode>,
    /// A sequence's leader has taken the whole keyboard.
    keyboard: bool,
}

impl Held {
    fn is_free(&self) -> bool {
        self.keys.is_empty() && !self.keyboard
    }
}

static HELD: Mutex<Held> = Mutex::new(Held {
    keys: BTreeSet::new(),
    keyboard: false,
});
static CHANGED: Condvar = Condvar::new();

fn held() -> MutexGuard<'static, Held> {
    HELD.lock().unwrap_or_else(PoisonError::into_inner)
}

fn changed(mut state: MutexGuard<'_, Held>, change: impl FnOnce(&mut Held)) {
    change(&mut state);
    drop(state);
    CHANGED.notify_all();
}

/// The listener read a hot key's press: its passive grab is active.
pub(super) fn hot_key_down(keycode: Keycode) {
    changed(held(), |h| {
        h.keys.insert(keycode);
    });
}

/// The listener read the hot key's release: its grab is over.
pub(super) fn hot_key_up(keycode: Keycode) {
    changed(held(), |h| {
        h.keys.remove(&keycode);
    });
}

/// A sequence took the whole keyboard (`true`) or let it go (`false`).
pub(super) fn keyboard_taken(taken: bool) {
    changed(held(), |h| h.keyboard = taken);
}

/// Waits until no hot key of this process holds the keyboard, for at most
/// `timeout`. `Ok(true)` at once when none does. Keys the listener still
/// counts as down but the server reports up (a release it never saw) are
/// forgotten.
pub fn wait_until_free(conn: &impl Connection, timeout: Duration) -> Result<bool, ReplyError> {
    let deadline = Instant::now() + timeout;
    loop {
        let state = held();
        if state.is_free() {
            return Ok(true);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        let (state, _) = CHANGED
            .wait_timeout(state, RECHECK.min(deadline - now))
            .unwrap_or_else(PoisonError::into_inner);
        if state.is_free() {
            return Ok(true);
        }
        let keys: Vec<Keycode> = state.keys.iter().copied().collect();
        let sequence = state.keyboard;
        drop(state);
        if !sequence && !keys.is_empty() {
            let down = conn.query_keymap()?.reply()?.keys;
            let unseen: Vec<Keycode> = keys
                .into_iter()
                .filter(|&code| !is_down(&down, code))
                .collect();
            if !unseen.is_empty() {
                tracing::debug!(?unseen, "hot keys up without a release seen: forgotten");
                changed(held(), |h| h.keys.retain(|code| !unseen.contains(code)));
            }
        }
    }
}
