//! The keyboard events the Windows desktop sends for typed characters and
//! chords, worked out from what the active keyboard layout says, so that
//! remote clients (Citrix Workspace, Remote Desktop) — which forward the
//! keyboard's scan codes and drop or mistranslate Unicode-only keys — get
//! real keys:
//!
//! - Unicode mode: each character as itself (`KEYEVENTF_UNICODE`).
//! - Scan-code mode: a character on the layout as its key's scan code
//!   (`KEYEVENTF_SCANCODE`) with Shift and AltGr (= Ctrl+Alt, e.g. @ £ $ €
//!   { [ ] } | on a Danish keyboard) pressed as scan codes too and released
//!   right after it; characters not on the layout, and those behind a dead
//!   key, as Unicode.
//! - In both: Tab, Enter and chords (the paste key) carry their scan codes.
//!
//! Every character's events release what they pressed, so each batch sent
//! in one `SendInput` call leaves no modifier down. The virtual key is
//! filled in also for scan-code events: Windows ignores it then, Wine 8
//! needs it (it ignores `KEYEVENTF_SCANCODE`).
//!
//! Plain data, compiled on every OS, so its rules are tested on Linux too;
//! `windows/win32` answers [`Layout`] with VkKeyScanExW/MapVirtualKeyExW.

/// `KEYBDINPUT.dwFlags` bits (winuser.h).
pub const EXTENDED_KEY: u32 = 0x0001;
pub const KEY_UP: u32 = 0x0002;
pub const UNICODE: u32 = 0x0004;
pub const SCAN_CODE: u32 = 0x0008;

/// Virtual keys (winuser.h) this module needs by name.
pub mod vk {
    pub const TAB: u16 = 0x09;
    pub const RETURN: u16 = 0x0D;
    pub const SHIFT: u16 = 0x10;
    pub const CONTROL: u16 = 0x11;
    pub const MENU: u16 = 0x12;
    pub const CAPITAL: u16 = 0x14;
    pub const LWIN: u16 = 0x5B;
    pub const RWIN: u16 = 0x5C;
    pub const LSHIFT: u16 = 0xA0;
    pub const RSHIFT: u16 = 0xA1;
    pub const LCONTROL: u16 = 0xA2;
    pub const RCONTROL: u16 = 0xA3;
    pub const LMENU: u16 = 0xA4;
    pub const RMENU: u16 = 0xA5;
}

/// Keys that send the 0xE0 prefix on a real keyboard (arrows, the block
/// above them, right Ctrl/Alt, the Windows and menu keys, PrintScreen,
/// NumLock, numpad /). MapVirtualKeyExW does not always say so (Wine's
/// answer has no 0xE0 for them).
const EXTENDED_VKS: [u16; 18] = [
    0x21,
    0x22,
    0x23,
    0x24,
    0x25,
    0x26,
    0x27,
    0x28, // PageUp … Down
    0x2C,
    0x2D,
    0x2E, // PrintScreen, Insert, Delete
    vk::LWIN,
    vk::RWIN,
    0x5D, // Windows keys, menu key
    0x6F,
    0x90, // numpad /, NumLock
    vk::RCONTROL,
    vk::RMENU,
];

/// Shift, Ctrl and Alt (either or left/right) and the Windows keys.
pub const MODIFIER_VKS: [u16; 11] = [
    vk::SHIFT,
    vk::CONTROL,
    vk::MENU,
    vk::LWIN,
    vk::RWIN,
    vk::LSHIFT,
    vk::RSHIFT,
    vk::LCONTROL,
    vk::RCONTROL,
    vk::LMENU,
    vk::RMENU,
];

/// One keyboard event as `SendInput` takes it (`KEYBDINPUT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyEvent {
    pub vk: u16,
    pub scan: u16,
    pub flags: u32,
}

impl KeyEvent {
    pub fn is_up(&self) -> bool {
        self.flags & KEY_UP != 0
    }

