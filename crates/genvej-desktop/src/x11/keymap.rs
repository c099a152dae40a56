//! The keyboard layout as the X server sees it.
//!
//! Hot keys are grabbed by *keycode* (a physical key) plus a *modifier mask*,
//! but genvej's chords name keys by what they produce (`B`, `F5`, `Enter`).
//! This module bridges the two: it maps a [`Key`] to its standard X keysym,
//! finds the keycode(s) that produce that keysym in the current layout
//! (GetKeyboardMapping), and finds which of the generic modifier bits
//! Mod1…Mod5 carry Alt, Super, NumLock and ScrollLock (GetModifierMapping) —
//! those vary between servers and layouts, so they are looked up, not assumed.

use x11rb::connection::Connection;
use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{ConnectionExt as _, Keycode, Keysym};

use genvej_format::chord::{Key, NamedKey};

/// Standard keysym values (X11 `keysymdef.h`). x11rb has no constants for
/// these, so the few genvej needs are spelled out here.
pub(crate) mod keysym {
    use x11rb::protocol::xproto::Keysym;

    pub const SPACE: Keysym = 0x0020;
    pub const ISO_LEVEL3_SHIFT: Keysym = 0xfe03; // AltGr on most European layouts
    pub const KP_SPACE: Keysym = 0xff80;
    pub const KP_TAB: Keysym = 0xff89;
    pub const BACKSPACE: Keysym = 0xff08;
    pub const TAB: Keysym = 0xff09;
    pub const RETURN: Keysym = 0xff0d;
    pub const PAUSE: Keysym = 0xff13;
    pub const SCROLL_LOCK: Keysym = 0xff14;
    pub const ESCAPE: Keysym = 0xff1b;
    pub const HOME: Keysym = 0xff50;
    pub const LEFT: Keysym = 0xff51;
    pub const UP: Keysym = 0xff52;
    pub const RIGHT: Keysym = 0xff53;
    pub const DOWN: Keysym = 0xff54;
    pub const PAGE_UP: Keysym = 0xff55; // XK_Prior
    pub const PAGE_DOWN: Keysym = 0xff56; // XK_Next
    pub const END: Keysym = 0xff57;
    pub const PRINT: Keysym = 0xff61;
    pub const INSERT: Keysym = 0xff63;
    pub const MENU: Keysym = 0xff67;
    pub const NUM_LOCK: Keysym = 0xff7f;
    pub const F1: Keysym = 0xffbe; // F2 … F24 follow consecutively up to 0xffd5
    pub const CAPS_LOCK: Keysym = 0xffe5;
    pub const SHIFT_LOCK: Keysym = 0xffe6;
    pub const META_L: Keysym = 0xffe7;
    pub const META_R: Keysym = 0xffe8;
    pub const ALT_L: Keysym = 0xffe9;
    pub const ALT_R: Keysym = 0xffea;
    pub const SUPER_L: Keysym = 0xffeb;
    pub const SUPER_R: Keysym = 0xffec;
    pub const DELETE: Keysym = 0xffff;
}

/// Keysyms of keys that toggle a lock rather than modify while held.
pub(crate) const LOCK_KEYSYMS: [Keysym; 4] = [
    keysym::NUM_LOCK,
    keysym::SCROLL_LOCK,
    keysym::CAPS_LOCK,
    keysym::SHIFT_LOCK,
];

/// The character a keysym types, if it types one: Latin-1 keysyms are their
/// code point, Unicode keysyms are `0x0100_0000 + code point`, and the few
/// others a Danish or US layout produces (keypad digits and operators, €)
/// are mapped by hand. Control characters and function keys give `None`.
pub(crate) fn keysym_to_char(sym: Keysym) -> Option<char> {
    let code = match sym {
        0x20..=0x7e | 0xa0..=0xff => sym,
        0x0100_0000..=0x0110_ffff => sym - 0x0100_0000,
        0xffb0..=0xffb9 => sym - 0xffb0 + u32::from(b'0'), // KP_0 … KP_9
        0xffaa..=0xffaf => sym - 0xffaa + u32::from(b'*'), // KP_Multiply … KP_Divide: * + , - . /
        0xffbd => u32::from(b'='),                         // KP_Equal
        0x20ac => 0x20ac,                                  // EuroSign
        _ => return None,
    };
    char::from_u32(code).filter(|c| !c.is_control())
}

/// Keysyms of keys that only modify or lock (Shift, Control, Alt, Super,
/// AltGr, Mode_switch, the lock keys): pressing one types nothing by itself.
pub(crate) fn is_modifier_keysym(sym: Keysym) -> bool {
    matches!(sym, 0xffe1..=0xffee | 0xfe01..=0xfe13 | 0xff7e | 0xff7f | 0xff14)
}

