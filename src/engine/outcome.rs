//! What a run ended with, for the caseworker's message and usage records.
//! Messages are Danish (caseworkers read them) and never contain a CPR number.

use std::fmt;
use std::time::Duration;

use crate::ports::PortError;

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

impl fmt::Display for RunFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self.step {
            Some((number, line)) => format!(
                "«{}» stoppede ved trin {number} ({}, linje {line}): {}",
                self.script_name, self.action, self.error
            ),
            None => format!("«{}» kunne ikke starte: {}", self.script_name, self.error),
        };
        f.write_str(&crate::cpr::redact(&text))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    #[error("{window} kom ikke frem inden for {}", seconds(*.timeout))]
    WindowTimeout { window: String, timeout: Duration },
    #[error("{window} kunne ikke få fokus (fokus er på {focused})")]
    FocusRefused { window: String, focused: String },
    #[error("fokus flyttede sig fra {expected} til {actual}; intet mere blev skrevet")]
    WrongWindow { expected: String, actual: String },
    #[error("intet vindue har fokus, så der blev ikke skrevet noget")]
    NoFocusedWindow,
    #[error("Ctrl, Alt, Shift eller Windows-tasten var stadig trykket efter {}; slip tasterne og prøv igen", seconds(*.timeout))]
    ModifiersHeld { timeout: Duration },
    #[error("skabelonen på linje {line} kunne ikke udfyldes: {detail}")]
    Template { line: usize, detail: String },
    #[error("«{label}» mangler en værdi")]
    InputMissing { label: String },
    #[error("«{label}»: {reason}")]
    InputInvalid { label: String, reason: String },
    #[error("{0}")]
    RequirementFailed(String),
    #[error("{0}")]
    Document(String),
    #[error("kilden «{source_name}» kunne ikke hentes: {error}")]
    SourceFailed {
        source_name: String,
        error: crate::ports::HttpError,
    },
    #[error("der var ingen markeret tekst")]
    NothingSelected,
    #[error("skrivebordet svarede: {0}")]
    Desktop(String),
    #[error(
        "teksten er {chars} tegn, men en kørsel må højst skrive eller indsætte {limit} tegn i alt (agent.max_text_chars)"
    )]
    TextTooLong { chars: usize, limit: usize },
    #[error("genvej fik en intern fejl, og kørslen blev stoppet (detaljerne står i loggen)")]
    Internal,
}

impl From<PortError> for RunError {
    fn from(e: PortError) -> Self {
        RunError::Desktop(e.to_string())
    }
}

/// A duration the Danish way: `10 s`, `0,3 s`.
pub fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!(
            "{},{} s",
            ms / 1000,
            format!("{:03}", ms % 1000).trim_end_matches('0')
        )
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

    #[test]
    fn failure_text_never_shows_a_cpr_number() {
        let failure = RunFailure {
            script_name: "x".into(),
            step: Some((1, 1)),
            action: "type",
            error: RunError::WrongWindow {
                expected: "«Fasit 070761-4285»".into(),
                actual: "«Mail»".into(),
            },
        };
        assert!(failure.to_string().contains("070761-XXXX"));
        assert!(!failure.to_string().contains("4285"));
    }
}
