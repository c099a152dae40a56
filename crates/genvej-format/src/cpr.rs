//! The Danish personal identification number (CPR).
//!
//! A `Cpr` is sensitive personal data. Its `Display` and `Debug` show it masked
//! (`230187-XXXX`); the full number is reachable only through [`Cpr::expose`],
//! so it cannot slip into a log line or an error message by accident.
//!
//! Rules (cpr.dk, "Opbygning af CPR-nummeret"): `DDMMYY-SSSS`; the 7th digit and
//! `YY` give the century; the date must exist. A failed modulus-11 check is only
//! a warning, because numbers without a valid check digit have been issued since
//! 1 October 2007 and are fully valid.

mod detect;

use std::fmt;

pub use detect::{MAX_GAP, contains_cpr, redact};

use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

/// A syntactically valid CPR number with a real birth date.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cpr {
    digits: [u8; 10],
    birth_date: NaiveDate,
}

/// Why a text is not a CPR number. Messages are Danish-neutral English for the
/// checker and logs; they never repeat the rejected number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    #[error("a CPR number has 10 digits, written DDMMYY-SSSS or DDMMYYSSSS")]
    Format,
    #[error("the CPR number's date does not exist (day {day}, month {month}, year {year})")]
    ImpossibleDate { day: u32, month: u32, year: i32 },
}

impl Cpr {
    /// Parses `DDMMYY-SSSS`, `DDMMYY SSSS` or `DDMMYYSSSS`, with surrounding
    /// white space allowed.
    pub fn parse(text: &str) -> Result<Cpr, CprError> {
        let text = text.trim();
        let compact: String = match text.len() {
            10 => text.to_string(),
            11 if matches!(text.as_bytes()[6], b'-' | b' ') => {
                format!("{}{}", &text[..6], &text[7..])
            }
            _ => return Err(CprError::Format),
        };
        let mut digits = [0u8; 10];
        for (slot, byte) in digits.iter_mut().zip(compact.bytes()) {
            if !byte.is_ascii_digit() {
                return Err(CprError::Format);
            }
            *slot = byte - b'0';
        }
        let birth_date = birth_date_of(&digits)?;
        Ok(Cpr { digits, birth_date })
    }

    /// Finds the first CPR number inside a longer text, e.g. a selection such
    /// as "Borger: 230187-1234 (aktiv)". Digit runs longer than a CPR number
    /// are not split up.
    pub fn find_in(text: &str) -> Option<Cpr> {
        static CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:^|[^0-9])([0-9]{6}[- ]?[0-9]{4})(?:$|[^0-9])").expect("static regex")
        });
        CANDIDATE
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .find_map(|m| Cpr::parse(m.as_str()).ok())
    }

    /// The birth date encoded in the number.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// Whether the number passes the modulus-11 check. `false` is NOT an error.
    pub fn passes_modulus11(&self) -> bool {
        const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        let sum: u32 = self
            .digits
            .iter()
            .zip(WEIGHTS)
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        sum % 11 == 0
    }

    /// The full number, `DDMMYY-SSSS`. Call only where the number must really be
    /// used (typed into a case system, placed in a URL).
    pub fn expose(&self) -> String {
        let d = self.digit_string();
        format!("{}-{}", &d[..6], &d[6..])
    }

    /// The full number as 10 digits without a dash. See [`Cpr::expose`].
    pub fn expose_digits(&self) -> String {
        self.digit_string()
    }

    /// The birth-date part with the serial masked: `230187-XXXX`.
    pub fn masked(&self) -> String {
        format!("{}-XXXX", &self.digit_string()[..6])
    }

    fn digit_string(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

impl fmt::Display for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cpr({})", self.masked())
    }
}

fn birth_date_of(d: &[u8; 10]) -> Result<NaiveDate, CprError> {
    let two = |i: usize| u32::from(d[i]) * 10 + u32::from(d[i + 1]);
    let (day, month, yy) = (two(0), two(2), two(4) as i32);
    let year = yy + century(d[6], yy);
    NaiveDate::from_ymd_opt(year, month, day).ok_or(CprError::ImpossibleDate { day, month, year })
}

