//! What a form dialog holds and decides, without any drawing: the text in
//! each field, which messages to show next to which field, and whether the
//! form may be submitted. The egui view only renders this and forwards keys,
//! so the behaviour is tested here without a display.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use genvej_engine::ports::{Form, FormField};
use genvej_format::input_value::{InputRejected, InputValue};
use genvej_format::script::{Input, InputKind, InputSource};
use genvej_format::template::danish;

/// One field of the dialog: its definition, what is typed in it, and the
/// checks the engine will make on it.
pub struct FieldState {
    pub field: FormField,
    pub text: String,
    /// A checkbox's state (its `text` is unused).
    pub checked: bool,
    rules: Input,
    /// Set once the caseworker has left the field or tried to submit: only
    /// then is an error shown, not while the first digits are being typed.
    pub touched: bool,
}

/// What to show under a field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldNote {
    /// The value cannot be used; the form will not submit.
    Error(String),
    /// The value can be used, but the caseworker should look again (a CPR
    /// number that fails modulus 11). Accepted by submitting once more.
    Warning(String),
    /// A helpful reading of a valid value, e.g. a date's weekday.
    Hint(String),
}

/// A key that moves through the form or steps a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavKey {
    /// Tab.
    Next,
    /// Shift+Tab.
    Previous,
    Up,
    Down,
}

/// The result of pressing Enter/OK.
#[derive(Debug, Clone, PartialEq)]
pub enum Submit {
    /// The values, as text the engine parses with the same rules.
    Answers(BTreeMap<String, String>),
    /// Not yet: the first field (index) with an error or an unaccepted warning.
    Blocked { first: usize },
}

pub struct FormState {
    pub title: String,
    pub fields: Vec<FieldState>,
    today: NaiveDate,
    /// Warnings shown at the last submit; submitting again with the same
    /// warnings accepts them.
    warned: Vec<(usize, String)>,
}

impl FormState {
    pub fn new(form: Form, today: NaiveDate) -> FormState {
        let fields = form
            .fields
            .into_iter()
            .map(|field| {
                let text = field.value.clone().unwrap_or_default();
                let checked = matches!(
                    text.trim().to_lowercase().as_str(),
                    "true" | "ja" | "1" | "yes" | "x"
                );
                FieldState {
                    rules: rules_of(&field),
                    text: match field.kind {
                        InputKind::Date => pretty_date(&text),
                        _ => text,
                    },
                    checked,
                    field,
                    touched: false,
                }
            })
            .collect();
        FormState {
            title: form.title,
            fields,
            today,
            warned: Vec::new(),
        }
    }

    /// The note to show under field `index` right now.
    pub fn note(&self, index: usize) -> Option<FieldNote> {
        let state = &self.fields[index];
        match self.check(index) {
            Err(rejected) if state.touched => Some(FieldNote::Error(rejected.to_string())),
            Err(_) => None,
            Ok(Some(value)) => match Input::warning_for(&value) {
                Some(warning) => Some(FieldNote::Warning(warning.to_string())),
                None => hint_for(&value).map(FieldNote::Hint),
            },
            Ok(None) => None,
        }
    }

    /// Enter or OK: every field is checked and shown; warnings are accepted
    /// by submitting again without changing them.
    pub fn submit(&mut self) -> Submit {
        for state in &mut self.fields {
            state.touched = true;
        }
        let mut warnings = Vec::new();
        for index in 0..self.fields.len() {
            match self.check(index) {
                Err(_) => return Submit::Blocked { first: index },
                Ok(Some(value)) => {
                    if let Some(w) = Input::warning_for(&value) {
                        warnings.push((index, w.to_string()));
                    }
                }
                Ok(None) => {}
            }
        }
        if !warnings.is_empty() && warnings != self.warned {
            let first = warnings[0].0;
            self.warned = warnings;
            return Submit::Blocked { first };
        }
        Submit::Answers(
            self.fields
                .iter()
                .map(|s| (s.field.name.clone(), s.answer()))
                .collect(),
        )
    }

    /// Whether the caseworker has been warned and may submit again to accept.
    pub fn awaiting_acceptance(&self, index: usize) -> bool {
        self.warned.iter().any(|(i, _)| *i == index)
    }

