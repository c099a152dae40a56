//! A script's hot key: one chord (`Ctrl+Alt+B`), or a *sequence* — a leader
//! chord and one more key after a space (`Ctrl+Alt+Space J`).
//!
//! Why sequences: a keyboard has few chords that are free on every layout
//! and system (Ctrl+Alt+letter clashes with AltGr characters on Windows,
//! Ctrl+Alt+F-keys switch consoles on Linux), but a library aims at ~80
//! scripts. One leader chord with letters after it gives room for dozens.
//!
//! The key after the leader is a letter A–Z, a digit 0–9 or F1–F24, with
//! `Shift+` if wanted (`Ctrl+Alt+Space Shift+J`). It cannot carry Ctrl, Alt
//! or Super: the agent matches it whether or not the leader's modifiers are
//! still held, so those would mean nothing. Escape cancels a sequence, so it
//! cannot follow a leader.

use std::fmt;

use crate::chord::{Chord, ChordError, Key, Modifiers};

/// A hot key as a script declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HotKey {
    /// The chord grabbed globally: the whole hot key, or a sequence's leader.
    pub chord: Chord,
    /// A sequence's second key (its modifiers are at most Shift).
    pub then: Option<Chord>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HotKeyError {
    #[error("{0}")]
    Chord(#[from] ChordError),
    #[error(
        "a hot key is one chord, or a leader chord and one key after it; `{text}` has {parts} parts"
    )]
    TooManyParts { text: String, parts: usize },
    #[error("the key after the leader: {0}")]
    Follow(ChordError),
    #[error(
        "the key after the leader may add Shift only, not {modifier}: the leader's modifiers may still be held when it is pressed"
    )]
    FollowModifier { modifier: &'static str },
    #[error("Escape cancels a sequence, so it cannot follow the leader")]
    FollowEscape,
    #[error("the key after the leader must be a letter A–Z, a digit 0–9 or F1–F24, not `{key}`")]
    FollowKind { key: String },
}

impl HotKey {
    /// A plain hot key (no sequence).
    pub fn single(chord: Chord) -> HotKey {
        HotKey { chord, then: None }
    }

    /// Parses `Ctrl+Alt+B` or `Ctrl+Alt+Space J`. Spaces around `+` are
    /// allowed (`Ctrl + Alt + B`); a space between two keys starts the
    /// sequence's second key.
    pub fn parse(text: &str) -> Result<HotKey, HotKeyError> {
        let parts = split_keys(text);
        match parts.as_slice() {
            [] => Err(ChordError::Empty.into()),
            [chord] => Ok(HotKey::single(Chord::parse_hotkey(chord)?)),
            [leader, then] => {
                let chord = Chord::parse_hotkey(leader)?;
                let then = follow_key(then)?;
                Ok(HotKey {
                    chord,
                    then: Some(then),
                })
            }
            more => Err(HotKeyError::TooManyParts {
                text: text.trim().to_string(),
                parts: more.len(),
            }),
        }
    }

    /// A sequence's leader.
    pub fn leader(&self) -> Option<Chord> {
        self.then.map(|_| self.chord)
    }
}

/// Splits on whitespace that is not next to a `+`: `Ctrl + Alt+Space  J`
/// gives `Ctrl+Alt+Space` and `J`.
fn split_keys(text: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match parts.last_mut() {
            Some(last) if last.ends_with('+') || word.starts_with('+') => last.push_str(word),
            _ => parts.push(word.to_string()),
        }
    }
    parts
}

fn follow_key(text: &str) -> Result<Chord, HotKeyError> {
    let chord = Chord::parse(text).map_err(HotKeyError::Follow)?;
    let m = chord.modifiers;
    for (on, modifier) in [(m.ctrl, "Ctrl"), (m.alt, "Alt"), (m.super_key, "Super")] {
        if on {
            return Err(HotKeyError::FollowModifier { modifier });
        }
    }
    match chord.key {
        Key::Letter(_) | Key::Digit(_) | Key::Function(_) => Ok(Chord {
            modifiers: Modifiers {
                shift: m.shift,
                ..Modifiers::default()
            },
            key: chord.key,
        }),
        Key::Named(crate::chord::NamedKey::Escape) => Err(HotKeyError::FollowEscape),
        Key::Named(named) => Err(HotKeyError::FollowKind {
            key: named.name().to_string(),
        }),
    }
}

impl fmt::Display for HotKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.chord)?;
        if let Some(then) = self.then {
            write!(f, " {then}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> String {
        match HotKey::parse(text) {
            Ok(hotkey) => hotkey.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn a_single_chord_reads_as_before() {
        assert_eq!(parsed("ctrl+alt+b"), "Ctrl+Alt+B");
        assert_eq!(parsed("Ctrl + Alt + B"), "Ctrl+Alt+B");
        assert_eq!(HotKey::parse("F9").map(|h| h.leader()), Ok(None));
    }

    #[test]
    fn a_sequence_is_a_leader_and_one_key_after_a_space() {
        assert_eq!(parsed("Ctrl+Alt+Space J"), "Ctrl+Alt+Space J");
        assert_eq!(parsed("ctrl + alt+space   j"), "Ctrl+Alt+Space J");
        assert_eq!(parsed("Ctrl+Alt+Space Shift+j"), "Ctrl+Alt+Space Shift+J");
        assert_eq!(parsed("Ctrl+Alt+Space 7"), "Ctrl+Alt+Space 7");
        assert_eq!(parsed("Ctrl+Alt+Space F3"), "Ctrl+Alt+Space F3");
        let hotkey = HotKey::parse("Ctrl+Alt+Space J").expect("parses");
        assert_eq!(
            hotkey.leader().map(|c| c.to_string()).as_deref(),
            Some("Ctrl+Alt+Space")
        );
    }

    #[test]
    fn what_may_not_follow_a_leader_says_what_would_be_right() {
        assert_eq!(
            parsed("Ctrl+Alt+Space Ctrl+J"),
            "error: the key after the leader may add Shift only, not Ctrl: the leader's modifiers may still be held when it is pressed"
        );
        assert_eq!(
            parsed("Ctrl+Alt+Space Esc"),
            "error: Escape cancels a sequence, so it cannot follow the leader"
        );
        assert_eq!(
            parsed("Ctrl+Alt+Space Enter"),
            "error: the key after the leader must be a letter A–Z, a digit 0–9 or F1–F24, not `Enter`"
        );
        assert_eq!(
            parsed("Ctrl+Alt+Space J K"),
            "error: a hot key is one chord, or a leader chord and one key after it; `Ctrl+Alt+Space J K` has 3 parts"
        );
        assert!(
            parsed("Ctrl+Alt+Space Jx")
                .starts_with("error: the key after the leader: unknown key `Jx`")
        );
    }

    #[test]
    fn the_leader_follows_the_hot_key_rules() {
        assert_eq!(
            parsed("Shift+Space J"),
            "error: a hot key on `Space` alone would fire while people type; add Ctrl, Alt or Super (e.g. `Ctrl+Alt+Space`), or use F1–F24 or Pause"
        );
        assert_eq!(parsed("F12 J"), "F12 J");
    }
}
