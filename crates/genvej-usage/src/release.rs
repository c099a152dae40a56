//! A script's figures before and after a release (`genvej report
//! --by-version`): per script, each version that ran — the author's
//! version (`version = "1.2"`), else the signed bundle it came in, else its
//! content hash — with runs, success rate, median run time, time saved and
//! the first and last day it was seen. So the IT office can see what a
//! pilot's new version did before releasing it to everyone.
//!
//! Also the shapes a version and a bundle number must have to be recorded:
//! a usage record must never be able to carry personal data, and the
//! author's version is free text in a script.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::db::Dataset;
use super::report::{self, BaselineUsed, Days, ReportOptions, day_start_ms, median};

/// Longest author's version recorded: the checker's limit for `version`.
pub use genvej_format::script::MAX_VERSION_CHARS;

/// The rule [`is_version`] applies, in words (for messages).
pub const VERSION_SHAPE: &str =
    "1 to 40 letters a–z and A–Z, digits, `.`, `-`, `_` and `+`, and no CPR number";

/// Whether `text` may be recorded as an author's version: the shape the
/// checker allows for `version` (`1.2`, `2026.3-rc1`) — short, plain ASCII,
/// no CPR number. Anything else is left out of the record (and an export
/// holding one is refused).
pub fn is_version(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= MAX_VERSION_CHARS
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
        && !genvej_format::cpr::contains_cpr(text)
}

/// Whether a bundle's sequence number can be stored (SQLite integers are
/// signed 64-bit).
pub fn is_bundle(sequence: u64) -> bool {
    i64::try_from(sequence).is_ok()
}

/// What names a version in the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionLabel {
    /// The author's `version = "…"`.
    Author(String),
    /// No author's version: the sequence number of the bundle it came in.
    Bundle(u64),
    /// Neither: the first 12 hex digits of the file's content hash.
    Content(String),
}

impl VersionLabel {
    /// As the report shows it: `1.2`, `pakke 7`, `indhold 3f9a0c1d2e4b`.
    pub fn text(&self) -> String {
        match self {
            VersionLabel::Author(version) => version.clone(),
            VersionLabel::Bundle(sequence) => format!("pakke {sequence}"),
            VersionLabel::Content(hash) => format!("indhold {hash}"),
        }
    }

    /// Where the label came from (the CSV's `kilde` column).
    pub fn source(&self) -> &'static str {
        match self {
            VersionLabel::Author(_) => "forfatter",
            VersionLabel::Bundle(_) => "pakke",
            VersionLabel::Content(_) => "indhold",
        }
    }
}

/// One version of one script.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionFigures {
    pub label: VersionLabel,
    pub runs: usize,
    pub ok: usize,
    /// ok / (runs − rejected); `None` when nothing was attempted.
    pub success_rate: Option<f64>,
    /// Of successful runs, in milliseconds.
    pub median_ms: Option<u64>,
    /// Σ over successful runs of (manual − automated), in seconds.
    pub saved_seconds: f64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// The lowest and highest bundle sequence its runs came from.
    pub bundles: Option<(u64, u64)>,
}

/// One script's versions, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptVersions {
    pub id: String,
    pub name: String,
    /// The manual time every version's savings are counted against (the
    /// same as in the main report, so versions compare fairly).
    pub baseline: BaselineUsed,
    pub versions: Vec<VersionFigures>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VersionReport {
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub team_filter: Option<String>,
    /// Every figure withheld: the one team asked for is too small (the
    /// main report's rule).
    pub suppressed_all: bool,
    pub min_team_size: usize,
    /// By script id.
    pub scripts: Vec<ScriptVersions>,
}

/// A version while runs are counted.
struct Tally {
    label: VersionLabel,
    runs: usize,
    ok: usize,
    rejected: usize,
    durations: Vec<u64>,
    saved: f64,
    first_ms: i64,
    last_ms: i64,
    bundles: Option<(u64, u64)>,
}

