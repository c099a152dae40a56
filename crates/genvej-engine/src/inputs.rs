//! Resolving a script's inputs: preset values, the selection, the clipboard,
//! and one form for everything that must be asked.

use std::collections::BTreeMap;

use minijinja::Value;

use super::{Run, Stop};
use crate::ports::{Desktop, Form, FormField};
use genvej_format::cpr::Cpr;
use genvej_format::input_value::InputValue;
use genvej_format::script::{Input, InputKind, InputSource};
use genvej_format::template::{TemplateUse, danish};

use super::outcome::RunError;

impl<D: Desktop + ?Sized> Run<'_, '_, D> {
    pub(super) fn resolve_inputs(&mut self, preset: &BTreeMap<String, String>) -> Result<(), Stop> {
        let script = self.script;
        if script.inputs.is_empty() {
            return Ok(()); // not even the clock is read (a system call)
        }
        let today = self.desktop.now().date();
        let mut ask: Vec<(&Input, Option<String>)> = Vec::new();
        for input in &script.inputs {
            if let Some(raw) = preset.get(&input.name) {
                let value = self.parse(input, raw)?;
                self.bind(input, value);
                continue;
            }
            let mut found = None;
            let mut prompt = false;
            for source in &input.sources {
                let text = match source {
                    InputSource::Selection => self
                        .desktop
                        .selected_text(std::time::Duration::from_millis(500))?,
                    InputSource::Clipboard => self.desktop.read_text()?,
                    InputSource::Prompt => {
                        prompt = true;
                        break;
                    }
                };
                if let Some(value) = text.and_then(|t| candidate(input, &t, today)) {
                    found = Some(value);
                    break;
                }
            }
            match found {
                Some(value) => self.bind(input, Some(value)),
                None if prompt => {
                    let default = self.default_of(input)?;
                    ask.push((input, default));
                }
                None => {
                    let value = match self.default_of(input)? {
                        Some(default) => self.parse(input, &default)?,
                        None if input.required => {
                            return Err(RunError::InputMissing {
                                label: input.label.clone(),
                            }
                            .into());
                        }
                        None => None,
                    };
                    self.bind(input, value);
                }
            }
        }
        if ask.is_empty() {
            return Ok(());
        }
        let form = Form {
            title: script.name.clone(),
            fields: ask
                .iter()
                .map(|(input, value)| FormField {
                    name: input.name.clone(),
                    label: input.label.clone(),
                    kind: input.kind,
                    value: value.clone(),
                    required: input.required,
                    choices: input.choices.clone(),
                    help: input.help.clone(),
                    pattern: input.pattern.as_ref().map(|p| p.as_str().to_string()),
                    bounds: input.bounds.clone(),
                })
                .collect(),
        };
        let answers = self.desktop.ask(&form)?;
        self.return_focus_after_dialog()?;
        let Some(answers) = answers else {
            return Err(Stop::Cancelled);
        };
        for (input, _) in ask {
            let raw = answers.get(&input.name).map_or("", String::as_str);
            let value = self.parse(input, raw)?;
            self.bind(input, value);
        }
        Ok(())
    }

    /// The dialog took the focus; give it back to the window the run started
    /// in, so the next step types where the caseworker was working.
    pub(super) fn return_focus_after_dialog(&mut self) -> Result<(), Stop> {
        if let Some(target) = self.target.clone() {
            self.focus(&target)?;
            self.settled = false;
            self.window_changed = true;
        }
        Ok(())
    }

    fn parse(&self, input: &Input, raw: &str) -> Result<Option<InputValue>, RunError> {
        let today = self.desktop.now().date();
        let value = input
            .parse_value(raw, today)
            .map_err(|reason| RunError::InputInvalid {
                label: input.label.clone(),
                reason,
            })?;
        if let Some(warning) = value.as_ref().and_then(Input::warning_for) {
            tracing::warn!(script = %self.script.id, input = %input.name, "{warning}");
        }
        Ok(value)
    }

    /// Binds a value; an empty optional input becomes empty text, so
    /// templates can test it with `{% if name %}` and never print "none".
    fn bind(&mut self, input: &Input, value: Option<InputValue>) {
        let value = value.map_or_else(|| Value::from(""), |v| v.to_template_value());
        self.vars.insert(input.name.clone(), value);
    }

    /// The input's rendered default; for dates, `today` means today.
    fn default_of(&self, input: &Input) -> Result<Option<String>, RunError> {
        let Some(template) = &input.default else {
            return Ok(None);
        };
        let text = self.render(template, TemplateUse::Text)?;
        if input.kind == InputKind::Date && text.trim() == "today" {
            return Ok(Some(danish::iso(self.desktop.now().date())));
        }
        Ok(Some(text))
    }
}

/// A value taken from the selection or clipboard, if it fits the input. A
/// CPR number may stand inside other text ("Borger: 070761-4285").
fn candidate(input: &Input, text: &str, today: chrono::NaiveDate) -> Option<InputValue> {
    match input.kind {
        InputKind::Cpr => Cpr::find_in(text).map(InputValue::Cpr),
        _ => input.parse_value(text, today).ok().flatten(),
    }
}
