//! The pilot's figures from usage records: per script (runs, success rate,
//! automated duration, manual baseline, the measured time with genvej,
//! time saved, satisfaction), per week and month, per team against the
//! business case, the economics, and where scripts fail. Pure arithmetic
//! over a [`Dataset`]; the renderers only format it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, TimeZone};

use super::Side;
use super::db::Dataset;
use super::economics::{self, Economics};
use super::pulse::{PulseFigures, TeamPulse};
use genvej_format::config::EconomicsSettings;

/// The business case: the pilot's goal is 1–1.5 hours saved per person per
/// month; at scale, ½ hour per person per week.
pub const PILOT_LOW_HOURS: f64 = 1.0;
pub const PILOT_HIGH_HOURS: f64 = 1.5;
pub const TARGET_HOURS_PER_WEEK: f64 = 0.5;
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;
const WEEKS_PER_MONTH: f64 = DAYS_PER_MONTH / 7.0;

#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub team: Option<String>,
    pub min_baselines: usize,
    pub min_team_size: usize,
    /// `[economics]`: rates and development/introduction hours.
    pub economics: EconomicsSettings,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            since: None,
            until: None,
            team: None,
            min_baselines: 5,
            min_team_size: 5,
            economics: EconomicsSettings::default(),
        }
    }
}

/// Which manual time a script's savings are counted against.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineUsed {
    pub seconds: f64,
    /// The median of measured timings (else the script's `manual_seconds`).
    pub measured: bool,
    /// How many timings were measured (used or not).
    pub measured_count: usize,
}

/// The whole task's time with genvej, measured with the stopwatch's «med
/// genvej» side.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterUsed {
    /// The median of the measured times once there are `min_baselines` of
    /// them; `None`: only the machine's run time is known ("kun maskinens
    /// tid"), and savings are counted against it.
    pub seconds: Option<f64>,
    /// How many were measured (used or not).
    pub measured_count: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScriptFigures {
    pub id: String,
    pub name: String,
    pub runs: usize,
    pub ok: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub rejected: usize,
    /// ok / (runs − rejected); `None` when nothing was attempted.
    pub success_rate: Option<f64>,
    /// Of successful runs, in milliseconds.
    pub median_ms: Option<u64>,
    pub p90_ms: Option<u64>,
    pub baseline: BaselineUsed,
    pub after: AfterUsed,
    /// Σ over successful runs of (manual − with genvej), in seconds: the
    /// measured time with genvej when there is one, else the run's own.
    pub saved_seconds: f64,
    /// Development and introduction hours recorded for this script.
    pub cost_hours: f64,
    pub pulse: PulseFigures,
}

/// How a team's time saved per person compares with the business case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    BelowPilot,
    WithinPilot,
    AbovePilot,
    AtTarget,
}

