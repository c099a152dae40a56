//! Reading a test file: TOML → [`TestFile`], every problem a diagnostic at
//! `path:line:col` (unknown keys with "did you mean", values of the wrong
//! kind, a case that expects nothing). A case with a problem is left out;
//! the others are kept, so one mistake hides nothing else.

use std::ops::Range;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Expectation, Fixture, Placed, TestCase, TestFile, default_now};
use crate::diagnostic::Diagnostic;
use crate::suggest::{did_you_mean, list};

pub(super) const TOP_KEYS: &[&str] = &["now", "case"];
pub(super) const CASE_KEYS: &[&str] = &[
    "name",
    "now",
    "set",
    "selection",
    "fixtures",
    "hotstring",
    "expect",
    "fails",
];
/// Keys that say the file is a script, not a test file.
const SCRIPT_KEYS: &[&str] = &["id", "step", "input", "source", "hotstring", "hotkey"];

/// Reads a test file's text. The file is returned with the cases that have
/// no problem; the problems are in the second value.
pub fn parse(path: &Path, text: &str) -> (TestFile, Vec<Diagnostic>) {
    let mut reader = Reader {
        path,
        diagnostics: Vec::new(),
    };
    let cases = reader.file(text);
    (
        TestFile {
            path: path.to_path_buf(),
            cases,
        },
        reader.diagnostics,
    )
}

struct Reader<'a> {
    path: &'a Path,
    diagnostics: Vec<Diagnostic>,
}

type Value<'i> = Spanned<DeValue<'i>>;

