//! Danish dates and numbers for templates: `23. november 2026`,
//! `23-11-2026`, `1.234,50`, and date arithmetic.
//!
//! Every function takes values straight from a template, so none may panic,
//! loop or allocate without bound: date arithmetic is checked (`None` when
//! the result is outside the calendar), and numbers refuse values and
//! decimals they cannot write exactly.

use chrono::{Datelike, Months, NaiveDate, TimeDelta, Weekday};

const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = [
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
];

/// Reads `2026-11-23` (how templates carry dates) or `23-11-2026`/`23.11.2026`
/// /`23/11/2026` (how people type them). The year has four digits: `7-12-26`
/// is no date (it would be the year 26).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    read_date(text).ok()
}

/// Why a text is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Written as a date, but with a year of fewer than four digits (`7-12-26`).
    ShortYear,
    NotADate,
}

/// [`parse_date`], saying why a text is not a date.
pub fn read_date(text: &str) -> Result<NaiveDate, DateProblem> {
    let text = text.trim();
    let digits = |part: &str, most: usize| {
        !part.is_empty() && part.len() <= most && part.bytes().all(|b| b.is_ascii_digit())
    };
    for separator in ['-', '.', '/'] {
        let parts: Vec<&str> = text.split(separator).collect();
        let [first, month, last] = parts[..] else {
            continue;
        };
        let (year, day) = if separator == '-' && first.len() == 4 {
            (first, last)
        } else {
            (last, first)
        };
        if !digits(day, 2) || !digits(month, 2) || !digits(year, 4) {
            return Err(DateProblem::NotADate);
        }
        if year.len() < 4 {
            return Err(DateProblem::ShortYear);
        }
        let number = |part: &str| part.parse::<u32>().ok();
        return match (number(year), number(month), number(day)) {
            (Some(y), Some(m), Some(d)) => {
                NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(DateProblem::NotADate)
            }
            _ => Err(DateProblem::NotADate),
        };
    }
    Err(DateProblem::NotADate)
}

/// Reads a time of day as people type it: `9:30`, `09:30` or `09.30`;
/// `None` outside 00:00–23:59. Shown as `09:30`.
pub fn parse_time(text: &str) -> Option<(u32, u32)> {
    let (hours, minutes) = text.trim().split_once([':', '.'])?;
    let digits = |part: &str, least: usize| {
        part.len() >= least && part.len() <= 2 && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, 1) || !digits(minutes, 2) {
        return None;
    }
    let (hours, minutes) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60).then_some((hours, minutes))
}

pub fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `23. november 2026`
pub fn long(date: NaiveDate) -> String {
    format!(
        "{}. {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// `23-11-2026`
pub fn short(date: NaiveDate) -> String {
    date.format("%d-%m-%Y").to_string()
}

/// `mandag`
pub fn weekday_name(date: NaiveDate) -> &'static str {
    WEEKDAYS[date.weekday().num_days_from_monday() as usize]
}

/// `None` when the result is outside the calendar chrono knows (about
/// ±262,000 years), also for day counts no `Duration` can hold.
pub fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(TimeDelta::try_days(days)?)
}

/// Whole weeks; `None` as [`add_days`].
pub fn add_weeks(date: NaiveDate, weeks: i64) -> Option<NaiveDate> {
    add_days(date, weeks.checked_mul(7)?)
}

