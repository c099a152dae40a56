//! Which window a step means: title (glob or regex), class, executable.

use std::fmt;

use regex::Regex;

/// What the desktop tells about one top-level window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowInfo {
    pub id: WindowId,
    pub title: String,
    pub class: String,
    /// The program's file name (no directory), when the desktop knows it.
    pub executable: Option<String>,
}

/// A desktop-specific window handle (X11 window id, Windows HWND).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WindowId(pub u64);

/// A title or class pattern.
#[derive(Debug, Clone)]
pub enum TextPattern {
    /// `*` any text, `?` one character, case ignored; kept as written for messages.
    Glob {
        written: String,
        folded: Vec<char>,
    },
    Regex(Regex),
}

impl TextPattern {
    pub fn glob(written: &str) -> TextPattern {
        TextPattern::Glob {
            written: written.to_string(),
            folded: written.chars().flat_map(char::to_lowercase).collect(),
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self {
            TextPattern::Glob { folded, .. } => {
                let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
                wildcard_match(folded, &text)
            }
            TextPattern::Regex(regex) => regex.is_match(text),
        }
    }
}

/// `*`/`?` matching without building a regex (compiling a case-insensitive
/// regex costs ~0.25 ms, which dominated checking 80 scripts). Greedy with
/// backtracking to the last `*`: linear in practice.
fn wildcard_match(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                last_star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    last_star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

impl fmt::Display for TextPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextPattern::Glob { written, .. } => write!(f, "\"{written}\""),
            TextPattern::Regex(r) => write!(f, "/{}/", r.as_str()),
        }
    }
}

/// A description of a window; every given part must match.
#[derive(Debug, Clone, Default)]
pub struct WindowMatch {
    pub title: Option<TextPattern>,
    pub class: Option<TextPattern>,
    pub executable: Option<String>,
}

impl WindowMatch {
    pub fn matches(&self, window: &WindowInfo) -> bool {
        self.title
            .as_ref()
            .is_none_or(|p| p.is_match(&window.title))
            && self
                .class
                .as_ref()
                .is_none_or(|p| p.is_match(&window.class))
            && self.executable.as_ref().is_none_or(|want| {
                window
                    .executable
                    .as_deref()
                    .is_some_and(|have| same_program(want, have))
            })
    }
}

/// `notepad` matches `notepad.exe` and `NOTEPAD.EXE`.
fn same_program(want: &str, have: &str) -> bool {
    let strip = |s: &str| {
        let s = s.to_lowercase();
        s.strip_suffix(".exe").map(str::to_string).unwrap_or(s)
    };
    strip(want) == strip(have)
}

impl fmt::Display for WindowMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(t) = &self.title {
            parts.push(format!("titel {t}"));
        }
        if let Some(c) = &self.class {
            parts.push(format!("klasse {c}"));
        }
        if let Some(e) = &self.executable {
            parts.push(format!("program \"{e}\""));
        }
        f.write_str(&parts.join(", "))
    }
}

impl fmt::Display for WindowInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "«{}»", crate::cpr::redact(&self.title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(title: &str, class: &str, exe: Option<&str>) -> WindowInfo {
        WindowInfo {
            id: WindowId(1),
            title: title.into(),
            class: class.into(),
            executable: exe.map(Into::into),
        }
    }

    #[test]
    fn glob_titles_ignore_case_and_escape_regex_characters() {
        let m = WindowMatch {
            title: Some(TextPattern::glob("Fasit (test)*")),
            ..Default::default()
        };
        assert!(m.matches(&window("fasit (TEST) – borger", "", None)));
        assert!(!m.matches(&window("Fasit test", "", None)));
    }

    #[test]
    fn wildcards() {
        let m = |p: &str, t: &str| TextPattern::glob(p).is_match(t);
        assert!(m("*", ""));
        assert!(m("Fasit*", "Fasit"));
        assert!(m("*borger*", "Fasit – Borger 12"));
        assert!(m("F?sit", "Fasit"));
        assert!(!m("F?sit", "Fsit"));
        assert!(m("*a*b*c", "xxaxxbxxc"));
        assert!(!m("*a*b*c", "xxaxxbxxcx"));
        assert!(m("ÆBLE*", "æble og pære"));
    }

    #[test]
    fn every_given_part_must_match() {
        let m = WindowMatch {
            title: Some(TextPattern::glob("*Notesblok*")),
            class: None,
            executable: Some("notepad".into()),
        };
        assert!(m.matches(&window(
            "Unavngivet - Notesblok",
            "Notepad",
            Some("NOTEPAD.EXE")
        )));
        assert!(!m.matches(&window(
            "Unavngivet - Notesblok",
            "Notepad",
            Some("wordpad.exe")
        )));
        assert!(!m.matches(&window("Unavngivet - Notesblok", "Notepad", None)));
    }

    #[test]
    fn window_titles_are_shown_with_cpr_masked() {
        assert_eq!(
            window("Borger 070761-4285", "", None).to_string(),
            "«Borger 070761-XXXX»"
        );
    }
}
