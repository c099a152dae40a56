//! The economics, the time with genvej and the satisfaction pulse in
//! Danish words, shared by the text and the HTML report: every projection
//! names the period it comes from and its rule, every measured figure its
//! count, and a figure genvej does not have says so.

use super::economics::{Economics, PROJECTION_RULE, Payback, SHORT_PERIOD_DAYS};
use super::pulse::PulseFigures;
use super::report::{AfterUsed, DAYS_PER_MONTH, Report, decimal, duration};

/// A number the Danish way: `.` between thousands, `,` before decimals.
pub fn grouped(value: f64, places: usize) -> String {
    let text = format!("{:.places$}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
    // No minus for a value that rounds to zero.
    if value < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// Kroner: `3.501.680 kr.`, or `3,50 mio. kr.` from a million.
pub fn kroner(value: f64) -> String {
    if value.abs() >= 1_000_000.0 {
        format!("{} mio. kr.", grouped(value / 1_000_000.0, 2))
    } else {
        format!("{} kr.", grouped(value, 0))
    }
}

/// Hours: `13.468,0 t`.
pub fn hours(value: f64) -> String {
    format!("{} t", grouped(value, 1))
}

/// The time with genvej as the script table shows it.
pub fn after_text(after: &AfterUsed) -> String {
    match after.seconds {
        Some(seconds) => format!(
            "{} (målt, n={})",
            duration((seconds * 1000.0) as u64),
            after.measured_count
        ),
        None => format!("kun maskinens tid ({} målt)", after.measured_count),
    }
}

/// A pulse as a cell: `4,2 (n=12)`, `for få svar (n=3)` or `–`.
pub fn pulse_text(pulse: &PulseFigures) -> String {
    match (pulse.mean, pulse.withheld) {
        (Some(mean), _) => format!("{} (n={})", decimal(mean, 1), pulse.answers),
        (None, true) => format!("for få svar (n={})", pulse.answers),
        (None, false) => "–".into(),
    }
}

/// How «per person per month» is computed, with the period it comes from.
pub fn per_month_rule(report: &Report) -> String {
    format!(
        "«pr. md.» er omregnet: sparet tid i perioden ÷ {} dage × {} dage (en gennemsnitlig måned), ikke målt måned for måned.",
        report.days,
        decimal(DAYS_PER_MONTH, 1)
    )
}

/// The economics as rows of label and value, in order.
pub fn economics_rows(e: &Economics) -> Vec<(String, String)> {
    let mut rows = vec![
        (
            "Grundlag".to_string(),
            format!(
                "{} kr. pr. time; {} timer pr. årsværk",
                grouped(e.hourly_cost, 0),
                grouped(e.hours_per_fte, 0)
            ),
        ),
        (
            "Sparet i perioden".to_string(),
            format!(
                "{} = {} årsværk = {}",
                hours(e.saved_hours),
                grouped(e.saved_fte, 2),
                kroner(e.saved_kroner)
            ),
        ),
    ];
    if !e.costs.is_empty() {
        rows.push((
            "Udvikling og introduktion".to_string(),
            format!("{} = {}", hours(e.cost_hours), kroner(e.cost_kroner)),
        ));
        for cost in &e.costs {
            let what = match (cost.what.trim(), &cost.script) {
                ("", Some(script)) => script.clone(),
                ("", None) => "fælles".to_string(),
                (what, Some(script)) => format!("{what} ({script})"),
                (what, None) => what.to_string(),
            };
            rows.push((format!("  – {what}"), hours(cost.hours)));
        }
        rows.push((
            "Netto i perioden".to_string(),
            format!("{} = {}", hours(e.net_hours), kroner(e.net_kroner)),
        ));
    }
    if let Some(year) = &e.per_year {
        rows.push((
            "Fremskrevet pr. år".to_string(),
            format!(
                "{} = {} årsværk = {}",
                hours(year.hours),
                grouped(year.fte, 2),
                kroner(year.kroner)
            ),
        ));
    }
    rows.push(("Tilbagebetalt".to_string(), payback_text(e.payback)));
    rows
}

/// The payback date in words.
pub fn payback_text(payback: Payback) -> String {
    let day = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    match payback {
        Payback::NoCosts => {
            "ingen timer til udvikling og introduktion er registreret ([economics] costs)".into()
        }
        Payback::Reached(d) => format!(
            "{} (den dag den samlede sparede tid oversteg timerne til udvikling og introduktion)",
            day(d)
        ),
        Payback::Projected(d) => format!(
            "ikke endnu; ved periodens tempo omkring {} (fremskrevet, et skøn)",
            day(d)
        ),
        Payback::NotInSight => {
            "ikke endnu, og perioden gav ingen sparet tid at regne videre med".into()
        }
    }
}

/// What the economics rest on and leave out, one sentence each.
pub fn economics_notes(e: &Economics) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(year) = &e.per_year {
        let mut note = format!(
            "Fremskrivningen til et år bygger på {} dage ({} – {}): {PROJECTION_RULE}. Det er et skøn, ikke en måling.",
            year.days,
            year.first_day.format("%d.%m.%Y"),
            year.last_day.format("%d.%m.%Y"),
        );
        if year.short {
            note.push_str(&format!(
                " Perioden er kortere end {SHORT_PERIOD_DAYS} dage: tag tallet med stort forbehold."
            ));
        }
        notes.push(note);
    }
    if e.costs_left_out {
        notes.push(
            "Timerne til udvikling og introduktion trækkes kun fra i rapporten for alle teams."
                .into(),
        );
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_danish_way() {
        assert_eq!(grouped(3_501_680.0, 0), "3.501.680");
        assert_eq!(grouped(13_468.0, 1), "13.468,0");
        assert_eq!(grouped(999.95, 1), "1.000,0");
        assert_eq!(grouped(-1234.5, 1), "-1.234,5");
        assert_eq!(grouped(-0.01, 1), "0,0");
        assert_eq!(kroner(3_501_680.0), "3,50 mio. kr.");
        assert_eq!(kroner(2600.0), "2.600 kr.");
        assert_eq!(hours(10.0), "10,0 t");
    }
}
