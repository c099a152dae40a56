//! The satisfaction pulse as the agent asks it (`usage.satisfaction_pulse`):
//! after a run that succeeded — never during one — at most once a week per
//! script per user, one question in the ordinary form dialog: a list of
//! 1–5, no text field. Escape (or closing it) skips; that counts as asked,
//! not as an answer. Not while the stopwatch runs (the question would be
//! timed too), and a question still on screen is closed when a run or the
//! stopwatch starts, so a run never types into it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use genvej_engine::ports::{Form, FormField};
use genvej_format::config::Config;
use genvej_format::script::{Bounds, InputKind};
use genvej_ui::dialog::DialogProcess;
use genvej_usage::pulse::{CHOICES, Schedule, score_of};

use super::state::Agent;
use super::texts;
use super::usage::Recorder;

const FIELD: &str = "svar";

/// How long a run waits at most for a question on screen to close.
const WITHDRAW_WAIT: Duration = Duration::from_secs(1);

/// Whether a question is on screen, and the flag that closes it.
#[derive(Default)]
struct OnScreen {
    showing: Mutex<bool>,
    closed: Condvar,
    withdraw: AtomicBool,
}

/// The pulse's schedule and the question on screen, if any.
#[derive(Default)]
pub struct Pulse {
    schedule: Schedule,
    on_screen: Arc<OnScreen>,
}

impl Pulse {
    pub fn new(schedule: Schedule) -> Pulse {
        Pulse {
            schedule,
            on_screen: Arc::default(),
        }
    }

    pub(super) fn showing(&self) -> bool {
        self.on_screen.showing.lock().map(|s| *s).unwrap_or(false)
    }

    /// Closes a question on screen (no answer) and waits, briefly, until
    /// its window is gone; `true` when there was one.
    pub fn withdraw(&self) -> bool {
        let on_screen = &self.on_screen;
        let Ok(showing) = on_screen.showing.lock() else {
            return false;
        };
        if !*showing {
            return false;
        }
        on_screen.withdraw.store(true, Ordering::SeqCst);
        let waited = on_screen
            .closed
            .wait_timeout_while(showing, WITHDRAW_WAIT, |showing| *showing);
        if waited.is_ok_and(|(_, timeout)| timeout.timed_out()) {
            tracing::warn!("the satisfaction question did not close in time");
        }
        true
    }
}

/// Whether `title` is the question's own window (`genvej – …`).
pub fn is_question(title: &str) -> bool {
    title.ends_with(texts::PULSE_TITLE) && title.starts_with("genvej")
}

/// The question's form: one required list of the five answers, none
/// chosen, so a stray Enter answers nothing.
pub fn form(name: &str) -> Form {
    Form {
        title: texts::PULSE_TITLE.into(),
        fields: vec![FormField {
            name: FIELD.into(),
            label: texts::pulse_question(name),
            kind: InputKind::Choice,
            value: None,
            required: true,
            choices: CHOICES.iter().map(|c| c.to_string()).collect(),
            help: Some(texts::PULSE_HELP.into()),
            pattern: None,
            bounds: Bounds::default(),
        }],
    }
}

impl Agent {
    /// After a run that succeeded: asks the pulse when it is on, due for
    /// this script, and nothing else is going on.
    pub(super) fn ask_pulse(&mut self, script_id: &str, name: &str) {
        if !self.config.usage.satisfaction_pulse
            || script_id.is_empty()
            || self.running.is_some()
            || self.stopwatch.measuring().is_some()
            || self.pulse.showing()
        {
            return;
        }
        let Some(recorder) = self.recorder.clone() else {
            return;
        };
        let now = chrono::Utc::now().timestamp_millis();
        if !self.pulse.schedule.take(script_id, now) {
            return;
        }
        tracing::info!(script = %script_id, "asking the satisfaction pulse for «{name}»");
        let on_screen = Arc::clone(&self.pulse.on_screen);
        if let Ok(mut showing) = on_screen.showing.lock() {
            *showing = true;
        }
        on_screen.withdraw.store(false, Ordering::SeqCst);
        let config = Arc::clone(&self.config);
        let (script_id, name) = (script_id.to_string(), name.to_string());
        let spawned = std::thread::Builder::new()
            .name("genvej-pulse".into())
            .spawn(move || {
                ask(
                    &recorder,
                    &config,
                    &script_id,
                    &name,
                    now,
                    &on_screen.withdraw,
                );
                if let Ok(mut showing) = on_screen.showing.lock() {
                    *showing = false;
                }
                on_screen.closed.notify_all();
            });
        if let Err(e) = spawned {
            tracing::warn!("the satisfaction question could not be shown: {e}");
            if let Ok(mut showing) = self.pulse.on_screen.showing.lock() {
                *showing = false;
            }
        }
    }
}

/// Shows the question and records what came of it.
fn ask(
    recorder: &Recorder,
    config: &Config,
    script_id: &str,
    name: &str,
    asked_at_ms: i64,
    withdraw: &AtomicBool,
) {
    let today = chrono::Local::now().date_naive();
    match DialogProcess::current().ask_unless(&form(name), today, withdraw) {
        Ok(answers) => {
            let score = answers.and_then(|a| a.get(FIELD).and_then(|c| score_of(c)));
            match score {
                Some(score) => {
                    tracing::info!(script = %script_id, score, "satisfaction pulse answered")
                }
                None => tracing::info!(script = %script_id, "satisfaction pulse skipped"),
            }
            recorder.pulse(script_id, score, asked_at_ms, config);
        }
        Err(e) => tracing::warn!("the satisfaction question could not be shown: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_is_a_list_of_five_with_nothing_chosen() {
        let form = form("Forberedende plan");
        assert_eq!(form.fields.len(), 1, "one question");
        let field = &form.fields[0];
        assert_eq!(field.kind, InputKind::Choice, "no free text");
        assert_eq!(field.value, None, "a stray Enter answers nothing");
        assert!(field.required);
        assert_eq!(field.choices.len(), 5);
        assert_eq!(
            field.label,
            "Hvor godt hjalp «Forberedende plan» dig i dag?"
        );
        let scores: Vec<Option<u8>> = field.choices.iter().map(|c| score_of(c)).collect();
        assert_eq!(scores, [Some(1), Some(2), Some(3), Some(4), Some(5)]);
    }

    #[test]
    fn withdrawing_with_nothing_on_screen_returns_at_once() {
        let pulse = Pulse::default();
        let started = std::time::Instant::now();
        assert!(!pulse.withdraw());
        assert!(started.elapsed() < Duration::from_millis(50));
    }
}
