//! Reloading without stopping the agent: the scripts and the config are
//! read on their own thread (a script folder on a network share can take
//! seconds, or hang), while hot keys, the panic key and runs go on with the
//! last good set. The new set takes over only when it has arrived and is
//! free of errors; changes made while a reload runs start one more after it.
//! The first load at start is read the same way, with a few seconds'
//! patience (see [`first_load`]).

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, anyhow};

use super::AgentEvent;
use super::keys::{palette_key_of, panic_key_of, pause, start_hotstrings, stopwatch_key_of};
use super::notices::Notices;
use super::reload::Locations;
use super::scripts::HotkeyTable;
use super::state::{Agent, Job, Reloading};
use genvej_format::config::Config;
use genvej_format::script::ScriptSet;

/// A reload that takes longer than this is mentioned in the log (once).
const SLOW: Duration = Duration::from_secs(10);
/// How long the agent waits at start for its scripts before it starts
/// without them.
const STARTUP_PATIENCE: Duration = Duration::from_secs(5);

/// Reads the scripts and the config on a thread; the result arrives as
/// [`AgentEvent::Loaded`].
fn load_in_background(locations: &Locations, events: &Sender<AgentEvent>) -> anyhow::Result<()> {
    spawn_loader(locations, events, "genvej-load", || {}).map(drop)
}

/// A thread named `name` that reads the scripts and the config, sends them
/// as [`AgentEvent::Loaded`], then does `then`.
fn spawn_loader(
    locations: &Locations,
    events: &Sender<AgentEvent>,
    name: &str,
    then: impl FnOnce() + Send + 'static,
) -> anyhow::Result<JoinHandle<()>> {
    let locations = locations.clone();
    let events = events.clone();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let loaded = locations.load();
            let _ = events.send(AgentEvent::Loaded(Box::new(loaded)));
            then();
        })
        .map_err(|e| anyhow!("cannot start reading the scripts: {e}"))
}

/// The thread that read the scripts at start, handed on to become the run
/// worker: under Wine an ended thread's stack (about 1 MB) stays until
/// another thread ends, so the idle agent is lighter when the first load's
/// thread lives on instead of ending.
pub(super) struct SpareThread {
    work: Sender<Box<dyn FnOnce() + Send>>,
    handle: JoinHandle<()>,
}

impl SpareThread {
    /// Runs `work` on this thread; the handle ends when `work` does.
    pub(super) fn run(self, work: Box<dyn FnOnce() + Send>) -> anyhow::Result<JoinHandle<()>> {
        self.work
            .send(work)
            .map_err(|_| anyhow!("the thread that read the scripts has stopped"))?;
        Ok(self.handle)
    }
}

/// The first load, at start: the agent waits [`STARTUP_PATIENCE`] for its
/// scripts. If they have not been read by then (a share that hangs at
/// logon), it starts without them — the panic key registered, the config
/// read on its own — and takes the scripts over when they arrive. Only the
/// loader sends into `events` at this point. The loader's thread comes back
/// as a [`SpareThread`] when it answered in time.
pub(super) fn first_load(
    locations: &Locations,
    events: &Sender<AgentEvent>,
    inbox: &Receiver<AgentEvent>,
) -> anyhow::Result<(ScriptSet, Config, Reloading, Option<SpareThread>)> {
    let (work, work_inbox) = mpsc::channel::<Box<dyn FnOnce() + Send>>();
    // Named for what it does longest: run scripts.
    let handle = spawn_loader(locations, events, "genvej-run", move || {
        // Ends here when the agent went on without this thread.
        if let Ok(work) = work_inbox.recv() {
            work();
        }
    })?;
    let spare = SpareThread { work, handle };
    match inbox.recv_timeout(STARTUP_PATIENCE) {
        Ok(AgentEvent::Loaded(loaded)) => {
            let (set, config) = (*loaded).map_err(|e| anyhow!("{e}"))?;
            Ok((set, config, Reloading::default(), Some(spare)))
        }
        Err(RecvTimeoutError::Disconnected) => {
            let (set, config) = locations.load().map_err(|e| anyhow!("{e}"))?;
            Ok((set, config, Reloading::default(), None))
        }
        Ok(_) | Err(RecvTimeoutError::Timeout) => {
            tracing::warn!(
                "the scripts have not been read after {} s (a network share that does not answer?); starting without them, they are used as soon as they have been read",
                STARTUP_PATIENCE.as_secs()
            );
            let config = genvej_desktop::deployment::load_config(&locations.config_paths)
                .map_err(|e| anyhow!("{e}"))?
                .config;
            Ok((ScriptSet::default(), config, Reloading::started(), None))
        }
    }
}