    fn released(self) -> KeyEvent {
        KeyEvent {
            flags: self.flags | KEY_UP,
            ..self
        }
    }
}

/// What the active keyboard layout says about keys and characters.
pub trait Layout {
    /// VkKeyScanExW for a UTF-16 unit: virtual key in the low byte, shift
    /// state in the high byte (1 Shift, 2 Ctrl, 4 Alt); -1 when no key types it.
    fn vk_scan(&self, unit: u16) -> i16;
    /// MapVirtualKeyExW(MAPVK_VK_TO_VSC_EX): the key's scan code, with
    /// 0xE0/0xE1 in the high byte for extended keys; 0 when it has none.
    fn scan_code(&self, vk: u16) -> u16;
    /// Whether the key is a dead key (MAPVK_VK_TO_CHAR's top bit): it would
    /// combine with the next character instead of typing one.
    fn is_dead_key(&self, vk: u16) -> bool;
}

/// Shift state bits of [`Layout::vk_scan`].
const STATE_SHIFT: u16 = 1;
const STATE_CTRL: u16 = 2;
const STATE_ALT: u16 = 4;

/// Builds the events for one piece of typing into one window.
pub struct Typist<'a, L: Layout + ?Sized> {
    layout: &'a L,
    scan_codes: bool,
    caps_lock: bool,
}

impl<'a, L: Layout + ?Sized> Typist<'a, L> {
    /// `scan_codes`: the window's input mode; `caps_lock`: whether Caps
    /// Lock is on (it would turn a scan-coded `a` into `A`).
    pub fn new(layout: &'a L, scan_codes: bool, caps_lock: bool) -> Self {
        Typist {
            layout,
            scan_codes,
            caps_lock,
        }
    }

    /// The events that type `c`, releasing whatever they press. A `\r` is
    /// nothing (line breaks are `\n`, sent as Enter).
    pub fn events(&self, c: char) -> Vec<KeyEvent> {
        let flags = if self.scan_codes { SCAN_CODE } else { 0 };
        match c {
            '\r' => Vec::new(),
            // Keys, not characters: some programs type a Unicode line break
            // or tab twice (enigo 0.6.1 sent both and got it doubled).
            '\n' => tap(key(self.layout, vk::RETURN, flags)),
            '\t' => tap(key(self.layout, vk::TAB, flags)),
            c => match self.layout_key(c) {
                Some((vk, state)) => self.on_layout(vk, state),
                None => unicode(c),
            },
        }
    }

    /// The key and shift state that type `c` in scan-code mode, when that
    /// is safe: not a control character, no dead key, no other shift bits
    /// than Shift/Ctrl/Alt, a known scan code, and with Caps Lock on only
    /// the letters A–Z (other letters' Caps Lock behaviour is unknown).
    fn layout_key(&self, c: char) -> Option<(u16, u16)> {
        if !self.scan_codes || c.is_control() {
            return None;
        }
        let mut units = [0u16; 2];
        let [unit] = c.encode_utf16(&mut units) else {
            return None;
        };
        let found = self.layout.vk_scan(*unit);
        if found == -1 {
            return None;
        }
        let vk = (found as u16) & 0xFF;
        let mut state = ((found as u16) >> 8) & 0xFF;
        if state & !(STATE_SHIFT | STATE_CTRL | STATE_ALT) != 0
            || self.layout.is_dead_key(vk)
            || self.layout.scan_code(vk) & 0xFF == 0
        {
            return None;
        }
        if self.caps_lock && c.is_alphabetic() {
            if !(u16::from(b'A')..=u16::from(b'Z')).contains(&vk) {
                return None;
            }
            if state & (STATE_CTRL | STATE_ALT) == 0 {
                state ^= STATE_SHIFT;
            }
        }
        Some((vk, state))
    }

