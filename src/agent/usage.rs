//! The agent's side of usage records: every finished or refused run is
//! handed to the background writer with how it was started and who (by
//! pseudonymous id and team) ran it.

use genvej_engine::{RunOutcome, Status};
use genvej_format::config::Config;
use genvej_format::script::Script;
use genvej_usage::writer::WriterThread;
use genvej_usage::{
    Baseline, Outcome, PulseAnswer, Side, Trigger, UsageDb, UsageRecord, UsageWriter, person_of,
};

/// Hands records to the writer; cheap to clone into the run worker.
#[derive(Clone)]
pub struct Recorder {
    writer: UsageWriter,
    /// The random id this user's database made, for a config without
    /// `usage.user_id`.
    db_user: Option<String>,
    /// When the pulse was last asked of this user, per script (read once).
    asked: std::sync::Arc<Vec<(String, i64)>>,
}

impl Recorder {
    /// Starts recording into the configured database, unless switched off.
    pub fn start(config: &Config) -> Option<(Recorder, WriterThread)> {
        if !config.usage.record {
            tracing::info!("usage records are off (usage.record = false)");
            return None;
        }
        let Some(path) = config
            .usage
            .database
            .clone()
            .or_else(genvej_desktop::paths::default_usage_database)
        else {
            tracing::warn!("usage records are off: no data folder (set usage.database)");
            return None;
        };
        // One connection: read this user's id, then hand it to the writer.
        let opened = UsageDb::open(&path);
        let db_user = match opened.as_ref().map(UsageDb::user_id) {
            Ok(Ok(id)) => Some(id),
            Ok(Err(e)) => {
                tracing::warn!("usage database: {e}");
                None
            }
            Err(e) => {
                tracing::warn!("usage database: {e}");
                None
            }
        };
        let user = person_of(&config.usage, db_user.as_deref()).user_id;
        let asked = match opened.as_ref().map(|db| db.pulses_asked(&user)) {
            Ok(Ok(asked)) => asked,
            Ok(Err(e)) => {
                tracing::warn!("usage database: {e}");
                Vec::new()
            }
            Err(_) => Vec::new(),
        };
        tracing::info!("usage records go to {}", path.display());
        let (writer, thread) = UsageWriter::start_on(path, opened);
        let asked = std::sync::Arc::new(asked);
        Some((
            Recorder {
                writer,
                db_user,
                asked,
            },
            thread,
        ))
    }

    /// Records a run that ended (or was refused by the engine).
    pub fn run_finished(
        &self,
        script: &Script,
        outcome: &RunOutcome,
        trigger: Trigger,
        config: &Config,
    ) {
        let person = person_of(&config.usage, self.db_user.as_deref());
        self.writer.record(UsageRecord::of(
            script,
            outcome.duration,
            outcome_of(&outcome.status),
            trigger,
            &person,
        ));
    }

    /// Records a start refused because another run was busy.
    pub fn refused(&self, script: &Script, trigger: Trigger, config: &Config) {
        let outcome = RunOutcome {
            script_id: script.id.clone(),
            status: Status::Rejected {
                reason: super::texts::BUSY_REASON.into(),
            },
            duration: std::time::Duration::ZERO,
            steps_completed: 0,
        };
        self.run_finished(script, &outcome, trigger, config);
    }

    /// Records a timing measured with the stopwatch, by hand or with genvej.
    pub fn baseline(&self, script_id: &str, seconds: f64, side: Side, config: &Config) {
        self.writer.record_baseline(Baseline {
            script_id: script_id.to_string(),
            person: person_of(&config.usage, self.db_user.as_deref()),
            measured_at_ms: chrono::Utc::now().timestamp_millis(),
            seconds,
            side,
        });
    }

    /// Records that the pulse was asked about a script, with the answer
    /// (1–5) or none (dismissed).
    pub fn pulse(&self, script_id: &str, score: Option<u8>, asked_at_ms: i64, config: &Config) {
        self.writer.record_pulse(PulseAnswer {
            script_id: script_id.to_string(),
            person: person_of(&config.usage, self.db_user.as_deref()),
            asked_at_ms,
            score,
        });
    }

    /// When the pulse was last asked of this user, per script, as the
    /// database said when recording started.
    pub fn pulse_schedule(&self) -> genvej_usage::pulse::Schedule {
        genvej_usage::pulse::Schedule::from_asked(self.asked.iter().cloned())
    }

    /// Waits until everything recorded so far is written.
    pub fn flush(&self) {
        self.writer.flush();
    }
}

/// Makes the HTML time-saved report from this workstation's records and
/// opens it in the browser, on a thread of its own.
pub fn open_report(config: std::sync::Arc<Config>) {
    let spawned = std::thread::Builder::new()
        .name("genvej-report".into())
        .spawn(move || match write_report(&config) {
            Ok(file) => {
                let url = format!("file://{}", file.display());
                if let Err(e) =
                    genvej_desktop::system::open_url(&url, config.agent.browser.as_deref())
                {
                    tracing::warn!("the time-saved report could not be opened: {e}");
                }
            }
            Err(e) => tracing::warn!("the time-saved report could not be made: {e}"),
        });
    if let Err(e) = spawned {
        tracing::warn!("the time-saved report could not be made: {e}");
    }
}

/// Writes `rapport.html` next to the database and returns its path.
fn write_report(config: &Config) -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context;
    let database = config
        .usage
        .database
        .clone()
        .or_else(genvej_desktop::paths::default_usage_database)
        .context("no data folder for the usage database")?;
    let mut data = genvej_usage::db::Dataset::default();
    if database.exists() {
        UsageDb::open_to_read(&database)?.read_into(&mut data)?;
    }
    let options = genvej_usage::report::ReportOptions {
        min_baselines: config.usage.min_baselines,
        min_team_size: config.usage.min_team_size,
        economics: config.economics.clone(),
        ..Default::default()
    };
    let report = genvej_usage::report::build(&data, &options);
    let file = database.with_file_name("rapport.html");
    std::fs::write(&file, genvej_usage::html::render(&report))
        .with_context(|| format!("cannot write {}", file.display()))?;
    tracing::info!("time-saved report written to {}", file.display());
    Ok(file)
}

/// How a run ended, as the usage records count it.
pub fn outcome_of(status: &Status) -> Outcome {
    match status {
        Status::Completed => Outcome::Ok,
        Status::Failed(failure) => Outcome::Failed {
            step: failure.step.map_or(0, |(n, _)| n as u32),
            kind: failure.action.to_string(),
        },
        Status::Cancelled { .. } => Outcome::Cancelled,
        Status::Rejected { .. } => Outcome::Rejected,
    }
}
