//! Telling the caseworker, on screen, what the log says: a run that failed,
//! a hot key refused because another run is busy, changed scripts with
//! errors. Notices close by themselves and never show a CPR number (the
//! dialog client redacts every text).

use genvej_engine::{RunOutcome, Status};
use genvej_ui::dialog::DialogProcess;

use super::texts;

pub struct Notices {
    dialogs: DialogProcess,
    seconds: u64,
}

impl Notices {
    /// Notices that stay `seconds` on screen; 0 turns them off.
    pub fn new(seconds: u64) -> Notices {
        Notices {
            dialogs: DialogProcess::current(),
            seconds,
        }
    }

    pub fn run_finished(&self, name: &str, outcome: &RunOutcome) {
        match &outcome.status {
            Status::Failed(failure) => {
                self.show(&format!("{name}: {}", texts::FAILED), &failure.to_string())
            }
            Status::Rejected { reason } => self.show(
                &format!("{name}: {}", texts::NOT_RUN),
                &texts::not_run(name, reason),
            ),
            Status::Completed | Status::Cancelled { .. } => {}
        }
    }

    pub fn busy(&self, refused: &str, running: &str) {
        self.show(texts::BUSY_TITLE, &texts::busy(refused, running));
    }

    pub fn scripts_have_errors(&self, errors: usize, first: &str) {
        self.show(
            texts::SCRIPT_ERRORS_TITLE,
            &texts::script_errors(errors, first),
        );
    }

    pub fn writable_central_locations(
        &self,
        locations: &[genvej_desktop::trust::WritableLocation],
    ) {
        let paths: Vec<&std::path::Path> = locations.iter().map(|l| l.path.as_path()).collect();
        self.show(texts::UNSAFE_SETUP_TITLE, &texts::unsafe_setup(&paths));
    }

    /// The stopwatch started for the whole task with genvej.
    pub fn measuring_with(&self, name: &str, stop_key: Option<String>) {
        self.show(
            texts::MEASURING_WITH_TITLE,
            &texts::measuring_with(name, stop_key),
        );
    }

    /// The stopwatch started for `name`; `stop_key` stops it.
    pub fn measuring(&self, name: &str, stop_key: Option<String>) {
        self.show(texts::MEASURING_TITLE, &texts::measuring(name, stop_key));
    }

    /// The manual time of `name` was saved.
    pub fn measured(&self, name: &str, took: &str, side: genvej_usage::Side) {
        match side {
            genvej_usage::Side::Manual => {
                self.show(texts::MEASURED_TITLE, &texts::measured(name, took))
            }
            genvej_usage::Side::WithGenvej => self.show(
                texts::MEASURED_WITH_TITLE,
                &texts::measured_with(name, took),
            ),
        }
    }

    /// A window that stays until the returned overlay is dropped (at most
    /// `seconds`): a sequence's keys. Like every notice, none when notices
    /// are off (`notice_seconds = 0`; under Wine + openbox such a window
    /// takes the focus, so the Wine tests turn them off).
    pub fn overlay(
        &self,
        title: &str,
        text: &str,
        seconds: u64,
    ) -> Option<genvej_ui::dialog::Overlay> {
        (self.seconds > 0)
            .then(|| self.dialogs.overlay(title, text, seconds))
            .flatten()
    }

    pub fn show(&self, title: &str, text: &str) {
        if self.seconds > 0 {
            tracing::debug!("notice: {title}");
            self.dialogs.notice(title, text, self.seconds);
        }
    }
}
