//! Measuring the time genvej saves: every run is recorded (never personal
//! data), manual timings are measured with a stopwatch, and `genvej report`
//! turns both into the pilot's figures.
//!
//! Data path: [`UsageRecord`] (built from a run's outcome) → [`UsageWriter`]
//! (a background thread; a run never waits for the disk) → [`UsageDb`]
//! (SQLite, WAL, versioned schema) → [`report`] (pure arithmetic) → text,
//! CSV or HTML.

mod chart;
pub mod db;
pub mod folder;
pub mod html;
pub mod report;
pub mod text;
pub mod writer;

pub use db::{UsageDb, UsageError};
pub use writer::UsageWriter;

use genvej_format::script::Script;

/// How a run ended, as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Stopped at this step (1-based; 0 = while asking for inputs), whose
    /// action was `kind` (e.g. `fetch`).
    Failed {
        step: u32,
        kind: String,
    },
    Cancelled,
    /// Not started: outside its window, or another run was busy.
    Rejected,
}

impl Outcome {
    pub(crate) fn code(&self) -> i64 {
        match self {
            Outcome::Ok => 0,
            Outcome::Failed { .. } => 1,
            Outcome::Cancelled => 2,
            Outcome::Rejected => 3,
        }
    }
}

/// How a run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Hotkey,
    Hotstring,
    Tray,
    Exec,
}

impl Trigger {
    pub(crate) fn code(self) -> i64 {
        match self {
            Trigger::Hotkey => 0,
            Trigger::Hotstring => 1,
            Trigger::Tray => 2,
            Trigger::Exec => 3,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Trigger::Hotkey => "genvejstast",
            Trigger::Hotstring => "forkortelse",
            Trigger::Tray => "bakke",
            Trigger::Exec => "kommandolinje",
        }
    }
}

/// Who ran it: a pseudonymous id and a team, from the config.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Person {
    pub user_id: String,
    pub team: String,
}

/// The script as it was when it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptVersion {
    pub id: String,
    /// The content hash of the script file (first 12 hex digits).
    pub version: String,
    pub name: String,
    /// The script's own estimate of the manual task.
    pub manual_seconds: u32,
}

impl ScriptVersion {
    pub fn of(script: &Script) -> ScriptVersion {
        ScriptVersion {
            id: script.id.clone(),
            version: script.file.content_hash.chars().take(12).collect(),
            name: script.name.clone(),
            manual_seconds: script.manual_seconds,
        }
    }
}

/// One run. Holds no CPR number, citizen data, window title or typed text:
/// there is no field that could.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    pub script: ScriptVersion,
    pub person: Person,
    /// Unix time in milliseconds (UTC).
    pub started_at_ms: i64,
    pub duration_ms: u64,
    pub outcome: Outcome,
    pub trigger: Trigger,
    pub agent_version: String,
}

impl UsageRecord {
    /// The record of a finished run that took `duration` and ended now.
    pub fn of(
        script: &Script,
        duration: std::time::Duration,
        outcome: Outcome,
        trigger: Trigger,
        person: &Person,
    ) -> Self {
        let now = chrono::Utc::now().timestamp_millis();
        let duration_ms = duration.as_millis() as u64;
        UsageRecord {
            script: ScriptVersion::of(script),
            person: person.clone(),
            started_at_ms: now - duration_ms as i64,
            duration_ms,
            outcome,
            trigger,
            agent_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// One measured manual timing of a script's task.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub script_id: String,
    pub person: Person,
    pub measured_at_ms: i64,
    pub seconds: f64,
}

/// The person from the config: its `usage.user_id`, else the random id this
/// database made for the user once.
pub fn person_of(settings: &genvej_format::config::UsageSettings, db_user: Option<&str>) -> Person {
    Person {
        user_id: settings
            .user_id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .or_else(|| db_user.map(str::to_string))
            .unwrap_or_else(|| "ukendt".into()),
        team: settings.team.clone(),
    }
}
