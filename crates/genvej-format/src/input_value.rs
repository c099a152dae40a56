//! Turning what a caseworker typed (or selected) into a checked input value.
//! Used by the engine and by the form dialog, so both say the same thing.
//! Messages are in Danish: caseworkers read them next to the field; the
//! same in English ([`InputRejected::for_author`]) for `genvej exec --set`.

use chrono::{Datelike, NaiveDate};
use minijinja::Value;

use crate::cpr::{Cpr, CprError};
use crate::script::{Bounds, DateBound, Input, InputKind};
use crate::template::{cpr_value, danish};

/// Why a value does not fit its input; the text is what the caseworker sees
/// next to the field (and in the run's message).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputRejected {
    #[error("skal udfyldes")]
    Required,
    /// The text does not match the input's `pattern`; with the input's
    /// `help`, which says what is expected.
    #[error("har ikke det krævede format{}", .0.as_ref().map(|h| format!(": {h}")).unwrap_or_default())]
    Pattern(Option<String>),
    #[error("skal være mindst {0} tegn")]
    TooShort(usize),
    #[error("må højst være {0} tegn")]
    TooLong(usize),
    #[error("ugyldigt CPR-nummer: skriv 10 cifre som DDMMÅÅ-XXXX")]
    CprFormat,
    #[error("ugyldig dato i CPR-nummer")]
    CprDate,
    #[error("vælg en af: {}", .0.join(", "))]
    NotAChoice(Vec<String>),
    #[error("ugyldig dato: skriv dd-mm-åååå")]
    NotADate,
    /// A date with a two-digit year (`7-12-26`), which would be the year 26.
    #[error("skriv året med fire cifre: dd-mm-åååå, fx 07-12-2026")]
    ShortYear,
    #[error("året {0} er før 1900; skriv hele årstallet, fx 2026")]
    YearBefore1900(i32),
    #[error("ugyldigt klokkeslæt: skriv tt:mm, fx 09:30 (00:00–23:59)")]
    NotATime,
    #[error("må tidligst være {}", danish::short(*.0))]
    DateTooEarly(NaiveDate),
    #[error("må senest være {}", danish::short(*.0))]
    DateTooLate(NaiveDate),
    #[error("skal være et tal, fx 12 eller 12,5")]
    NotANumber,
    /// Below `min`, as the caseworker writes it (`12,5`).
    #[error("skal være mindst {0}")]
    BelowMin(String),
    #[error("må højst være {0}")]
    AboveMax(String),
    #[error("skriv ja eller nej")]
    NotYesOrNo,
}

/// The earliest year a date input accepts: an earlier year is a typing
/// mistake in a jobcentre (dates of birth come from the CPR number).
pub const EARLIEST_YEAR: i32 = 1900;

