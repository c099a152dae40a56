//! The manual-time stopwatch: a pilot team measures how long a task takes
//! by hand. Start it for a script (tray "Mål manuel tid for: …", or the
//! stopwatch hot key and a choice), do the task the old way, stop it; the
//! timing becomes a baseline in the usage database.

use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use genvej_engine::ports::{Form, FormField};
use genvej_format::script::{Bounds, InputKind};
use genvej_ui::dialog::DialogProcess;
use genvej_ui::tray::{TrayAction, TrayEntry};

use super::AgentEvent;
use super::texts;

/// A measurement under way.
#[derive(Debug, Clone)]
pub struct Measuring {
    pub script_id: String,
    pub name: String,
    started: Instant,
}

#[derive(Debug, Default)]
pub struct Stopwatch {
    running: Option<Measuring>,
}

impl Stopwatch {
    /// Starts measuring (a measurement already running is replaced).
    pub fn start(&mut self, script_id: &str, name: &str) {
        self.running = Some(Measuring {
            script_id: script_id.to_string(),
            name: name.to_string(),
            started: Instant::now(),
        });
    }

    /// Stops and returns what was measured and for how long.
    pub fn stop(&mut self) -> Option<(Measuring, Duration)> {
        self.running.take().map(|m| {
            let elapsed = m.started.elapsed();
            (m, elapsed)
        })
    }

    pub fn cancel(&mut self) -> Option<Measuring> {
        self.running.take()
    }

    /// The name of the script being measured.
    pub fn measuring(&self) -> Option<&str> {
        self.running.as_ref().map(|m| m.name.as_str())
    }
}

const FIELD: &str = "genvej";

/// The form that asks which script's manual time is measured.
pub fn choice_form(entries: &[TrayEntry]) -> Form {
    let mut labels: Vec<String> = entries.iter().map(TrayEntry::label).collect();
    labels.sort();
    Form {
        title: texts::STOPWATCH_FORM_TITLE.into(),
        fields: vec![FormField {
            name: FIELD.into(),
            label: texts::STOPWATCH_QUESTION.into(),
            kind: InputKind::Choice,
            value: None,
            required: true,
            choices: labels,
            help: Some(texts::STOPWATCH_HELP.into()),
            pattern: None,
            bounds: Bounds::default(),
        }],
    }
}

/// Asks which script to measure on a thread of its own; the choice comes
/// back to the agent as if it had been made in the tray.
pub fn ask_in_background(entries: Vec<TrayEntry>, events: Sender<AgentEvent>) {
    let spawned = std::thread::Builder::new()
        .name("genvej-stopwatch".into())
        .spawn(move || {
            let form = choice_form(&entries);
            let today = chrono::Local::now().date_naive();
            match DialogProcess::current().ask(&form, today) {
                Ok(Some(answers)) => {
                    let chosen = answers.get(FIELD).map(String::as_str).unwrap_or("");
                    if let Some(entry) = entries.iter().find(|e| e.label() == chosen) {
                        let _ =
                            events.send(AgentEvent::Tray(TrayAction::Measure(entry.id.clone())));
                    }
                }
                Ok(None) => tracing::info!("manual-time stopwatch not started (cancelled)"),
                Err(e) => tracing::warn!("the stopwatch's choice could not be shown: {e}"),
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("the stopwatch's choice could not be shown: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::agent::texts::spoken;

    #[test]
    fn durations_are_said_the_danish_way() {
        assert_eq!(spoken(Duration::from_secs(38)), "38 s");
        assert_eq!(spoken(Duration::from_secs(252)), "4 min 12 s");
        assert_eq!(spoken(Duration::from_secs(3900)), "1 t 5 min");
    }

    #[test]
    fn the_stopwatch_measures_one_script_at_a_time() {
        let mut watch = Stopwatch::default();
        assert_eq!(watch.stop().map(|m| m.0.script_id), None);
        watch.start("plan", "Forberedende plan");
        assert_eq!(watch.measuring(), Some("Forberedende plan"));
        let (measured, _) = watch.stop().expect("running");
        assert_eq!(measured.script_id, "plan");
        assert_eq!(watch.measuring(), None);
    }
}