/// Compares each script's versions over the runs `options` selects (the
/// same period, team and small-team rule as [`report::build`]).
pub fn by_version(data: &Dataset, options: &ReportOptions) -> VersionReport {
    let main = report::build(data, options);
    let mut report = VersionReport {
        first_day: main.first_day,
        last_day: main.last_day,
        team_filter: options.team.clone(),
        suppressed_all: main.suppressed_all,
        min_team_size: options.min_team_size,
        scripts: Vec::new(),
    };
    if main.suppressed_all {
        return report;
    }
    let from_ms = options.since.map(day_start_ms).unwrap_or(i64::MIN);
    let to_ms = options
        .until
        .and_then(|d| d.succ_opt())
        .map_or(i64::MAX, day_start_ms);
    let baselines: HashMap<&str, &report::ScriptFigures> =
        main.scripts.iter().map(|s| (s.id.as_str(), s)).collect();

    // Per script id: its versions' tallies, and where each label is.
    let mut tallies: HashMap<&str, (Vec<Tally>, HashMap<VersionLabel, usize>)> = HashMap::new();
    for run in &data.runs {
        if run.started_at_ms < from_ms || run.started_at_ms >= to_ms {
            continue;
        }
        if let Some(team) = &options.team {
            if data.people[run.person as usize].team != *team {
                continue;
            }
        }
        let script = &data.scripts[run.script as usize];
        let Some(figures) = baselines.get(script.id.as_str()) else {
            continue;
        };
        let label = match (&script.author_version, run.bundle) {
            (Some(version), _) => VersionLabel::Author(version.clone()),
            (None, Some(sequence)) => VersionLabel::Bundle(sequence),
            (None, None) => VersionLabel::Content(script.version.clone()),
        };
        let (versions, index) = tallies.entry(script.id.as_str()).or_default();
        let at = *index.entry(label.clone()).or_insert_with(|| {
            versions.push(Tally {
                label,
                runs: 0,
                ok: 0,
                rejected: 0,
                durations: Vec::new(),
                saved: 0.0,
                first_ms: run.started_at_ms,
                last_ms: run.started_at_ms,
                bundles: None,
            });
            versions.len() - 1
        });
        let tally = &mut versions[at];
        tally.runs += 1;
        tally.first_ms = tally.first_ms.min(run.started_at_ms);
        tally.last_ms = tally.last_ms.max(run.started_at_ms);
        if let Some(sequence) = run.bundle {
            tally.bundles = Some(tally.bundles.map_or((sequence, sequence), |(low, high)| {
                (low.min(sequence), high.max(sequence))
            }));
        }
        match run.outcome {
            0 => {
                tally.ok += 1;
                tally.durations.push(run.duration_ms);
                // The main report's rule: the measured time with genvej
                // when there is one, else the run's own.
                let after = figures
                    .after
                    .seconds
                    .unwrap_or(run.duration_ms as f64 / 1000.0);
                tally.saved += figures.baseline.seconds - after;
            }
            3 => tally.rejected += 1,
            _ => {}
        }
    }

    let mut days = Days::default();
    for (id, (mut versions, _)) in tallies {
        let Some(figures) = baselines.get(id) else {
            continue;
        };
        versions.sort_by(|a, b| a.first_ms.cmp(&b.first_ms).then(a.label.cmp(&b.label)));
        let versions = versions
            .into_iter()
            .map(|mut tally| {
                tally.durations.sort_unstable();
                let attempted = tally.runs - tally.rejected;
                VersionFigures {
                    success_rate: (attempted > 0).then(|| tally.ok as f64 / attempted as f64),
                    median_ms: median(&tally.durations),
                    saved_seconds: tally.saved,
                    first_day: days.of(tally.first_ms),
                    last_day: days.of(tally.last_ms),
                    runs: tally.runs,
                    ok: tally.ok,
                    bundles: tally.bundles,
                    label: tally.label,
                }
            })
            .collect();
        report.scripts.push(ScriptVersions {
            id: id.to_string(),
            name: figures.name.clone(),
            baseline: figures.baseline.clone(),
            versions,
        });
    }
    report.scripts.sort_by(|a, b| a.id.cmp(&b.id));
    report
}
