//! The satisfaction pulse: after a successful run, at most once a week per
//! script per user, one question — «how well did it help?» — answered 1–5
//! or dismissed. This module holds the frequency rule (with the clock
//! passed in, so it is tested without waiting a week) and the figures the
//! report shows: per script and per team, only where at least
//! `min_team_size` people answered, so no one's answer can be picked out.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::PulseAnswer;
use super::db::Dataset;
use super::report::ReportOptions;

/// The least time between two questions about one script to one user.
pub const INTERVAL_MS: i64 = 7 * 24 * 3600 * 1000;

/// The answers a caseworker chooses from, 1 to 5 (the number first, so
/// the dialog's list and the stored score agree).
pub const CHOICES: [&str; 5] = [
    "1 – slet ikke",
    "2 – lidt",
    "3 – nogenlunde",
    "4 – godt",
    "5 – rigtig godt",
];

/// The score of a chosen answer; `None` for anything that is not one of
/// [`CHOICES`] (an answer is never free text).
pub fn score_of(choice: &str) -> Option<u8> {
    CHOICES
        .iter()
        .position(|c| *c == choice.trim())
        .map(|at| at as u8 + 1)
}

/// When the pulse was last asked, per script, for one user.
#[derive(Debug, Default, Clone)]
pub struct Schedule {
    last_asked: HashMap<String, i64>,
}

impl Schedule {
    /// From the database's record of when each script was last asked
    /// ([`UsageDb::pulses_asked`](crate::UsageDb::pulses_asked)).
    pub fn from_asked(asked: impl IntoIterator<Item = (String, i64)>) -> Schedule {
        let mut schedule = Schedule::default();
        for (script, at) in asked {
            schedule.note(&script, at);
        }
        schedule
    }

    /// Whether the question about `script_id` may be asked at `now_ms`:
    /// never asked, or last asked a week or more ago. A clock set back
    /// (last asked "in the future") does not ask again early.
    pub fn due(&self, script_id: &str, now_ms: i64) -> bool {
        self.last_asked
            .get(script_id)
            .is_none_or(|&at| now_ms.saturating_sub(at) >= INTERVAL_MS)
    }

    /// Decides and notes in one step: `true` (and the question counts as
    /// asked now, answered or not) when it is due.
    pub fn take(&mut self, script_id: &str, now_ms: i64) -> bool {
        let due = self.due(script_id, now_ms);
        if due {
            self.note(script_id, now_ms);
        }
        due
    }

    fn note(&mut self, script_id: &str, at: i64) {
        let last = self.last_asked.entry(script_id.to_string()).or_insert(at);
        *last = (*last).max(at);
    }
}

/// The answers of a script or a team.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PulseFigures {
    /// Answers given (dismissed questions are not counted).
    pub answers: usize,
    /// The mean score, 1–5; `None` when there is no answer or too few
    /// people answered ([`withheld`](Self::withheld)).
    pub mean: Option<f64>,
    /// How many answered 1, 2, 3, 4 and 5 (zeros when withheld).
    pub counts: [usize; 5],
    /// Fewer than `min_team_size` people answered: nothing but the count
    /// of answers is shown.
    pub withheld: bool,
}

/// Answers while they are counted.
#[derive(Default)]
pub(crate) struct PulseTally<'a> {
    counts: [usize; 5],
    people: BTreeSet<&'a str>,
}

impl<'a> PulseTally<'a> {
    pub(crate) fn add(&mut self, pulse: &'a PulseAnswer) {
        if let Some(score) = pulse.score.filter(|s| (1..=5).contains(s)) {
            self.counts[usize::from(score) - 1] += 1;
            self.people.insert(pulse.person.user_id.as_str());
        }
    }

    pub(crate) fn has_answers(&self) -> bool {
        self.counts.iter().sum::<usize>() > 0
    }

