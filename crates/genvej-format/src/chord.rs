//! Keys and chords: `Ctrl+Alt+B`, `Enter`, `Shift+Tab`, `F5`.
//!
//! One parser serves hot keys, the panic key and `key` steps, so the accepted
//! syntax is the same everywhere and its errors can say what would be right.

use std::fmt;

/// A modifier set. Left and right variants are not distinguished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Modifiers {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    pub super_key: bool,
}

impl Modifiers {
    pub fn is_empty(self) -> bool {
        !(self.ctrl || self.alt || self.shift || self.super_key)
    }
}

/// A non-modifier key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// A letter A–Z, stored upper-case.
    Letter(char),
    /// A digit 0–9 on the main row.
    Digit(char),
    /// F1–F24.
    Function(u8),
    Named(NamedKey),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NamedKey {
    Enter,
    Tab,
    Escape,
    Space,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
    Pause,
    PrintScreen,
    Menu,
}

/// Canonical names first, then accepted aliases.
const NAMED_KEYS: &[(&str, NamedKey)] = &[
    ("Enter", NamedKey::Enter),
    ("Tab", NamedKey::Tab),
    ("Escape", NamedKey::Escape),
    ("Space", NamedKey::Space),
    ("Backspace", NamedKey::Backspace),
    ("Delete", NamedKey::Delete),
    ("Insert", NamedKey::Insert),
    ("Home", NamedKey::Home),
    ("End", NamedKey::End),
    ("PageUp", NamedKey::PageUp),
    ("PageDown", NamedKey::PageDown),
    ("Up", NamedKey::Up),
    ("Down", NamedKey::Down),
    ("Left", NamedKey::Left),
    ("Right", NamedKey::Right),
    ("Pause", NamedKey::Pause),
    ("PrintScreen", NamedKey::PrintScreen),
    ("Menu", NamedKey::Menu),
    ("Return", NamedKey::Enter),
    ("Esc", NamedKey::Escape),
    ("Del", NamedKey::Delete),
    ("Ins", NamedKey::Insert),
    ("PgUp", NamedKey::PageUp),
    ("PgDn", NamedKey::PageDown),
];

const MODIFIER_NAMES: &[&str] = &["Ctrl", "Alt", "Shift", "Super"];

/// A key with the modifiers held while it is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord {
    pub modifiers: Modifiers,
    pub key: Key,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChordError {
    #[error("empty key name; write a key such as `Enter` or a chord such as `Ctrl+Alt+B`")]
    Empty,
    #[error("unknown key `{name}`{suggestion}; keys are A–Z, 0–9, F1–F24 and {named}")]
    UnknownKey {
        name: String,
        suggestion: String,
        named: String,
    },
    #[error("`{name}` is a modifier and needs a key after it, e.g. `{name}+B`")]
    ModifierOnly { name: String },
    #[error("`{name}` appears twice in `{chord}`")]
    RepeatedModifier { name: String, chord: String },
    #[error(
        "a hot key on `{key}` alone would fire while people type; add Ctrl, Alt or Super (e.g. `Ctrl+Alt+{key}`), or use F1–F24 or Pause"
    )]
    NeedsModifier { key: String },
}

impl Chord {
    /// Parses a chord such as `Ctrl+Alt+B`, `shift+tab` or `F5`.
    pub fn parse(text: &str) -> Result<Chord, ChordError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ChordError::Empty);
        }
        // `Ctrl++` means Ctrl and the plus key; plus is not supported as a key,
        // so splitting on '+' is unambiguous.
        let parts: Vec<&str> = text.split('+').map(str::trim).collect();
        let (key_part, modifier_parts) = parts.split_last().ok_or(ChordError::Empty)?;
        let mut modifiers = Modifiers::default();
        for part in modifier_parts {
            let slot = match modifier_of(part) {
                Some(slot) => slot,
                None => return Err(unknown_key(part)),
            };
            let flag = match slot {
                "Ctrl" => &mut modifiers.ctrl,
                "Alt" => &mut modifiers.alt,
                "Shift" => &mut modifiers.shift,
                _ => &mut modifiers.super_key,
            };
            if *flag {
                return Err(ChordError::RepeatedModifier {
                    name: slot.to_string(),
                    chord: text.to_string(),
                });
            }
            *flag = true;
        }
        if let Some(name) = modifier_of(key_part) {
            return Err(ChordError::ModifierOnly {
                name: name.to_string(),
            });
        }
        let key = Key::parse(key_part)?;
        Ok(Chord { modifiers, key })
    }

    /// Parses a chord meant as a global hot key: plain typing keys need a
    /// modifier other than Shift.
    pub fn parse_hotkey(text: &str) -> Result<Chord, ChordError> {
        let chord = Chord::parse(text)?;
        let m = chord.modifiers;
        let standalone_ok = matches!(
            chord.key,
            Key::Function(_) | Key::Named(NamedKey::Pause | NamedKey::PrintScreen)
        );
        if !(standalone_ok || m.ctrl || m.alt || m.super_key) {
            return Err(ChordError::NeedsModifier {
                key: chord.key.to_string(),
            });
        }
        Ok(chord)
    }
}