/// Calendar months; the 31st becomes the month's last day when needed.
pub fn add_months(date: NaiveDate, months: i32) -> Option<NaiveDate> {
    let m = Months::new(months.unsigned_abs());
    if months >= 0 {
        date.checked_add_months(m)
    } else {
        date.checked_sub_months(m)
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first Monday–Friday strictly after `date`; `None` past the calendar's end.
pub fn next_weekday(date: NaiveDate) -> Option<NaiveDate> {
    add_weekdays(date, 1)
}

/// `date` itself when it is Monday–Friday, else the following Monday: for
/// deadlines that must not fall on a weekend. (Public holidays are not known.)
pub fn weekday_on_or_after(date: NaiveDate) -> Option<NaiveDate> {
    if is_weekend(date) {
        next_weekday(date)
    } else {
        Some(date)
    }
}

/// Adds Monday–Friday days, skipping weekends (computed, not stepped, so a
/// huge count costs nothing); `None` past the calendar's end.
pub fn add_weekdays(date: NaiveDate, days: u32) -> Option<NaiveDate> {
    if days == 0 {
        return Some(date);
    }
    // From a Saturday or Sunday, counting goes on as from the Friday before.
    let friday_back = match date.weekday() {
        Weekday::Sat => 1,
        Weekday::Sun => 2,
        _ => 0,
    };
    let from = add_days(date, -friday_back)?;
    let weekday = i64::from(from.weekday().num_days_from_monday());
    let (weeks, rest) = (i64::from(days / 5), i64::from(days % 5));
    let weekend = if weekday + rest > 4 { 2 } else { 0 };
    add_days(from, weeks * 7 + rest + weekend)
}

/// The most decimals [`number`] writes.
pub const MAX_DECIMALS: usize = 10;

/// The largest amount [`number`] writes: beyond it a `f64` no longer holds
/// every digit, so the text would show digits nobody wrote.
pub const MAX_NUMBER: f64 = 1e15;

/// Why a value cannot be written as a Danish number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("{decimals} decimals are too many; at most {MAX_DECIMALS}")]
    TooManyDecimals { decimals: usize },
    #[error("the value is not a finite number")]
    NotFinite,
    #[error("the value is too large to write exactly (at most 999.999.999.999.999)")]
    TooLarge,
}

/// `1234.5` with 2 decimals → `1.234,50`. Rounds half away from zero, to the
/// given number of decimals.
pub fn number(value: f64, decimals: usize) -> Result<String, NumberError> {
    if decimals > MAX_DECIMALS {
        return Err(NumberError::TooManyDecimals { decimals });
    }
    if !value.is_finite() {
        return Err(NumberError::NotFinite);
    }
    if value.abs() >= MAX_NUMBER {
        return Err(NumberError::TooLarge);
    }
    // `decimals` is at most 10 here, so the cast and the power are exact.
    let factor = 10f64.powi(decimals as i32);
    let rounded = (value.abs() * factor).round() / factor;
    let text = format!("{rounded:.decimals$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && rounded != 0.0 {
        "-"
    } else {
        ""
    };
    Ok(if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{fraction}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    #[test]
    fn formats_danish_dates() {
        assert_eq!(long(d(2026, 11, 23)), "23. november 2026");
        assert_eq!(long(d(2027, 5, 1)), "1. maj 2027");
        assert_eq!(short(d(2026, 11, 3)), "03-11-2026");
        assert_eq!(weekday_name(d(2026, 11, 23)), "mandag");
    }

    #[test]
    fn reads_iso_and_danish_typed_dates() {
        for text in ["2026-11-23", "23-11-2026", "23.11.2026", "23/11/2026"] {
            assert_eq!(parse_date(text), Some(d(2026, 11, 23)), "{text}");
        }
        assert_eq!(parse_date("31-02-2026"), None);
        assert_eq!(parse_date(" 7-1-2026 "), Some(d(2026, 1, 7)));
        assert_eq!(parse_date("1858-01-01"), Some(d(1858, 1, 1)));
    }

    #[test]
    fn a_year_must_have_four_digits() {
        for short in ["7-12-26", "07-12-026", "7.12.26", "07/12/26", "26-12-7"] {
            assert_eq!(read_date(short), Err(DateProblem::ShortYear), "{short}");
        }
        for not_a_date in [
            "i morgen",
            "+262142-12-31",
            "2026-11-23T10:00",
            "07-12-20266",
            "1-2-3-4",
            "",
            "-12-2026",
            "2026-11",
        ] {
            assert_eq!(
                read_date(not_a_date),
                Err(DateProblem::NotADate),
                "{not_a_date}"
            );
        }
    }

    #[test]
    fn reads_times_of_day() {
        for (text, time) in [
            ("09:30", (9, 30)),
            ("9:30", (9, 30)),
            ("09.30", (9, 30)),
            ("23:59", (23, 59)),
            (" 0:00 ", (0, 0)),
        ] {
            assert_eq!(parse_time(text), Some(time), "{text}");
        }
        for wrong in [
            "24:00", "12:60", "9:5", "930", "12:30:00", "-1:30", "+9:30", "12:3a", "", ":",
            "123:00",
        ] {
            assert_eq!(parse_time(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn date_arithmetic() {
        assert_eq!(add_days(d(2026, 11, 23), 14), Some(d(2026, 12, 7)));
        assert_eq!(add_days(d(2026, 12, 25), 14), Some(d(2027, 1, 8)));
        assert_eq!(add_months(d(2026, 1, 31), 1), Some(d(2026, 2, 28)));
        assert_eq!(add_months(d(2026, 3, 15), -3), Some(d(2025, 12, 15)));
        // Friday 27 Nov 2026 → Monday 30 Nov.
        assert_eq!(next_weekday(d(2026, 11, 27)), Some(d(2026, 11, 30)));
        assert_eq!(weekday_on_or_after(d(2026, 11, 28)), Some(d(2026, 11, 30)));
        assert_eq!(weekday_on_or_after(d(2026, 11, 26)), Some(d(2026, 11, 26)));
        assert_eq!(add_weekdays(d(2026, 11, 26), 3), Some(d(2026, 12, 1)));
        assert_eq!(add_weeks(d(2026, 11, 23), -2), Some(d(2026, 11, 9)));
    }

    /// Adding weekdays by arithmetic gives what stepping one weekday at a
    /// time gives, from every day of the week and across many weeks.
    #[test]
    fn weekday_arithmetic_matches_stepping_day_by_day() {
        let step = |date: NaiveDate| {
            let mut next = date.succ_opt().expect("in range");
            while is_weekend(next) {
                next = next.succ_opt().expect("in range");
            }
            next
        };
        for start in 0..14 {
            let from = d(2026, 11, 16 + start);
            let mut expected = from;
            for days in 0..40u32 {
                assert_eq!(add_weekdays(from, days), Some(expected), "{from} + {days}");
                expected = step(expected);
            }
        }
    }

    #[test]
    fn date_arithmetic_out_of_the_calendar_is_none_not_a_panic() {
        let today = d(2026, 11, 23);
        assert_eq!(add_days(today, 9_999_999_999_999), None);
        assert_eq!(add_days(today, i64::MAX), None);
        assert_eq!(add_days(today, i64::MIN), None);
        assert_eq!(add_weeks(today, i64::MAX / 2), None);
        assert_eq!(add_months(today, i32::MAX), None);
        assert_eq!(add_months(today, i32::MIN), None);
        assert_eq!(add_weekdays(today, u32::MAX), None);
        assert_eq!(next_weekday(NaiveDate::MAX), None);
        assert_eq!(add_weekdays(NaiveDate::MAX, 0), Some(NaiveDate::MAX));
    }

    #[test]
    fn formats_danish_numbers() {
        let n = |value: f64, decimals: usize| number(value, decimals).expect("writable");
        assert_eq!(n(1234.5, 2), "1.234,50");
        assert_eq!(n(1234567.0, 0), "1.234.567");
        assert_eq!(n(0.125, 2), "0,13");
        assert_eq!(n(-2.5, 0), "-3");
        assert_eq!(n(-0.001, 2), "0,00");
        assert_eq!(n(999.999, 2), "1.000,00");
        assert_eq!(n(999_999_999_999_999.0, 0), "999.999.999.999.999");
        assert_eq!(n(1.5, MAX_DECIMALS), "1,5000000000");
    }

    #[test]
    fn numbers_it_cannot_write_exactly_are_errors() {
        assert_eq!(
            number(1.0, 3_000_000_000),
            Err(NumberError::TooManyDecimals {
                decimals: 3_000_000_000
            })
        );
        assert_eq!(
            number(1.0, usize::MAX),
            Err(NumberError::TooManyDecimals {
                decimals: usize::MAX
            })
        );
        assert_eq!(number(f64::NAN, 2), Err(NumberError::NotFinite));
        assert_eq!(number(f64::INFINITY, 2), Err(NumberError::NotFinite));
        assert_eq!(number(f64::NEG_INFINITY, 0), Err(NumberError::NotFinite));
        assert_eq!(number(1e300, 2), Err(NumberError::TooLarge));
        assert_eq!(number(-1e15, 0), Err(NumberError::TooLarge));
    }
}
