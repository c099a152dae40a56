//! The report as a plain-text table (stdout) and as CSV for Excel; also the
//! comparison of versions (`--by-version`).

use std::fmt::Write;

use super::ledger::{after_text, economics_notes, economics_rows, per_month_rule, pulse_text};
use super::release::{VersionLabel, VersionReport};
use super::report::{Report, decimal, duration, hours};

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".into(), |r| format!("{} %", decimal(r * 100.0, 0)))
}

fn baseline_text(seconds: f64, measured: bool, count: usize) -> String {
    if measured {
        format!("{} (målt, n={count})", duration((seconds * 1000.0) as u64))
    } else {
        format!(
            "{} (skønnet; {count} målt)",
            duration((seconds * 1000.0) as u64)
        )
    }
}

fn period(report: &Report) -> String {
    match (report.first_day, report.last_day) {
        (Some(a), Some(b)) => format!(
            "{} – {} ({} dage)",
            a.format("%d.%m.%Y"),
            b.format("%d.%m.%Y"),
            report.days
        ),
        _ => "ingen kørsler".into(),
    }
}

/// What the report withheld, in words; empty when nothing was.
pub fn privacy_notes(report: &Report) -> Vec<String> {
    let mut notes = Vec::new();
    if report.suppressed_all {
        notes.push(withheld_note(report.min_team_size));
    }
    if report.suppressed_teams > 0 {
        notes.push(format!(
            "{} team med færre end {} personer vises ikke for sig (de tæller med i summerne).",
            report.suppressed_teams, report.min_team_size
        ));
    }
    notes
}

/// A table for the terminal.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Sparet tid med genvej");
    let _ = writeln!(out, "Periode: {}", period(report));
    if let Some(team) = &report.team_filter {
        let _ = writeln!(out, "Team: {team}");
    }
    let _ = writeln!(
        out,
        "{} kørsler, {} personer, {} arbejdspladser; sparet i alt {}",
        report.runs,
        report.people,
        report.workstations,
        hours(report.saved_seconds)
    );
    for note in privacy_notes(report) {
        let _ = writeln!(out, "Bemærk: {note}");
    }
    if report.suppressed_all {
        return out;
    }

    let _ = writeln!(out, "\nPr. genvej");
    let rows: Vec<[String; 9]> = report
        .scripts
        .iter()
        .map(|s| {
            [
                s.name.clone(),
                s.runs.to_string(),
                percent(s.success_rate),
                s.median_ms.map_or_else(|| "–".into(), duration),
                s.p90_ms.map_or_else(|| "–".into(), duration),
                baseline_text(
                    s.baseline.seconds,
                    s.baseline.measured,
                    s.baseline.measured_count,
                ),
                after_text(&s.after),
                hours(s.saved_seconds),
                pulse_text(&s.pulse),
            ]
        })
        .collect();
    let header = [
        "Genvej",
        "Kørsler",
        "Lykkedes",
        "Median",
        "90 %",
        "Manuel tid",
        "Med genvej",
        "Sparet",
        "Tilfredshed",
    ];
    table(&mut out, &header, &rows);
    let _ = writeln!(
        out,
        "«Med genvej» er hele opgaven målt med stopuret; «kun maskinens tid»: sparet tid regnes mod genvejens egen kørselstid, indtil der er {} målinger. Tilfredshed: gennemsnit 1–5 af svarene.",
        report.min_baselines
    );

    let _ = writeln!(out, "\nØkonomi");
    for (label, value) in economics_rows(&report.economics) {
        let _ = writeln!(out, "{label}: {value}");
    }
    for note in economics_notes(&report.economics) {
        let _ = writeln!(out, "{note}");
    }

    if !report.teams.is_empty() {
        let _ = writeln!(
            out,
            "\nPr. team (business case: 1–1,5 t pr. person pr. måned i piloten, ½ t pr. uge ved fuld udrulning)"
        );
        let rows: Vec<[String; 5]> = report
            .teams
            .iter()
            .map(|t| {
                [
                    t.team.clone(),
                    t.people.to_string(),
                    hours(t.saved_seconds),
                    format!("{} t", decimal(t.hours_per_person_month, 2)),
                    t.verdict.text().to_string(),
                ]
            })
            .collect();
        table(
            &mut out,
            &[
                "Team",
                "Personer",
                "Sparet",
                "Pr. person pr. md.",
                "Vurdering",
            ],
            &rows,
        );
        let _ = writeln!(out, "{}", per_month_rule(report));
    }

    if !report.pulse_teams.is_empty() || report.suppressed_pulse_teams > 0 {
        let _ = writeln!(out, "\nTilfredshed pr. team (1–5)");
        let rows: Vec<[String; 2]> = report
            .pulse_teams
            .iter()
            .map(|t| [t.team.clone(), pulse_text(&t.figures)])
            .collect();
        table(&mut out, &["Team", "Tilfredshed"], &rows);
        if report.suppressed_pulse_teams > 0 {
            let _ = writeln!(
                out,
                "{} team, hvor færre end {} personer svarede, vises ikke.",
                report.suppressed_pulse_teams, report.min_team_size
            );
        }
    }

    if !report.weeks.is_empty() {
        let _ = writeln!(out, "\nPr. uge");
        let rows: Vec<[String; 2]> = report
            .weeks
            .iter()
            .map(|(w, s)| [w.clone(), hours(*s)])
            .collect();
        table(&mut out, &["Uge", "Sparet"], &rows);
        let _ = writeln!(out, "\nPr. måned");
        let rows: Vec<[String; 2]> = report
            .months
            .iter()
            .map(|(m, s)| [m.clone(), hours(*s)])
            .collect();
        table(&mut out, &["Måned", "Sparet"], &rows);
    }

    if !report.failures.is_empty() {
        let _ = writeln!(out, "\nFejl pr. trin");
        let rows: Vec<[String; 3]> = report
            .failures
            .iter()
            .map(|f| {
                [
                    f.script.clone(),
                    step_text(f.step, &f.kind),
                    f.count.to_string(),
                ]
            })
            .collect();
        table(&mut out, &["Genvej", "Trin", "Fejl"], &rows);
    }
    out
}

