//! Hot keys that would take something away or never fire: chords that are
//! characters on the caseworkers' keyboard layouts, and chords the operating
//! system keeps for itself.
//!
//! On Windows Ctrl+Alt is AltGr, so a hot key on Ctrl+Alt+2 swallows the @
//! of every Danish caseworker (and Ctrl+Alt+M the µ). Which chords are
//! characters depends on the layouts in use, `agent.keyboard_layouts`
//! (Danish unless the config says otherwise). The reserved chords are the
//! ones Windows or the X server handle before any program sees them.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::chord::{Chord, Key, Modifiers, NamedKey};

/// A keyboard layout caseworkers type on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
pub enum KeyboardLayout {
    /// Danish (`da`).
    #[serde(rename = "da")]
    Danish,
    /// Norwegian (`nb`).
    #[serde(rename = "nb")]
    Norwegian,
    /// Swedish (`sv`).
    #[serde(rename = "sv")]
    Swedish,
    /// German (`de`).
    #[serde(rename = "de")]
    German,
}

impl KeyboardLayout {
    /// The character AltGr + `key` types on this layout, for the keys a
    /// chord can name (letters and digits).
    pub fn altgr_character(self, key: Key) -> Option<char> {
        let nordic = |c: char| match c {
            '2' => Some('@'),
            '3' => Some('£'),
            '4' => Some('$'),
            '5' => Some('€'),
            '7' => Some('{'),
            '8' => Some('['),
            '9' => Some(']'),
            '0' => Some('}'),
            'E' => Some('€'),
            'M' => Some('µ'),
            _ => None,
        };
        let german = |c: char| match c {
            '2' => Some('²'),
            '3' => Some('³'),
            '7' => Some('{'),
            '8' => Some('['),
            '9' => Some(']'),
            '0' => Some('}'),
            'Q' => Some('@'),
            'E' => Some('€'),
            'M' => Some('µ'),
            _ => None,
        };
        let c = match key {
            Key::Letter(c) | Key::Digit(c) => c,
            Key::Function(_) | Key::Named(_) => return None,
        };
        match self {
            KeyboardLayout::Danish | KeyboardLayout::Norwegian | KeyboardLayout::Swedish => {
                nordic(c)
            }
            KeyboardLayout::German => german(c),
        }
    }

    /// Its name in messages: "Danish".
    pub fn name(self) -> &'static str {
        match self {
            KeyboardLayout::Danish => "Danish",
            KeyboardLayout::Norwegian => "Norwegian",
            KeyboardLayout::Swedish => "Swedish",
            KeyboardLayout::German => "German",
        }
    }
}

/// What is wrong with a hot key's chord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChordLint {
    /// On Windows the chord is AltGr + a key that types `character` on
    /// `layouts`.
    TypesCharacter {
        chord: Chord,
        character: char,
        layouts: Vec<KeyboardLayout>,
    },
    /// The operating system handles the chord before genvej could.
    Reserved {
        chord: Chord,
        reservation: &'static Reservation,
    },
}

/// A chord an operating system keeps.
#[derive(Debug, PartialEq, Eq)]
pub struct Reservation {
    /// Where: "Windows", "Linux".
    pub system: &'static str,
    /// What the system does with it: "shows its security screen".
    pub does: &'static str,
    /// Whether genvej can never get it there (an error) or would take it
    /// away from the system (a warning).
    pub never_fires: bool,
}

impl ChordLint {
    /// Whether the hot key cannot work at all (an error, not a warning).
    pub fn is_error(&self) -> bool {
        matches!(self, ChordLint::Reserved { reservation, .. } if reservation.never_fires)
    }

    /// What would be right instead.
    pub fn help(&self) -> String {
        match self {
            ChordLint::TypesCharacter { chord, .. } => {
                let mut shifted = *chord;
                shifted.modifiers.shift = true;
                format!(
                    "choose a key that types nothing with AltGr, or add Shift ({shifted}); the layouts checked are agent.keyboard_layouts in genvej.toml"
                )
            }
            ChordLint::Reserved { .. } => {
                "choose another chord, e.g. Ctrl+Alt and a letter that types nothing with AltGr"
                    .to_string()
            }
        }
    }
}

