//! Is the user still holding a modifier?
//!
//! A hot key such as Ctrl+Alt+J fires while Ctrl and Alt are still down. If
//! genvej starts typing at that moment, the server combines the held
//! modifiers with the injected keys: "j" in "Hej" becomes Ctrl+Alt+J and
//! re-fires the hot key, and under openbox this once left a keyboard grab
//! behind that killed all input. So before injecting anything the engine
//! waits here until every modifier key is physically up.
//!
//! The physical key state comes from QueryKeymap; which keys count as
//! modifiers comes from GetModifierMapping (Shift, Control, Mod1 … Mod5 —
//! i.e. Ctrl, Alt, Shift, Super, AltGr/ISO_Level3 and whatever else the
//! layout puts there), minus the lock keys (NumLock, CapsLock, ScrollLock):
//! a lock that is *on* is not a key that is *held*.

use std::thread;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{ConnectionExt as _, Keycode};

use super::keymap::{Keymap, LOCK_KEYSYMS};

/// How often [`wait_keys_released`] asks the server again.
const POLL_INTERVAL: Duration = Duration::from_millis(3);

/// Row of the Lock modifier (CapsLock / ShiftLock) in the modifier mapping.
const LOCK_ROW: usize = 1;

/// True if any of Ctrl, Alt, Shift, Super (Mod4), AltGr/ISO_Level3 is
/// currently held, per QueryKeymap (physical key state) mapped through
/// GetModifierMapping.
pub fn modifiers_held(conn: &impl Connection) -> Result<bool, ReplyError> {
    let keycodes = held_modifier_candidates(conn)?;
    any_held(conn, &keycodes)
}

/// Polls (every few milliseconds) until no modifier is held, for at most
/// `timeout`. Returns `Ok(false)` if something was still held when the time
/// ran out, so the caller can tell the user to let go of the keys.
pub fn wait_modifiers_released(
    conn: &impl Connection,
    timeout: Duration,
) -> Result<bool, ReplyError> {
    // The mapping is read once: it does not change while someone holds a key.
    let keycodes = held_modifier_candidates(conn)?;
    wait_keys_released(conn, &keycodes, timeout)
}

/// Polls (every few milliseconds) until none of `keycodes` is physically
/// down, for at most `timeout`; `Ok(false)` if one still was then.
pub fn wait_keys_released(
    conn: &impl Connection,
    keycodes: &[Keycode],
    timeout: Duration,
) -> Result<bool, ReplyError> {
    let deadline = Instant::now() + timeout;
    loop {
        if !any_held(conn, keycodes)? {
            return Ok(true);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        thread::sleep(POLL_INTERVAL.min(deadline - now));
    }
}

/// The keycodes that hold a modifier down: every key in the modifier mapping
/// except the Lock row and keys that produce a lock keysym.
fn held_modifier_candidates(conn: &impl Connection) -> Result<Vec<Keycode>, ReplyError> {
    let keymap = Keymap::fetch(conn)?;
    let mut keycodes: Vec<Keycode> = keymap
        .modifier_keycodes()
        .filter(|&(row, _)| row != LOCK_ROW)
        .map(|(_, code)| code)
        .filter(|&code| {
            !keymap
                .keysyms_of(code)
                .iter()
                .any(|s| LOCK_KEYSYMS.contains(s))
        })
        .collect();
    keycodes.sort_unstable();
    keycodes.dedup();
    Ok(keycodes)
}

fn any_held(conn: &impl Connection, keycodes: &[Keycode]) -> Result<bool, ReplyError> {
    let keymap = conn.query_keymap()?.reply()?;
    Ok(keycodes.iter().any(|&code| is_down(&keymap.keys, code)))
}

/// QueryKeymap's bit vector: bit `code % 8` of byte `code / 8`.
pub(super) fn is_down(keys: &[u8; 32], code: Keycode) -> bool {
    keys[usize::from(code / 8)] & (1 << (code % 8)) != 0
}

#[cfg(test)]
mod tests {
    use super::is_down;

    #[test]
    fn reads_the_keymap_bit_vector() {
        let mut keys = [0u8; 32];
        keys[4] = 0b0010_0000; // keycode 37 (Control_L on evdev layouts)
        assert!(is_down(&keys, 37));
        assert!(!is_down(&keys, 36));
        assert!(!is_down(&keys, 255));
    }
}