impl Verdict {
    pub fn of(hours_per_person_month: f64) -> Verdict {
        if hours_per_person_month >= TARGET_HOURS_PER_WEEK * WEEKS_PER_MONTH {
            Verdict::AtTarget
        } else if hours_per_person_month > PILOT_HIGH_HOURS {
            Verdict::AbovePilot
        } else if hours_per_person_month >= PILOT_LOW_HOURS {
            Verdict::WithinPilot
        } else {
            Verdict::BelowPilot
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Verdict::BelowPilot => "under pilotens mål (1–1,5 t/md.)",
            Verdict::WithinPilot => "inden for pilotens mål (1–1,5 t/md.)",
            Verdict::AbovePilot => "over pilotens mål (1–1,5 t/md.)",
            Verdict::AtTarget => "når målet ved fuld udrulning (½ t/uge)",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamFigures {
    pub team: String,
    pub people: usize,
    pub runs: usize,
    pub saved_seconds: f64,
    pub hours_per_person_month: f64,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FailureFigures {
    pub script: String,
    pub step: u32,
    pub kind: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub days: i64,
    pub workstations: usize,
    pub team_filter: Option<String>,
    pub runs: usize,
    pub people: usize,
    pub saved_seconds: f64,
    pub scripts: Vec<ScriptFigures>,
    /// ISO week (`2026-U47`) → seconds saved.
    pub weeks: Vec<(String, f64)>,
    /// `2026-11` → seconds saved.
    pub months: Vec<(String, f64)>,
    pub teams: Vec<TeamFigures>,
    /// Teams left out because they have fewer people than the minimum.
    pub suppressed_teams: usize,
    /// Every figure withheld: the one team asked for is too small.
    pub suppressed_all: bool,
    pub min_team_size: usize,
    /// Timings a measured median needs (manual and with genvej).
    pub min_baselines: usize,
    pub failures: Vec<FailureFigures>,
    pub economics: Economics,
    /// Satisfaction per team, for teams where enough people answered.
    pub pulse_teams: Vec<TeamPulse>,
    /// Teams whose answers came from fewer than `min_team_size` people.
    pub suppressed_pulse_teams: usize,
}

/// The start of a local day, in Unix milliseconds.
pub(crate) fn day_start_ms(day: NaiveDate) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono::Local
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(
            || midnight.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

pub(crate) fn local_day(ms: i64) -> NaiveDate {
    chrono::Local
        .timestamp_millis_opt(ms)
        .earliest()
        .map_or_else(NaiveDate::default, |t| t.date_naive())
}

/// Local days of timestamps, remembering the last day's bounds: runs come
/// mostly in time order, so the time-zone lookup is made once a day, not
/// once a run.
#[derive(Default)]
pub(crate) struct Days {
    from: i64,
    to: i64,
    day: NaiveDate,
}

impl Days {
    pub(crate) fn of(&mut self, ms: i64) -> NaiveDate {
        if !(self.from..self.to).contains(&ms) {
            self.day = local_day(ms);
            self.from = day_start_ms(self.day);
            self.to = self.day.succ_opt().map_or(i64::MAX, day_start_ms);
        }
        self.day
    }
}

pub(crate) fn median(sorted: &[u64]) -> Option<u64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn median_f64(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[n / 2]),
        n => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// One script (all its versions) while runs are counted.
#[derive(Default)]
struct Tally {
    runs: usize,
    ok: usize,
    failed: usize,
    cancelled: usize,
    rejected: usize,
    durations: Vec<u64>,
    /// The dataset index of the version that ran last, and when.
    latest: Option<(i64, u32)>,
}

/// Gives each distinct name a small number, in order of first sight.
fn numbering<'a>(names: impl Iterator<Item = &'a str>) -> (Vec<usize>, Vec<&'a str>) {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut distinct = Vec::new();
    let numbers = names
        .map(|name| {
            *index.entry(name).or_insert_with(|| {
                distinct.push(name);
                distinct.len() - 1
            })
        })
        .collect();
    (numbers, distinct)
}

pub fn build(data: &Dataset, options: &ReportOptions) -> Report {
    let from_ms = options.since.map(day_start_ms).unwrap_or(i64::MIN);
    let to_ms = options
        .until
        .and_then(|d| d.succ_opt())
        .map_or(i64::MAX, day_start_ms);
    // Scripts are counted by id over all their versions; people by team.
    let (script_of, script_ids) = numbering(data.scripts.iter().map(|s| s.id.as_str()));
    let (team_of, team_names) = numbering(data.people.iter().map(|p| p.team.as_str()));
    let wanted_team = options
        .team
        .as_ref()
        .map(|t| team_names.iter().position(|n| n == t));

    let mut tallies: Vec<Tally> = script_ids.iter().map(|_| Tally::default()).collect();
    let mut people_seen = vec![false; data.people.len()];
    let mut team_runs = vec![0usize; team_names.len()];
    let mut failures: BTreeMap<(usize, u32, Option<u32>), usize> = BTreeMap::new();
    let mut first_ms = i64::MAX;
    let mut last_ms = i64::MIN;
    let mut runs = 0;
    // Successful runs, kept to value once baselines are known.
    let mut successes: Vec<(usize, usize, i64, u64)> = Vec::new();
    for run in &data.runs {
        if run.started_at_ms < from_ms || run.started_at_ms >= to_ms {
            continue;
        }
        let team = team_of[run.person as usize];
        if let Some(wanted) = wanted_team {
            if wanted != Some(team) {
                continue;
            }
        }
        runs += 1;
        first_ms = first_ms.min(run.started_at_ms);
        last_ms = last_ms.max(run.started_at_ms);
        people_seen[run.person as usize] = true;
        team_runs[team] += 1;
        let group = script_of[run.script as usize];
        let tally = &mut tallies[group];
        tally.runs += 1;
        if tally.latest.is_none_or(|(at, _)| run.started_at_ms >= at) {
            tally.latest = Some((run.started_at_ms, run.script));
        }
        match run.outcome {
            0 => {
                tally.ok += 1;
                tally.durations.push(run.duration_ms);
                successes.push((group, team, run.started_at_ms, run.duration_ms));
            }
            1 => {
                tally.failed += 1;
                *failures
                    .entry((group, run.failed_step, run.failed_kind))
                    .or_default() += 1;
            }
            2 => tally.cancelled += 1,
            _ => tally.rejected += 1,
        }
    }

    // People per team (by pseudonymous id), for per-person figures and the
    // small-team rule.
    let mut team_people: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); team_names.len()];
    let mut people: BTreeSet<&str> = BTreeSet::new();
    for (i, person) in data.people.iter().enumerate() {
        if people_seen[i] {
            team_people[team_of[i]].insert(person.user_id.as_str());
            people.insert(person.user_id.as_str());
        }
    }
    let suppressed_all = options.team.is_some() && people.len() < options.min_team_size;

    let first_day = options
        .since
        .or_else(|| (runs > 0).then(|| local_day(first_ms)));
    let last_day = options
        .until
        .or_else(|| (runs > 0).then(|| local_day(last_ms)));
    let days = match (first_day, last_day) {
        (Some(a), Some(b)) => (b - a).num_days() + 1,
        _ => 0,
    };
    let months = (days as f64 / DAYS_PER_MONTH).max(f64::MIN_POSITIVE);

    // Baselines: the median of measured timings once there are enough, else
    // the script's latest declared estimate.
    let mut measured: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut with_genvej: HashMap<&str, Vec<f64>> = HashMap::new();
    for b in &data.baselines {
        if options.team.as_ref().is_none_or(|t| b.person.team == *t) {
            match b.side {
                Side::Manual => &mut measured,
                Side::WithGenvej => &mut with_genvej,
            }
            .entry(b.script_id.as_str())
            .or_default()
            .push(b.seconds);
        }
    }
    let baselines: Vec<BaselineUsed> = tallies
        .iter()
        .zip(&script_ids)
        .map(|(tally, id)| {
            let declared = tally.latest.map_or(0.0, |(_, s)| {
                f64::from(data.scripts[s as usize].manual_seconds)
            });
            let mut timings = measured.get(id).cloned().unwrap_or_default();
            let count = timings.len();
            match median_f64(&mut timings) {
                Some(m) if count >= options.min_baselines.max(1) => BaselineUsed {
                    seconds: m,
                    measured: true,
                    measured_count: count,
                },
                _ => BaselineUsed {
                    seconds: declared,
                    measured: false,
                    measured_count: count,
                },
            }
        })
        .collect();
    // The time with genvej: the median of «med genvej» timings once there
    // are as many as a baseline needs.
    let afters: Vec<AfterUsed> = script_ids
        .iter()
        .map(|id| {
            let mut timings = with_genvej.get(id).cloned().unwrap_or_default();
            let measured_count = timings.len();
            AfterUsed {
                seconds: median_f64(&mut timings)
                    .filter(|_| measured_count >= options.min_baselines.max(1)),
                measured_count,
            }
        })
        .collect();

    // Time saved per successful run: its script's manual time − the time
    // with genvej (measured, else the run's own).
    let mut script_saved = vec![0.0; tallies.len()];
    let mut daily: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    let mut team_saved = vec![0.0; team_names.len()];
    let mut weeks: BTreeMap<(i32, u32), f64> = BTreeMap::new();
    let mut months_saved: BTreeMap<(i32, u32), f64> = BTreeMap::new();
    let mut days_of = Days::default();
    for &(group, team, started, duration_ms) in &successes {
        let after = afters[group].seconds.unwrap_or(duration_ms as f64 / 1000.0);
        let saved = baselines[group].seconds - after;
        script_saved[group] += saved;
        team_saved[team] += saved;
        let day = days_of.of(started);
        *daily.entry(day).or_default() += saved;
        let week = day.iso_week();
        *weeks.entry((week.year(), week.week())).or_default() += saved;
        *months_saved.entry((day.year(), day.month())).or_default() += saved;
    }
    let saved_total: f64 = script_saved.iter().sum();

    // A script is shown by the name of the version that ran last.
    let names: Vec<String> = tallies
        .iter()
        .zip(&script_ids)
        .map(|(tally, id)| {
            tally.latest.map_or_else(
                || id.to_string(),
                |(_, s)| data.scripts[s as usize].name.clone(),
            )
        })
        .collect();
    let (script_pulses, pulse_teams, suppressed_pulse_teams) =
        crate::pulse::figures(data, options, (from_ms, to_ms), &script_ids);
    let costs = economics::costs_of(&options.economics);
    let mut scripts: Vec<ScriptFigures> = Vec::new();
    for (group, tally) in tallies.iter_mut().enumerate() {
        if tally.runs == 0 {
            continue;
        }
        tally.durations.sort_unstable();
        let attempted = tally.runs - tally.rejected;
        scripts.push(ScriptFigures {
            id: script_ids[group].to_string(),
            name: names[group].clone(),
            runs: tally.runs,
            ok: tally.ok,
            failed: tally.failed,
            cancelled: tally.cancelled,
            rejected: tally.rejected,
            success_rate: (attempted > 0).then(|| tally.ok as f64 / attempted as f64),
            median_ms: median(&tally.durations),
            p90_ms: percentile(&tally.durations, 90.0),
            baseline: baselines[group].clone(),
            after: afters[group].clone(),
            saved_seconds: script_saved[group],
            cost_hours: costs
                .iter()
                .filter(|c| {
                    options.team.is_none() && c.script.as_deref() == Some(script_ids[group])
                })
                .map(|c| c.hours)
                .sum(),
            pulse: script_pulses[group].clone(),
        });
    }
    scripts.sort_by(|a, b| {
        b.saved_seconds
            .total_cmp(&a.saved_seconds)
            .then(a.id.cmp(&b.id))
    });

    let mut suppressed_teams = 0;
    let mut teams = Vec::new();
    for (team, name) in team_names.iter().enumerate() {
        if team_runs[team] == 0 {
            continue;
        }
        let count = team_people[team].len();
        if count < options.min_team_size {
            suppressed_teams += 1;
            continue;
        }
        let per_person = team_saved[team] / 3600.0 / count as f64 / months;
        teams.push(TeamFigures {
            team: if name.is_empty() {
                "(uden team)".into()
            } else {
                name.to_string()
            },
            people: count,
            runs: team_runs[team],
            saved_seconds: team_saved[team],
            hours_per_person_month: per_person,
            verdict: Verdict::of(per_person),
        });
    }
    teams.sort_by(|a, b| a.team.cmp(&b.team));

    let mut failures: Vec<FailureFigures> = failures
        .into_iter()
        .map(|((group, step, kind), count)| FailureFigures {
            script: names[group].clone(),
            step,
            kind: kind.map_or_else(String::new, |k| data.kinds[k as usize].clone()),
            count,
        })
        .collect();
    failures.sort_by(|a, b| b.count.cmp(&a.count).then(a.script.cmp(&b.script)));

    let period = first_day.zip(last_day).map(|(a, b)| (a, b, days));
    let economics = economics::compute(&options.economics, &daily, period, options.team.is_none());
    let mut report = Report {
        economics,
        pulse_teams,
        suppressed_pulse_teams,
        first_day,
        last_day,
        days,
        workstations: data.installation_count(),
        team_filter: options.team.clone(),
        runs,
        people: people.len(),
        saved_seconds: saved_total,
        scripts,
        weeks: weeks
            .into_iter()
            .map(|((year, week), s)| (format!("{year}-U{week:02}"), s))
            .collect(),
        months: months_saved
            .into_iter()
            .map(|((year, month), s)| (format!("{year}-{month:02}"), s))
            .collect(),
        teams,
        suppressed_teams,
        suppressed_all,
        min_team_size: options.min_team_size,
        min_baselines: options.min_baselines,
        failures,
    };
    if suppressed_all {
        // One small team alone would show its people's figures: withhold all.
        report.scripts.clear();
        report.weeks.clear();
        report.months.clear();
        report.teams.clear();
        report.failures.clear();
        report.pulse_teams.clear();
        report.saved_seconds = 0.0;
        report.economics = economics::compute(&options.economics, &BTreeMap::new(), None, false);
    }
    report
}

/// Hours, Danish style: `1,5 t`.
pub fn hours(seconds: f64) -> String {
    format!("{} t", decimal(seconds / 3600.0, 1))
}

/// A number with a decimal comma.
pub fn decimal(value: f64, places: usize) -> String {
    format!("{value:.places$}").replace('.', ",")
}

/// A duration in ms as `0,4 s` or `12 min`.
pub fn duration(ms: u64) -> String {
    let seconds = ms as f64 / 1000.0;
    if seconds < 60.0 {
        format!("{} s", decimal(seconds, 1))
    } else {
        format!("{} min", decimal(seconds / 60.0, 1))
    }
}
