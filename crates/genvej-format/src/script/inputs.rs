//! Checking `[[input]]` tables.

use regex::Regex;

use super::file_checker::FileChecker;
use super::model::{Bounds, DateBound, Input, InputKind, InputSource};
use super::raw::{At, RawInput};
use super::scope::{Scope, VarKind};
use crate::suggest::did_you_mean;
use crate::suggest::list;
use crate::template::{GLOBALS, danish};

impl FileChecker<'_> {
    pub(crate) fn input(&mut self, raw: &RawInput, scope: &mut Scope<'_>) -> Option<Input> {
        let mut ok = self.identifier(&raw.name, "input name");
        let name = raw.name.get().clone();
        if GLOBALS.contains(&name.as_str()) {
            self.error(
                raw.name.span(),
                format!("`{name}` is a built-in value and cannot be an input name"),
            )
            .help(format!("built-in values are {}", list(GLOBALS)));
            ok = false;
        } else if scope.is_defined(&name) {
            self.error(raw.name.span(), format!("input `{name}` is declared twice"));
            ok = false;
        }

        let kind_names: Vec<&str> = InputKind::ALL.iter().map(|(n, _)| *n).collect();
        let kind = match InputKind::ALL.iter().find(|(n, _)| *n == raw.kind.get()) {
            Some(&(_, kind)) => kind,
            None => {
                let help = did_you_mean(raw.kind.get(), kind_names.iter().copied())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                self.error(
                    raw.kind.span(),
                    format!("unknown input kind `{}`", raw.kind.get()),
                )
                .help(format!("{help}kinds are {}", list(&kind_names)));
                return None;
            }
        };
        scope.define(
            &name,
            if kind == InputKind::Cpr {
                VarKind::Cpr
            } else {
                VarKind::Value
            },
        );

        let sources = self.input_sources(raw, kind);
        ok &= sources.is_some();
        let pattern = self.input_pattern(raw, kind);
        ok &= raw.pattern.is_none() || pattern.is_some();
        let bounds = self.input_bounds(raw, kind);
        ok &= bounds.is_some();
        let choices = raw
            .choices
            .as_ref()
            .map(|c| c.get().clone())
            .unwrap_or_default();
        match (&raw.choices, kind) {
            (None, InputKind::Choice) => {
                self.error(raw.kind.span(), "a `choice` input needs `choices`")
                    .help("e.g. `choices = [\"Telefon\", \"Fremmøde\", \"Video\"]`");
                ok = false;
            }
            (Some(c), InputKind::Choice) if c.get().is_empty() => {
                self.error(c.span(), "`choices` is empty");
                ok = false;
            }
            (Some(c), k) if k != InputKind::Choice => {
                self.error(
                    c.span(),
                    format!(
                        "`choices` only applies to `choice` inputs, not `{}`",
                        k.name()
                    ),
                );
                ok = false;
            }
            _ => {}
        }
        let default = raw.default.as_ref().map(|d| {
            Scope::globals_only(self.config).check_template(self, d, "the default");
            self.template(d)
        });
        if let (Some(d), InputKind::Choice) = (&raw.default, kind) {
            if !d.get().contains("{{") && !choices.contains(d.get()) {
                self.error(
                    d.span(),
                    format!("the default `{}` is not one of the choices", d.get()),
                )
                .help(format!(
                    "choices are {}",
                    list(&choices.iter().map(String::as_str).collect::<Vec<_>>())
                ));
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        Some(Input {
            label: raw
                .label
                .as_ref()
                .map_or_else(|| name.clone(), |l| l.get().clone()),
            name,
            kind,
            sources: sources.unwrap_or_default(),
            required: kind != InputKind::Checkbox && raw.required.as_ref().is_none_or(|r| *r.get()),
            default,
            pattern,
            bounds: bounds.unwrap_or_default(),
            choices,
            help: raw.help.as_ref().map(|h| h.get().clone()),
        })
    }

    fn input_sources(&mut self, raw: &RawInput, kind: InputKind) -> Option<Vec<InputSource>> {
        let Some(from) = &raw.from else {
            return Some(vec![InputSource::Prompt]);
        };
        if from.get().is_empty() {
            self.error(from.span(), "`from` is empty")
                .help("e.g. `from = [\"selection\", \"prompt\"]`");
            return None;
        }
        let names: Vec<&str> = InputSource::ALL.iter().map(|(n, _)| *n).collect();
        let mut sources = Vec::new();
        for item in from.get() {
            match InputSource::ALL.iter().find(|(n, _)| *n == item.get()) {
                Some(&(_, source)) => {
                    if source != InputSource::Prompt
                        && matches!(kind, InputKind::Checkbox | InputKind::Choice)
                    {
                        self.error(
                            item.span(),
                            format!("a `{}` input can only come from `prompt`", kind.name()),
                        );
                        return None;
                    }
                    sources.push(source);
                }
                None => {
                    let help = did_you_mean(item.get(), names.iter().copied())
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    self.error(
                        item.span(),
                        format!("unknown input source `{}`", item.get()),
                    )
                    .help(format!("{help}sources are {}", list(&names)));
                    return None;
                }
            }
        }
        Some(sources)
    }

    fn input_pattern(&mut self, raw: &RawInput, kind: InputKind) -> Option<Regex> {
        let at = raw.pattern.as_ref()?;
        if !matches!(kind, InputKind::Text | InputKind::Multiline) {
            self.error(
                at.span(),
                format!(
                    "`pattern` only applies to `text` and `multiline` inputs, not `{}`",
                    kind.name()
                ),
            );
            return None;
        }
        match Regex::new(&format!("^(?:{})$", at.get())) {
            Ok(re) => Some(re),
            Err(e) => {
                let detail = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches("error: ")
                    .to_string();
                self.error(at.span(), format!("invalid regular expression: {detail}"))
                    .help(
                        "the whole value must match, e.g. `pattern = \"[0-9]{4}\"` for four digits",
                    );
                None
            }
        }
    }

    fn input_bounds(&mut self, raw: &RawInput, kind: InputKind) -> Option<Bounds> {
        if raw.min.is_none() && raw.max.is_none() {
            return Some(Bounds::None);
        }
        let mut ok = true;
        let bounds = match kind {
            InputKind::Number => {
                let mut num = |at: &Option<At<toml::Value>>, fc: &mut Self| -> Option<f64> {
                    let at = at.as_ref()?;
                    let v = match at.get() {
                        toml::Value::Integer(i) => Some(*i as f64),
                        toml::Value::Float(f) => Some(*f),
                        _ => None,
                    };
                    if v.is_none() {
                        fc.error(at.span(), "a number input's `min`/`max` must be a number");
                        ok = false;
                    }
                    v
                };
                let (min, max) = (num(&raw.min, self), num(&raw.max, self));
                Bounds::Number { min, max }
            }
            InputKind::Text | InputKind::Multiline => {
                let mut len = |at: &Option<At<toml::Value>>, fc: &mut Self| -> Option<usize> {
                    let at = at.as_ref()?;
                    match at.get() {
                        toml::Value::Integer(i) if *i >= 0 => Some(*i as usize),
                        _ => {
                            fc.error(
                                at.span(),
                                "a text input's `min`/`max` is a number of characters (0 or more)",
                            );
                            ok = false;
                            None
                        }
                    }
                };
                let (min, max) = (len(&raw.min, self), len(&raw.max, self));
                Bounds::Length { min, max }
            }
            InputKind::Date => {
                let mut date = |at: &Option<At<toml::Value>>, fc: &mut Self| -> Option<DateBound> {
                    let at = at.as_ref()?;
                    let parsed = match at.get() {
                        toml::Value::String(s) if s == "today" => Some(DateBound::Today),
                        toml::Value::String(s) => danish::parse_date(s).map(DateBound::Fixed),
                        _ => None,
                    };
                    if parsed.is_none() {
                        fc.error(at.span(), "a date input's `min`/`max` is `\"today\"` or a date such as `\"2026-01-01\"`");
                        ok = false;
                    }
                    parsed
                };
                let (min, max) = (date(&raw.min, self), date(&raw.max, self));
                Bounds::Date { min, max }
            }
            other => {
                let at = raw.min.as_ref().or(raw.max.as_ref()).map_or(0..0, At::span);
                self.error(
                    at,
                    format!("`min`/`max` do not apply to `{}` inputs", other.name()),
                );
                return None;
            }
        };
        ok.then_some(bounds)
    }
}