    /// Applies a batch of keys in the order they were pressed, following
    /// Tab/Shift+Tab from field `focused` (each field is one Tab stop): Up
    /// and Down step the date or choice that has the focus at that moment.
    /// Returns, per key, whether it was used here (the view then hides it
    /// from egui, which would otherwise move the focus with it). Keys can
    /// arrive several to a frame, so the order matters, not the frames.
    pub fn apply_keys(&mut self, focused: Option<usize>, keys: &[NavKey]) -> Vec<bool> {
        let mut at = focused;
        keys.iter()
            .map(|key| match key {
                NavKey::Next => {
                    at = Some(at.map_or(0, |i| i + 1));
                    false
                }
                NavKey::Previous => {
                    at = at.and_then(|i| i.checked_sub(1));
                    false
                }
                NavKey::Up | NavKey::Down => {
                    let by = if *key == NavKey::Up { 1 } else { -1 };
                    match at.and_then(|i| self.fields.get(i).map(|f| (i, f.field.kind))) {
                        Some((i, InputKind::Date)) => {
                            self.step_date(i, by);
                            true
                        }
                        Some((i, InputKind::Choice)) => {
                            self.step_choice(i, -by as isize);
                            true
                        }
                        _ => false,
                    }
                }
            })
            .collect()
    }

    /// Moves a date field by `days` (arrow keys); an empty field starts at today.
    pub fn step_date(&mut self, index: usize, days: i64) {
        let today = self.today;
        let state = &mut self.fields[index];
        let current = danish::parse_date(state.text.trim()).unwrap_or(today);
        let start = if state.text.trim().is_empty() {
            today
        } else {
            current
        };
        let moved = if state.text.trim().is_empty() {
            Some(start)
        } else {
            danish::add_days(start, days)
        };
        if let Some(date) = moved {
            state.text = danish::short(date);
        }
    }

    /// Moves a choice field to the next/previous choice (arrow keys).
    pub fn step_choice(&mut self, index: usize, by: isize) {
        let state = &mut self.fields[index];
        let choices = &state.field.choices;
        if choices.is_empty() {
            return;
        }
        let position = choices.iter().position(|c| *c == state.text.trim());
        let next = match position {
            None if by >= 0 => 0,
            None => choices.len() - 1,
            Some(p) => (p as isize + by).rem_euclid(choices.len() as isize) as usize,
        };
        state.text = choices[next].clone();
    }

    fn check(&self, index: usize) -> Result<Option<InputValue>, InputRejected> {
        let state = &self.fields[index];
        state.rules.parse_value(&state.answer(), self.today)
    }
}

impl FieldState {
    /// The field's value as the engine will read it.
    pub fn answer(&self) -> String {
        match self.field.kind {
            InputKind::Checkbox if self.checked => "ja".into(),
            InputKind::Checkbox => "nej".into(),
            _ => self.text.clone(),
        }
    }
}

/// The engine's checks for a field, rebuilt on this side of the pipe.
fn rules_of(field: &FormField) -> Input {
    Input {
        name: field.name.clone(),
        label: field.label.clone(),
        kind: field.kind,
        sources: vec![InputSource::Prompt],
        required: field.required,
        default: None,
        // The pattern compiled when the script was checked; it cannot fail here.
        pattern: field
            .pattern
            .as_deref()
            .and_then(|p| regex::Regex::new(p).ok()),
        bounds: field.bounds.clone(),
        choices: field.choices.clone(),
        help: field.help.clone(),
    }
}

/// A default date arrives as ISO (`2026-11-23`); the field shows it the
/// Danish way.
fn pretty_date(text: &str) -> String {
    danish::parse_date(text.trim()).map_or_else(|| text.to_string(), danish::short)
}

