//! The stopwatch: a pilot team measures how long a task takes — by hand
//! («uden genvej», the baseline) or the whole task with genvej («med
//! genvej»: reading, checking and finishing around the run, the run
//! included). Start it for a script (the stopwatch hot key: a form asks
//! which task and which way, keyboard-only; or the tray's "Mål manuel tid
//! for: …", by hand), do the task, stop it; the timing goes to the usage
//! database with its side.

use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use genvej_engine::ports::{Form, FormField};
use genvej_format::script::{Bounds, InputKind};
use genvej_ui::dialog::DialogProcess;
use genvej_ui::tray::TrayEntry;
use genvej_usage::Side;

use super::AgentEvent;
use super::texts;

/// A measurement under way.
#[derive(Debug, Clone)]
pub struct Measuring {
    pub script_id: String,
    pub name: String,
    pub side: Side,
    started: Instant,
}

#[derive(Debug, Default)]
pub struct Stopwatch {
    running: Option<Measuring>,
}

impl Stopwatch {
    /// Starts measuring (a measurement already running is replaced).
    pub fn start(&mut self, script_id: &str, name: &str, side: Side) {
        self.running = Some(Measuring {
            script_id: script_id.to_string(),
            name: name.to_string(),
            side,
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

    /// What the tray shows while measuring: the name, and «med genvej»
    /// when the whole task with genvej is timed.
    pub fn label(&self) -> Option<String> {
        self.running.as_ref().map(|m| match m.side {
            Side::Manual => m.name.clone(),
            Side::WithGenvej => format!("{} (med genvej)", m.name),
        })
    }
}

const FIELD: &str = "genvej";
const SIDE_FIELD: &str = "maade";

/// The form that asks which task is timed, and which way: by hand (the
/// default) or the whole task with genvej.
pub fn choice_form(entries: &[TrayEntry]) -> Form {
    let mut labels: Vec<String> = entries.iter().map(TrayEntry::label).collect();
    labels.sort();
    let choice =
        |name: &str, label: &str, choices: Vec<String>, value: Option<&str>, help: &str| {
            FormField {
                name: name.into(),
                label: label.into(),
                kind: InputKind::Choice,
                value: value.map(str::to_string),
                required: true,
                choices,
                help: Some(help.into()),
                pattern: None,
                bounds: Bounds::default(),
            }
        };
    Form {
        title: texts::STOPWATCH_FORM_TITLE.into(),
        fields: vec![
            choice(
                FIELD,
                texts::STOPWATCH_QUESTION,
                labels,
                None,
                texts::STOPWATCH_HELP,
            ),
            choice(
                SIDE_FIELD,
                texts::STOPWATCH_SIDE_QUESTION,
                vec![
                    texts::STOPWATCH_BY_HAND.into(),
                    texts::STOPWATCH_WITH_GENVEJ.into(),
                ],
                Some(texts::STOPWATCH_BY_HAND),
                texts::STOPWATCH_SIDE_HELP,
            ),
        ],
    }
}

/// The side an answer of the form chose (by hand unless «med genvej»).
pub fn side_of(answer: Option<&str>) -> Side {
    match answer {
        Some(text) if text.trim() == texts::STOPWATCH_WITH_GENVEJ => Side::WithGenvej,
        _ => Side::Manual,
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
                    let side = side_of(answers.get(SIDE_FIELD).map(String::as_str));
                    if let Some(entry) = entries.iter().find(|e| e.label() == chosen) {
                        let _ = events.send(AgentEvent::Measure {
                            script_id: entry.id.clone(),
                            side,
                        });
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
        watch.start("plan", "Forberedende plan", Side::Manual);
        assert_eq!(watch.measuring(), Some("Forberedende plan"));
        assert_eq!(watch.label().as_deref(), Some("Forberedende plan"));
        let (measured, _) = watch.stop().expect("running");
        assert_eq!(measured.script_id, "plan");
        assert_eq!(measured.side, Side::Manual);
        assert_eq!(watch.measuring(), None);

        watch.start("plan", "Forberedende plan", Side::WithGenvej);
        assert_eq!(
            watch.label().as_deref(),
            Some("Forberedende plan (med genvej)")
        );
        assert_eq!(watch.stop().map(|m| m.0.side), Some(Side::WithGenvej));
    }

    #[test]
    fn the_form_asks_which_task_and_which_way_by_hand_first() {
        let form = choice_form(&[]);
        assert_eq!(form.fields.len(), 2);
        let side = &form.fields[1];
        assert_eq!(side.value.as_deref(), Some(texts::STOPWATCH_BY_HAND));
        assert_eq!(
            side.choices,
            [texts::STOPWATCH_BY_HAND, texts::STOPWATCH_WITH_GENVEJ]
        );
        assert_eq!(
            side_of(Some(texts::STOPWATCH_WITH_GENVEJ)),
            Side::WithGenvej
        );
        assert_eq!(side_of(Some(texts::STOPWATCH_BY_HAND)), Side::Manual);
        assert_eq!(side_of(None), Side::Manual, "an older form: by hand");
    }
}