impl Reader<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::error(self.path, span, message);
        d.help = help;
        self.diagnostics.push(d);
    }

    fn file(&mut self, text: &str) -> Vec<TestCase> {
        let document = match DeTable::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                self.error(
                    e.span().unwrap_or(0..0),
                    format!("invalid TOML: {}", e.message().trim()),
                    None,
                );
                return Vec::new();
            }
        };
        let mut default = None;
        let mut tables = Vec::new();
        let mut saw_case = false;
        for (key, value) in document.into_inner() {
            match key.get_ref().as_ref() {
                "now" => default = self.now(&value),
                "case" => {
                    saw_case = true;
                    match value.into_inner() {
                        DeValue::Array(items) => tables.extend(items),
                        _ => self.error(
                            key.span(),
                            "`case` must be a list of tables",
                            Some("write each case as a [[case]] table".into()),
                        ),
                    }
                }
                other => self.unknown_key(other, key.span(), TOP_KEYS, None),
            }
        }
        if !saw_case && self.diagnostics.is_empty() {
            self.error(
                0..0,
                "this test file has no [[case]]",
                Some("add a case: [[case]] with `name` and `expect` (or `fails`)".into()),
            );
        }
        let now = default.unwrap_or_else(default_now);
        let mut cases: Vec<TestCase> = Vec::new();
        for table in tables {
            if let Some(case) = self.case(table, now) {
                if let Some(first) = cases.iter().find(|c| c.name.value == case.name.value) {
                    let line = crate::diagnostic::Position::of(text, first.name.span.start).line;
                    self.error(
                        case.name.span.clone(),
                        format!("two cases are named `{}`", case.name.value),
                        Some(format!(
                            "the first is on line {line}; give each case its own name"
                        )),
                    );
                    continue;
                }
                cases.push(case);
            }
        }
        cases
    }

    fn unknown_key(&mut self, name: &str, span: Range<usize>, valid: &[&str], what: Option<&str>) {
        let help = if what.is_none() && SCRIPT_KEYS.contains(&name) {
            "this looks like a script: a file named `*.tests.toml` holds test cases ([[case]] tables) and is never loaded as a hot key; give the script a name without `.tests`".to_string()
        } else if let Some(s) = did_you_mean(name, valid.iter().copied()) {
            format!("did you mean `{s}`?")
        } else {
            format!("valid keys are {}", list(valid))
        };
        let message = match what {
            Some(what) => format!("unknown key `{name}` in [[{what}]]"),
            None => format!("unknown key `{name}`"),
        };
        self.error(span, message, Some(help));
    }

    /// One `[[case]]`; `None` (with the problems reported) when it is unusable.
    fn case(&mut self, table: Value<'_>, default_now: NaiveDateTime) -> Option<TestCase> {
        let span = table.span();
        let DeValue::Table(table) = table.into_inner() else {
            self.error(
                span,
                "each `case` must be a table",
                Some("write it as a [[case]] table".into()),
            );
            return None;
        };
        let errors_before = self.diagnostics.len();
        let mut name = None;
        let mut now = default_now;
        let mut set = Vec::new();
        let mut selection = None;
        let mut fixtures = Vec::new();
        let mut hotstring = None;
        let mut actions = None;
        let mut failure = None;
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "name" => name = self.string(&value, "name", "e.g. name = \"typer navnet\""),
                "now" => now = self.now(&value).unwrap_or(now),
                "set" => set = self.pairs(value, "set", "e.g. set = { cpr = \"070761-4285\" }"),
                "selection" => {
                    selection = self
                        .string(
                            &value,
                            "selection",
                            "e.g. selection = \"Sagen om 0707614285\"",
                        )
                        .map(|s| s.value)
                }
                "fixtures" => {
                    fixtures = self
                        .pairs(
                            value,
                            "fixtures",
                            "e.g. fixtures = { borger = \"borger.json\" }",
                        )
                        .into_iter()
                        .map(|(name, file)| Fixture { name, file })
                        .collect()
                }
                "hotstring" => {
                    hotstring = self.string(&value, "hotstring", "e.g. hotstring = \";navn\"")
                }
                "expect" => actions = self.lines(value),
                "fails" => {
                    failure = self.string(
                        &value,
                        "fails",
                        "a stable part of the failure, e.g. fails = \"skal udfyldes\"",
                    )
                }
                other => self.unknown_key(other, key.span(), CASE_KEYS, Some("case")),
            }
        }
        let head = span.start..span.start;
        let Some(name) = name else {
            if self.diagnostics.len() == errors_before {
                self.error(
                    head,
                    "this case has no `name`",
                    Some(
                        "add e.g. name = \"typer navnet\"; the name is shown when the case runs"
                            .into(),
                    ),
                );
            }
            return None;
        };
        if name.value.trim().is_empty() {
            self.error(name.span.clone(), "a case's name may not be empty", None);
        }
        if actions.is_none() && failure.is_none() && self.diagnostics.len() == errors_before {
            self.error(
                name.span.clone(),
                format!("the case `{}` expects nothing", name.value),
                Some("add `expect = [ … ]` (the dry run's lines, exactly) or `fails = \"…\"` (a part of the failure); `genvej test --bless` writes `expect` from a run".into()),
            );
        }
        if self.diagnostics.len() > errors_before {
            return None;
        }
        Some(TestCase {
            name,
            span,
            now,
            set,
            selection,
            fixtures,
            hotstring,
            expect: Expectation { actions, failure },
        })
    }

    fn string(&mut self, value: &Value<'_>, key: &str, example: &str) -> Option<Placed<String>> {
        match value.get_ref() {
            DeValue::String(s) => Some(Placed {
                value: s.to_string(),
                span: value.span(),
            }),
            _ => {
                self.error(
                    value.span(),
                    format!("`{key}` must be a text in quotes"),
                    Some(example.into()),
                );
                None
            }
        }
    }

    /// `now = 2026-12-07T09:30:00` (or a date alone: 09:00 that day).
    fn now(&mut self, value: &Value<'_>) -> Option<NaiveDateTime> {
        let help = "write a date and time without quotes, e.g. now = 2026-12-07T09:30:00 (or a date alone, e.g. now = 2026-12-07: 09:00 that day)";
        let DeValue::Datetime(datetime) = value.get_ref() else {
            self.error(
                value.span(),
                "`now` must be a date and time",
                Some(help.into()),
            );
            return None;
        };
        if datetime.offset.is_some() {
            self.error(
                value.span(),
                "`now` is the workstation's local time: it has no time zone",
                Some(help.into()),
            );
            return None;
        }
        let text = datetime.to_string();
        let parsed = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f"))
            .ok()
            .or_else(|| {
                NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(9, 0, 0))
            });
        if parsed.is_none() {
            self.error(value.span(), "`now` must have a date", Some(help.into()));
        }
        parsed
    }

    /// An inline table of texts, e.g. `set = { cpr = "…" }`, in file order.
    fn pairs(
        &mut self,
        value: Value<'_>,
        key: &str,
        example: &str,
    ) -> Vec<(Placed<String>, Placed<String>)> {
        let span = value.span();
        let DeValue::Table(table) = value.into_inner() else {
            self.error(
                span,
                format!("`{key}` must be a table"),
                Some(example.into()),
            );
            return Vec::new();
        };
        let mut pairs = Vec::new();
        for (name, value) in table {
            let text = match value.get_ref() {
                DeValue::String(s) => s.to_string(),
                DeValue::Integer(i) if key == "set" => i.as_str().to_string(),
                DeValue::Float(f) if key == "set" => f.as_str().to_string(),
                DeValue::Boolean(b) if key == "set" => b.to_string(),
                _ => {
                    self.error(
                        value.span(),
                        format!("each value of `{key}` must be a text in quotes"),
                        Some(example.into()),
                    );
                    continue;
                }
            };
            pairs.push((
                Placed {
                    value: name.get_ref().to_string(),
                    span: name.span(),
                },
                Placed {
                    value: text,
                    span: value.span(),
                },
            ));
        }
        pairs
    }

    /// `expect = [ "line", … ]`.
    fn lines(&mut self, value: Value<'_>) -> Option<Placed<Vec<String>>> {
        let span = value.span();
        let help = "write the dry run's lines as a list of texts, e.g. expect = [ 'type «aktivt vindue» \"Mette\"' ] (`genvej test --bless` writes them)";
        let DeValue::Array(items) = value.into_inner() else {
            self.error(span, "`expect` must be a list of lines", Some(help.into()));
            return None;
        };
        let mut lines = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(s) => lines.push(s.to_string()),
                _ => {
                    self.error(
                        item.span(),
                        "each line of `expect` must be a text",
                        Some(help.into()),
                    );
                    return None;
                }
            }
        }
        Some(Placed { value: lines, span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (TestFile, Vec<String>) {
        let (file, diagnostics) = parse(Path::new("a.tests.toml"), text);
        let rendered = diagnostics.iter().map(|d| d.render(text)).collect();
        (file, rendered)
    }

    #[test]
    fn a_case_is_read_with_its_clock_inputs_fixtures_and_lines() {
        let (file, problems) = read(
            "now = 2026-12-07T10:15:00\n[[case]]\nname = \"a\"\nset = { cpr = \"070761-4285\", km = 12 }\nselection = \"x\"\nfixtures = { borger = \"b.json\", \"https://x.invalid/doc/\" = \"d.pdf\" }\nexpect = [\"focus «plan»\"]\n\n[[case]]\nname = \"b\"\nnow = 2026-12-24\nfails = \"skal udfyldes\"\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let [a, b] = &file.cases[..] else {
            panic!("{file:?}")
        };
        assert_eq!(a.now.to_string(), "2026-12-07 10:15:00");
        assert_eq!(a.set[1].1.value, "12");
        assert!(a.fixtures[1].is_document());
        assert_eq!(
            a.expect.actions.as_ref().map(|l| l.value.clone()),
            Some(vec!["focus «plan»".to_string()])
        );
        assert_eq!(b.now.to_string(), "2026-12-24 09:00:00");
        assert_eq!(
            b.expect.failure.as_ref().map(|f| f.value.as_str()),
            Some("skal udfyldes")
        );
    }

    #[test]
    fn unknown_keys_are_named_with_did_you_mean_at_their_line() {
        let (file, problems) = read("[[case]]\nname = \"a\"\nexpekt = []\n");
        assert!(file.cases.is_empty());
        assert!(
            problems[0].starts_with("a.tests.toml:3:1: error: unknown key `expekt` in [[case]]"),
            "{problems:?}"
        );
        assert!(
            problems[0].contains("did you mean `expect`?"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_script_named_like_a_test_file_is_told_so() {
        let (_, problems) = read("id = \"x\"\n[[case]]\nname = \"a\"\nfails = \"x\"\n");
        assert!(
            problems[0].contains("this looks like a script"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_case_without_an_expectation_or_with_a_zoned_clock_is_refused() {
        let (_, problems) = read(
            "[[case]]\nname = \"a\"\n[[case]]\nname = \"b\"\nnow = 2026-12-07T09:00:00Z\nfails = \"x\"\n",
        );
        assert!(
            problems[0].contains("the case `a` expects nothing"),
            "{problems:?}"
        );
        assert!(problems[1].starts_with("a.tests.toml:5:7:"), "{problems:?}");
        assert!(problems[1].contains("has no time zone"), "{problems:?}");
    }

    #[test]
    fn two_cases_with_one_name_are_an_error_at_the_second() {
        let (file, problems) =
            read("[[case]]\nname = \"a\"\nfails = \"x\"\n[[case]]\nname = \"a\"\nfails = \"y\"\n");
        assert_eq!(file.cases.len(), 1);
        assert!(
            problems[0].starts_with("a.tests.toml:5:8: error: two cases are named `a`"),
            "{problems:?}"
        );
    }
}
