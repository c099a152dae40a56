//! Checking `[[source]]` tables, the `fetch` steps that use them, and
//! `merge_pdf` steps.

use std::collections::BTreeSet;
use std::ops::Range;
use std::time::Duration;

use super::field_path::FieldPath;
use super::file_checker::FileChecker;
use super::model::{
    Action, HeaderValue, HttpMethod, ITEM_VARIABLE, MAX_TIMEOUT_MS, Source, Template,
};
use super::raw::{At, RawFetch, RawHeaderValue, RawMergePdf, RawSource};
use super::scope::{Scope, VarKind};
use crate::config::SharedSource;
use crate::suggest::did_you_mean;
use crate::suggest::list;

/// Default time limit for one attempt.
pub const DEFAULT_SOURCE_TIMEOUT: Duration = Duration::from_millis(10_000);
const MAX_RETRIES: u32 = 5;

/// A checked source with the raw table it came from (for template checks
/// at each `fetch`, where the variables in scope are known).
pub(crate) struct Declared<'r> {
    pub source: Source,
    pub raw: std::borrow::Cow<'r, RawSource>,
    pub fetched: bool,
    /// A `[sources.NAME]` from the config, taken in at its first fetch.
    pub shared: bool,
}

impl FileChecker<'_> {
    pub(crate) fn sources<'r>(&mut self, raw: &'r [RawSource]) -> Vec<Declared<'r>> {
        let mut names = BTreeSet::new();
        let mut declared = Vec::new();
        for raw_source in raw {
            let name = raw_source.name.get();
            if !is_identifier(name) {
                self.error(raw_source.name.span(), format!("invalid source name `{name}`"))
                    .help("the name is also the variable in templates: use a–z, 0–9 and _, starting with a letter, e.g. `borger`");
                continue;
            }
            if !names.insert(name.clone()) {
                self.error(
                    raw_source.name.span(),
                    format!("a source named `{name}` is already declared"),
                )
                .help("give each [[source]] its own name");
                continue;
            }
            match self.source(raw_source) {
                Some(source) => {
                    self.secret_transport(
                        &source,
                        &raw_source.url,
                        &format!("the source `{name}`"),
                    );
                    declared.push(Declared {
                        source,
                        raw: std::borrow::Cow::Borrowed(raw_source),
                        fetched: false,
                        shared: false,
                    });
                }
                None => {
                    self.broken_sources.insert(name.clone());
                }
            }
        }
        declared
    }

    /// A header: a template, or a secret named by exactly one of
    /// `credential` and `env`.
    fn header_value(&mut self, value: &At<RawHeaderValue>) -> Option<HeaderValue> {
        let secret = match value.get() {
            RawHeaderValue::Text(text) => {
                return Some(HeaderValue::Template(Template {
                    text: text.clone(),
                    line: self.line_of(value.span().start),
                }));
            }
            RawHeaderValue::Secret(secret) => secret,
        };
        let prefix = secret.prefix.clone().unwrap_or_default();
        match (&secret.credential, &secret.env) {
            (Some(name), None) if !name.trim().is_empty() => Some(HeaderValue::Credential {
                name: name.trim().to_string(),
                prefix,
            }),
            (None, Some(var)) if !var.trim().is_empty() => Some(HeaderValue::Env {
                var: var.trim().to_string(),
                prefix,
            }),
            (Some(_), Some(_)) => {
                self.error(
                    value.span(),
                    "a header takes `credential` or `env`, not both",
                )
                .help("keep the one that holds the secret on the caseworkers' PCs");
                None
            }
            _ => {
                self.error(value.span(), "a secret header needs the secret's name")
                    .help("write `{ credential = \"NAME\" }` (OS credential store) or `{ env = \"NAME\" }`");
                None
            }
        }
    }

    fn source(&mut self, raw: &RawSource) -> Option<Source> {
        let method = match raw.method.as_ref().map(|m| m.get().to_uppercase()) {
            None => HttpMethod::Get,
            Some(m) if m == "GET" => HttpMethod::Get,
            Some(m) if m == "POST" => HttpMethod::Post,
            Some(m) => {
                let span = raw.method.as_ref().map_or(0..0, At::span);
                self.error(span, format!("unknown method `{m}`"))
                    .help("use `GET` (the default) or `POST`");
                return None;
            }
        };
        if let (Some(json), HttpMethod::Get) = (&raw.json, method) {
            self.error(json.span(), "a GET request has no body")
                .help("add `method = \"POST\"`, or send the values as `query`");
            return None;
        }
        let timeout = self.request_timeout(raw.timeout_ms.as_ref())?;
        let retries = match &raw.retries {
            Some(r) if *r.get() > MAX_RETRIES => {
                self.error(
                    r.span(),
                    format!("retries must be between 0 and {MAX_RETRIES}"),
                );
                return None;
            }
            Some(r) => *r.get(),
            None => 1,
        };
        if let (Some(fallback), false) = (&raw.fallback, is_optional(raw)) {
            self.warning(
                fallback.span(),
                "`fallback` is only used by an optional source",
            )
            .help("add `optional = true`, or remove `fallback`");
        }
        let mut expect = Vec::new();
        for path in raw.expect.iter().flat_map(|e| e.get()) {
            match FieldPath::parse(path.get()) {
                Ok(parsed) => expect.push(parsed),
                Err(why) => {
                    self.error(path.span(), format!("invalid field path: {why}"))
                        .help("write fields with dots and `[]` for each item of a list, e.g. `aktiviteter[].timer`");
                    return None;
                }
            }
        }
        let mut headers = Vec::new();
        if let Some(raw_headers) = &raw.headers {
            for (name, value) in raw_headers.get() {
                headers.push((name.clone(), self.header_value(value)?));
            }
        }
        let query = raw
            .query
            .as_ref()
            .map(|q| {
                q.get()
                    .iter()
                    .map(|(name, value)| (name.clone(), self.template(value)))
                    .collect()
            })
            .unwrap_or_default();
        Some(Source {
            name: raw.name.get().clone(),
            url: self.template(&raw.url),
            method,
            headers,
            query,
            json: raw.json.as_ref().map(|j| self.template(j)),
            timeout,
            retries: if method == HttpMethod::Get {
                retries
            } else {
                0
            },
            optional: is_optional(raw),
            fallback: raw.fallback.as_ref().map(|f| f.get().clone()),
            expect,
        })
    }

    /// A `fetch` step: known sources, their templates valid here; each
    /// source's variable is defined from here on.
    pub(crate) fn fetch(
        &mut self,
        at: &At<RawFetch>,
        declared: &mut Vec<Declared<'_>>,
        scope: &mut Scope<'_>,
        what: &str,
    ) -> Option<Vec<String>> {
        let names: Vec<&String> = match at.get() {
            RawFetch::One(one) => vec![one],
            RawFetch::Many(many) => many.iter().collect(),
        };
        if names.is_empty() {
            self.error(at.span(), "`fetch` is an empty list")
                .help("name one or more [[source]]s, e.g. `fetch = [\"borger\", \"ydelser\"]`");
            return None;
        }
        let mut fetched = Vec::new();
        for name in names {
            if !declared.iter().any(|d| d.source.name == *name) {
                if let Some(shared) = self.config.sources.get(name) {
                    let raw = shared_as_raw(name, shared, at.span());
                    let source = self.source(&raw)?;
                    self.secret_transport(
                        &source,
                        &raw.url,
                        &format!("the config's source `{name}`"),
                    );
                    declared.push(Declared {
                        source,
                        raw: std::borrow::Cow::Owned(raw),
                        fetched: false,
                        shared: true,
                    });
                }
            }
            let Some(entry) = declared.iter_mut().find(|d| d.source.name == *name) else {
                if self.broken_sources.contains(name) {
                    // Already reported where it is declared.
                    fetched.push(name.clone());
                    continue;
                }
                let mut known: Vec<&str> =
                    declared.iter().map(|d| d.source.name.as_str()).collect();
                known.extend(self.config.sources.keys().map(String::as_str));
                let help = match did_you_mean(name, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if known.is_empty() => {
                        "declare it in a [[source]] table with `name` and `url`, or in the config as [sources.NAME]".to_string()
                    }
                    None => format!("sources in this script and the config: {}", list(&known)),
                };
                self.error(at.span(), format!("unknown source `{name}`"))
                    .help(help);
                return None;
            };
            // Templates are checked where the source is first fetched.
            let first = !entry.fetched;
            entry.fetched = true;
            let raw = &entry.raw;
            if !first {
                fetched.push(name.clone());
                continue;
            }
            let in_source = if entry.shared {
                format!("the config's source `{name}` fetched in {what}")
            } else {
                format!("the source `{name}` fetched in {what}")
            };
            scope.check_url_template(self, &raw.url, &in_source);
            for value in raw.query.iter().flat_map(|q| q.get().values()) {
                scope.check_template(self, value, &in_source);
            }
            if let Some(json) = &raw.json {
                scope.check_template(self, json, &in_source);
            }
            fetched.push(name.clone());
        }
        for name in &fetched {
            scope.define(name, VarKind::Value);
        }
        Some(fetched)
    }

    /// A `merge_pdf` step: a list variable that exists, item templates
    /// checked with `item` defined, the file name checked as usual.
    pub(crate) fn merge_pdf(
        &mut self,
        at: &At<RawMergePdf>,
        scope: &mut Scope<'_>,
        what: &str,
    ) -> Option<Action> {
        let raw = at.get();
        let each = raw.each.get();
        scope.check_expression(self, &raw.each, &format!("the `each` of {what}"));
        let timeout = self.request_timeout(raw.timeout_ms.as_ref())?;
        let shadowed = scope.is_defined(ITEM_VARIABLE);
        scope.define(ITEM_VARIABLE, VarKind::Value);
        scope.check_url_template(self, &raw.url, what);
        if let Some(name) = &raw.name {
            scope.check_template(self, name, what);
        }
        if !shadowed {
            scope.undefine(ITEM_VARIABLE);
        }
        scope.check_template(self, &raw.file, what);
        Some(Action::MergePdf {
            each: each.clone(),
            url: self.template(&raw.url),
            name: raw.name.as_ref().map(|n| self.template(n)),
            file: self.template(&raw.file),
            timeout,
        })
    }

    /// `timeout_ms` of a request: 1 ms to 10 minutes, default 10 s.
    fn request_timeout(&mut self, at: Option<&At<u64>>) -> Option<Duration> {
        match at {
            Some(t) if !(1..=MAX_TIMEOUT_MS).contains(t.get()) => {
                self.error(
                    t.span(),
                    format!("timeout_ms must be between 1 and {MAX_TIMEOUT_MS}"),
                );
                None
            }
            Some(t) => Some(Duration::from_millis(*t.get())),
            None => Some(DEFAULT_SOURCE_TIMEOUT),
        }
    }

    /// Sources no step fetches are probably a mistake.
    pub(crate) fn unfetched(&mut self, declared: &[Declared<'_>]) {
        for entry in declared.iter().filter(|d| !d.fetched && !d.shared) {
            self.warning(
                entry.raw.name.span(),
                format!("the source `{}` is never fetched", entry.source.name),
            )
            .help(format!(
                "add a step `fetch = \"{}\"`, or remove the source",
                entry.source.name
            ));
        }
    }
}

