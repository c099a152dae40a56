//! What a recorded key press does to the typed text. Pure logic, tested
//! without an X server.
//!
//! [`Layout`] translates keycode + modifier state with the core keyboard
//! mapping (GetKeyboardMapping). Shift picks column 0 or 1. AltGr, the Mod
//! bit that carries ISO_Level3_Shift, moves to columns 4/5, where XKB's core
//! mapping puts levels 3/4. The second XKB group (state bits 13–14) uses
//! columns 2/3. CapsLock flips the case of letters, and NumLock picks the
//! keypad digits. Keysyms become characters with
//! [`keymap::keysym_to_char`]. The result is a [`KeyAction`]:
//! * a character, Backspace, or Space/Tab, which ends a word;
//! * nothing, for modifier and lock keys (Shift, AltGr, CapsLock, …);
//! * *clear* for everything that may move the cursor or change the text
//!   unseen: Return, Escape, the arrows, Home/End, PageUp/PageDown, Delete,
//!   Shift+Tab, function keys, dead keys and any other key without a
//!   character, and every key pressed with Ctrl, Alt or Super held.
//!
//! (The matching itself is [`genvej_format::hotstring::Matcher`].)

use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{Keycode, Keysym, ModMask};
use x11rb::rust_connection::RustConnection;

use super::super::keymap::{self, Keymap, keysym};
use genvej_format::hotstring::KeyAction;

/// The keyboard mapping and the meaning of the modifier bits.
pub(super) struct Layout {
    keymap: Keymap,
    /// Control, Alt and Super: a key with one of these held is a command.
    command: u16,
    /// AltGr (ISO_Level3_Shift).
    level3: u16,
    num_lock: u16,
    modifier_keys: Vec<Keycode>,
}

impl Layout {
    pub(super) fn fetch(conn: &RustConnection) -> Result<Layout, ReplyError> {
        let keymap = Keymap::fetch(conn)?;
        let level3 = keymap.modifier_mask_of(&[keysym::ISO_LEVEL3_SHIFT]);
        let alt = keymap.modifier_mask_of(&[
            keysym::ALT_L,
            keysym::ALT_R,
            keysym::META_L,
            keysym::META_R,
        ]);
        let super_key = keymap.modifier_mask_of(&[keysym::SUPER_L, keysym::SUPER_R]);
        Ok(Layout {
            command: (u16::from(ModMask::CONTROL) | alt | super_key) & !level3,
            level3,
            num_lock: keymap.modifier_mask_of(&[keysym::NUM_LOCK]),
            modifier_keys: keymap.modifier_keycodes().map(|(_, code)| code).collect(),
            keymap,
        })
    }

    pub(super) fn action(&self, keycode: Keycode, state: u16) -> KeyAction {
        let syms = self.keymap.keysyms_of(keycode);
        let base = syms.first().copied().unwrap_or(0);
        if keymap::is_modifier_keysym(base) || self.modifier_keys.contains(&keycode) {
            return KeyAction::Ignore;
        }
        if state & self.command != 0 {
            return KeyAction::Clear;
        }
        match self.keysym(syms, state) {
            keysym::SPACE | keysym::KP_SPACE => KeyAction::End { tab: false },
            keysym::TAB | keysym::KP_TAB => KeyAction::End { tab: true },
            keysym::BACKSPACE => KeyAction::Backspace,
            sym => keymap::keysym_to_char(sym).map_or(KeyAction::Clear, |c| {
                let shift = state & u16::from(ModMask::SHIFT) != 0;
                let caps = state & u16::from(ModMask::LOCK) != 0;
                KeyAction::Char(with_case(c, shift != caps))
            }),
        }
    }

    /// The keysym the key produces in `state` (0 if none).
    fn keysym(&self, syms: &[Keysym], state: u16) -> Keysym {
        let shift = state & u16::from(ModMask::SHIFT) != 0;
        let keypad = self.num_lock != 0
            && state & self.num_lock != 0
            && syms.get(1).is_some_and(|&s| (0xff80..=0xffbd).contains(&s));
        let group = if self.level3 != 0 && state & self.level3 != 0 {
            2 // XKB's core mapping: G1L1 G1L2 G2L1 G2L2 G1L3 G1L4 …
        } else {
            usize::from((state >> 13) & 3 == 1) // XKB group in bits 13–14
        };
        pick_keysym(syms, group, usize::from(shift != keypad))
    }
}

/// The keysym at `group` (0: columns 0/1, 1: 2/3, 2: 4/5) and `level`
/// (0/1), falling back to level 0, then to the first group, as the core
/// protocol does for short rows.
fn pick_keysym(syms: &[Keysym], group: usize, level: usize) -> Keysym {
    let at = |column: usize| syms.get(column).copied().filter(|&s| s != 0);
    at(2 * group + level)
        .or_else(|| at(2 * group))
        .or_else(|| at(level))
        .or_else(|| at(0))
        .unwrap_or(0)
}

/// `c` in upper or lower case, if it has exactly one character in that case.
fn with_case(c: char, upper: bool) -> char {
    fn single(mut chars: impl Iterator<Item = char>) -> Option<char> {
        chars.next().filter(|_| chars.next().is_none())
    }
    let changed = if upper {
        single(c.to_uppercase())
    } else {
        single(c.to_lowercase())
    };
    changed.unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keysyms_are_picked_by_group_and_level() {
        // Danish `2`: 2 quotedbl 2 quotedbl at oneeighth
        let two = [0x32, 0x22, 0x32, 0x22, 0x40, 0xac3];
        assert_eq!(pick_keysym(&two, 0, 0), 0x32);
        assert_eq!(pick_keysym(&two, 0, 1), 0x22);
        assert_eq!(pick_keysym(&two, 2, 0), 0x40);
        assert_eq!(pick_keysym(&two, 2, 1), 0xac3);
        // A short row: `space` only, and an `a` with no upper case listed.
        assert_eq!(pick_keysym(&[0x20], 0, 1), 0x20);
        assert_eq!(pick_keysym(&[0x61, 0], 2, 1), 0x61);
        assert_eq!(pick_keysym(&[], 0, 0), 0);
    }

    #[test]
    fn case_follows_shift_xor_capslock() {
        assert_eq!(with_case('a', true), 'A');
        assert_eq!(with_case('Ø', false), 'ø');
        assert_eq!(with_case('ß', true), 'ß');
        assert_eq!(with_case(';', true), ';');
    }
}
