//! Danish working days for deadlines and follow-ups: Monday to Friday except
//! the public holidays (helligdage), grundlovsdag, juleaftensdag and
//! nytårsaftensdag — the days a jobcentre is closed and a deadline that ends
//! on one moves to the next working day.
//!
//! The Easter-based holidays are computed for any year (the Gregorian
//! computus), so there is no table to run out; store bededag counts up to and
//! including 2023, when it was abolished. Every function is bounded: a count
//! of working days is at most [`MAX_WORKDAYS`], and the calendar's end gives
//! `None`, never a panic.

use chrono::{Datelike, NaiveDate, Weekday};

use super::danish::add_days;

/// The most working days [`add_workdays`] counts (about 40 years): a
/// template asking for more is a mistake, and the count is stepped day by day.
pub const MAX_WORKDAYS: u32 = 10_000;

/// The last year store bededag was a holiday.
const LAST_STORE_BEDEDAG: i32 = 2023;

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous
/// Gregorian algorithm, as published by Meeus); `None` outside the calendar.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The Danish name of the day off `date` is, if it is one besides a
/// weekend: `Some("2. påskedag")`, `None` on an ordinary day.
pub fn day_off(date: NaiveDate) -> Option<&'static str> {
    let fixed = match (date.month(), date.day()) {
        (1, 1) => Some("nytårsdag"),
        (6, 5) => Some("grundlovsdag"),
        (12, 24) => Some("juleaftensdag"),
        (12, 25) => Some("juledag"),
        (12, 26) => Some("2. juledag"),
        (12, 31) => Some("nytårsaftensdag"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    // Every Easter-based holiday falls in March to June.
    if !(3..=6).contains(&date.month()) {
        return None;
    }
    let easter = easter_sunday(date.year())?;
    let from_easter = date.signed_duration_since(easter).num_days();
    match from_easter {
        -3 => Some("skærtorsdag"),
        -2 => Some("langfredag"),
        0 => Some("påskedag"),
        1 => Some("2. påskedag"),
        26 if date.year() <= LAST_STORE_BEDEDAG => Some("store bededag"),
        39 => Some("Kristi himmelfartsdag"),
        49 => Some("pinsedag"),
        50 => Some("2. pinsedag"),
        _ => None,
    }
}

/// Monday to Friday and not a day off.
pub fn is_workday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && day_off(date).is_none()
}

/// The date `days` working days after `date` (from a day off, counting
/// starts as from the working day before it, so one working day after a
/// Saturday is the Monday). `None` past the calendar's end or for more than
/// [`MAX_WORKDAYS`].
pub fn add_workdays(date: NaiveDate, days: u32) -> Option<NaiveDate> {
    if days > MAX_WORKDAYS {
        return None;
    }
    let mut at = date;
    let mut counted = 0;
    while counted < days {
        at = add_days(at, 1)?;
        if is_workday(at) {
            counted += 1;
        }
    }
    Some(at)
}

/// The first working day strictly after `date`.
pub fn next_workday(date: NaiveDate) -> Option<NaiveDate> {
    add_workdays(date, 1)
}