/// A config `[sources.NAME]` as if the script had declared it, every value
/// placed at the `fetch` that uses it (so messages point there).
fn shared_as_raw(name: &str, shared: &SharedSource, span: Range<usize>) -> RawSource {
    let at = |value: String| At::placed(span.clone(), value);
    RawSource {
        name: at(name.to_string()),
        url: at(shared.url.clone()),
        method: shared.method.clone().map(at),
        headers: (!shared.headers.is_empty()).then(|| {
            At::placed(
                span.clone(),
                shared
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), At::placed(span.clone(), v.clone())))
                    .collect(),
            )
        }),
        query: (!shared.query.is_empty()).then(|| {
            At::placed(
                span.clone(),
                shared
                    .query
                    .iter()
                    .map(|(k, v)| (k.clone(), at(v.clone())))
                    .collect(),
            )
        }),
        json: shared.json.clone().map(at),
        timeout_ms: shared.timeout_ms.map(|t| At::placed(span.clone(), t)),
        retries: shared.retries.map(|r| At::placed(span.clone(), r)),
        optional: shared.optional.map(|o| At::placed(span.clone(), o)),
        fallback: shared.fallback.clone().map(|f| At::placed(span.clone(), f)),
        expect: (!shared.expect.is_empty()).then(|| {
            At::placed(
                span.clone(),
                shared.expect.iter().cloned().map(at).collect(),
            )
        }),
    }
}

fn is_optional(raw: &RawSource) -> bool {
    raw.optional.as_ref().is_some_and(|o| *o.get())
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
