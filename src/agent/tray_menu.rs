//! The tray menu's commands and the stopwatch, as the agent carries them
//! out. The menu itself is drawn by `genvej_ui::tray`; a click arrives here as a
//! [`TrayAction`].

use super::texts;
use std::sync::Arc;

use super::keys::pause;
use super::state::{Agent, Job};
use genvej_desktop::system;
use genvej_ui::dialog::{DialogProcess, Request};
use genvej_ui::tray::TrayAction;
use genvej_usage::{Side, Trigger};

impl Agent {
    pub(super) fn on_tray(&mut self, action: TrayAction) -> anyhow::Result<Option<String>> {
        tracing::debug!("tray: {action:?}");
        match action {
            TrayAction::Run(id) => {
                let Some(script) = self.table.scripts.iter().find(|s| s.id == id).cloned() else {
                    return Ok(None);
                };
                if let Some(busy) = &self.running {
                    tracing::info!(script = %script.id, "«{}» from the tray ignored: «{busy}» is still running", script.name);
                    self.notices.busy(&script.name, busy);
                    if let Some(recorder) = &self.recorder {
                        recorder.refused(&script, Trigger::Tray, &self.config);
                    }
                    return Ok(None);
                }
                tracing::info!(script = %script.id, "«{}» started from the tray", script.name);
                let name = script.name.clone();
                self.start(
                    name,
                    Job::Run(script, Arc::clone(&self.config), Trigger::Tray),
                )?;
            }
            TrayAction::Pause | TrayAction::Resume => {
                self.paused = action == TrayAction::Pause;
                self.register_hotkeys()?;
                if self.paused {
                    pause(&self.hotstrings);
                } else if self.running.is_none() || self.input_done {
                    if let Some(h) = &self.hotstrings {
                        h.resume();
                    }
                }
                tracing::info!(
                    "{}",
                    if self.paused {
                        "genvej paused: hot keys and hotstrings are off"
                    } else {
                        "genvej resumed: hot keys and hotstrings are on"
                    }
                );
                self.show_state();
            }
            TrayAction::Reload => {
                if let Some(checks) = &self.bundle_checks {
                    checks.now();
                }
                self.reload()?
            }
            TrayAction::CheatSheet => {
                let entries = self.table.entries();
                DialogProcess::current().show_detached(Request::CheatSheet { entries });
            }
            TrayAction::OpenLogFolder => match &self.options.log_folder {
                Some(folder) => {
                    if let Err(e) = system::open_url(&folder.to_string_lossy(), None) {
                        tracing::warn!("cannot open the log folder: {e}");
                    }
                }
                None => tracing::warn!("there is no log folder to open"),
            },
            TrayAction::OpenReport => super::usage::open_report(Arc::clone(&self.config)),
            // The tray's entry times the task by hand.
            TrayAction::Measure(id) => self.start_measuring(&id, Side::Manual),
            TrayAction::StopMeasuring => self.stop_measuring(),
            TrayAction::CancelMeasuring => {
                if let Some(measuring) = self.stopwatch.cancel() {
                    tracing::info!(script = %measuring.script_id, "manual-time measurement of «{}» cancelled", measuring.name);
                }
                self.show_state();
            }
            TrayAction::About => DialogProcess::current().show_detached(Request::Message {
                title: texts::ABOUT_TITLE.into(),
                text: self.about(),
            }),
            TrayAction::Quit => return Ok(Some("quit from the tray menu".into())),
        }
        Ok(None)
    }

    /// Starts the stopwatch for a script, by hand or with genvej.
    pub(super) fn start_measuring(&mut self, id: &str, side: Side) {
        let Some(script) = self.table.scripts.iter().find(|s| s.id == id) else {
            return;
        };
        // A pulse question on screen would be timed too.
        let _ = self.pulse.withdraw();
        self.stopwatch.start(&script.id, &script.name, side);
        let stop_key = self.stopwatch_key.map(|k| k.to_string());
        match side {
            Side::Manual => {
                tracing::info!(script = %script.id, "measuring the manual time of «{}»", script.name);
                self.notices.measuring(&script.name, stop_key);
            }
            Side::WithGenvej => {
                tracing::info!(script = %script.id, "measuring the time of «{}» with genvej", script.name);
                self.notices.measuring_with(&script.name, stop_key);
            }
        }
        self.show_state();
    }

    /// Stops the stopwatch and records the timing with its side.
    pub(super) fn stop_measuring(&mut self) {
        let Some((measured, elapsed)) = self.stopwatch.stop() else {
            return;
        };
        let took = texts::spoken(elapsed);
        let side = match measured.side {
            Side::Manual => "manual time",
            Side::WithGenvej => "time with genvej",
        };
        tracing::info!(script = %measured.script_id, seconds = elapsed.as_secs_f64(), "{side} of «{}» measured: {took}", measured.name);
        match &self.recorder {
            Some(recorder) => {
                recorder.baseline(
                    &measured.script_id,
                    elapsed.as_secs_f64(),
                    measured.side,
                    &self.config,
                );
                self.notices.measured(&measured.name, &took, measured.side);
            }
            None => tracing::warn!("the {side} was not saved: usage records are off"),
        }
        self.show_state();
    }
}