    /// Modifiers down (Ctrl and Alt for AltGr, then Shift), the key, the
    /// modifiers up in reverse order — all as scan codes.
    fn on_layout(&self, vk: u16, state: u16) -> Vec<KeyEvent> {
        let modifiers: Vec<KeyEvent> = [
            (STATE_CTRL, vk::LCONTROL),
            (STATE_ALT, vk::LMENU),
            (STATE_SHIFT, vk::LSHIFT),
        ]
        .into_iter()
        .filter(|(bit, _)| state & bit != 0)
        .map(|(_, modifier)| key(self.layout, modifier, SCAN_CODE))
        .collect();
        let mut events = modifiers.clone();
        events.extend(tap(key(self.layout, vk, SCAN_CODE)));
        events.extend(modifiers.into_iter().rev().map(KeyEvent::released));
        events
    }
}

/// Presses and releases one key.
fn tap(down: KeyEvent) -> Vec<KeyEvent> {
    vec![down, down.released()]
}

/// A character as itself: one down and one up per UTF-16 unit.
fn unicode(c: char) -> Vec<KeyEvent> {
    let mut units = [0u16; 2];
    let encoded = c.encode_utf16(&mut units);
    let event = |unit: &u16, up: u32| KeyEvent {
        vk: 0,
        scan: *unit,
        flags: UNICODE | up,
    };
    let mut events: Vec<KeyEvent> = encoded.iter().map(|u| event(u, 0)).collect();
    events.extend(encoded.iter().map(|u| event(u, KEY_UP)));
    events
}

/// A key down, with its virtual key and scan code (and the extended flag
/// where the key has the 0xE0 prefix); `flags` adds [`SCAN_CODE`].
pub fn key<L: Layout + ?Sized>(layout: &L, vk: u16, flags: u32) -> KeyEvent {
    let scan = layout.scan_code(vk);
    let extended = matches!(scan >> 8, 0xE0 | 0xE1) || EXTENDED_VKS.contains(&vk);
    KeyEvent {
        vk,
        scan: scan & 0xFF,
        flags: flags | if extended { EXTENDED_KEY } else { 0 },
    }
}

/// The events of a chord (modifiers, key, modifiers released in reverse),
/// as virtual keys that carry their scan codes: the paste key reaches a
/// remote session as Ctrl+V in every input mode.
pub fn chord<L: Layout + ?Sized>(layout: &L, modifiers: &[u16], vk: u16) -> Vec<KeyEvent> {
    let modifiers: Vec<KeyEvent> = modifiers.iter().map(|m| key(layout, *m, 0)).collect();
    let mut events = modifiers.clone();
    events.extend(tap(key(layout, vk, 0)));
    events.extend(modifiers.into_iter().rev().map(KeyEvent::released));
    events
}