impl Agent {
    /// Starts reading the scripts and the config on a thread; the result
    /// arrives as [`AgentEvent::Loaded`]. While one is being read, this only
    /// notes that another is wanted.
    pub(super) fn reload(&mut self) -> anyhow::Result<()> {
        if let Some(since) = self.reloading.since {
            self.reloading.again = true;
            if since.elapsed() >= SLOW && !self.reloading.said_slow {
                self.reloading.said_slow = true;
                tracing::warn!(
                    "reading the scripts has taken {} s so far (a network share that does not answer?); the last good set stays in use",
                    since.elapsed().as_secs()
                );
            }
            return Ok(());
        }
        tracing::debug!("reading the scripts and the config");
        load_in_background(&self.locations, &self.events)?;
        self.reloading = Reloading::started();
        Ok(())
    }

    /// Takes over a set read by [`Agent::reload`] if it is free of errors,
    /// else keeps the last good set and says why.
    pub(super) fn swap_to(
        &mut self,
        loaded: Result<(ScriptSet, Config), String>,
    ) -> anyhow::Result<()> {
        let again = self.reloading.again;
        self.reloading = Reloading::default();
        match loaded {
            Ok((set, new_config)) if set.error_count() == 0 => self.take_over(set, new_config)?,
            Ok((set, _)) => {
                let diagnostics = set.render_diagnostics();
                self.script_errors = set.error_count();
                tracing::warn!(
                    "the scripts changed but have {} error(s); keeping the last good set ({} scripts):\n{diagnostics}",
                    set.error_count(),
                    self.table.scripts.len(),
                );
                let first = diagnostics.lines().next().unwrap_or_default();
                self.notices.scripts_have_errors(set.error_count(), first);
            }
            Err(e) => tracing::warn!(
                "the config changed but is not usable; keeping the last good set:\n{e}"
            ),
        }
        self.show_state();
        if again {
            self.reload()?;
        }
        Ok(())
    }

    fn take_over(&mut self, set: ScriptSet, new_config: Config) -> anyhow::Result<()> {
        let panic_key = match panic_key_of(&new_config) {
            Ok(chord) => chord,
            Err(e) => {
                tracing::warn!(
                    "the config changed but is not usable; keeping the last good set: {e}"
                );
                return Ok(());
            }
        };
        self.table = HotkeyTable::new(set.scripts);
        let ready = super::palette::keep_ready(&new_config);
        if ready != super::palette::keep_ready(&self.config) {
            // The worker starts or ends the palette's process between jobs.
            self.jobs
                .send(Job::PaletteReady(ready))
                .context("the run worker stopped")?;
        }
        self.config = Arc::new(new_config);
        self.notices = Notices::new(self.config.agent.notice_seconds);
        self.panic_key = panic_key;
        self.stopwatch_key = stopwatch_key_of(&self.config).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            None
        });
        self.palette_key = palette_key_of(&self.config).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            None
        });
        self.script_errors = 0;
        self.register_hotkeys()?;
        self.hotstrings = None;
        self.hotstrings = start_hotstrings(&self.table, self.events.clone());
        if self.paused || (self.running.is_some() && !self.input_done) {
            pause(&self.hotstrings);
        }
        tracing::info!(
            "genvej reloaded: {} scripts, {} hot keys, {} hotstrings",
            self.table.scripts.len(),
            self.table.chords().len(),
            self.table.hotstring_count()
        );
        Ok(())
    }
}
