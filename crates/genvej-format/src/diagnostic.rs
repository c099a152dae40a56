//! Author-facing problems in scripts and config, shown as
//! `path:line:col: error: message` with the offending line and a caret.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located by byte span in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: PathBuf,
    pub span: Range<usize>,
    pub message: String,
    /// What would be right, shown as `= help: …`.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(path: &Path, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.to_path_buf(),
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(path: &Path, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, span, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds what would be right to a problem already recorded.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the problem against the text it points into.
    pub fn render(&self, text: &str) -> String {
        if text.is_empty() {
            // A file that could not be read: no line to show.
            let mut out = format!(
                "{}:1:1: {}: {}\n",
                self.path.display(),
                self.severity,
                self.message
            );
            if let Some(help) = &self.help {
                out.push_str(&format!("  = help: {help}\n"));
            }
            return out;
        }
        let at = Position::of(text, self.span.start);
        let line_text = text.lines().nth(at.line - 1).unwrap_or("");
        let width = text[self.span.start.min(text.len())..self.span.end.min(text.len())]
            .lines()
            .next()
            .map(|s| s.chars().count())
            .unwrap_or(0)
            .max(1);
        let gutter = at.line.to_string().len();
        let mut out = format!(
            "{}:{}:{}: {}: {}\n{:>gutter$} | {}\n{:>gutter$} | {}{}\n",
            self.path.display(),
            at.line,
            at.column,
            self.severity,
            self.message,
            at.line,
            line_text,
            "",
            " ".repeat(at.column - 1),
            "^".repeat(width),
        );
        if let Some(help) = &self.help {
            out.push_str(&format!("{:>gutter$} = help: {help}\n", ""));
        }
        out
    }

    /// `path:line:col`, for messages that refer to another place.
    pub fn location(&self, text: &str) -> String {
        let at = Position::of(text, self.span.start);
        format!("{}:{}:{}", self.path.display(), at.line, at.column)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Where each line of a text starts, so finding the line of an offset is a
/// binary search instead of a count from the top (a 50,000-step script asks
/// this once per step; counting made checking quadratic).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line that holds byte `offset` (the same as [`Position::of`]'s).
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).max(1)
    }
}

/// A 1-based line and column (in characters) in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub fn of(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_line_caret_and_help() {
        let text = "id = \"x\"\ntyp = \"Hej æø\"\n";
        let d = Diagnostic::error(Path::new("hotkeys/a.toml"), 9..12, "unknown key `typ`")
            .with_help("did you mean `type`?");
        assert_eq!(
            d.render(text),
            "hotkeys/a.toml:2:1: error: unknown key `typ`\n2 | typ = \"Hej æø\"\n  | ^^^\n  = help: did you mean `type`?\n"
        );
    }

    #[test]
    fn the_line_index_agrees_with_counting_from_the_top() {
        let text = "a\n\nbæ\nc\n";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.line_of(offset),
                Position::of(text, offset).line,
                "offset {offset}"
            );
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "name = \"Åbn\" x";
        assert_eq!(
            Position::of(text, text.len() - 1),
            Position {
                line: 1,
                column: 14
            }
        );
    }
}
