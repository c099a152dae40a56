//! The command palette (`agent.palette_hotkey`): one chord opens a search
//! over every script, and the one chosen runs into the window that had the
//! focus when the chord was pressed.
//!
//! The palette is a job for the run worker, like a run: the worker owns the
//! desktop connection, so it notes the focused window before the palette
//! takes the focus, shows the palette (`genvej dialog`, the cheat sheet's
//! list), and gives the focus back before it reports the choice. The agent
//! then starts the chosen script as an ordinary run — one run at a time,
//! the engine's own window checks, recorded with the trigger `palette`.
//! While the palette is open, the agent counts it as running: hot keys are
//! refused and hotstrings paused, so typing a search expands nothing.

use std::sync::Arc;

use genvej_desktop::os::NativeDesktop;
use genvej_engine::ports::Windows;
use genvej_ui::dialog::DialogProcess;
use genvej_ui::tray::TrayEntry;
use genvej_usage::Trigger;

use super::AgentEvent;
use super::state::{Agent, Job};
use super::texts;

impl Agent {
    /// The palette's chord was pressed.
    pub(super) fn open_palette(&mut self) -> anyhow::Result<()> {
        if self.paused {
            return Ok(());
        }
        if let Some(busy) = &self.running {
            if busy == texts::PALETTE_NAME {
                // Pressed again while it is open: it is already there.
                return Ok(());
            }
            tracing::info!("command palette not opened: «{busy}» is still running");
            self.notices.busy(texts::PALETTE_NAME, busy);
            return Ok(());
        }
        tracing::debug!("opening the command palette");
        let entries = self.table.scripts.iter().map(TrayEntry::of).collect();
        self.start(texts::PALETTE_NAME.into(), Job::Palette(entries))
    }

    /// The palette closed; `chosen` is the id of the script to run.
    pub(super) fn palette_closed(&mut self, chosen: Option<String>) -> anyhow::Result<()> {
        self.running = None;
        if !self.paused {
            if let Some(h) = &self.hotstrings {
                h.resume();
            }
        }
        let Some(id) = chosen else {
            tracing::info!("command palette closed without a choice");
            return Ok(());
        };
        // A reload while the palette was open may have taken the script away.
        let Some(script) = self.table.scripts.iter().find(|s| s.id == id).cloned() else {
            tracing::warn!(script = %id, "the script chosen in the command palette is gone");
            return Ok(());
        };
        if self.paused {
            return Ok(());
        }
        tracing::info!(script = %script.id, "«{}» started from the command palette", script.name);
        let name = script.name.clone();
        self.start(
            name,
            Job::Run(Box::new(script), Arc::clone(&self.config), Trigger::Palette),
        )
    }
}

/// On the run worker: notes the focused window, shows the palette and
/// waits for it, and gives the focus back to that window.
pub(super) fn choose_on_worker(desktop: &mut NativeDesktop, entries: Vec<TrayEntry>) -> AgentEvent {
    let focused = desktop.focused().ok().flatten();
    let chosen = match DialogProcess::current().choose(entries) {
        Ok(chosen) => chosen,
        Err(e) => {
            tracing::warn!("the command palette could not be shown: {e}");
            None
        }
    };
    let Some(window) = focused else {
        return AgentEvent::PaletteClosed(chosen);
    };
    // The palette's window is gone (its process has ended); the window
    // manager may have handed the focus elsewhere. A chosen script runs only
    // once the focus is back where the caseworker was: never into another
    // window.
    match desktop.focus(window.id) {
        Ok(()) => AgentEvent::PaletteClosed(chosen),
        Err(e) if chosen.is_some() => {
            tracing::warn!(
                "the script chosen in the command palette was not started: the focus could not be given back to the window it was in ({e})"
            );
            AgentEvent::PaletteClosed(None)
        }
        Err(e) => {
            tracing::debug!("the focus could not be given back after the palette: {e}");
            AgentEvent::PaletteClosed(None)
        }
    }
}