impl InputRejected {
    /// The same in English, for the script's author (`genvej exec --set`).
    pub fn for_author(&self) -> String {
        match self {
            InputRejected::Required => "a value is required".into(),
            InputRejected::Pattern(None) => "does not match the input's `pattern`".into(),
            InputRejected::Pattern(Some(help)) => {
                format!("does not match the input's `pattern` (its help says: {help})")
            }
            InputRejected::TooShort(n) => format!("must have at least {n} characters"),
            InputRejected::TooLong(n) => format!("may have at most {n} characters"),
            InputRejected::CprFormat => "not a CPR number: write 10 digits as DDMMYY-XXXX".into(),
            InputRejected::CprDate => "the CPR number's date does not exist".into(),
            InputRejected::NotAChoice(choices) => {
                format!("must be one of: {}", choices.join(", "))
            }
            InputRejected::NotADate => {
                "not a date: write YYYY-MM-DD or DD-MM-YYYY, e.g. 2026-12-07".into()
            }
            InputRejected::ShortYear => {
                "the year must have four digits: write YYYY-MM-DD or DD-MM-YYYY, e.g. 07-12-2026"
                    .into()
            }
            InputRejected::YearBefore1900(year) => {
                format!("the year {year} is before {EARLIEST_YEAR}; write the full year, e.g. 2026")
            }
            InputRejected::NotATime => {
                "not a time of day: write HH:MM (00:00–23:59), e.g. 09:30".into()
            }
            InputRejected::DateTooEarly(d) => format!("must be {} or later", danish::iso(*d)),
            InputRejected::DateTooLate(d) => format!("must be {} or earlier", danish::iso(*d)),
            InputRejected::NotANumber => "not a number: write e.g. 12 or 12,5".into(),
            InputRejected::BelowMin(n) => format!("must be at least {n}"),
            InputRejected::AboveMax(n) => format!("may be at most {n}"),
            InputRejected::NotYesOrNo => "write yes or no (ja/nej, true/false)".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum InputValue {
    Text(String),
    Cpr(Cpr),
    Date(NaiveDate),
    Number(f64),
    Checkbox(bool),
}

impl InputValue {
    pub fn to_template_value(&self) -> Value {
        match self {
            InputValue::Text(t) => Value::from(t.as_str()),
            InputValue::Cpr(c) => cpr_value(c.clone()),
            InputValue::Date(d) => Value::from(danish::iso(*d)),
            InputValue::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Value::from(*n as i64),
            InputValue::Number(n) => Value::from(*n),
            InputValue::Checkbox(b) => Value::from(*b),
        }
    }
}

impl Input {
    /// Checks a raw value. `None` for an empty optional field.
    pub fn parse_value(
        &self,
        raw: &str,
        today: NaiveDate,
    ) -> Result<Option<InputValue>, InputRejected> {
        let trimmed = raw.trim();
        if trimmed.is_empty() && self.kind != InputKind::Checkbox {
            return if self.required {
                Err(InputRejected::Required)
            } else {
                Ok(None)
            };
        }
        let value = match self.kind {
            InputKind::Text | InputKind::Multiline => {
                let text = if self.kind == InputKind::Text {
                    trimmed
                } else {
                    raw
                };
                self.check_text(text)?;
                InputValue::Text(text.to_string())
            }
            InputKind::Cpr => InputValue::Cpr(Cpr::parse(trimmed).map_err(|e| match e {
                CprError::Format => InputRejected::CprFormat,
                CprError::ImpossibleDate { .. } => InputRejected::CprDate,
            })?),
            InputKind::Choice => match self.choices.iter().find(|c| c.as_str() == trimmed) {
                Some(c) => InputValue::Text(c.clone()),
                None => return Err(InputRejected::NotAChoice(self.choices.clone())),
            },
            InputKind::Date => {
                let date = danish::read_date(trimmed).map_err(|problem| match problem {
                    danish::DateProblem::ShortYear => InputRejected::ShortYear,
                    danish::DateProblem::NotADate => InputRejected::NotADate,
                })?;
                if date.year() < EARLIEST_YEAR {
                    return Err(InputRejected::YearBefore1900(date.year()));
                }
                self.check_date(date, today)?;
                InputValue::Date(date)
            }
            InputKind::Time => {
                let (hours, minutes) =
                    danish::parse_time(trimmed).ok_or(InputRejected::NotATime)?;
                InputValue::Text(format!("{hours:02}:{minutes:02}"))
            }
            InputKind::Number => {
                let n: f64 = trimmed
                    .replace('.', "")
                    .replace(',', ".")
                    .parse::<f64>()
                    .ok()
                    // `inf`, `NaN` and `1e400` parse as f64, but are no amount.
                    .filter(|n| n.is_finite())
                    .ok_or(InputRejected::NotANumber)?;
                if let Bounds::Number { min, max } = self.bounds {
                    check_range(n, min, max, |v| {
                        danish::number(v, if v.fract() == 0.0 { 0 } else { 2 })
                            .unwrap_or_else(|_| v.to_string())
                    })?;
                }
                InputValue::Number(n)
            }
            InputKind::Checkbox => parse_checkbox(trimmed)?,
        };
        Ok(Some(value))
    }

    /// A soft warning the caseworker may accept (a CPR number without a valid
    /// modulus-11 check digit is still valid).
    pub fn warning_for(value: &InputValue) -> Option<&'static str> {
        match value {
            InputValue::Cpr(c) if !c.passes_modulus11() => Some(
                "CPR-nummeret består ikke modulus 11-kontrollen; det kan være gyldigt (tildelt efter 2007) – kontrollér det",
            ),
            _ => None,
        }
    }

    fn check_text(&self, text: &str) -> Result<(), InputRejected> {
        if let Some(pattern) = &self.pattern {
            if !pattern.is_match(text) {
                return Err(InputRejected::Pattern(self.help.clone()));
            }
        }
        if let Bounds::Length { min, max } = self.bounds {
            let len = text.chars().count();
            if let Some(min) = min.filter(|m| len < *m) {
                return Err(InputRejected::TooShort(min));
            }
            if let Some(max) = max.filter(|m| len > *m) {
                return Err(InputRejected::TooLong(max));
            }
        }
        Ok(())
    }

    fn check_date(&self, date: NaiveDate, today: NaiveDate) -> Result<(), InputRejected> {
        if let Bounds::Date { min, max } = self.bounds {
            let resolve = |b: DateBound| match b {
                DateBound::Today => today,
                DateBound::Fixed(d) => d,
            };
            if let Some(min) = min.map(resolve).filter(|m| date < *m) {
                return Err(InputRejected::DateTooEarly(min));
            }
            if let Some(max) = max.map(resolve).filter(|m| date > *m) {
                return Err(InputRejected::DateTooLate(max));
            }
        }
        Ok(())
    }
}

fn check_range(
    n: f64,
    min: Option<f64>,
    max: Option<f64>,
    show: impl Fn(f64) -> String,
) -> Result<(), InputRejected> {
    if let Some(min) = min.filter(|m| n < *m) {
        return Err(InputRejected::BelowMin(show(min)));
    }
    if let Some(max) = max.filter(|m| n > *m) {
        return Err(InputRejected::AboveMax(show(max)));
    }
    Ok(())
}

fn parse_checkbox(text: &str) -> Result<InputValue, InputRejected> {
    match text.to_lowercase().as_str() {
        "" | "false" | "nej" | "0" | "no" => Ok(InputValue::Checkbox(false)),
        "true" | "ja" | "1" | "yes" | "x" => Ok(InputValue::Checkbox(true)),
        _ => Err(InputRejected::NotYesOrNo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::{InputSource, Template};

    fn input(kind: InputKind) -> Input {
        Input {
            name: "x".into(),
            label: "X".into(),
            kind,
            sources: vec![InputSource::Prompt],
            required: true,
            default: None::<Template>,
            pattern: None,
            bounds: Bounds::None,
            choices: vec![],
            help: None,
        }
    }

    /// The message a value gets, as the caseworker reads it.
    fn said(input: &Input, raw: &str) -> Result<Option<InputValue>, String> {
        input.parse_value(raw, today()).map_err(|e| e.to_string())
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
    }

    #[test]
    fn cpr_messages_name_the_problem() {
        let i = input(InputKind::Cpr);
        assert_eq!(
            said(&i, "310299-1234"),
            Err("ugyldig dato i CPR-nummer".into())
        );
        assert_eq!(
            said(&i, "12345"),
            Err("ugyldigt CPR-nummer: skriv 10 cifre som DDMMÅÅ-XXXX".into())
        );
        let ok = i
            .parse_value("010190-2001", today())
            .expect("valid")
            .expect("some");
        assert!(
            Input::warning_for(&ok).is_some(),
            "mod-11 miss is a soft warning"
        );
    }

    #[test]
    fn numbers_accept_danish_decimal_comma_and_bounds() {
        let mut i = input(InputKind::Number);
        i.bounds = Bounds::Number {
            min: Some(1.0),
            max: Some(500.0),
        };
        assert_eq!(
            i.parse_value("12,5", today()),
            Ok(Some(InputValue::Number(12.5)))
        );
        assert_eq!(said(&i, "0"), Err("skal være mindst 1".into()));
        assert_eq!(said(&i, "1.000"), Err("må højst være 500".into()));
        assert_eq!(
            said(&i, "tolv"),
            Err("skal være et tal, fx 12 eller 12,5".into())
        );
        for not_an_amount in ["inf", "-inf", "NaN", "1e400"] {
            assert_eq!(
                said(&i, not_an_amount),
                Err("skal være et tal, fx 12 eller 12,5".into()),
                "{not_an_amount}"
            );
        }
    }

    #[test]
    fn dates_required_and_optional() {
        let mut i = input(InputKind::Date);
        i.bounds = Bounds::Date {
            min: Some(DateBound::Today),
            max: None,
        };
        assert_eq!(
            i.parse_value("24-11-2026", today()),
            Ok(Some(InputValue::Date(today().succ_opt().expect("d"))))
        );
        assert_eq!(
            said(&i, "22-11-2026"),
            Err("må tidligst være 23-11-2026".into())
        );
        assert_eq!(said(&i, " "), Err("skal udfyldes".into()));
        i.required = false;
        assert_eq!(i.parse_value("", today()), Ok(None));
    }

    #[test]
    fn choices_and_patterns() {
        let mut i = input(InputKind::Choice);
        i.choices = vec!["Telefon".into(), "Fremmøde".into()];
        assert_eq!(
            said(&i, "Video"),
            Err("vælg en af: Telefon, Fremmøde".into())
        );
        let mut t = input(InputKind::Text);
        t.pattern = Some(regex::Regex::new("^(?:[0-9]{4})$").expect("re"));
        assert_eq!(said(&t, "12a4"), Err("har ikke det krævede format".into()));
        t.help = Some("fire cifre, fx 1234".into());
        assert_eq!(
            said(&t, "12a4"),
            Err("har ikke det krævede format: fire cifre, fx 1234".into())
        );
        assert_eq!(
            t.parse_value("12a4", today()).map_err(|e| e.for_author()),
            Err("does not match the input's `pattern` (its help says: fire cifre, fx 1234)".into())
        );
    }

    #[test]
    fn a_date_needs_a_four_digit_year_from_1900_on() {
        let i = input(InputKind::Date);
        let rejected = |raw: &str| {
            let e = i.parse_value(raw, today()).expect_err(raw);
            (e.to_string(), e.for_author())
        };
        assert_eq!(
            rejected("7-12-26"),
            (
                "skriv året med fire cifre: dd-mm-åååå, fx 07-12-2026".into(),
                "the year must have four digits: write YYYY-MM-DD or DD-MM-YYYY, e.g. 07-12-2026"
                    .into()
            )
        );
        assert_eq!(
            rejected("07-12-0026"),
            (
                "året 26 er før 1900; skriv hele årstallet, fx 2026".into(),
                "the year 26 is before 1900; write the full year, e.g. 2026".into()
            )
        );
        assert_eq!(
            rejected("31-12-1899").0,
            "året 1899 er før 1900; skriv hele årstallet, fx 2026"
        );
        assert_eq!(
            i.parse_value("1-1-1900", today()),
            Ok(Some(InputValue::Date(
                NaiveDate::from_ymd_opt(1900, 1, 1).expect("d")
            )))
        );
    }

    #[test]
    fn times_of_day_are_hh_mm() {
        let i = input(InputKind::Time);
        for (raw, value) in [
            ("9:30", "09:30"),
            ("09.05", "09:05"),
            ("23:59", "23:59"),
            ("00:00", "00:00"),
        ] {
            assert_eq!(
                i.parse_value(raw, today()),
                Ok(Some(InputValue::Text(value.into()))),
                "{raw}"
            );
        }
        for wrong in ["24:00", "9", "9:5", "kl. 9", "12:30:00"] {
            assert_eq!(
                said(&i, wrong),
                Err("ugyldigt klokkeslæt: skriv tt:mm, fx 09:30 (00:00–23:59)".into()),
                "{wrong}"
            );
        }
        assert_eq!(
            i.parse_value("25:00", today()).map_err(|e| e.for_author()),
            Err("not a time of day: write HH:MM (00:00–23:59), e.g. 09:30".into())
        );
    }
}