/// The century table from cpr.dk: the 7th digit together with YY.
fn century(seventh: u8, yy: i32) -> i32 {
    match seventh {
        0..=3 => 1900,
        4 | 9 if yy <= 36 => 2000,
        4 | 9 => 1900,
        _ if yy <= 57 => 2000,
        _ => 1800,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date")
    }

    #[test]
    fn accepts_dash_space_and_compact_forms() {
        for text in [
            "070761-4285",
            "0707614285",
            "070761 4285",
            "  070761-4285\n",
        ] {
            let cpr = Cpr::parse(text).expect(text);
            assert_eq!(cpr.expose(), "070761-4285");
            assert_eq!(cpr.expose_digits(), "0707614285");
        }
    }

    #[test]
    fn valid_modulus11_number_passes() {
        assert!(Cpr::parse("070761-4285").expect("valid").passes_modulus11());
    }

    #[test]
    fn number_without_modulus11_is_still_valid() {
        let cpr = Cpr::parse("010190-2001").expect("valid despite mod 11");
        assert!(!cpr.passes_modulus11());
        assert_eq!(cpr.birth_date(), date(1990, 1, 1));
    }

    #[test]
    fn century_rules_follow_the_seventh_digit() {
        let cases = [
            ("010150-0000", date(1950, 1, 1)), // 0-3 → 1900s
            ("010150-3000", date(1950, 1, 1)),
            ("010136-4000", date(2036, 1, 1)), // 4 and YY ≤ 36 → 2000s
            ("010137-4000", date(1937, 1, 1)), // 4 and YY > 36 → 1900s
            ("010136-9000", date(2036, 1, 1)), // 9 behaves like 4
            ("010137-9000", date(1937, 1, 1)),
            ("010157-5000", date(2057, 1, 1)), // 5-8 and YY ≤ 57 → 2000s
            ("010158-8000", date(1858, 1, 1)), // 5-8 and YY > 57 → 1800s
        ];
        for (text, expected) in cases {
            assert_eq!(
                Cpr::parse(text).expect(text).birth_date(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn impossible_dates_are_errors() {
        assert_eq!(
            Cpr::parse("310299-1234"),
            Err(CprError::ImpossibleDate {
                day: 31,
                month: 2,
                year: 1999
            })
        );
        assert!(Cpr::parse("290200-4000").is_ok(), "2000 was a leap year");
        assert!(Cpr::parse("290200-1000").is_err(), "1900 was not");
        assert!(Cpr::parse("001390-1234").is_err());
        assert!(Cpr::parse("320190-1234").is_err());
    }

    #[test]
    fn bad_formats_are_errors() {
        for text in [
            "",
            "12345",
            "070761-428",
            "070761-42855",
            "07076a-4285",
            "070761/4285",
            "0707614285x",
        ] {
            assert_eq!(Cpr::parse(text), Err(CprError::Format), "{text:?}");
        }
    }

    #[test]
    fn display_and_debug_are_masked() {
        let cpr = Cpr::parse("070761-4285").expect("valid");
        assert_eq!(cpr.to_string(), "070761-XXXX");
        assert_eq!(format!("{cpr:?}"), "Cpr(070761-XXXX)");
        assert!(!format!("{cpr:?}{cpr}").contains("4285"));
    }

    #[test]
    fn finds_a_number_inside_selected_text() {
        let found = Cpr::find_in("Borger: 070761 4285 (aktiv)").expect("found");
        assert_eq!(found.expose(), "070761-4285");
        assert!(
            Cpr::find_in("sag 1234567890123").is_none(),
            "long digit runs are not CPR numbers"
        );
        assert!(Cpr::find_in("dato 310299-1234").is_none());
    }

    #[test]
    fn redact_masks_every_cpr_shaped_number() {
        assert_eq!(
            redact("a 070761-4285 b 0707614285,010190 2001."),
            "a 070761-XXXX b 070761-XXXX,010190-XXXX."
        );
        assert_eq!(redact("ordre 9999999999"), "ordre 9999999999", "not a date");
    }
}
