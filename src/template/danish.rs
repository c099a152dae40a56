//! Danish dates and numbers for templates: `23. november 2026`,
//! `23-11-2026`, `1.234,50`, and date arithmetic.

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};

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
/// (how people type them).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
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

pub fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(Duration::days(days))
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

/// The first Monday–Friday strictly after `date`.
pub fn next_weekday(date: NaiveDate) -> NaiveDate {
    let mut d = date.succ_opt().unwrap_or(date);
    while is_weekend(d) {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

/// `date` itself when it is Monday–Friday, else the following Monday: for
/// deadlines that must not fall on a weekend. (Public holidays are not known.)
pub fn weekday_on_or_after(date: NaiveDate) -> NaiveDate {
    if is_weekend(date) {
        next_weekday(date)
    } else {
        date
    }
}

/// Adds Monday–Friday days, skipping weekends.
pub fn add_weekdays(date: NaiveDate, days: u32) -> NaiveDate {
    (0..days).fold(date, |d, _| next_weekday(d))
}

/// `1234.5` with 2 decimals → `1.234,50`. Rounds half away from zero, to the
/// given number of decimals.
pub fn number(value: f64, decimals: usize) -> String {
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
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{fraction}")
    }
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
    }

    #[test]
    fn date_arithmetic() {
        assert_eq!(add_days(d(2026, 11, 23), 14), Some(d(2026, 12, 7)));
        assert_eq!(add_days(d(2026, 12, 25), 14), Some(d(2027, 1, 8)));
        assert_eq!(add_months(d(2026, 1, 31), 1), Some(d(2026, 2, 28)));
        assert_eq!(add_months(d(2026, 3, 15), -3), Some(d(2025, 12, 15)));
        // Friday 27 Nov 2026 → Monday 30 Nov.
        assert_eq!(next_weekday(d(2026, 11, 27)), d(2026, 11, 30));
        assert_eq!(weekday_on_or_after(d(2026, 11, 28)), d(2026, 11, 30));
        assert_eq!(weekday_on_or_after(d(2026, 11, 26)), d(2026, 11, 26));
        assert_eq!(add_weekdays(d(2026, 11, 26), 3), d(2026, 12, 1));
    }

    #[test]
    fn formats_danish_numbers() {
        assert_eq!(number(1234.5, 2), "1.234,50");
        assert_eq!(number(1234567.0, 0), "1.234.567");
        assert_eq!(number(0.125, 2), "0,13");
        assert_eq!(number(-2.5, 0), "-3");
        assert_eq!(number(-0.001, 2), "0,00");
        assert_eq!(number(999.999, 2), "1.000,00");
    }
}