    /// The figures, withheld when fewer than `min_people` answered.
    pub(crate) fn figures(&self, min_people: usize) -> PulseFigures {
        let answers: usize = self.counts.iter().sum();
        if answers == 0 {
            return PulseFigures::default();
        }
        if self.people.len() < min_people.max(1) {
            return PulseFigures {
                answers,
                withheld: true,
                ..PulseFigures::default()
            };
        }
        let total: usize = self
            .counts
            .iter()
            .enumerate()
            .map(|(at, n)| (at + 1) * n)
            .sum();
        PulseFigures {
            answers,
            mean: Some(total as f64 / answers as f64),
            counts: self.counts,
            withheld: false,
        }
    }
}

/// A team's answers (only teams with answers appear).
#[derive(Debug, Clone, PartialEq)]
pub struct TeamPulse {
    pub team: String,
    pub figures: PulseFigures,
}

/// The pulse answers in the period (and team): per script (by the
/// report's numbering) and per team, each withheld when fewer than
/// `min_team_size` people answered.
pub(crate) fn figures(
    data: &Dataset,
    options: &ReportOptions,
    (from_ms, to_ms): (i64, i64),
    script_ids: &[&str],
) -> (Vec<PulseFigures>, Vec<TeamPulse>, usize) {
    let index: HashMap<&str, usize> = script_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let mut per_script: Vec<PulseTally> =
        script_ids.iter().map(|_| PulseTally::default()).collect();
    let mut per_team: BTreeMap<&str, PulseTally> = BTreeMap::new();
    for pulse in &data.pulses {
        if pulse.asked_at_ms < from_ms || pulse.asked_at_ms >= to_ms {
            continue;
        }
        if options
            .team
            .as_ref()
            .is_some_and(|t| pulse.person.team != *t)
        {
            continue;
        }
        if let Some(&at) = index.get(pulse.script_id.as_str()) {
            per_script[at].add(pulse);
        }
        per_team
            .entry(pulse.person.team.as_str())
            .or_default()
            .add(pulse);
    }
    let min = options.min_team_size;
    let mut suppressed = 0;
    let mut teams = Vec::new();
    for (team, tally) in &per_team {
        if !tally.has_answers() {
            continue;
        }
        let figures = tally.figures(min);
        if figures.withheld {
            suppressed += 1;
            continue;
        }
        teams.push(TeamPulse {
            team: if team.is_empty() {
                "(uden team)".into()
            } else {
                team.to_string()
            },
            figures,
        });
    }
    let scripts = per_script.iter().map(|t| t.figures(min)).collect();
    (scripts, teams, suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600 * 1000;

    #[test]
    fn the_pulse_is_asked_at_most_once_a_week_per_script() {
        let monday = 1_795_000_000_000; // a fixed clock
        let mut schedule = Schedule::default();
        assert!(schedule.take("plan", monday), "never asked: ask");
        assert!(!schedule.take("plan", monday + 1000), "not again at once");
        assert!(
            schedule.take("brev", monday + 1000),
            "another script may ask"
        );
        assert!(!schedule.take("plan", monday + 6 * DAY + 23 * 3600 * 1000));
        assert!(schedule.take("plan", monday + 7 * DAY), "a week later: ask");
        assert!(!schedule.take("plan", monday + 8 * DAY));
    }

    #[test]
    fn the_rule_starts_from_the_database_and_a_clock_set_back_does_not_ask_early() {
        let now = 1_795_000_000_000;
        let schedule = Schedule::from_asked([
            ("plan".to_string(), now - 3 * DAY),
            ("plan".to_string(), now - 10 * DAY),
            ("brev".to_string(), now - 8 * DAY),
            ("notat".to_string(), now + 2 * DAY),
        ]);
        assert!(!schedule.due("plan", now), "the latest question counts");
        assert!(schedule.due("brev", now));
        assert!(!schedule.due("notat", now), "asked «in the future»");
        assert!(schedule.due("ny", now));
    }

    #[test]
    fn only_the_five_choices_are_scores() {
        for (at, choice) in CHOICES.iter().enumerate() {
            assert_eq!(score_of(choice), Some(at as u8 + 1));
        }
        assert_eq!(score_of("3"), None);
        assert_eq!(score_of("godt, men borger 070761-4285 …"), None);
        assert_eq!(score_of(""), None);
    }
}
