//! The report as one self-contained HTML file: inline CSS and SVG charts,
//! no network, no script. Opens in any browser and prints well.

use std::fmt::Write;

use super::chart::{self, BLUE, Bar, RED, escape};
use super::ledger::{
    after_text, economics_notes, economics_rows, kroner, per_month_rule, pulse_text,
};
use super::release::VersionReport;
use super::report::{Report, decimal, duration, hours};
use super::text::{privacy_notes, step_text};

const STYLE: &str = "
body{font-family:'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
main{max-width:860px;margin:0 auto;padding:28px 32px 48px;background:#fff;min-height:100vh}
h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:34px 0 10px;border-bottom:2px solid #e3e7eb;padding-bottom:6px}
.sub{color:#5b6875;margin:0 0 18px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{flex:1 1 150px;background:#eef3f9;border-radius:8px;padding:12px 14px}
.card b{display:block;font-size:24px;color:#1f5fa8}.card span{font-size:13px;color:#5b6875}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:6px 8px;border-bottom:1px solid #e3e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f6f8;font-weight:600}
.note{background:#fff6dd;border-left:4px solid #e0a800;padding:8px 12px;margin:12px 0;font-size:14px}
svg{max-width:100%;height:auto}svg .label{font-size:13px;fill:#1d2733}svg .value{font-size:12px;fill:#5b6875}
.ok{color:#1b7a3a}.low{color:#b3261e}footer{margin-top:32px;font-size:12px;color:#5b6875}
";

pub fn render(report: &Report) -> String {
    let mut body = String::new();
    let period = match (report.first_day, report.last_day) {
        (Some(a), Some(b)) => format!(
            "{} – {} · {} dage",
            a.format("%d.%m.%Y"),
            b.format("%d.%m.%Y"),
            report.days
        ),
        _ => "Ingen kørsler i perioden".into(),
    };
    let _ = write!(
        body,
        "<h1>Sparet tid med genvej</h1><p class=\"sub\">{}{}</p>",
        escape(&period),
        report
            .team_filter
            .as_ref()
            .map(|t| format!(" · Team {}", escape(t)))
            .unwrap_or_default()
    );
    let success: usize = report.scripts.iter().map(|s| s.ok).sum();
    let _ = write!(
        body,
        "<div class=\"cards\">{}{}{}{}{}</div>",
        card(&hours(report.saved_seconds), "sparet i alt"),
        card(
            &kroner(report.economics.net_kroner),
            if report.economics.costs.is_empty() {
                "sparet i kroner"
            } else {
                "netto efter udvikling"
            }
        ),
        card(&report.runs.to_string(), "kørsler"),
        card(&success.to_string(), "lykkedes"),
        card(
            &format!("{} / {}", report.people, report.workstations),
            "personer / arbejdspladser"
        ),
    );
    for note in privacy_notes(report) {
        let _ = write!(body, "<p class=\"note\">{}</p>", escape(&note));
    }

    if !report.suppressed_all {
        if !report.weeks.is_empty() {
            // "2026-U47" → "uge 47" when the weeks are all in one year.
            let one_year = report
                .weeks
                .iter()
                .all(|(w, _)| w.get(..4) == report.weeks[0].0.get(..4));
            let points: Vec<(String, f64)> = report
                .weeks
                .iter()
                .map(|(w, s)| {
                    let label = match (one_year, w.split_once("-U")) {
                        (true, Some((_, week))) => format!("uge {week}"),
                        _ => w.clone(),
                    };
                    (label, s / 3600.0)
                })
                .collect();
            let _ = write!(
                body,
                "<h2>Sparet tid pr. uge</h2>{}",
                chart::line("Sparet tid pr. uge", &points, "t")
            );
        }
        if !report.scripts.is_empty() {
            let rows: Vec<Bar> = report
                .scripts
                .iter()
                .map(|s| Bar {
                    label: s.name.clone(),
                    value: s.saved_seconds / 3600.0,
                    text: hours(s.saved_seconds),
                })
                .collect();
            let _ = write!(
                body,
                "<h2>Sparet tid pr. genvej</h2>{}",
                chart::bars("Sparet tid pr. genvej", &rows, BLUE, 250.0)
            );
            let pairs: Vec<(String, f64, String, f64, String)> = report
                .scripts
                .iter()
                .map(|s| {
                    let automated = s
                        .after
                        .seconds
                        .unwrap_or(s.median_ms.unwrap_or(0) as f64 / 1000.0);
                    (
                        s.name.clone(),
                        s.baseline.seconds,
                        format!(
                            "{}{}",
                            duration((s.baseline.seconds * 1000.0) as u64),
                            if s.baseline.measured {
                                " (målt)"
                            } else {
                                " (skønnet)"
                            }
                        ),
                        automated,
                        match s.after.seconds {
                            Some(after) => format!("{} (målt)", duration((after * 1000.0) as u64)),
                            None => s.median_ms.map_or_else(
                                || "–".into(),
                                |m| format!("{} (kun maskinens tid)", duration(m)),
                            ),
                        },
                    )
                })
                .collect();
            let _ = write!(
                body,
                "<h2>Manuelt mod genvej</h2>{}",
                chart::paired_bars(
                    "Manuel tid mod genvejens tid",
                    ("manuelt", "med genvej"),
                    &pairs
                )
            );
            body.push_str(&script_table(report));
        }
        body.push_str("<h2>Økonomi</h2><table>");
        for (label, value) in economics_rows(&report.economics) {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&label),
                escape(&value)
            );
        }
        body.push_str("</table>");
        for note in economics_notes(&report.economics) {
            let _ = write!(body, "<p class=\"note\">{}</p>", escape(&note));
        }
        if !report.teams.is_empty() {
            body.push_str("<h2>Pr. team</h2><p class=\"sub\">Business casen: 1–1,5 timer pr. person pr. måned i piloten; ½ time pr. person pr. uge ved fuld udrulning.</p><table><tr><th>Team</th><th>Personer</th><th>Kørsler</th><th>Sparet</th><th>Pr. person pr. md.</th><th>Vurdering</th></tr>");
            for t in &report.teams {
                let class = if t.hours_per_person_month >= super::report::PILOT_LOW_HOURS {
                    "ok"
                } else {
                    "low"
                };
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} t</td><td class=\"{class}\">{}</td></tr>",
                    escape(&t.team),
                    t.people,
                    t.runs,
                    hours(t.saved_seconds),
                    decimal(t.hours_per_person_month, 2),
                    escape(t.verdict.text())
                );
            }
            let _ = write!(
                body,
                "</table><p class=\"sub\">{}</p>",
                escape(&per_month_rule(report))
            );
        }
        if !report.pulse_teams.is_empty() || report.suppressed_pulse_teams > 0 {
            body.push_str("<h2>Tilfredshed pr. team</h2><p class=\"sub\">Gennemsnit 1–5 af svarene efter en kørsel (højst én gang om ugen pr. genvej pr. person).</p><table><tr><th>Team</th><th>Tilfredshed</th><th>1</th><th>2</th><th>3</th><th>4</th><th>5</th></tr>");
            for t in &report.pulse_teams {
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td>{}</td>",
                    escape(&t.team),
                    escape(&pulse_text(&t.figures))
                );
                for n in t.figures.counts {
                    let _ = write!(body, "<td>{n}</td>");
                }
                body.push_str("</tr>");
            }
            body.push_str("</table>");
            if report.suppressed_pulse_teams > 0 {
                let _ = write!(
                    body,
                    "<p class=\"note\">{} team, hvor færre end {} personer svarede, vises ikke.</p>",
                    report.suppressed_pulse_teams, report.min_team_size
                );
            }
        }
        if !report.failures.is_empty() {
            let rows: Vec<Bar> = report
                .failures
                .iter()
                .take(12)
                .map(|f| Bar {
                    label: format!("{} – {}", f.script, step_text(f.step, &f.kind)),
                    value: f.count as f64,
                    text: f.count.to_string(),
                })
                .collect();
            let _ = write!(
                body,
                "<h2>Fejl pr. trin</h2>{}",
                chart::bars("Fejl pr. trin", &rows, RED, 380.0)
            );
        }
    }
    let _ = write!(
        body,
        "<footer>Lavet af genvej {} · tider er målt af genvej selv; manuel tid og tid med genvej er medianen af stopurets målinger, når der er nok, ellers genvejens eget skøn og maskinens kørselstid.</footer>",
        env!("CARGO_PKG_VERSION")
    );
    page("Sparet tid med genvej", &body)
}

/// The whole file around a body: no outside resource.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"da\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>\n",
        escape(title)
    )
}

