//! Hours saved as the business case counts them: årsværk and kroner at the
//! configured rates (`[economics]`), minus the hours spent developing and
//! introducing the hot keys, the payback date, and a projection per year
//! that always says which period it comes from and how it was made. Pure
//! arithmetic; the renderers only format it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use genvej_format::config::EconomicsSettings;

/// Days a per-year projection scales to.
pub const DAYS_PER_YEAR: f64 = 365.0;
/// A period shorter than this is called short next to its projection.
pub const SHORT_PERIOD_DAYS: i64 = 28;

/// The projection rule, in the report's words.
pub const PROJECTION_RULE: &str = "sparet tid pr. kalenderdag i perioden × 365";

/// Hours spent on one script, or on a release or the whole library.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    pub script: Option<String>,
    pub what: String,
    pub hours: f64,
}

/// The time saved over one year, scaled from the report's period.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The period the figures come from.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub days: i64,
    pub hours: f64,
    pub fte: f64,
    pub kroner: f64,
    /// Shorter than [`SHORT_PERIOD_DAYS`]: the report says the projection
    /// is uncertain.
    pub short: bool,
}

/// When the time saved first exceeded the hours spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payback {
    /// No development or introduction hours are recorded.
    NoCosts,
    /// On this day (within the period) the time saved so far exceeded the
    /// hours spent.
    Reached(NaiveDate),
    /// Not yet; at the period's pace per day it would be this day.
    Projected(NaiveDate),
    /// Not yet, and nothing was saved in the period to project from.
    NotInSight,
}

/// The report's economics.
#[derive(Debug, Clone, PartialEq)]
pub struct Economics {
    pub hourly_cost: f64,
    pub hours_per_fte: f64,
    pub saved_hours: f64,
    pub saved_fte: f64,
    pub saved_kroner: f64,
    /// Every recorded cost (all count, whenever they were spent).
    pub costs: Vec<Cost>,
    pub cost_hours: f64,
    pub cost_kroner: f64,
    pub net_hours: f64,
    pub net_kroner: f64,
    /// `None` when the period has no days.
    pub per_year: Option<Projection>,
    pub payback: Payback,
    /// The costs were left out: a report for one team does not carry the
    /// whole library's development hours.
    pub costs_left_out: bool,
}

/// The costs of the config, as the report lists them.
pub fn costs_of(settings: &EconomicsSettings) -> Vec<Cost> {
    settings
        .costs
        .iter()
        .map(|c| Cost {
            script: c.script.clone().filter(|s| !s.trim().is_empty()),
            what: c.what.clone(),
            hours: c.hours,
        })
        .collect()
}

/// The economics of a period (`first_day`–`last_day`, `days` long) with
/// `daily` seconds saved per local day; costs are subtracted unless
/// `with_costs` is false.
pub fn compute(
    settings: &EconomicsSettings,
    daily: &BTreeMap<NaiveDate, f64>,
    period: Option<(NaiveDate, NaiveDate, i64)>,
    with_costs: bool,
) -> Economics {
    let saved_hours = daily.values().sum::<f64>() / 3600.0;
    let costs = if with_costs {
        costs_of(settings)
    } else {
        Vec::new()
    };
    let cost_hours: f64 = costs.iter().map(|c| c.hours).sum();
    let net_hours = saved_hours - cost_hours;
    let per_year = period
        .filter(|&(_, _, days)| days > 0)
        .map(|(first_day, last_day, days)| {
            let hours = saved_hours / days as f64 * DAYS_PER_YEAR;
            Projection {
                first_day,
                last_day,
                days,
                hours,
                fte: settings.fte(hours),
                kroner: settings.kroner(hours),
                short: days < SHORT_PERIOD_DAYS,
            }
        });
    let payback = payback(daily, cost_hours, period);
    Economics {
        hourly_cost: settings.hourly_cost,
        hours_per_fte: settings.hours_per_fte,
        saved_hours,
        saved_fte: settings.fte(saved_hours),
        saved_kroner: settings.kroner(saved_hours),
        costs,
        cost_hours,
        cost_kroner: settings.kroner(cost_hours),
        net_hours,
        net_kroner: settings.kroner(net_hours),
        per_year,
        payback,
        costs_left_out: !with_costs && !settings.costs.is_empty(),
    }
}