/// `date` itself when it is a working day, else the next one: where a
/// deadline that ends on a day off lands.
pub fn workday_on_or_after(date: NaiveDate) -> Option<NaiveDate> {
    if is_workday(date) {
        Some(date)
    } else {
        next_workday(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a test date")
    }

    #[test]
    fn easter_falls_on_the_published_sundays() {
        for (year, easter) in [
            (1943, "1943-04-25"),
            (2000, "2000-04-23"),
            (2008, "2008-03-23"),
            (2019, "2019-04-21"),
            (2023, "2023-04-09"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter_sunday(year), Some(date(easter)), "{year}");
        }
    }

    #[test]
    fn the_days_off_of_2026_are_named() {
        let named: Vec<(String, &str)> = (0..365)
            .filter_map(|n| add_days(date("2026-01-01"), n))
            .filter_map(|d| day_off(d).map(|name| (d.to_string(), name)))
            .collect();
        let expected = [
            ("2026-01-01", "nytårsdag"),
            ("2026-04-02", "skærtorsdag"),
            ("2026-04-03", "langfredag"),
            ("2026-04-05", "påskedag"),
            ("2026-04-06", "2. påskedag"),
            ("2026-05-14", "Kristi himmelfartsdag"),
            ("2026-05-24", "pinsedag"),
            ("2026-05-25", "2. pinsedag"),
            ("2026-06-05", "grundlovsdag"),
            ("2026-12-24", "juleaftensdag"),
            ("2026-12-25", "juledag"),
            ("2026-12-26", "2. juledag"),
            ("2026-12-31", "nytårsaftensdag"),
        ];
        let expected: Vec<(String, &str)> = expected
            .iter()
            .map(|&(d, name)| (d.to_string(), name))
            .collect();
        assert_eq!(named, expected);
    }

    #[test]
    fn store_bededag_is_a_day_off_up_to_2023_only() {
        assert_eq!(day_off(date("2023-05-05")), Some("store bededag"));
        assert!(!is_workday(date("2023-05-05")));
        assert_eq!(day_off(date("2024-04-26")), None);
        assert!(is_workday(date("2024-04-26")));
        assert_eq!(day_off(date("2022-05-13")), Some("store bededag"));
    }

    #[test]
    fn counting_working_days_skips_weekends_and_easter() {
        // Tuesday 31 March 2026; Easter week has Thursday, Friday and Monday off.
        assert_eq!(
            add_workdays(date("2026-03-31"), 1),
            Some(date("2026-04-01"))
        );
        assert_eq!(
            add_workdays(date("2026-03-31"), 2),
            Some(date("2026-04-07"))
        );
        assert_eq!(
            add_workdays(date("2026-03-31"), 3),
            Some(date("2026-04-08"))
        );
        assert_eq!(
            add_workdays(date("2026-03-31"), 0),
            Some(date("2026-03-31"))
        );
    }

    #[test]
    fn counting_across_christmas_and_new_year() {
        // Wednesday 23 December 2026: 24, 25, 26 (Sat), 27 (Sun), 31, 1 Jan off.
        assert_eq!(
            add_workdays(date("2026-12-23"), 1),
            Some(date("2026-12-28"))
        );
        assert_eq!(
            add_workdays(date("2026-12-23"), 4),
            Some(date("2027-01-04"))
        );
        assert_eq!(next_workday(date("2026-12-30")), Some(date("2027-01-04")));
    }

    #[test]
    fn a_deadline_on_a_day_off_moves_to_the_next_working_day() {
        assert_eq!(
            workday_on_or_after(date("2026-05-14")),
            Some(date("2026-05-15"))
        );
        assert_eq!(
            workday_on_or_after(date("2026-05-23")),
            Some(date("2026-05-26"))
        );
        assert_eq!(
            workday_on_or_after(date("2026-05-15")),
            Some(date("2026-05-15"))
        );
        assert_eq!(
            workday_on_or_after(date("2025-06-05")),
            Some(date("2025-06-06"))
        );
    }

    #[test]
    fn a_year_has_the_expected_number_of_working_days() {
        // 2026: 261 weekdays, 10 of the days off fall on Monday to Friday
        // (påskedag, pinsedag and 2. juledag are on weekends).
        let workdays = (0..365)
            .filter_map(|n| add_days(date("2026-01-01"), n))
            .filter(|&d| is_workday(d))
            .count();
        assert_eq!(workdays, 251);
        assert_eq!(
            add_workdays(date("2025-12-31"), 251),
            Some(date("2026-12-30"))
        );
    }

    #[test]
    fn the_ends_of_the_range_give_none_not_a_panic() {
        assert_eq!(add_workdays(date("2026-01-01"), MAX_WORKDAYS + 1), None);
        assert!(add_workdays(date("2026-01-01"), MAX_WORKDAYS).is_some());
        assert_eq!(next_workday(NaiveDate::MAX), None);
        assert_eq!(day_off(NaiveDate::MAX), Some("nytårsaftensdag"));
        assert!(easter_sunday(i32::MAX).is_none());
    }
}
