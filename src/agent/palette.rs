//! The command palette (`agent.palette_hotkey`): one chord opens a search
//! over every script, and the one chosen runs into the window that had the
//! focus when the chord was pressed.
//!
//! The palette is a job for the run worker, like a run: the worker owns the
//! desktop connection, so it notes the focused window before the palette
//! takes the focus, shows the palette, and gives the focus back before it
//! reports the choice. The palette's process (`genvej dialog --palette`)
//! is started with the agent and kept, hidden, between chords
//! (`agent.palette_ready`, on by default), so the chord shows it at once;
//! one that has ended is replaced at the chord. The worker owns it, and it
//! ends with the worker. The agent
//! then starts the chosen script as an ordinary run — one run at a time,
//! the engine's own window checks, recorded with the trigger `palette`.
//! While the palette is open, the agent counts it as running: hot keys are
//! refused and hotstrings paused, so typing a search expands nothing; the
//! panic key closes it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use genvej_desktop::os::NativeDesktop;
use genvej_engine::ports::{CancelToken, Windows};
use genvej_format::config::Config;
use genvej_format::window_match::WindowId;
use genvej_ui::dialog::PaletteProcess;
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
        let entries = self.table.entries();
        let job = Job::Palette {
            entries,
            keep_ready: self.config.agent.palette_ready,
        };
        self.start(texts::PALETTE_NAME.into(), job)
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
            Job::Run(script, Arc::clone(&self.config), Trigger::Palette),
        )
    }
}

/// Whether the palette's process should be kept ready under `config`.
pub(super) fn keep_ready(config: &Config) -> bool {
    config.agent.palette_hotkey.is_some() && config.agent.palette_ready
}

/// On the run worker: notes the focused window, shows the palette and
/// waits for it (until the caseworker closes it, or `cancel`: the panic
/// key, shutdown), and gives the focus back to that window.
pub(super) fn choose_on_worker(
    desktop: &mut NativeDesktop,
    palette: &mut PaletteProcess,
    entries: Vec<TrayEntry>,
    cancel: &CancelToken,
    keep_ready: bool,
) -> AgentEvent {
    let focused = desktop.focused().ok().flatten();
    let chosen = match palette.choose(entries, cancel, keep_ready) {
        Ok(chosen) => chosen,
        Err(e) => {
            tracing::warn!("the command palette could not be shown: {e}");
            None
        }
    };
    let Some(window) = focused else {
        return AgentEvent::PaletteClosed(chosen);
    };
    // The palette's window is hidden; the window manager may have handed
    // the focus elsewhere, or not yet taken it from the palette. A chosen
    // script runs only once the focus is back where the caseworker was:
    // never into another window, nor into the palette's.
    match give_focus_back(desktop, window.id) {
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

/// How long the focus may take to come back after the palette.
const FOCUS_BACK: Duration = Duration::from_secs(2);

/// Asks for the focus for `window` until the desktop names it as focused
/// (asking again every 100 ms: a request made while the palette was still
/// on screen may be undone by its hiding), for at most [`FOCUS_BACK`].
fn give_focus_back(desktop: &mut NativeDesktop, window: WindowId) -> Result<(), String> {
    let deadline = Instant::now() + FOCUS_BACK;
    let mut asked = Instant::now();
    desktop.focus(window).map_err(|e| e.to_string())?;
    loop {
        if asked.elapsed() >= Duration::from_millis(100) {
            desktop.focus(window).map_err(|e| e.to_string())?;
            asked = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(5));
        if let Ok(Some(focused)) = desktop.focused() {
            if focused.id == window {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            return Err(format!("it was not back within {} s", FOCUS_BACK.as_secs()));
        }
    }
}