/// `trin 2 (fetch)`, or `inden første trin` for input failures.
pub fn step_text(step: u32, kind: &str) -> String {
    match (step, kind.is_empty()) {
        (0, _) => "før første trin (input)".into(),
        (n, true) => format!("trin {n}"),
        (n, false) => format!("trin {n} ({kind})"),
    }
}

fn table<const N: usize>(out: &mut String, header: &[&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = width - cell.chars().count();
            if i == 0 {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            } else {
                text.push_str("  ");
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            }
        }
        text.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(header.to_vec()));
    let _ = writeln!(
        out,
        "{}",
        "-".repeat(widths.iter().sum::<usize>() + 2 * (N - 1))
    );
    for row in rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

/// CSV options for Excel: Danish Excel expects `;` and a decimal comma.
#[derive(Debug, Clone, Copy)]
pub struct CsvStyle {
    pub separator: char,
    pub decimal_comma: bool,
}

impl CsvStyle {
    /// A number with `places` decimals, with a decimal comma if asked for.
    fn number(&self, value: f64, places: usize) -> String {
        let mut text = format!("{value:.places$}");
        // -0.0 (an empty sum, a tiny loss) is written as 0.
        if text.starts_with('-') && text.chars().all(|c| matches!(c, '-' | '0' | '.')) {
            text.remove(0);
        }
        if self.decimal_comma {
            text.replace('.', ",")
        } else {
            text
        }
    }
}

