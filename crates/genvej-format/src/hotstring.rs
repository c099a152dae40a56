//! Hotstrings, the same on every desktop: what a key press does to the
//! recently typed text ([`KeyAction`]), and the [`Matcher`] that notices an
//! abbreviation such as `;navn` ended by Space or Tab. The platform watchers
//! (X11 RECORD, the Windows keyboard hook) turn their key events into
//! `KeyAction`s; the rules live here.
//!
//! [`Matcher`] keeps the last characters (at least 64; Backspace removes
//! one). On Space or Tab it reports the longest abbreviation the buffer
//! ends with, provided that the abbreviation starts the buffer or follows a
//! character that is not a letter or digit: `x;navn` does not match
//! `;navn`, nor does `;na` Backspace `;navn` (that leaves `;n;navn`). The
//! buffer is then cleared either way. Matching is case-sensitive.
//!
//! Privacy: typed text may be personal data (CPR numbers, names). Nothing
//! here logs typed characters, only abbreviation indices.

/// What a watcher reports: `abbreviations[index]` was typed and ended with
/// Tab (else Space).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotstringEvent {
    Typed { index: usize, ended_by_tab: bool },
}

/// The buffer keeps at least this many characters.
const MIN_BUFFER: usize = 64;

/// What a key press does to the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    Char(char),
    Backspace,
    /// Space or Tab.
    End {
        tab: bool,
    },
    /// Anything that may move the cursor or change the text unseen.
    Clear,
    /// Modifier and lock keys.
    Ignore,
}

/// The recently typed characters and the abbreviations to look for.
pub struct Matcher {
    abbreviations: Vec<Vec<char>>,
    typed: Vec<char>,
    capacity: usize,
}

impl Matcher {
    pub fn new(abbreviations: &[String]) -> Matcher {
        let abbreviations: Vec<Vec<char>> =
            abbreviations.iter().map(|a| a.chars().collect()).collect();
        let longest = abbreviations.iter().map(Vec::len).max().unwrap_or(0);
        Matcher {
            capacity: MIN_BUFFER.max(longest + 1),
            typed: Vec::new(),
            abbreviations,
        }
    }

    pub fn clear(&mut self) {
        self.typed.clear();
    }

    pub fn feed(&mut self, action: KeyAction) -> Option<HotstringEvent> {
        match action {
            KeyAction::Char(c) => {
                if self.typed.len() >= self.capacity {
                    self.typed.remove(0);
                }
                self.typed.push(c);
            }
            KeyAction::Backspace => {
                self.typed.pop();
            }
            KeyAction::Clear => self.clear(),
            KeyAction::Ignore => {}
            KeyAction::End { tab } => {
                let found = self.matching();
                self.clear();
                return found.map(|index| HotstringEvent::Typed {
                    index,
                    ended_by_tab: tab,
                });
            }
        }
        None
    }

    /// The longest abbreviation the buffer ends with at a word start (the
    /// first declared one on a tie).
    fn matching(&self) -> Option<usize> {
        self.abbreviations
            .iter()
            .enumerate()
            .filter(|(_, abbreviation)| self.ends_with_word(abbreviation))
            .max_by_key(|&(index, abbreviation)| (abbreviation.len(), std::cmp::Reverse(index)))
            .map(|(index, _)| index)
    }

    fn ends_with_word(&self, abbreviation: &[char]) -> bool {
        let Some(start) = self.typed.len().checked_sub(abbreviation.len()) else {
            return false;
        };
        let before = start.checked_sub(1).and_then(|i| self.typed.get(i));
        !abbreviation.is_empty()
            && self.typed.ends_with(abbreviation)
            && before.is_none_or(|c| !c.is_alphanumeric())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(matcher: &mut Matcher, text: &str) -> Vec<HotstringEvent> {
        let action = |c| match c {
            ' ' => KeyAction::End { tab: false },
            '\t' => KeyAction::End { tab: true },
            '\u{8}' => KeyAction::Backspace,
            '\n' => KeyAction::Clear,
            c => KeyAction::Char(c),
        };
        text.chars()
            .filter_map(|c| matcher.feed(action(c)))
            .collect()
    }

    fn matcher(abbreviations: &[&str]) -> Matcher {
        Matcher::new(
            &abbreviations
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>(),
        )
    }

    fn hit(index: usize, ended_by_tab: bool) -> Vec<HotstringEvent> {
        vec![HotstringEvent::Typed {
            index,
            ended_by_tab,
        }]
    }

    #[test]
    fn abbreviations_match_at_a_word_start() {
        let mut m = matcher(&[";navn", ";adr", "adr"]);
        assert_eq!(typed(&mut m, ";navn "), hit(0, false));
        assert_eq!(typed(&mut m, "hej ;adr\t"), hit(1, true)); // longest wins
        assert_eq!(typed(&mut m, "x;navn "), vec![]);
        assert_eq!(typed(&mut m, ";navnx "), vec![]);
        assert_eq!(typed(&mut m, "(;navn "), hit(0, false));
        assert_eq!(typed(&mut m, "madr "), vec![]);
        assert_eq!(typed(&mut m, "adr "), hit(2, false));
    }

    #[test]
    fn backspace_and_clearing_keys() {
        let mut m = matcher(&[";navn"]);
        assert_eq!(typed(&mut m, ";na\u{8}\u{8}\u{8};navn "), hit(0, false));
        assert_eq!(typed(&mut m, ";navnn\u{8} "), hit(0, false));
        assert_eq!(typed(&mut m, ";na\nvn "), vec![]);
        assert_eq!(typed(&mut m, "x\n;navn "), hit(0, false));
        let long = "y".repeat(200);
        assert_eq!(typed(&mut m, &format!("{long};navn ")), vec![]);
        assert_eq!(typed(&mut m, &format!("{long}.;navn ")), hit(0, false));
    }

    #[test]
    fn empty_abbreviations_never_match() {
        let mut m = matcher(&["", ";a"]);
        assert_eq!(typed(&mut m, "hej  ;a "), hit(1, false));
    }
}