/// Key-ups for every modifier `events` press, for after a `SendInput` that
/// Windows refused part of: no modifier may stay down.
pub fn modifier_releases(events: &[KeyEvent]) -> Vec<KeyEvent> {
    let mut releases: Vec<KeyEvent> = Vec::new();
    for event in events {
        let modifier = event.flags & UNICODE == 0 && MODIFIER_VKS.contains(&event.vk);
        if modifier && !event.is_up() && !releases.iter().any(|r| r.vk == event.vk) {
            releases.push(event.released());
        }
    }
    releases.reverse();
    releases
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Danish layout as Windows describes it (kbdda), for the keys used here.
    struct Danish;

    impl Layout for Danish {
        fn vk_scan(&self, unit: u16) -> i16 {
            let found: u16 = match char::from_u32(u32::from(unit)).unwrap_or('\0') {
                c @ 'a'..='z' => c.to_ascii_uppercase() as u16,
                c @ 'A'..='Z' => 0x100 | c as u16,
                c @ '0'..='9' => c as u16,
                ' ' => 0x20,
                '!' => 0x131,
                '@' => 0x632,
                '£' => 0x633,
                '$' => 0x634,
                '€' => 0x635,
                '{' => 0x637,
                '[' => 0x638,
                ']' => 0x639,
                '}' => 0x630,
                '|' => 0x6DB, // AltGr+´
                '´' => 0xDB,  // the dead key
                'æ' => 0xC0,
                'Æ' => 0x1C0,
                'ø' => 0xDE,
                'Ø' => 0x1DE,
                'å' => 0xDD,
                'Å' => 0x1DD,
                '§' => 0xDC,
                '½' => 0x1DC,
                _ => return -1,
            };
            found as i16
        }

        fn scan_code(&self, vk: u16) -> u16 {
            match vk {
                vk::TAB => 0x0F,
                vk::RETURN => 0x1C,
                vk::SHIFT | vk::LSHIFT => 0x2A,
                vk::CONTROL | vk::LCONTROL => 0x1D,
                vk::MENU | vk::LMENU => 0x38,
                0x20 => 0x39,
                0x30 => 0x0B,
                0x31..=0x39 => vk - 0x31 + 0x02,
                0x41 => 0x1E,
                0x45 => 0x12,
                0x4A => 0x24,
                0x48 => 0x23,
                0x56 => 0x2F,
                0x25 => 0xE04B,
                0x2E => 0x53, // Delete as Wine answers: no 0xE0
                0xC0 => 0x27,
                0xDE => 0x28,
                0xDD => 0x1A,
                0xDC => 0x29,
                0xDB => 0x0D,
                _ => 0,
            }
        }

        fn is_dead_key(&self, vk: u16) -> bool {
            vk == 0xDB
        }
    }

    fn scan(vk: u16, scan: u16, up: bool) -> KeyEvent {
        KeyEvent {
            vk,
            scan,
            flags: SCAN_CODE | if up { KEY_UP } else { 0 },
        }
    }

    fn all(text: &str, scan_codes: bool, caps_lock: bool) -> Vec<KeyEvent> {
        let typist = Typist::new(&Danish, scan_codes, caps_lock);
        text.chars().flat_map(|c| typist.events(c)).collect()
    }

    #[test]
    fn a_letter_is_its_keys_scan_code_and_a_capital_adds_shift() {
        assert_eq!(
            all("a", true, false),
            [scan(0x41, 0x1E, false), scan(0x41, 0x1E, true)]
        );
        assert_eq!(
            all("Æ", true, false),
            [
                scan(vk::LSHIFT, 0x2A, false),
                scan(0xC0, 0x27, false),
                scan(0xC0, 0x27, true),
                scan(vk::LSHIFT, 0x2A, true),
            ]
        );
    }

    #[test]
    fn altgr_characters_press_ctrl_and_alt_as_scan_codes_and_release_them() {
        for (c, vk, key_scan) in [('@', 0x32, 0x03), ('€', 0x35, 0x06), ('{', 0x37, 0x08)] {
            assert_eq!(
                all(&c.to_string(), true, false),
                [
                    scan(vk::LCONTROL, 0x1D, false),
                    scan(vk::LMENU, 0x38, false),
                    scan(vk, key_scan, false),
                    scan(vk, key_scan, true),
                    scan(vk::LMENU, 0x38, true),
                    scan(vk::LCONTROL, 0x1D, true),
                ],
                "{c}"
            );
        }
    }

    #[test]
    fn characters_off_the_layout_or_behind_a_dead_key_go_as_unicode() {
        for c in ['✓', '´', '🙂'] {
            let events = all(&c.to_string(), true, false);
            assert!(
                events.iter().all(|e| e.flags & UNICODE != 0 && e.vk == 0),
                "{c}: {events:?}"
            );
        }
        assert_eq!(all("🙂", true, false).len(), 4, "two UTF-16 units");
        // '|' is AltGr+´, and ´ is a dead key: Unicode, not a stray accent.
        assert!(all("|", true, false).iter().all(|e| e.flags & UNICODE != 0));
    }

    #[test]
    fn in_unicode_mode_only_tab_and_enter_are_keys_and_they_carry_scan_codes() {
        let events = all("a@\t\n", false, false);
        let keys: Vec<_> = events.iter().filter(|e| e.flags & UNICODE == 0).collect();
        assert_eq!(
            keys,
            [
                &KeyEvent {
                    vk: vk::TAB,
                    scan: 0x0F,
                    flags: 0
                },
                &KeyEvent {
                    vk: vk::TAB,
                    scan: 0x0F,
                    flags: KEY_UP
                },
                &KeyEvent {
                    vk: vk::RETURN,
                    scan: 0x1C,
                    flags: 0
                },
                &KeyEvent {
                    vk: vk::RETURN,
                    scan: 0x1C,
                    flags: KEY_UP
                },
            ]
        );
        assert_eq!(events.len(), 8);
        assert!(all("\r", false, false).is_empty());
        assert_eq!(
            all("\n", true, false),
            [scan(vk::RETURN, 0x1C, false), scan(vk::RETURN, 0x1C, true)]
        );
    }

    #[test]
    fn with_caps_lock_on_letters_swap_shift_and_other_letters_go_as_unicode() {
        assert_eq!(
            all("a", true, true),
            [
                scan(vk::LSHIFT, 0x2A, false),
                scan(0x41, 0x1E, false),
                scan(0x41, 0x1E, true),
                scan(vk::LSHIFT, 0x2A, true),
            ]
        );
        assert_eq!(
            all("A", true, true),
            [scan(0x41, 0x1E, false), scan(0x41, 0x1E, true)]
        );
        assert!(all("ø", true, true).iter().all(|e| e.flags & UNICODE != 0));
        // Digits and AltGr characters are not letters: unchanged.
        assert_eq!(all("1", true, true).len(), 2);
        assert_eq!(all("@", true, true).len(), 6);
    }

    #[test]
    fn every_characters_events_release_what_they_press() {
        let text = "Hej Åse, @ 2 € {x} æøå ÆØÅ\tnæste\n§ ½ ✓";
        for scan_codes in [true, false] {
            for caps_lock in [true, false] {
                let typist = Typist::new(&Danish, scan_codes, caps_lock);
                for c in text.chars() {
                    let events = typist.events(c);
                    let mut down: Vec<(u16, u16)> = Vec::new();
                    for e in &events {
                        let id = (e.vk, e.scan);
                        if e.is_up() {
                            assert!(down.contains(&id), "{c:?}: {e:?} up before down");
                            down.retain(|d| *d != id);
                        } else {
                            down.push(id);
                        }
                    }
                    assert!(down.is_empty(), "{c:?} leaves {down:?} down");
                }
            }
        }
    }

    #[test]
    fn the_paste_chord_carries_scan_codes_and_extended_keys_are_flagged() {
        assert_eq!(
            chord(&Danish, &[vk::CONTROL], 0x56),
            [
                KeyEvent {
                    vk: vk::CONTROL,
                    scan: 0x1D,
                    flags: 0
                },
                KeyEvent {
                    vk: 0x56,
                    scan: 0x2F,
                    flags: 0
                },
                KeyEvent {
                    vk: 0x56,
                    scan: 0x2F,
                    flags: KEY_UP
                },
                KeyEvent {
                    vk: vk::CONTROL,
                    scan: 0x1D,
                    flags: KEY_UP
                },
            ]
        );
        assert_eq!(key(&Danish, 0x25, 0).flags, EXTENDED_KEY, "Left");
        assert_eq!(key(&Danish, 0x25, 0).scan, 0x4B);
        assert_eq!(key(&Danish, 0x2E, 0).flags, EXTENDED_KEY, "Delete");
    }

    #[test]
    fn after_a_refused_batch_each_pressed_modifier_is_released_once() {
        let typist = Typist::new(&Danish, true, false);
        let mut batch = typist.events('@');
        batch.extend(typist.events('Å'));
        batch.extend(typist.events('✓'));
        batch.truncate(3); // Windows took only part of it
        assert_eq!(
            modifier_releases(&batch),
            [scan(vk::LMENU, 0x38, true), scan(vk::LCONTROL, 0x1D, true)]
        );
        assert!(modifier_releases(&typist.events('a')).is_empty());
    }
}
