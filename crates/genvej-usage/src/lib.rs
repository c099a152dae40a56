//! Measuring the time genvej saves: every run is recorded (never personal
//! data), manual timings are measured with a stopwatch, and `genvej report`
//! turns both into the pilot's figures.
//!
//! Data path: [`UsageRecord`] (built from a run's outcome) → [`UsageWriter`]
//! (a background thread; a run never waits for the disk) → [`UsageDb`]
//! (SQLite, WAL, versioned schema) → [`report`] (pure arithmetic) → text,
//! CSV or HTML. [`release`] compares a script's versions (`genvej report
//! --by-version`).

mod chart;
pub mod db;
pub mod economics;
pub mod folder;
pub mod html;
pub mod ledger;
pub mod pulse;
pub mod release;
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
    /// Chosen in the command palette (`agent.palette_hotkey`).
    Palette,
}

impl Trigger {
    pub(crate) fn code(self) -> i64 {
        match self {
            Trigger::Hotkey => 0,
            Trigger::Hotstring => 1,
            Trigger::Tray => 2,
            Trigger::Exec => 3,
            Trigger::Palette => 4,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Trigger::Hotkey => "genvejstast",
            Trigger::Hotstring => "forkortelse",
            Trigger::Tray => "bakke",
            Trigger::Exec => "kommandolinje",
            Trigger::Palette => "søgning",
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
    /// The author's version (`version = "1.2"` in the script), when it has
    /// one of the shape [`release::is_version`] allows. Part of the file,
    /// so one content hash has one author's version.
    pub author_version: Option<String>,
}

impl ScriptVersion {
    pub fn of(script: &Script) -> ScriptVersion {
        ScriptVersion {
            id: script.id.clone(),
            version: script.file.content_hash.chars().take(12).collect(),
            name: script.name.clone(),
            manual_seconds: script.manual_seconds,
            author_version: script
                .release
                .version
                .clone()
                .filter(|v| release::is_version(v)),
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
    /// The sequence number of the signed bundle the script came from
    /// (`None`: read from a folder). Kept per run, not per script version:
    /// an unchanged file travels in many bundles.
    pub bundle: Option<u64>,
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
            bundle: script.file.bundle.filter(|&n| release::is_bundle(n)),
        }
    }
}

/// Which side of the before/after a stopwatch timing measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// «uden genvej»: the task done the old way, by hand.
    #[default]
    Manual,
    /// «med genvej»: the whole task done with genvej — reading, checking
    /// and finishing around the run, the run itself included.
    WithGenvej,
}

impl Side {
    pub(crate) fn code(self) -> i64 {
        match self {
            Side::Manual => 0,
            Side::WithGenvej => 1,
        }
    }
}

/// One stopwatch timing of a script's task, by hand or with genvej.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub script_id: String,
    pub person: Person,
    pub measured_at_ms: i64,
    pub seconds: f64,
    pub side: Side,
}

/// One satisfaction-pulse question after a successful run: when it was
/// asked and the answer, 1–5 (`None`: dismissed with Escape — it counts
/// for «once a week», not in the report). There is no field for free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulseAnswer {
    pub script_id: String,
    pub person: Person,
    pub asked_at_ms: i64,
    pub score: Option<u8>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use genvej_format::config::Config;
    use genvej_format::script::{ScriptFolders, load_folders};

    fn loaded(header: &str) -> Script {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("hils.toml"),
            format!("id = \"hils\"\nname = \"Hils\"\nmanual_seconds = 30\n{header}\n[[step]]\ntype = \"Hej\"\n"),
        )
        .expect("script");
        let folders = ScriptFolders {
            central: vec![dir.path().to_path_buf()],
            personal: Vec::new(),
        };
        let set = load_folders(&folders, &Config::default());
        set.scripts.first().cloned().expect("the script loads")
    }

    fn record_of(script: &Script) -> UsageRecord {
        let person = Person {
            user_id: "p-1".into(),
            team: "A".into(),
        };
        UsageRecord::of(
            script,
            std::time::Duration::from_millis(800),
            Outcome::Ok,
            Trigger::Hotkey,
            &person,
        )
    }

    #[test]
    fn a_record_carries_the_authors_version_and_the_bundle_of_the_script_that_ran() {
        let from_folder = record_of(&loaded(""));
        assert_eq!(from_folder.script.author_version, None);
        assert_eq!(from_folder.bundle, None);
        assert_eq!(from_folder.script.version.len(), 12, "the content hash");

        // The author's `version = "1.2"`, and the bundle the agent set.
        let mut script = loaded("version = \"1.2\"\n");
        script.file.bundle = Some(7);
        let from_bundle = record_of(&script);
        assert_eq!(from_bundle.script.author_version.as_deref(), Some("1.2"));
        assert_eq!(from_bundle.bundle, Some(7));

        // A version of a shape no real one has is left out of the record.
        script.release.version = Some("070761-4285".into());
        script.file.bundle = Some(u64::MAX);
        let odd = record_of(&script);
        assert_eq!(odd.script.author_version, None);
        assert_eq!(odd.bundle, None);
    }
}