/// `genvej report --by-version --format html`: a table per script, a row
/// per version, oldest first.
pub fn render_versions(report: &VersionReport) -> String {
    const TITLE: &str = "Genveje før og efter en ny version";
    let mut body = String::new();
    let period = match (report.first_day, report.last_day) {
        (Some(a), Some(b)) => format!("{} – {}", a.format("%d.%m.%Y"), b.format("%d.%m.%Y")),
        _ => "Ingen kørsler i perioden".into(),
    };
    let _ = write!(
        body,
        "<h1>{TITLE}</h1><p class=\"sub\">{}{}</p>",
        escape(&period),
        report
            .team_filter
            .as_ref()
            .map(|t| format!(" · Team {}", escape(t)))
            .unwrap_or_default()
    );
    if report.suppressed_all {
        let _ = write!(
            body,
            "<p class=\"note\">Teamet har færre end {} personer med kørsler i perioden: tallene vises ikke.</p>",
            report.min_team_size
        );
    }
    for script in report.scripts.iter().filter(|_| !report.suppressed_all) {
        let _ = write!(
            body,
            "<h2>{}</h2><p class=\"sub\">{} · manuel tid {} ({})</p><table><tr><th>Version</th><th>Kørsler</th><th>Lykkedes</th><th>Median</th><th>Sparet</th><th>Første dag</th><th>Sidste dag</th></tr>",
            escape(&script.name),
            escape(&script.id),
            duration((script.baseline.seconds * 1000.0) as u64),
            if script.baseline.measured {
                "målt"
            } else {
                "skønnet"
            },
        );
        for v in &script.versions {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&v.label.text()),
                v.runs,
                v.success_rate
                    .map_or_else(|| "–".into(), |r| format!("{} %", decimal(r * 100.0, 0))),
                v.median_ms.map_or_else(|| "–".into(), duration),
                hours(v.saved_seconds),
                v.first_day.format("%d.%m.%Y"),
                v.last_day.format("%d.%m.%Y"),
            );
        }
        body.push_str("</table>");
    }
    let _ = write!(
        body,
        "<footer>Lavet af genvej {} · en version er forfatterens version, ellers den signerede pakke, ellers filens indhold; alle versioner regnes mod samme manuelle tid.</footer>",
        env!("CARGO_PKG_VERSION")
    );
    page(TITLE, &body)
}

fn card(value: &str, label: &str) -> String {
    format!(
        "<div class=\"card\"><b>{}</b><span>{}</span></div>",
        escape(value),
        escape(label)
    )
}

fn script_table(report: &Report) -> String {
    let mut out = String::from(
        "<table><tr><th>Genvej</th><th>Kørsler</th><th>Lykkedes</th><th>Median</th><th>90 %</th><th>Manuel tid</th><th>Med genvej</th><th>Sparet</th><th>Tilfredshed</th></tr>",
    );
    for s in &report.scripts {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({}, n={})</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.name),
            s.runs,
            s.success_rate
                .map_or_else(|| "–".into(), |r| format!("{} %", decimal(r * 100.0, 0))),
            s.median_ms.map_or_else(|| "–".into(), duration),
            s.p90_ms.map_or_else(|| "–".into(), duration),
            duration((s.baseline.seconds * 1000.0) as u64),
            if s.baseline.measured {
                "målt"
            } else {
                "skønnet"
            },
            s.baseline.measured_count,
            escape(&after_text(&s.after)),
            hours(s.saved_seconds),
            escape(&pulse_text(&s.pulse)),
        );
    }
    out.push_str("</table>");
    out
}
