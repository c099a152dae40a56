//! The tray menu's commands and the stopwatch, as the agent carries them
//! out. The menu itself is drawn by `genvej_ui::tray`; a click arrives here as a
//! [`TrayAction`].

use super::texts;
use std::sync::Arc;

use super::keys::pause;
use super::state::{Agent, Job};
use genvej_desktop::system;
use genvej_ui::dialog::{DialogProcess, Request};
use genvej_ui::tray::{TrayAction, TrayEntry};
use genvej_usage::Trigger;

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
                    Job::Run(Box::new(script), Arc::clone(&self.config), Trigger::Tray),
                )?;
            }
            TrayAction::Pause | TrayAction::Resume => {
                self.paused = action == TrayAction::Pause;
                self.register_hotkeys()?;
                if self.paused {
                    pause(&self.hotstrings);
                } else if self.running.is_none() {
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
                let entries = self.table.scripts.iter().map(TrayEntry::of).collect();
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
            TrayAction::Measure(id) => {
                let Some(script) = self.table.scripts.iter().find(|s| s.id == id) else {
                    return Ok(None);
                };
                self.stopwatch.start(&script.id, &script.name);
                tracing::info!(script = %script.id, "measuring the manual time of «{}»", script.name);
                let stop_key = self.stopwatch_key.map(|k| k.to_string());
                self.notices.measuring(&script.name, stop_key);
                self.show_state();
            }
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

    /// Stops the stopwatch and records the manual timing.
    pub(super) fn stop_measuring(&mut self) {
        let Some((measured, elapsed)) = self.stopwatch.stop() else {
            return;
        };
        let took = texts::spoken(elapsed);
        tracing::info!(script = %measured.script_id, seconds = elapsed.as_secs_f64(), "manual time of «{}» measured: {took}", measured.name);
        match &self.recorder {
            Some(recorder) => {
                recorder.baseline(&measured.script_id, elapsed.as_secs_f64(), &self.config);
                self.notices.measured(&measured.name, &took);
            }
            None => tracing::warn!("the manual time was not saved: usage records are off"),
        }
        self.show_state();
    }
}
