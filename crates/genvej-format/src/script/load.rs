//! One script file: TOML → raw tables (each deserialized on its own, so every
//! problem in the file is found) → a checked [`Script`].

use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::file_checker::FileChecker;
use super::model::*;
use super::raw::{self, At, RawHeader, RawHotstring, RawInput, RawSource, RawStep, RawWindowMatch};
use super::scope::Scope;
use crate::diagnostic::Diagnostic;
use crate::hotkey::{HotKey, HotKeyError};
use crate::suggest::{did_you_mean, list};
use crate::window_match::{TextPattern, WindowMatch};

/// Whether `text` can be a template variable's name: `[a-z_][a-z0-9_]*`.
/// (Checked by hand, not with a regex: then loading scripts compiles a
/// regex only for a script's own patterns, and under Wine the agent's start
/// touches less of the program — see docs/src/development/benchmarks.md.)
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `text` has the form of a script's `id` (lower-case letters a–z,
/// digits and `-`, not first): `[a-z0-9][a-z0-9-]*`; used wherever another
/// file names a script.
pub(crate) fn is_script_id(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

const ARRAYS: &[&str] = &["input", "hotstring", "source", "step"];

/// A script's tables, read but not yet checked.
struct Items {
    inputs: Vec<RawInput>,
    hotstrings: Vec<RawHotstring>,
    sources: Vec<RawSource>,
    steps: Vec<(usize, Option<RawStep>)>,
}

impl FileChecker<'_> {
    /// Checks a script file. Returns the script when it has no errors.
    pub fn check(&mut self, default_category: &str) -> Option<Script> {
        let document = match DeTable::parse(self.text) {
            Ok(doc) => doc,
            Err(e) => {
                self.error(
                    e.span().unwrap_or(0..0),
                    format!("invalid TOML: {}", e.message().trim()),
                );
                return None;
            }
        };
        let document_span = document.span();
        let mut header = DeTable::new();
        let mut arrays: [Vec<Spanned<DeValue<'_>>>; 4] = Default::default();
        let header_keys = raw::keys_of::<RawHeader>();
        for (key, value) in document.into_inner() {
            let name = key.get_ref().as_ref();
            if let Some(slot) = ARRAYS.iter().position(|a| *a == name) {
                match value.into_inner() {
                    DeValue::Array(items) => arrays[slot].extend(items),
                    _ => {
                        self.error(key.span(), format!("`{name}` must be a list of tables"))
                            .help(format!("write each one as a [[{name}]] table"));
                    }
                }
            } else if name == "approved" {
                match self.approved_table(value) {
                    Some(value) => {
                        header.insert(key, value);
                    }
                    None => self.dropped_keys.push("approved".into()),
                }
            } else if header_keys.contains(name) {
                header.insert(key, value);
            } else {
                self.unknown_top_level_key(name, key.span(), &header_keys);
            }
        }
        let [inputs, hotstrings, sources, steps] = arrays;

        let header: Option<RawHeader> =
            self.deserialize_table(Spanned::new(document_span, DeValue::Table(header)));
        let inputs: Vec<RawInput> = inputs
            .into_iter()
            .filter_map(|t| self.deserialize_item("input", t))
            .collect();
        let hotstrings: Vec<RawHotstring> = hotstrings
            .into_iter()
            .filter_map(|t| self.deserialize_item("hotstring", t))
            .collect();
        let sources: Vec<RawSource> = sources
            .into_iter()
            .filter_map(|t| self.deserialize_item("source", t))
            .collect();
        let steps: Vec<(usize, Option<RawStep>)> = steps
            .into_iter()
            .map(|t| (t.span().start, self.deserialize_step(t)))
            .collect();

        let header = header?;
        let script = self.build(
            header,
            Items {
                inputs,
                hotstrings,
                sources,
                steps,
            },
            default_category,
        );
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            None
        } else {
            script
        }
    }

    fn unknown_top_level_key(
        &mut self,
        name: &str,
        span: Range<usize>,
        header_keys: &std::collections::BTreeSet<String>,
    ) {
        let candidates = header_keys
            .iter()
            .map(String::as_str)
            .chain(ARRAYS.iter().copied());
        let help = if raw::ACTIONS.contains(&name) {
            format!("`{name}` is a step; put it in a [[step]] table")
        } else if let Some(s) = did_you_mean(name, candidates) {
            format!("did you mean `{s}`?")
        } else {
            let mut valid: Vec<&str> = header_keys.iter().map(String::as_str).collect();
            valid.extend(ARRAYS.iter().copied());
            format!("valid keys are {}", list(&valid))
        };
        self.error(span, format!("unknown key `{name}`")).help(help);
    }

    /// Deserializes one `[[input]]`/`[[hotstring]]`/`[[step]]` table, first
    /// reporting (and dropping) keys the table does not accept.
    fn deserialize_item<T>(&mut self, what: &str, item: Spanned<DeValue<'_>>) -> Option<T>
    where
        T: for<'de> Deserialize<'de> + 'static,
    {
        let span = item.span();
        let DeValue::Table(table) = item.into_inner() else {
            self.error(span, format!("each `{what}` must be a table"))
                .help(format!("write it as a [[{what}]] table"));
            return None;
        };
        let accepted = raw::keys_of::<T>();
        let mut kept = DeTable::new();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            if accepted.contains(name) {
                kept.insert(key, value);
            } else {
                self.unknown_item_key(what, name, key.span(), &accepted);
            }
        }
        self.deserialize_table(Spanned::new(span, DeValue::Table(kept)))
    }

    /// Deserializes one `[[step]]` table. A `for_each` group's `steps` are
    /// deserialized one by one like `[[step]]` tables, so a mistake inside
    /// a group is reported where it stands and hides nothing else.
    fn deserialize_step(&mut self, item: Spanned<DeValue<'_>>) -> Option<RawStep> {
        let inner = match item.get_ref() {
            DeValue::Table(table) => table
                .iter()
                .find(|(key, _)| key.get_ref().as_ref() == "steps")
                .map(|(_, value)| value.clone()),
            _ => None,
        };
        let mut step: RawStep = self.deserialize_item("step", item)?;
        if let Some(value) = inner {
            let span = value.span();
            match value.into_inner() {
                DeValue::Array(items) => {
                    step.group = items
                        .into_iter()
                        .map(|t| (t.span().start, self.deserialize_item("step", t)))
                        .collect();
                }
                _ => {
                    self.error(span, "`steps` must be a list of steps").help(
                        "e.g. `steps = [ { type = \"{{ item.navn }}\" }, { key = \"Tab\" } ]`",
                    );
                    return None;
                }
            }
        }
        Some(step)
    }

    fn unknown_item_key(
        &mut self,
        what: &str,
        name: &str,
        span: Range<usize>,
        accepted: &std::collections::BTreeSet<String>,
    ) {
        let suggestion = did_you_mean(name, accepted.iter().map(String::as_str));
        let mut help = suggestion
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        if what == "step" {
            help.push_str(&format!("steps are {}", list(raw::ACTIONS)));
            let options: Vec<&str> = accepted
                .iter()
                .map(String::as_str)
                .filter(|k| !raw::ACTIONS.contains(k))
                .collect();
            help.push_str(&format!("; step options are {}", list(&options)));
            self.error(span, format!("unknown step `{name}`"))
                .help(help);
        } else {
            let valid: Vec<&str> = accepted.iter().map(String::as_str).collect();
            help.push_str(&format!("valid keys are {}", list(&valid)));
            self.error(span, format!("unknown key `{name}` in [[{what}]]"))
                .help(help);
        }
    }

    /// Deserializes a table. A key whose value has the wrong type is
    /// reported and dropped, and the rest is tried again, so one bad value
    /// does not hide the problems of its neighbours.
    fn deserialize_table<T: for<'de> Deserialize<'de>>(
        &mut self,
        value: Spanned<DeValue<'_>>,
    ) -> Option<T> {
        let span = value.span();
        let DeValue::Table(mut table) = value.into_inner() else {
            return None;
        };
        loop {
            let attempt = Spanned::new(span.clone(), DeValue::Table(table.clone()));
            let error = match T::deserialize(ValueDeserializer::from(attempt)) {
                Ok(v) => return Some(v),
                Err(e) => e,
            };
            let message = error.message().trim().to_string();
            let at = error
                .span()
                .filter(|at| *at != span)
                .unwrap_or(span.start..span.start);
            let diagnostic = self.error(at.clone(), message.clone());
            if let Some(field) = message
                .strip_prefix("missing field `")
                .and_then(|m| m.strip_suffix('`'))
            {
                diagnostic.help(missing_field_help(field));
            } else if message.contains("expected u32") || message.contains("expected u64") {
                diagnostic.help("write a whole number without quotes, e.g. `10000`");
            }
            let culprit = table
                .iter()
                .find(|(key, value)| key.span() == at || value.span().contains(&at.start))
                .map(|(key, _)| key.get_ref().to_string());
            if culprit.as_deref() == Some("version") && message.contains("expected a string") {
                diagnostic.help("write the version in quotes, e.g. `version = \"1.2\"`");
            }
            match culprit {
                Some(name) => {
                    self.dropped_keys.push(name.clone());
                    table = table
                        .into_iter()
                        .filter(|(key, _)| key.get_ref().as_ref() != name)
                        .collect();
                }
                None => return None,
            }
        }
    }

    fn build(&mut self, header: RawHeader, items: Items, default_category: &str) -> Option<Script> {
        let Items {
            inputs: raw_inputs,
            hotstrings: raw_hotstrings,
            sources: raw_sources,
            steps: raw_steps,
        } = items;
        for (field, present) in [
            ("id", header.id.is_some()),
            ("name", header.name.is_some()),
            ("manual_seconds", header.manual_seconds.is_some()),
        ] {
            if !present && !self.dropped_keys.iter().any(|k| k == field) {
                self.error(0..0, format!("missing field `{field}`"))
                    .help(missing_field_help(field));
            }
        }
        if let Some(id) = header.id.as_ref().filter(|id| !is_script_id(id.get())) {
            self.error(id.span(), format!("invalid id `{}`", id.get()))
                .help("use lower-case letters a–z, digits and `-`, e.g. `aabn-borger`; the id must stay the same when the script changes");
        }
        let hotkey = header.hotkey.as_ref().and_then(|h| match HotKey::parse(h.get()) {
            Ok(hotkey) => Some(hotkey),
            Err(e) => {
                let help = if h.get().trim().contains(char::is_whitespace) && !matches!(e, HotKeyError::Chord(_)) {
                    "a sequence is a leader chord, a space and one key, e.g. `Ctrl+Alt+Space J` or `Ctrl+Alt+Space Shift+J`"
                } else {
                    "write modifiers and one key joined by `+`, e.g. `Ctrl+Alt+B` or `Ctrl+Shift+F5`"
                };
                self.error(h.span(), format!("invalid hot key `{}`: {e}", h.get()))
                    .help(help);
                None
            }
        });
        if let Some(zero) = header.manual_seconds.as_ref().filter(|m| *m.get() == 0) {
            self.error(zero.span(), "manual_seconds must be more than 0")
                .help("how many seconds the task takes by hand; the time-saved report compares runs with it");
        }
        let key_delay = header.typing.as_ref().and_then(|t| {
            t.get()
                .key_delay_ms
                .as_ref()
                .and_then(|d| self.key_delay(d))
        });
        let only_when = header
            .only_when
            .as_ref()
            .and_then(|w| self.window_match(w, false))
            .map(|(m, _, _)| m);

        let mut scope = Scope::new(self.config);
        let inputs: Vec<Input> = raw_inputs
            .iter()
            .filter_map(|i| self.input(i, &mut scope))
            .collect();
        let hotstrings: Vec<Hotstring> = raw_hotstrings
            .iter()
            .filter_map(|h| self.hotstring(h))
            .collect();
        let mut declared = self.sources(&raw_sources);
        let steps = self.steps(&raw_steps, &mut scope, &mut declared);
        self.unfetched(&declared);
        let sources = declared.into_iter().map(|d| d.source).collect();

        if hotkey.is_some() && raw_steps.is_empty() {
            let span = header.hotkey.as_ref().map_or(0..0, At::span);
            self.error(span, "the hot key has no steps to run")
                .help("add [[step]] tables, e.g. `type = \"…\"`");
        }
        let release = self.release(&header);
        let (Some(id), Some(name), Some(manual_seconds)) =
            (header.id, header.name, header.manual_seconds)
        else {
            return None;
        };
        Some(Script {
            id: id.get().clone(),
            name: name.get().clone(),
            hotkey,
            manual_seconds: *manual_seconds.get(),
            description: header
                .description
                .map(|d| d.get().clone())
                .unwrap_or_default(),
            category: header
                .category
                .map(|c| c.get().clone())
                .unwrap_or_else(|| default_category.to_string()),
            only_when,
            key_delay,
            inputs,
            hotstrings,
            sources,
            steps,
            file: ScriptFile {
                path: self.path.to_path_buf(),
                content_hash: content_hash(self.text),
                personal: false,
                bundle: None,
            },
            release,
        })
    }

    pub fn key_delay(&mut self, at: &At<u32>) -> Option<std::time::Duration> {
        if *at.get() > MAX_KEY_DELAY_MS {
            self.error(
                at.span(),
                format!("key_delay_ms must be at most {MAX_KEY_DELAY_MS}"),
            )
            .help("a few milliseconds (5–30) is enough for slow remote desktops");
            return None;
        }
        Some(std::time::Duration::from_millis(u64::from(*at.get())))
    }

    pub fn timeout(&mut self, at: &At<u64>) -> Option<std::time::Duration> {
        if !(1..=MAX_TIMEOUT_MS).contains(at.get()) {
            self.error(
                at.span(),
                format!(
                    "timeout_ms must be between 1 and {MAX_TIMEOUT_MS} (10 minutes), not {}",
                    at.get()
                ),
            )
            .help("e.g. `timeout_ms = 10000` for ten seconds");
            return None;
        }
        Some(std::time::Duration::from_millis(*at.get()))
    }

    /// Checks a window description. `in_step` allows `timeout_ms` and `name`.
    pub fn window_match(
        &mut self,
        at: &At<RawWindowMatch>,
        in_step: bool,
    ) -> Option<(WindowMatch, std::time::Duration, Option<String>)> {
        let raw = at.get();
        let mut ok = true;
        let title = match (&raw.title, &raw.title_regex) {
            (Some(_), Some(r)) => {
                self.error(r.span(), "give either `title` or `title_regex`, not both");
                ok = false;
                None
            }
            (Some(t), None) => Some(TextPattern::glob(t.get())),
            (None, Some(r)) => match Regex::new(r.get()) {
                Ok(re) => Some(TextPattern::Regex(re)),
                Err(e) => {
                    self.error(
                        r.span(),
                        format!("invalid regular expression: {}", regex_error(&e)),
                    )
                    .help("or use `title` with `*` wildcards, e.g. `title = \"Fasit*\"`");
                    ok = false;
                    None
                }
            },
            (None, None) => None,
        };
        if raw.title.is_none()
            && raw.title_regex.is_none()
            && raw.class.is_none()
            && raw.executable.is_none()
        {
            self.error(
                at.span(),
                "a window needs at least one of `title`, `title_regex`, `class` or `executable`",
            )
            .help("e.g. `{ title = \"Fasit*\" }`");
            ok = false;
        }
        let timeout = match &raw.timeout_ms {
            Some(t) if !in_step => {
                self.error(t.span(), "`timeout_ms` has no meaning here; only_when is checked when the hot key is pressed");
                ok = false;
                None
            }
            Some(t) => self.timeout(t),
            None => Some(DEFAULT_WINDOW_TIMEOUT),
        };
        let name = match &raw.name {
            Some(n) if !in_step => {
                self.error(n.span(), "`name` has no meaning in only_when");
                ok = false;
                None
            }
            Some(n) if !is_identifier(n.get()) => {
                self.error(n.span(), format!("invalid window name `{}`", n.get()))
                    .help("use lower-case letters, digits and `_`, e.g. `fasit`");
                ok = false;
                None
            }
            Some(n) => Some(n.get().clone()),
            None => None,
        };
        let matcher = WindowMatch {
            title,
            class: raw.class.as_ref().map(|c| TextPattern::glob(c.get())),
            executable: raw.executable.as_ref().map(|e| e.get().clone()),
        };
        (ok && timeout.is_some())
            .then(|| (matcher, timeout.unwrap_or(DEFAULT_WINDOW_TIMEOUT), name))
    }

    fn hotstring(&mut self, raw: &RawHotstring) -> Option<Hotstring> {
        let abbreviation = raw.abbreviation.get();
        let span = raw.abbreviation.span();
        if abbreviation.is_empty()
            || abbreviation.chars().any(char::is_whitespace)
            || abbreviation.chars().count() > 32
        {
            self.error(span, "an abbreviation is 1–32 characters without spaces")
                .help("e.g. `;navn`");
            return None;
        }
        if abbreviation
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
        {
            self.warning(span, format!("the abbreviation `{abbreviation}` starts with a letter or digit; it expands whenever that word is typed"))
                .help(format!("start it with a character such as `;`, e.g. `;{abbreviation}`"));
        }
        let text = self.template(&raw.text);
        Scope::globals_only(self.config).check_template(self, &raw.text, "hotstring text");
        Some(Hotstring {
            abbreviation: abbreviation.clone(),
            text,
        })
    }

    pub fn identifier(&mut self, at: &At<String>, what: &str) -> bool {
        if is_identifier(at.get()) {
            return true;
        }
        self.error(at.span(), format!("invalid {what} `{}`", at.get()))
            .help("names are used in templates: lower-case letters a–z, digits and `_`, e.g. `kilometer`");
        false
    }
}

fn missing_field_help(field: &str) -> String {
    match field {
        "manual_seconds" => {
            "add `manual_seconds = 120`: how many seconds the task takes by hand".into()
        }
        "id" => "add `id = \"…\"`: a unique, stable name such as `aabn-borger`".into(),
        "name" => "add `name = \"…\"`: the name staff see in the tray menu".into(),
        other => format!("add `{other} = …`"),
    }
}

fn regex_error(e: &regex::Error) -> String {
    // The regex crate's message spans several lines with its own caret; keep the last line.
    e.to_string()
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .trim_start_matches("error: ")
        .to_string()
}

fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_script_ids_have_their_forms() {
        for good in ["a", "_", "kilometer", "km_2", "_x9"] {
            assert!(is_identifier(good), "{good}");
        }
        for bad in ["", "9a", "Km", "a-b", "æble", "a b", "a.b"] {
            assert!(!is_identifier(bad), "{bad}");
        }
        for good in ["a", "9", "aabn-borger", "plan-2", "0-"] {
            assert!(is_script_id(good), "{good}");
        }
        for bad in ["", "-a", "Aabn", "a_b", "ø", "a b"] {
            assert!(!is_script_id(bad), "{bad}");
        }
    }
}