fn hint_for(value: &InputValue) -> Option<String> {
    match value {
        InputValue::Date(d) => Some(format!("{} {}", danish::weekday_name(*d), danish::long(*d))),
        InputValue::Cpr(c) => Some(crate::texts::born(&danish::long(c.birth_date()))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genvej_format::script::Bounds;

    fn field(name: &str, kind: InputKind) -> FormField {
        FormField {
            name: name.into(),
            label: name.to_uppercase(),
            kind,
            value: None,
            required: true,
            choices: vec![],
            help: None,
            pattern: None,
            bounds: Bounds::None,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
    }

    fn form(fields: Vec<FormField>) -> FormState {
        FormState::new(
            Form {
                title: "Test".into(),
                fields,
            },
            today(),
        )
    }

    #[test]
    fn an_impossible_cpr_date_blocks_submit_with_the_engines_message() {
        let mut f = form(vec![field("cpr", InputKind::Cpr)]);
        f.fields[0].text = "310299-1234".into();
        assert_eq!(f.note(0), None, "no error before the field is left");
        assert_eq!(f.submit(), Submit::Blocked { first: 0 });
        assert_eq!(
            f.note(0),
            Some(FieldNote::Error("ugyldig dato i CPR-nummer".into()))
        );
    }

    #[test]
    fn a_two_digit_year_a_bad_time_and_a_pattern_miss_say_what_is_expected() {
        let mut sagsnr = field("sagsnr", InputKind::Text);
        sagsnr.pattern = Some("^[0-9]{4}$".into());
        sagsnr.help = Some("sagsnummeret har fire cifre".into());
        let mut f = form(vec![
            field("dato", InputKind::Date),
            field("kl", InputKind::Time),
            sagsnr,
        ]);
        f.fields[0].text = "7-12-26".into();
        f.fields[1].text = "25:00".into();
        f.fields[2].text = "12a4".into();
        assert_eq!(f.submit(), Submit::Blocked { first: 0 });
        let errors: Vec<_> = (0..3).map(|i| f.note(i)).collect();
        assert_eq!(
            errors,
            [
                Some(FieldNote::Error(
                    "skriv året med fire cifre: dd-mm-åååå, fx 07-12-2026".into()
                )),
                Some(FieldNote::Error(
                    "ugyldigt klokkeslæt: skriv tt:mm, fx 09:30 (00:00–23:59)".into()
                )),
                Some(FieldNote::Error(
                    "har ikke det krævede format: sagsnummeret har fire cifre".into()
                )),
            ]
        );
        f.fields[0].text = "07-12-2026".into();
        f.fields[1].text = "9.30".into();
        f.fields[2].text = "1234".into();
        let Submit::Answers(answers) = f.submit() else {
            panic!("valid now");
        };
        assert_eq!(answers["kl"], "9.30", "the engine reads it as 09:30");
    }

    #[test]
    fn a_modulus_11_miss_is_accepted_by_submitting_twice() {
        let mut f = form(vec![field("cpr", InputKind::Cpr)]);
        f.fields[0].text = "010190-2001".into();
        assert!(matches!(f.note(0), Some(FieldNote::Warning(_))));
        assert_eq!(f.submit(), Submit::Blocked { first: 0 });
        assert!(f.awaiting_acceptance(0));
        let Submit::Answers(answers) = f.submit() else {
            panic!("second submit accepts the warning");
        };
        assert_eq!(answers["cpr"], "010190-2001");
    }

    #[test]
    fn a_valid_form_answers_every_field_as_text() {
        let mut yes = field("samtykke", InputKind::Checkbox);
        yes.value = Some("ja".into());
        let mut when = field("dato", InputKind::Date);
        when.value = Some("2026-11-30".into());
        let mut f = form(vec![field("cpr", InputKind::Cpr), when, yes]);
        assert_eq!(f.fields[1].text, "30-11-2026", "ISO default shown Danish");
        f.fields[0].text = "070761-4285".into();
        let Submit::Answers(answers) = f.submit() else {
            panic!("valid form submits");
        };
        assert_eq!(answers["cpr"], "070761-4285");
        assert_eq!(answers["dato"], "30-11-2026");
        assert_eq!(answers["samtykke"], "ja");
        assert_eq!(
            f.note(1),
            Some(FieldNote::Hint("mandag 30. november 2026".into()))
        );
    }

    #[test]
    fn arrow_keys_step_dates_and_choices() {
        let mut choice = field("ydelse", InputKind::Choice);
        choice.choices = vec!["Kontanthjælp".into(), "Sygedagpenge".into()];
        let mut f = form(vec![field("dato", InputKind::Date), choice]);
        f.step_date(0, 1);
        assert_eq!(f.fields[0].text, "23-11-2026", "empty starts at today");
        f.step_date(0, 1);
        assert_eq!(f.fields[0].text, "24-11-2026");
        f.step_choice(1, -1);
        assert_eq!(f.fields[1].text, "Sygedagpenge");
        f.step_choice(1, 1);
        assert_eq!(f.fields[1].text, "Kontanthjælp");
    }

    #[test]
    fn keys_in_one_batch_follow_the_focus_in_order() {
        let mut choice = field("ydelse", InputKind::Choice);
        choice.choices = vec!["A".into(), "B".into(), "C".into()];
        let mut f = form(vec![
            field("cpr", InputKind::Cpr),
            choice,
            field("dato", InputKind::Date),
        ]);
        use NavKey::*;
        let used = f.apply_keys(Some(0), &[Down, Next, Down, Down, Next, Up, Previous, Up]);
        assert_eq!(used, [false, false, true, true, false, true, false, true]);
        assert_eq!(
            f.fields[1].text, "A",
            "B after two Downs, then back up to A"
        );
        assert_eq!(
            f.fields[2].text, "23-11-2026",
            "an empty date starts at today"
        );
    }

    #[test]
    fn an_empty_required_field_is_named_at_submit() {
        let mut f = form(vec![
            field("a", InputKind::Text),
            field("b", InputKind::Text),
        ]);
        f.fields[0].text = "x".into();
        assert_eq!(f.submit(), Submit::Blocked { first: 1 });
        assert_eq!(f.note(1), Some(FieldNote::Error("skal udfyldes".into())));
    }
}