impl fmt::Display for ChordLint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChordLint::TypesCharacter {
                chord,
                character,
                layouts,
            } => {
                let names: Vec<&str> = layouts.iter().map(|l| l.name()).collect();
                let keyboards = match names.as_slice() {
                    [one] => format!("a {one} keyboard"),
                    [init @ .., last] => format!("{} and {last} keyboards", init.join(", ")),
                    [] => "no keyboard".to_string(),
                };
                write!(
                    f,
                    "hot key {chord} is AltGr+{} on Windows and types {character} on {keyboards}; caseworkers could no longer type {character}",
                    chord.key,
                )
            }
            ChordLint::Reserved { chord, reservation } => {
                if reservation.never_fires {
                    write!(
                        f,
                        "hot key {chord} never reaches genvej on {}: the system {}",
                        reservation.system, reservation.does
                    )
                } else {
                    write!(
                        f,
                        "hot key {chord} is taken on {}, where it {}; a hot key there takes that away",
                        reservation.system, reservation.does
                    )
                }
            }
        }
    }
}

const fn mods(ctrl: bool, alt: bool, shift: bool, super_key: bool) -> Modifiers {
    Modifiers {
        ctrl,
        alt,
        shift,
        super_key,
    }
}

const CTRL_ALT: Modifiers = mods(true, true, false, false);

/// Chords the systems keep, with what they do.
const RESERVED: &[(Modifiers, Key, Reservation)] = &[
    (
        CTRL_ALT,
        Key::Named(NamedKey::Delete),
        Reservation {
            system: "Windows",
            does: "shows its security screen (Ctrl+Alt+Delete)",
            never_fires: true,
        },
    ),
    (
        mods(true, false, true, false),
        Key::Named(NamedKey::Escape),
        Reservation {
            system: "Windows",
            does: "opens the Task Manager",
            never_fires: true,
        },
    ),
    (
        mods(false, false, false, true),
        Key::Letter('L'),
        Reservation {
            system: "Windows",
            does: "locks the screen",
            never_fires: true,
        },
    ),
    (
        mods(false, true, false, false),
        Key::Named(NamedKey::Tab),
        Reservation {
            system: "Windows",
            does: "switches between windows",
            never_fires: true,
        },
    ),
    (
        mods(true, false, false, false),
        Key::Named(NamedKey::Escape),
        Reservation {
            system: "Windows",
            does: "opens the Start menu",
            never_fires: true,
        },
    ),
    (
        mods(false, true, false, false),
        Key::Function(4),
        Reservation {
            system: "Windows",
            does: "closes the window",
            never_fires: false,
        },
    ),
    (
        CTRL_ALT,
        Key::Named(NamedKey::Backspace),
        Reservation {
            system: "Linux",
            does: "can stop the X server (zap)",
            never_fires: false,
        },
    ),
];

/// Windows keys with the Windows key alone that Windows uses.
const WINDOWS_KEY_LETTERS: &str = "ABDEGHIKMPRSTUVX";

const CONSOLE_SWITCH: Reservation = Reservation {
    system: "Linux",
    does: "switches to a text console",
    never_fires: false,
};

const WINDOWS_KEY: Reservation = Reservation {
    system: "Windows",
    does: "opens a part of Windows (Win+letter)",
    never_fires: false,
};