/// The keysym a key produces without Shift. Letters map to their lower-case
/// keysym (XK_a = 0x61), which is how layouts list them.
pub(crate) fn keysym_of(key: Key) -> Option<Keysym> {
    match key {
        Key::Letter(c) if c.is_ascii_alphabetic() => Some(Keysym::from(c.to_ascii_lowercase())),
        Key::Digit(c) if c.is_ascii_digit() => Some(Keysym::from(c)),
        Key::Function(n @ 1..=24) => Some(keysym::F1 + Keysym::from(n - 1)),
        Key::Named(named) => Some(named_keysym(named)),
        Key::Letter(_) | Key::Digit(_) | Key::Function(_) => None,
    }
}

fn named_keysym(key: NamedKey) -> Keysym {
    use keysym::*;
    match key {
        NamedKey::Enter => RETURN,
        NamedKey::Tab => TAB,
        NamedKey::Escape => ESCAPE,
        NamedKey::Space => SPACE,
        NamedKey::Backspace => BACKSPACE,
        NamedKey::Delete => DELETE,
        NamedKey::Insert => INSERT,
        NamedKey::Home => HOME,
        NamedKey::End => END,
        NamedKey::PageUp => PAGE_UP,
        NamedKey::PageDown => PAGE_DOWN,
        NamedKey::Up => UP,
        NamedKey::Down => DOWN,
        NamedKey::Left => LEFT,
        NamedKey::Right => RIGHT,
        NamedKey::Pause => PAUSE,
        NamedKey::PrintScreen => PRINT,
        NamedKey::Menu => MENU,
    }
}

/// A snapshot of the server's keyboard and modifier mappings.
#[derive(Debug, Clone)]
pub(crate) struct Keymap {
    min_keycode: Keycode,
    keysyms_per_keycode: usize,
    /// `keysyms_per_keycode` entries for each keycode from `min_keycode` on.
    keysyms: Vec<Keysym>,
    /// The eight modifier rows (Shift, Lock, Control, Mod1 … Mod5), each a
    /// list of keycodes; 0 means "no key".
    modifier_rows: Vec<Vec<Keycode>>,
}

impl Keymap {
    /// Reads both mappings from the server (two round trips).
    pub(crate) fn fetch(conn: &impl Connection) -> Result<Keymap, ReplyError> {
        let setup = conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let count = max.saturating_sub(min).saturating_add(1);
        let keyboard = conn.get_keyboard_mapping(min, count)?.reply()?;
        let modifiers = conn.get_modifier_mapping()?.reply()?;
        let per_row = usize::from(modifiers.keycodes_per_modifier()).max(1);
        Ok(Keymap {
            min_keycode: min,
            keysyms_per_keycode: usize::from(keyboard.keysyms_per_keycode),
            keysyms: keyboard.keysyms,
            modifier_rows: modifiers
                .keycodes
                .chunks(per_row)
                .map(<[_]>::to_vec)
                .collect(),
        })
    }

    /// The keysyms on one keycode (all groups and levels; 0 = none).
    pub(crate) fn keysyms_of(&self, keycode: Keycode) -> &[Keysym] {
        let Some(index) = keycode.checked_sub(self.min_keycode) else {
            return &[];
        };
        let start = usize::from(index) * self.keysyms_per_keycode;
        self.keysyms
            .get(start..start + self.keysyms_per_keycode)
            .unwrap_or(&[])
    }

