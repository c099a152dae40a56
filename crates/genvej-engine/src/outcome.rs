//! What a run ended with, for the caseworker's message and usage records.
//! Messages are Danish (caseworkers read them) and never contain a CPR number.

use std::fmt;
use std::time::Duration;

pub use crate::messages::{NamedWindow, RunError, seconds};

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Completed,
    /// Stopped at a step (or before the first step when `step` is `None`).
    Failed(RunFailure),
    /// The caseworker cancelled a form, or pressed the panic key.
    Cancelled {
        step: Option<usize>,
    },
    /// Not started, e.g. outside its `only_when` window or while another run was busy.
    Rejected {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    pub script_id: String,
    pub status: Status,
    pub duration: Duration,
    /// Steps that ran to the end (skipped `when` steps included).
    pub steps_completed: usize,
}

impl RunOutcome {
    pub fn is_completed(&self) -> bool {
        self.status == Status::Completed
    }
}

/// Where and why a run stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFailure {
    pub script_name: String,
    /// 1-based step number and the line of its `[[step]]`; `None` while inputs were resolved.
    pub step: Option<(usize, usize)>,
    pub action: &'static str,
    pub error: RunError,
}

impl RunFailure {
    /// The failure for a log line at info/warn level: windows are named by
    /// their program and the pattern that found them, never by their title
    /// (a case system's title holds the citizen's name). The full text, as
    /// the caseworker's notice shows it, is [`Display`](fmt::Display).
    pub fn log_text(&self) -> String {
        self.render(&self.error.log_text())
    }

    fn render(&self, error: &str) -> String {
        let text = crate::messages::stopped_at(&self.script_name, self.step, self.action, error);
        genvej_format::cpr::redact(&text)
    }
}

impl fmt::Display for RunFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&self.error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_names_script_step_line_and_cause() {
        let failure = RunFailure {
            script_name: "Åbn borger".into(),
            step: Some((3, 17)),
            action: "wait_window",
            error: RunError::WindowTimeout {
                window: "vindue med titel \"Fasit*\"".into(),
                timeout: Duration::from_millis(2500),
            },
        };
        assert_eq!(
            failure.to_string(),
            "«Åbn borger» stoppede ved trin 3 (wait_window, linje 17): vindue med titel \"Fasit*\" kom ikke frem inden for 2,5 s"
        );
    }

    fn window(title: &str, program: &str, class: &str, found_by: Option<&str>) -> Box<NamedWindow> {
        Box::new(NamedWindow {
            title: title.into(),
            program: Some(program.into()),
            class: class.into(),
            found_by: found_by.map(str::to_string),
        })
    }

    #[test]
    fn failure_text_never_shows_a_cpr_number() {
        let failure = RunFailure {
            script_name: "x".into(),
            step: Some((1, 1)),
            action: "type",
            error: RunError::WrongWindow {
                expected: window("Fasit 070761-4285", "fasit.exe", "Fasit", None),
                actual: Some(window("Mail", "outlook.exe", "rctrl", None)),
            },
        };
        assert!(failure.to_string().contains("070761-XXXX"));
        assert!(!failure.to_string().contains("4285"));
    }

    #[test]
    fn the_log_names_windows_by_program_and_pattern_never_by_title() {
        let failure = RunFailure {
            script_name: "Skriv".into(),
            step: Some((2, 9)),
            action: "type",
            error: RunError::WrongWindow {
                expected: window(
                    "Fasit – Karen Testesen",
                    "fasit.exe",
                    "FasitMain",
                    Some("titel \"Fasit*\""),
                ),
                actual: Some(window("Sag – Karen Testesen", "sag.exe", "SagMain", None)),
            },
        };
        assert_eq!(
            failure.to_string(),
            "«Skriv» stoppede ved trin 2 (type, linje 9): fokus flyttede sig fra «Fasit – Karen Testesen» til «Sag – Karen Testesen»; intet mere blev skrevet",
            "the caseworker's notice names the windows as they see them"
        );
        assert_eq!(
            failure.log_text(),
            "«Skriv» stoppede ved trin 2 (type, linje 9): fokus flyttede sig fra vindue fra «fasit.exe» (klasse «FasitMain», fundet med titel \"Fasit*\") til vindue fra «sag.exe» (klasse «SagMain»); intet mere blev skrevet"
        );
        let refused = RunError::FocusRefused {
            window: window("Fasit – Karen Testesen", "fasit.exe", "", None),
            focused: None,
        };
        assert_eq!(
            refused.log_text(),
            "vindue fra «fasit.exe» kunne ikke få fokus (fokus er på intet vindue)"
        );
        let unfetched = RunError::PasteNotFetched {
            window: window("Fasit – Karen Testesen", "fasit.exe", "", None),
            timeout: Duration::from_secs(2),
        };
        assert!(!unfetched.log_text().contains("Karen"));
        assert_eq!(
            unfetched.to_string(),
            "«Fasit – Karen Testesen» hentede ikke den indsatte tekst inden for 2000 ms"
        );
    }
}