impl Key {
    pub fn parse(name: &str) -> Result<Key, ChordError> {
        let name = name.trim();
        let mut chars = name.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if c.is_ascii_alphabetic() {
                return Ok(Key::Letter(c.to_ascii_uppercase()));
            }
            if c.is_ascii_digit() {
                return Ok(Key::Digit(c));
            }
        }
        if let Some(n) = name
            .strip_prefix(['F', 'f'])
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=24).contains(n))
        {
            return Ok(Key::Function(n));
        }
        NAMED_KEYS
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|&(_, key)| Key::Named(key))
            .ok_or_else(|| unknown_key(name))
    }
}

fn modifier_of(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "ctrl" | "control" => Some("Ctrl"),
        "alt" => Some("Alt"),
        "shift" => Some("Shift"),
        "super" | "win" | "meta" | "cmd" => Some("Super"),
        _ => None,
    }
}

fn unknown_key(name: &str) -> ChordError {
    let candidates = NAMED_KEYS
        .iter()
        .map(|(n, _)| *n)
        .chain(MODIFIER_NAMES.iter().copied());
    let suggestion = crate::suggest::did_you_mean(name, candidates)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    let named = NAMED_KEYS[..18]
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ");
    if name.is_empty() {
        return ChordError::Empty;
    }
    ChordError::UnknownKey {
        name: name.to_string(),
        suggestion,
        named,
    }
}

impl NamedKey {
    pub fn name(self) -> &'static str {
        NAMED_KEYS
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Letter(c) | Key::Digit(c) => write!(f, "{c}"),
            Key::Function(n) => write!(f, "F{n}"),
            Key::Named(k) => f.write_str(k.name()),
        }
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.modifiers;
        for (on, name) in [
            (m.ctrl, "Ctrl"),
            (m.alt, "Alt"),
            (m.shift, "Shift"),
            (m.super_key, "Super"),
        ] {
            if on {
                write!(f, "{name}+")?;
            }
        }
        write!(f, "{}", self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonical_form() {
        for (input, canonical) in [
            ("Ctrl+Alt+B", "Ctrl+Alt+B"),
            ("alt + ctrl + b", "Ctrl+Alt+B"),
            ("shift+tab", "Shift+Tab"),
            ("Return", "Enter"),
            ("f5", "F5"),
            ("Win+PgDn", "Super+PageDown"),
            ("Control+Shift+7", "Ctrl+Shift+7"),
        ] {
            assert_eq!(Chord::parse(input).expect(input).to_string(), canonical);
        }
    }

    #[test]
    fn unknown_key_suggests_the_nearest_name() {
        let err = Chord::parse("Ctrl+Entr").expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "unknown key `Entr` (did you mean `Enter`?); keys are A–Z, 0–9, F1–F24 and Enter, Tab, Escape, Space, Backspace, Delete, Insert, Home, End, PageUp, PageDown, Up, Down, Left, Right, Pause, PrintScreen, Menu"
        );
        assert!(
            Chord::parse("Ctl+B")
                .expect_err("bad modifier")
                .to_string()
                .contains("did you mean `Ctrl`?")
        );
    }

    #[test]
    fn modifier_alone_and_repeats_are_rejected() {
        assert_eq!(
            Chord::parse("Ctrl+Alt").expect_err("no key").to_string(),
            "`Alt` is a modifier and needs a key after it, e.g. `Alt+B`"
        );
        assert_eq!(
            Chord::parse("Ctrl+ctrl+B").expect_err("twice").to_string(),
            "`Ctrl` appears twice in `Ctrl+ctrl+B`"
        );
        assert_eq!(Chord::parse(" "), Err(ChordError::Empty));
        assert!(Chord::parse("F25").is_err());
    }

    #[test]
    fn hot_keys_on_typing_keys_need_a_real_modifier() {
        assert!(Chord::parse_hotkey("Ctrl+Alt+B").is_ok());
        assert!(Chord::parse_hotkey("F9").is_ok());
        assert!(Chord::parse_hotkey("Pause").is_ok());
        assert_eq!(
            Chord::parse_hotkey("Shift+B")
                .expect_err("typing key")
                .to_string(),
            "a hot key on `B` alone would fire while people type; add Ctrl, Alt or Super (e.g. `Ctrl+Alt+B`), or use F1–F24 or Pause"
        );
    }
}