/// The first day the time saved so far exceeds `cost_hours`; else the day
/// it would at the period's average pace per calendar day.
fn payback(
    daily: &BTreeMap<NaiveDate, f64>,
    cost_hours: f64,
    period: Option<(NaiveDate, NaiveDate, i64)>,
) -> Payback {
    if cost_hours <= 0.0 {
        return Payback::NoCosts;
    }
    let mut so_far = 0.0;
    for (day, seconds) in daily {
        so_far += seconds / 3600.0;
        if so_far > cost_hours {
            return Payback::Reached(*day);
        }
    }
    let Some((_, last_day, days)) = period.filter(|&(_, _, days)| days > 0) else {
        return Payback::NotInSight;
    };
    let per_day = so_far / days as f64;
    if per_day <= 0.0 {
        return Payback::NotInSight;
    }
    // The first whole day after the period on which the total exceeds the
    // costs: so_far + n × per_day > cost_hours.
    let more = ((cost_hours - so_far) / per_day).floor() as i64 + 1;
    match last_day.checked_add_signed(chrono::Duration::days(more.min(365 * 100))) {
        Some(day) if more <= 365 * 100 => Payback::Projected(day),
        _ => Payback::NotInSight,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genvej_format::config::CostEntry;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("a day")
    }

    fn settings(costs: &[(f64, Option<&str>)]) -> EconomicsSettings {
        EconomicsSettings {
            costs: costs
                .iter()
                .map(|(hours, script)| CostEntry {
                    hours: *hours,
                    script: script.map(str::to_string),
                    what: "udvikling".into(),
                })
                .collect(),
            ..EconomicsSettings::default()
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn a_year_of_half_an_hour_a_week_for_518_caseworkers_is_7_fte_and_3_5_million() {
        // The business case: ½ hour per caseworker per week. 518
        // caseworkers × 26 hours over 364 days (52 weeks) = 13,468 hours.
        let mut daily = BTreeMap::new();
        let first = NaiveDate::from_ymd_opt(2026, 1, 5).expect("a Monday");
        for week in 0..52 {
            let monday = first + chrono::Duration::days(7 * week);
            daily.insert(monday, 518.0 * 0.5 * 3600.0);
        }
        let last = first + chrono::Duration::days(52 * 7 - 1);
        let e = compute(
            &EconomicsSettings::default(),
            &daily,
            Some((first, last, 364)),
            true,
        );
        assert!(close(e.saved_hours, 13_468.0));
        assert!(close(e.saved_fte, 7.0), "{}", e.saved_fte);
        assert!(close(e.saved_kroner, 3_501_680.0), "≈ 3.5 mio. kr.");
        let year = e.per_year.expect("projected");
        assert!(close(year.hours, 13_468.0 / 364.0 * 365.0));
        assert!(!year.short);
        assert_eq!(e.payback, Payback::NoCosts);
    }

    #[test]
    fn the_pilots_ten_hours_are_subtracted_and_the_payback_day_is_found() {
        // 15 people saving 1.2 hours a month each: 18 hours in November,
        // saved as 2 hours on each of nine days (the 2nd, 5th, … 26th).
        let mut daily = BTreeMap::new();
        for d in (2..=26).step_by(3) {
            daily.insert(day(d), 2.0 * 3600.0);
        }
        let e = compute(
            &settings(&[(6.0, None), (4.0, Some("forberedende-plan"))]),
            &daily,
            Some((day(1), day(30), 30)),
            true,
        );
        assert!(close(e.saved_hours, 18.0));
        assert!(close(e.cost_hours, 10.0));
        assert!(close(e.net_hours, 8.0));
        assert!(close(e.net_kroner, 8.0 * 260.0));
        assert!(close(e.cost_kroner, 2600.0));
        // 2 + 2 + 2 + 2 + 2 = 10 on the 14th is not more than 10; the 17th is.
        assert_eq!(e.payback, Payback::Reached(day(17)));
        let year = e.per_year.expect("projected");
        assert!(close(year.hours, 18.0 / 30.0 * 365.0));
        assert!(close(year.fte, 219.0 / 1924.0));
    }

    #[test]
    fn a_payback_not_yet_reached_is_projected_at_the_periods_pace() {
        // 3 hours saved in 10 days (0.3 h a day) against 10 hours spent:
        // 7 more hours take 23.33 days → the 24th day after the period.
        let mut daily = BTreeMap::new();
        daily.insert(day(3), 3.0 * 3600.0);
        let e = compute(
            &settings(&[(10.0, None)]),
            &daily,
            Some((day(1), day(10), 10)),
            true,
        );
        assert_eq!(
            e.payback,
            Payback::Projected(day(10) + chrono::Duration::days(24))
        );
        assert!(e.per_year.expect("projected").short, "10 days is short");

        let nothing = compute(
            &settings(&[(10.0, None)]),
            &BTreeMap::new(),
            Some((day(1), day(10), 10)),
            true,
        );
        assert_eq!(nothing.payback, Payback::NotInSight);
    }

    #[test]
    fn a_teams_report_leaves_the_librarys_costs_out_and_says_so() {
        let mut daily = BTreeMap::new();
        daily.insert(day(3), 3600.0);
        let e = compute(
            &settings(&[(10.0, None)]),
            &daily,
            Some((day(1), day(10), 10)),
            false,
        );
        assert!(e.costs.is_empty() && close(e.cost_hours, 0.0));
        assert!(e.costs_left_out);
        assert_eq!(e.payback, Payback::NoCosts);
    }
}