/// Everything wrong with `chord` as a hot key on `layouts`.
pub fn lint(chord: Chord, layouts: &[KeyboardLayout]) -> Vec<ChordLint> {
    let mut lints = Vec::new();
    if chord.modifiers == CTRL_ALT {
        let mut by_character: Vec<(char, Vec<KeyboardLayout>)> = Vec::new();
        for &layout in layouts {
            if let Some(character) = layout.altgr_character(chord.key) {
                match by_character.iter_mut().find(|(c, _)| *c == character) {
                    Some((_, found)) if !found.contains(&layout) => found.push(layout),
                    Some(_) => {}
                    None => by_character.push((character, vec![layout])),
                }
            }
        }
        lints.extend(by_character.into_iter().map(|(character, layouts)| {
            ChordLint::TypesCharacter {
                chord,
                character,
                layouts,
            }
        }));
        if let Key::Function(1..=12) = chord.key {
            lints.push(ChordLint::Reserved {
                chord,
                reservation: &CONSOLE_SWITCH,
            });
        }
    }
    if let Some((_, _, reservation)) = RESERVED
        .iter()
        .find(|(m, k, _)| *m == chord.modifiers && *k == chord.key)
    {
        lints.push(ChordLint::Reserved { chord, reservation });
    }
    if chord.modifiers == mods(false, false, false, true)
        && matches!(chord.key, Key::Letter(c) if c != 'L' && WINDOWS_KEY_LETTERS.contains(c))
    {
        lints.push(ChordLint::Reserved {
            chord,
            reservation: &WINDOWS_KEY,
        });
    }
    lints
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lints(chord: &str, layouts: &[KeyboardLayout]) -> Vec<String> {
        let chord = Chord::parse_hotkey(chord).expect("a chord");
        lint(chord, layouts)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const DANISH: &[KeyboardLayout] = &[KeyboardLayout::Danish];

    #[test]
    fn ctrl_alt_chords_that_are_altgr_characters_on_a_danish_keyboard() {
        for (key, character) in [
            ("2", '@'),
            ("3", '£'),
            ("4", '$'),
            ("5", '€'),
            ("7", '{'),
            ("8", '['),
            ("9", ']'),
            ("0", '}'),
            ("E", '€'),
            ("M", 'µ'),
        ] {
            assert_eq!(
                lints(&format!("Ctrl+Alt+{key}"), DANISH),
                [format!(
                    "hot key Ctrl+Alt+{key} is AltGr+{key} on Windows and types {character} on a Danish keyboard; caseworkers could no longer type {character}"
                )]
            );
        }
    }

    #[test]
    fn free_chords_have_no_lints() {
        for chord in [
            "Ctrl+Alt+B",
            "Ctrl+Alt+J",
            "Ctrl+Alt+U",
            "Ctrl+Alt+Shift+M",
            "Ctrl+Alt+Escape",
            "Alt+F5",
            "Super+J",
        ] {
            assert_eq!(lints(chord, DANISH), Vec::<String>::new(), "{chord}");
        }
    }

    #[test]
    fn the_layouts_configured_decide() {
        use KeyboardLayout::*;
        assert_eq!(lints("Ctrl+Alt+Q", DANISH), Vec::<String>::new());
        assert_eq!(
            lints("Ctrl+Alt+Q", &[Danish, German]),
            [
                "hot key Ctrl+Alt+Q is AltGr+Q on Windows and types @ on a German keyboard; caseworkers could no longer type @"
            ]
        );
        assert_eq!(
            lints("Ctrl+Alt+2", &[Danish, Norwegian, Swedish, German]),
            [
                "hot key Ctrl+Alt+2 is AltGr+2 on Windows and types @ on Danish, Norwegian and Swedish keyboards; caseworkers could no longer type @",
                "hot key Ctrl+Alt+2 is AltGr+2 on Windows and types ² on a German keyboard; caseworkers could no longer type ²",
            ]
        );
    }

    #[test]
    fn chords_the_systems_keep() {
        assert_eq!(
            lints("Ctrl+Alt+Delete", DANISH),
            [
                "hot key Ctrl+Alt+Delete never reaches genvej on Windows: the system shows its security screen (Ctrl+Alt+Delete)"
            ]
        );
        assert_eq!(
            lints("Super+L", DANISH),
            ["hot key Super+L never reaches genvej on Windows: the system locks the screen"]
        );
        assert_eq!(
            lints("Ctrl+Alt+F3", DANISH),
            [
                "hot key Ctrl+Alt+F3 is taken on Linux, where it switches to a text console; a hot key there takes that away"
            ]
        );
        assert_eq!(
            lints("Super+E", DANISH),
            [
                "hot key Super+E is taken on Windows, where it opens a part of Windows (Win+letter); a hot key there takes that away"
            ]
        );
        let delete = lint(
            Chord::parse_hotkey("Ctrl+Alt+Delete").expect("chord"),
            DANISH,
        );
        assert!(delete[0].is_error());
        let console = lint(Chord::parse_hotkey("Ctrl+Alt+F3").expect("chord"), DANISH);
        assert!(!console[0].is_error());
    }
}
