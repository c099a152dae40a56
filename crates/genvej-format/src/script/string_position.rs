//! Where a place inside a TOML string's value is in the file, so a problem
//! in a template (a misspelt filter on its third line) is reported at its
//! own line and column, not at the string's opening quote.
//!
//! Literal strings (`'…'`, `'''…'''`) hold their value as written; basic
//! strings (`"…"`, `"""…"""`) are walked escape by escape (`\n`, `\u00E6`,
//! a line-ending backslash), and a multi-line string's newline right after
//! its opening quotes is skipped, as TOML does.

use std::ops::Range;

/// The byte offset in `file` of byte `offset` of the value of the TOML
/// string written at `token` (its span, quotes included). `value` is the
/// string's value. A token that is not a quoted string (a value placed from
/// elsewhere) gives its start.
pub(crate) fn file_offset(file: &str, token: Range<usize>, value: &str, offset: usize) -> usize {
    walk(file, token.clone(), value, offset).map_or(token.start, |(at, _)| at)
}

/// Whether the string written at `token` is the one whose value is
/// `value` (a value placed from elsewhere, such as a source shared in the
/// config, is reported at a token of another text).
pub(crate) fn is_written_at(file: &str, token: Range<usize>, value: &str) -> bool {
    walk(file, token.clone(), value, value.len()).is_some_and(|(at, produced)| {
        produced == value.len()
            && file
                .get(at..token.end)
                .is_some_and(|rest| matches!(rest, "\"" | "'" | "\"\"\"" | "\'\'\'"))
    })
}

/// The file offset of value byte `offset`, and how many value bytes lie
/// before it; `None` for a token that is not a quoted string.
fn walk(file: &str, token: Range<usize>, value: &str, offset: usize) -> Option<(usize, usize)> {
    let raw = file.get(token.clone())?;
    let (quote, basic) = if raw.starts_with("\"\"\"") {
        (3, true)
    } else if raw.starts_with("'''") {
        (3, false)
    } else if raw.starts_with('"') {
        (1, true)
    } else if raw.starts_with('\'') {
        (1, false)
    } else {
        return None;
    };
    let body_end = raw.len().saturating_sub(quote).max(quote);
    let mut at = quote;
    if quote == 3 {
        if raw[at..].starts_with("\r\n") {
            at += 2;
        } else if raw[at..].starts_with('\n') {
            at += 1;
        }
    }
    let bytes = raw.as_bytes();
    let value_bytes = value.as_bytes();
    let mut produced = 0;
    while produced < offset && at < body_end {
        let (raw_len, value_len) = match bytes[at] {
            b'\\' if basic => escape(&raw[at..body_end]),
            b'\r' if bytes.get(at + 1) == Some(&b'\n') => {
                // A newline written as CRLF: the value may keep both bytes.
                (
                    2,
                    if value_bytes.get(produced) == Some(&b'\r') {
                        2
                    } else {
                        1
                    },
                )
            }
            _ => {
                let len = raw[at..].chars().next().map_or(1, char::len_utf8);
                (len, len)
            }
        };
        if produced + value_len > offset {
            break;
        }
        produced += value_len;
        at += raw_len;
    }
    // A line-ending backslash makes nothing: the place is after it.
    while basic && at < body_end && bytes[at] == b'\\' {
        match escape(&raw[at..body_end]) {
            (raw_len, 0) => at += raw_len,
            _ => break,
        }
    }
    Some((token.start + at.min(raw.len()), produced))
}

/// An escape at the start of `text` (which starts with `\`): how many bytes
/// it takes in the file and how many it makes in the value.
fn escape(text: &str) -> (usize, usize) {
    let mut chars = text.chars();
    chars.next();
    match chars.next() {
        Some('u') => (6, unicode(text.get(2..6)).map_or(1, char::len_utf8)),
        Some('U') => (10, unicode(text.get(2..10)).map_or(1, char::len_utf8)),
        Some(' ' | '\t' | '\r' | '\n') => {
            // A line-ending backslash: it and all whitespace after it vanish.
            let rest = &text[1..];
            let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
            (1 + skipped, 0)
        }
        Some(c) => (1 + c.len_utf8(), 1),
        None => (1, 1),
    }
}

fn unicode(hex: Option<&str>) -> Option<char> {
    char::from_u32(u32::from_str_radix(hex?, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::{file_offset, is_written_at};

    /// The file offset of the first `X` in the value of the string that
    /// starts at the file's first quote.
    fn where_x(file: &str) -> usize {
        let start = file.find(['"', '\'']).expect("a string");
        let value: toml::Value = toml::from_str(file).expect("valid TOML");
        let value = value["s"].as_str().expect("a string").to_string();
        let x = value.find('X').expect("an X");
        file_offset(file, start..file.trim_end().len(), &value, x)
    }

    #[test]
    fn finds_the_place_in_every_kind_of_string() {
        let cases = [
            "s = \"ab X\"\n",
            "s = 'ab X'\n",
            "s = \"\"\"\nab\ncd X\"\"\"\n",
            "s = '''\nab\r\ncd X'''\n",
            "s = \"a\\tb\\u00e6\\\"X\"\n",
            "s = \"\"\"a \\\n    X\"\"\"\n",
            "s = \"\\U0001F600 X\"\n",
            "s = \"\"\"\r\nab\r\nX\"\"\"\n",
        ];
        for file in cases {
            let at = where_x(file);
            assert_eq!(&file[at..at + 1], "X", "{file:?}");
        }
    }

    #[test]
    fn a_string_is_recognised_only_where_it_is_written() {
        let file = "s = \"a\\tb\"\nt = 'x'\nu = \"\"\"\nab\"\"\"\n";
        assert!(is_written_at(file, 4..10, "a\tb"));
        assert!(!is_written_at(file, 4..10, "{{ org.x }}/a"));
        assert!(is_written_at(file, 15..18, "x"));
        assert!(!is_written_at(file, 15..18, "xy"));
        assert!(is_written_at(file, 23..32, "ab"));
        assert!(!is_written_at(file, 0..1, "s"));
    }

    #[test]
    fn a_value_from_elsewhere_is_placed_at_its_token() {
        assert_eq!(file_offset("s = 1", 4..5, "x", 0), 4);
        assert_eq!(file_offset("s", 7..9, "x", 0), 7);
    }
}
