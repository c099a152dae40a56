//! Turning what a caseworker typed (or selected) into a checked input value.
//! Used by the engine and by the form dialog, so both say the same thing.
//! Messages are in Danish: caseworkers read them next to the field.

use chrono::NaiveDate;
use minijinja::Value;

use crate::cpr::{Cpr, CprError};
use crate::script::{Bounds, DateBound, Input, InputKind};
use crate::template::{cpr_value, danish};

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
    pub fn parse_value(&self, raw: &str, today: NaiveDate) -> Result<Option<InputValue>, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() && self.kind != InputKind::Checkbox {
            return if self.required {
                Err("skal udfyldes".into())
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
                CprError::Format => {
                    "ugyldigt CPR-nummer: skriv 10 cifre som DDMMÅÅ-XXXX".to_string()
                }
                CprError::ImpossibleDate { .. } => "ugyldig dato i CPR-nummer".to_string(),
            })?),
            InputKind::Choice => match self.choices.iter().find(|c| c.as_str() == trimmed) {
                Some(c) => InputValue::Text(c.clone()),
                None => return Err(format!("vælg en af: {}", self.choices.join(", "))),
            },
            InputKind::Date => {
                let date = danish::parse_date(trimmed).ok_or("ugyldig dato: skriv dd-mm-åååå")?;
                self.check_date(date, today)?;
                InputValue::Date(date)
            }
            InputKind::Number => {
                let n: f64 = trimmed
                    .replace('.', "")
                    .replace(',', ".")
                    .parse::<f64>()
                    .ok()
                    // `inf`, `NaN` and `1e400` parse as f64, but are no amount.
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| "skal være et tal, fx 12 eller 12,5".to_string())?;
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

    fn check_text(&self, text: &str) -> Result<(), String> {
        if let Some(pattern) = &self.pattern {
            if !pattern.is_match(text) {
                return Err("har ikke det krævede format".into());
            }
        }
        if let Bounds::Length { min, max } = self.bounds {
            let len = text.chars().count();
            if min.is_some_and(|m| len < m) {
                return Err(format!("skal være mindst {} tegn", min.unwrap_or_default()));
            }
            if max.is_some_and(|m| len > m) {
                return Err(format!("må højst være {} tegn", max.unwrap_or_default()));
            }
        }
        Ok(())
    }

    fn check_date(&self, date: NaiveDate, today: NaiveDate) -> Result<(), String> {
        if let Bounds::Date { min, max } = self.bounds {
            let resolve = |b: DateBound| match b {
                DateBound::Today => today,
                DateBound::Fixed(d) => d,
            };
            if let Some(min) = min.map(resolve).filter(|m| date < *m) {
                return Err(format!("må tidligst være {}", danish::short(min)));
            }
            if let Some(max) = max.map(resolve).filter(|m| date > *m) {
                return Err(format!("må senest være {}", danish::short(max)));
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
) -> Result<(), String> {
    if let Some(min) = min.filter(|m| n < *m) {
        return Err(format!("skal være mindst {}", show(min)));
    }
    if let Some(max) = max.filter(|m| n > *m) {
        return Err(format!("må højst være {}", show(max)));
    }
    Ok(())
}

fn parse_checkbox(text: &str) -> Result<InputValue, String> {
    match text.to_lowercase().as_str() {
        "" | "false" | "nej" | "0" | "no" => Ok(InputValue::Checkbox(false)),
        "true" | "ja" | "1" | "yes" | "x" => Ok(InputValue::Checkbox(true)),
        _ => Err("skriv ja eller nej".into()),
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

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
    }

    #[test]
    fn cpr_messages_name_the_problem() {
        let i = input(InputKind::Cpr);
        assert_eq!(
            i.parse_value("310299-1234", today()),
            Err("ugyldig dato i CPR-nummer".into())
        );
        assert_eq!(
            i.parse_value("12345", today()),
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
        assert_eq!(
            i.parse_value("0", today()),
            Err("skal være mindst 1".into())
        );
        assert_eq!(
            i.parse_value("1.000", today()),
            Err("må højst være 500".into())
        );
        assert_eq!(
            i.parse_value("tolv", today()),
            Err("skal være et tal, fx 12 eller 12,5".into())
        );
        for not_an_amount in ["inf", "-inf", "NaN", "1e400"] {
            assert_eq!(
                i.parse_value(not_an_amount, today()),
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
            i.parse_value("22-11-2026", today()),
            Err("må tidligst være 23-11-2026".into())
        );
        assert_eq!(i.parse_value(" ", today()), Err("skal udfyldes".into()));
        i.required = false;
        assert_eq!(i.parse_value("", today()), Ok(None));
    }

    #[test]
    fn choices_and_patterns() {
        let mut i = input(InputKind::Choice);
        i.choices = vec!["Telefon".into(), "Fremmøde".into()];
        assert_eq!(
            i.parse_value("Video", today()),
            Err("vælg en af: Telefon, Fremmøde".into())
        );
        let mut t = input(InputKind::Text);
        t.pattern = Some(regex::Regex::new("^(?:[0-9]{4})$").expect("re"));
        assert_eq!(
            t.parse_value("12a4", today()),
            Err("har ikke det krævede format".into())
        );
    }
}