    fn keycodes(&self) -> impl Iterator<Item = Keycode> + '_ {
        let count = self.keysyms.len() / self.keysyms_per_keycode.max(1);
        (0..count).filter_map(|i| {
            u8::try_from(i)
                .ok()
                .and_then(|i| self.min_keycode.checked_add(i))
        })
    }

    /// The keycodes that produce `wanted`. Prefers the unshifted level of the
    /// first group (column 0), then the shifted level (column 1, e.g. digits
    /// on a French layout), then any other column.
    pub(crate) fn keycodes_for(&self, wanted: Keysym) -> Vec<Keycode> {
        let in_column = |column: Option<usize>| -> Vec<Keycode> {
            self.keycodes()
                .filter(|&code| {
                    let syms = self.keysyms_of(code);
                    match column {
                        Some(c) => syms.get(c) == Some(&wanted),
                        None => syms.contains(&wanted),
                    }
                })
                .collect()
        };
        [Some(0), Some(1), None]
            .into_iter()
            .map(in_column)
            .find(|codes| !codes.is_empty())
            .unwrap_or_default()
    }

    /// The modifier bits (Shift = 1, Lock = 2, Control = 4, Mod1 = 8 …
    /// Mod5 = 0x80) whose rows hold a key producing one of `keysyms`.
    pub(crate) fn modifier_mask_of(&self, keysyms: &[Keysym]) -> u16 {
        self.modifier_rows
            .iter()
            .enumerate()
            .filter(|(_, row)| {
                row.iter().any(|&code| {
                    code != 0 && self.keysyms_of(code).iter().any(|s| keysyms.contains(s))
                })
            })
            .fold(0, |mask, (bit, _)| mask | (1 << bit))
    }

    /// Every keycode in the modifier mapping, with its row (0 = Shift, 1 =
    /// Lock, 2 = Control, 3 = Mod1 … 7 = Mod5).
    pub(crate) fn modifier_keycodes(&self) -> impl Iterator<Item = (usize, Keycode)> + '_ {
        self.modifier_rows
            .iter()
            .enumerate()
            .flat_map(|(row, codes)| {
                codes
                    .iter()
                    .filter(|&&code| code != 0)
                    .map(move |&code| (row, code))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keysyms_map_to_characters() {
        assert_eq!(keysym_to_char(0x3b), Some(';'));
        assert_eq!(keysym_to_char(0x4e), Some('N'));
        assert_eq!(keysym_to_char(0xe6), Some('æ'));
        assert_eq!(keysym_to_char(0xc5), Some('Å'));
        assert_eq!(keysym_to_char(0x0100_2713), Some('✓'));
        assert_eq!(keysym_to_char(0xffb7), Some('7'));
        assert_eq!(keysym_to_char(0xffab), Some('+'));
        assert_eq!(keysym_to_char(0xffae), Some('.'));
        assert_eq!(keysym_to_char(0x20ac), Some('€'));
        assert_eq!(keysym_to_char(keysym::RETURN), None);
        assert_eq!(keysym_to_char(keysym::F1), None);
        assert_eq!(keysym_to_char(0x0100_0009), None); // a Unicode control character
        assert!(is_modifier_keysym(keysym::ISO_LEVEL3_SHIFT));
        assert!(is_modifier_keysym(keysym::SHIFT_LOCK));
        assert!(!is_modifier_keysym(keysym::SPACE));
    }

    #[test]
    fn keys_map_to_standard_keysyms() {
        assert_eq!(keysym_of(Key::Letter('B')), Some(0x62));
        assert_eq!(keysym_of(Key::Digit('7')), Some(0x37));
        assert_eq!(keysym_of(Key::Function(1)), Some(0xffbe));
        assert_eq!(keysym_of(Key::Function(12)), Some(0xffc9));
        assert_eq!(keysym_of(Key::Function(24)), Some(0xffd5));
        assert_eq!(keysym_of(Key::Function(25)), None);
        assert_eq!(keysym_of(Key::Named(NamedKey::Enter)), Some(0xff0d));
        assert_eq!(keysym_of(Key::Named(NamedKey::PageDown)), Some(0xff56));
        assert_eq!(keysym_of(Key::Named(NamedKey::PrintScreen)), Some(0xff61));
    }

    fn sample() -> Keymap {
        // Keycodes 8..=11: `a A`, `1 exclam`, Num_Lock, `ampersand 1`.
        Keymap {
            min_keycode: 8,
            keysyms_per_keycode: 2,
            keysyms: vec![0x61, 0x41, 0x31, 0x21, keysym::NUM_LOCK, 0, 0x26, 0x31],
            modifier_rows: vec![
                vec![0],
                vec![0],
                vec![0],
                vec![0],
                vec![10],
                vec![0],
                vec![0],
                vec![0],
            ],
        }
    }

    #[test]
    fn keycodes_prefer_the_unshifted_level() {
        let map = sample();
        assert_eq!(map.keycodes_for(0x61), vec![8]);
        assert_eq!(map.keycodes_for(0x31), vec![9]);
        assert_eq!(map.keycodes_for(0x26), vec![11]);
        assert_eq!(map.keycodes_for(0xffbe), Vec::<u8>::new());
        assert_eq!(map.keysyms_of(7), &[] as &[Keysym]);
    }

    #[test]
    fn modifier_rows_are_found_by_keysym() {
        let map = sample();
        assert_eq!(map.modifier_mask_of(&[keysym::NUM_LOCK]), 0x10);
        assert_eq!(map.modifier_mask_of(&[keysym::SCROLL_LOCK]), 0);
        assert_eq!(map.modifier_keycodes().collect::<Vec<_>>(), vec![(4, 10)]);
    }
}