/// A text cell: one Excel would read as a formula (it starts with `=`,
/// `+`, `-`, `@`, a tab or a CR, also full-width) gets an apostrophe in
/// front, so `=HYPERLINK(…)` in a script name stays text; a cell holding
/// the separator, a quote or a line break is quoted. Numbers the report
/// writes itself do not pass through here, so a negative number stays a
/// number.
pub fn csv_text(text: &str, separator: char) -> String {
    const FORMULA: [char; 11] = [
        '=', '+', '-', '@', '\t', '\r', '\n', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ];
    // Also after leading spaces, which some importers trim.
    let formula = text.starts_with(FORMULA) || text.trim_start().starts_with(FORMULA);
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([separator, '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One row per script, numbers unformatted (seconds and hours), so Excel
/// can sum them.
pub fn render_csv(report: &Report, style: CsvStyle) -> String {
    let number = |value: f64, places: usize| style.number(value, places);
    let field = |text: &str| csv_text(text, style.separator);
    let sep = style.separator.to_string();
    let mut out = String::new();
    let header = [
        "genvej",
        "navn",
        "korsler",
        "lykkedes",
        "fejlede",
        "annulleret",
        "afvist",
        "succesrate",
        "median_s",
        "p90_s",
        "manuel_s",
        "manuel_kilde",
        "manuel_maalinger",
        "sparet_timer",
        "med_genvej_s",
        "med_genvej_kilde",
        "med_genvej_maalinger",
        "sparet_kr",
        "udvikling_timer",
        "netto_kr",
        "aarsvaerk_pr_aar",
        "periode_dage",
        "tilfredshed_svar",
        "tilfredshed_gns",
    ];
    let _ = writeln!(out, "{}", header.join(&sep));
    if report.suppressed_all {
        return out;
    }
    let e = &report.economics;
    let per_year = |hours: f64| {
        e.per_year.as_ref().map_or_else(String::new, |y| {
            number(hours / y.days as f64 * 365.0 / e.hours_per_fte, 3)
        })
    };
    for s in &report.scripts {
        let saved = s.saved_seconds / 3600.0;
        let cells = [
            field(&s.id),
            field(&s.name),
            s.runs.to_string(),
            s.ok.to_string(),
            s.failed.to_string(),
            s.cancelled.to_string(),
            s.rejected.to_string(),
            s.success_rate.map_or_else(String::new, |r| number(r, 3)),
            s.median_ms
                .map_or_else(String::new, |m| number(m as f64 / 1000.0, 3)),
            s.p90_ms
                .map_or_else(String::new, |m| number(m as f64 / 1000.0, 3)),
            number(s.baseline.seconds, 1),
            if s.baseline.measured {
                "målt"
            } else {
                "skønnet"
            }
            .to_string(),
            s.baseline.measured_count.to_string(),
            number(saved, 3),
            s.after.seconds.map_or_else(String::new, |a| number(a, 1)),
            if s.after.seconds.is_some() {
                "målt"
            } else {
                "maskinens tid"
            }
            .to_string(),
            s.after.measured_count.to_string(),
            number(saved * e.hourly_cost, 0),
            number(s.cost_hours, 1),
            number((saved - s.cost_hours) * e.hourly_cost, 0),
            per_year(saved),
            report.days.to_string(),
            s.pulse.answers.to_string(),
            s.pulse.mean.map_or_else(String::new, |m| number(m, 2)),
        ];
        let _ = writeln!(out, "{}", cells.join(&sep));
    }
    // Hours spent on a release or the whole library: a row of their own,
    // so the column sums in Excel are the report's totals.
    let shared: f64 = e
        .costs
        .iter()
        .filter(|c| c.script.is_none())
        .map(|c| c.hours)
        .sum();
    let unran: f64 = e
        .costs
        .iter()
        .filter(|c| {
            c.script
                .as_ref()
                .is_some_and(|id| !report.scripts.iter().any(|s| s.id == *id))
        })
        .map(|c| c.hours)
        .sum();
    if shared + unran > 0.0 {
        let mut cells = vec![String::new(); header.len()];
        cells[1] = field("(fælles udvikling og introduktion)");
        for at in [2, 3, 4, 5, 6] {
            cells[at] = "0".into();
        }
        cells[13] = number(0.0, 3);
        cells[17] = number(0.0, 0);
        cells[18] = number(shared + unran, 1);
        cells[19] = number(-(shared + unran) * e.hourly_cost, 0);
        cells[21] = report.days.to_string();
        cells[22] = "0".into();
        let _ = writeln!(out, "{}", cells.join(&sep));
    }
    out
}

/// The note when the one team asked for is too small (see [`privacy_notes`]).
fn withheld_note(min_team_size: usize) -> String {
    format!(
        "Teamet har færre end {min_team_size} personer med kørsler i perioden: tallene vises ikke."
    )
}

fn day(day: chrono::NaiveDate) -> String {
    day.format("%d.%m.%Y").to_string()
}

/// `genvej report --by-version`: per script, a row per version, oldest
/// first.
pub fn render_versions(report: &VersionReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Genveje før og efter en ny version");
    let _ = match (report.first_day, report.last_day) {
        (Some(a), Some(b)) => writeln!(out, "Periode: {} – {}", self::day(a), self::day(b)),
        _ => writeln!(out, "Periode: ingen kørsler"),
    };
    if let Some(team) = &report.team_filter {
        let _ = writeln!(out, "Team: {team}");
    }
    if report.suppressed_all {
        let _ = writeln!(out, "Bemærk: {}", withheld_note(report.min_team_size));
        return out;
    }
    for script in &report.scripts {
        let _ = writeln!(
            out,
            "\n{} ({}; manuel tid {})",
            script.name,
            script.id,
            baseline_text(
                script.baseline.seconds,
                script.baseline.measured,
                script.baseline.measured_count
            )
        );
        let rows: Vec<[String; 7]> = script
            .versions
            .iter()
            .map(|v| {
                [
                    v.label.text(),
                    v.runs.to_string(),
                    percent(v.success_rate),
                    v.median_ms.map_or_else(|| "–".into(), duration),
                    hours(v.saved_seconds),
                    day(v.first_day),
                    day(v.last_day),
                ]
            })
            .collect();
        table(
            &mut out,
            &[
                "Version",
                "Kørsler",
                "Lykkedes",
                "Median",
                "Sparet",
                "Første dag",
                "Sidste dag",
            ],
            &rows,
        );
    }
    out
}

/// `genvej report --by-version --format csv`: one row per script and
/// version, numbers unformatted, days as YYYY-MM-DD.
pub fn render_versions_csv(report: &VersionReport, style: CsvStyle) -> String {
    let number = |value: f64, places: usize| style.number(value, places);
    let field = |text: &str| csv_text(text, style.separator);
    let sep = style.separator.to_string();
    let mut out = String::new();
    let header = [
        "genvej",
        "navn",
        "version",
        "kilde",
        "pakke_fra",
        "pakke_til",
        "korsler",
        "lykkedes",
        "succesrate",
        "median_s",
        "manuel_s",
        "sparet_timer",
        "forste_dag",
        "sidste_dag",
    ];
    let _ = writeln!(out, "{}", header.join(&sep));
    if report.suppressed_all {
        return out;
    }
    for script in &report.scripts {
        for v in &script.versions {
            let cells = [
                field(&script.id),
                field(&script.name),
                field(&match &v.label {
                    VersionLabel::Author(version) => version.clone(),
                    VersionLabel::Bundle(sequence) => sequence.to_string(),
                    VersionLabel::Content(hash) => hash.clone(),
                }),
                v.label.source().to_string(),
                v.bundles
                    .map_or_else(String::new, |(low, _)| low.to_string()),
                v.bundles
                    .map_or_else(String::new, |(_, high)| high.to_string()),
                v.runs.to_string(),
                v.ok.to_string(),
                v.success_rate.map_or_else(String::new, |r| number(r, 3)),
                v.median_ms
                    .map_or_else(String::new, |m| number(m as f64 / 1000.0, 3)),
                number(script.baseline.seconds, 1),
                number(v.saved_seconds / 3600.0, 3),
                v.first_day.format("%Y-%m-%d").to_string(),
                v.last_day.format("%Y-%m-%d").to_string(),
            ];
            let _ = writeln!(out, "{}", cells.join(&sep));
        }
    }
    out
}
