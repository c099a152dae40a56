//! Telling the caseworker, on screen, what the log says: a run that failed,
//! a hot key refused because another run is busy, changed scripts with
//! errors. Notices close by themselves and never show a CPR number (the
//! dialog client redacts every text).

use genvej_engine::{RunOutcome, Status};
use genvej_ui::dialog::DialogProcess;

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
            Status::Failed(failure) => self.show(&format!("{name}: fejl"), &failure.to_string()),
            Status::Rejected { reason } => self.show(
                &format!("{name}: ikke kørt"),
                &format!("«{name}» blev ikke kørt: {reason}"),
            ),
            Status::Completed | Status::Cancelled { .. } => {}
        }
    }

    pub fn busy(&self, refused: &str, running: &str) {
        self.show(
            "genvej: optaget",
            &format!("«{refused}» blev ikke startet, fordi «{running}» stadig kører."),
        );
    }

    pub fn scripts_have_errors(&self, errors: usize, first: &str) {
        self.show(
            "genvej: fejl i scripts",
            &format!(
                "De ændrede scripts har {errors} fejl; de tidligere genveje virker stadig.\n{first}"
            ),
        );
    }

    pub fn writable_central_locations(
        &self,
        locations: &[genvej_desktop::trust::WritableLocation],
    ) {
        let list: Vec<String> = locations
            .iter()
            .map(|l| format!("  {}", l.path.display()))
            .collect();
        self.show(
            "Usikker opsætning",
            &format!(
                "Du kan ændre organisationens genveje eller opsætning her, selvom du ikke er administrator:\n{}\nKontakt IT-afdelingen: kun administratorer må kunne skrive dér.",
                list.join("\n")
            ),
        );
    }

    pub fn show(&self, title: &str, text: &str) {
        if self.seconds > 0 {
            tracing::debug!("notice: {title}");
            self.dialogs.notice(title, text, self.seconds);
        }
    }
}
