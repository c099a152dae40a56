//! The agent's loop, the same on every OS: hot keys, hotstrings, runs,
//! reloads and the tray menu all arrive as events in one channel, and the
//! rules ("one run at a time", "the panic key cancels", "paused means no hot
//! keys") live in [`Agent`]'s handlers. What differs per OS is in `os`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};

use super::notices::Notices;
use super::reload::Locations;
use super::scripts::HotkeyTable;
use super::{AgentEvent, AgentOptions, log_outcome};
use anyhow::Context;
use genvej_desktop::os::{self, Hotkeys};
use genvej_engine::Status;
use genvej_engine::ports::CancelToken;
use genvej_format::chord::Chord;
use genvej_format::script::Script;
use genvej_format::window_match::WindowInfo;
use genvej_ui::tray::{Tray, TrayState};
use genvej_usage::Trigger;

use super::keys::{palette_key_of, panic_key_of, pause, start_hotstrings, stopwatch_key_of};
use super::state::{Agent, Job};
use super::stopwatch::{Stopwatch, ask_in_background};
use super::swap::first_load;
use super::usage::Recorder;
use super::worker::start_worker;

/// Runs until SIGINT/SIGTERM or "Afslut" in the tray. Logs `genvej ready`
/// once every hot key is registered, and reloads when the scripts or the
/// config change.
pub fn run(locations: Locations, options: AgentOptions) -> anyhow::Result<()> {
    let (events, inbox) = mpsc::channel::<AgentEvent>();
    let (set, config, reloading, spare) = first_load(&locations, &events, &inbox)?;
    let script_errors = set.error_count();
    if script_errors > 0 {
        tracing::warn!(
            "{script_errors} problem(s) in the scripts; scripts with errors are not loaded:\n{}",
            set.render_diagnostics()
        );
    }
    let table = HotkeyTable::new(set.scripts);
    let config = Arc::new(config);
    let panic_key = panic_key_of(&config)?;
    let stopwatch_key = stopwatch_key_of(&config)?;
    let palette_key = palette_key_of(&config)?;
    let Some(_instance) = os::claim(events.clone())? else {
        return Ok(());
    };
    let cancel = CancelToken::new();
    let usage = Recorder::start(&config);
    let recorder = usage.as_ref().map(|(recorder, _)| recorder.clone());

    let (jobs, worker) = start_worker(
        &config,
        cancel.clone(),
        events.clone(),
        recorder.clone(),
        spare,
    )?;
    let jobs = Arc::new(jobs);

    let agent_keys: Vec<Chord> = std::iter::once(panic_key)
        .chain(stopwatch_key)
        .chain(palette_key)
        .collect();
    let chords = chords_of(&table, &agent_keys);
    let (listener, conflicts) = Hotkeys::start(&chords, events.clone(), heads_up(&jobs))?;
    report_conflicts(&table, panic_key, palette_key, &conflicts);
    let hotstrings = start_hotstrings(&table, events.clone());
    let shutdown = os::watch_shutdown(&listener, events.clone())?;
    let bundle_checks = start_bundle_checks(&locations, &events);
    let _watcher = match locations.watch(&listener, events.clone()) {
        Ok(watcher) => Some(watcher),
        Err(e) => {
            tracing::warn!("scripts are not reloaded on change: {e}");
            None
        }
    };
    let tray = if options.tray {
        start_tray(
            TrayState::new(table.scripts.iter().map(|s| &**s), script_errors, false),
            &events,
        )
    } else {
        None
    };

    tracing::info!(
        "genvej ready: {} scripts, {} hot keys ({} taken by other programs), {} hotstrings, {}",
        table.scripts.len(),
        chords.len() - agent_keys.len(),
        conflicts.len(),
        hotstrings.as_ref().map_or(0, |_| table.hotstring_count()),
        os::session_name(),
    );

    let mut agent = Agent {
        notices: Notices::new(config.agent.notice_seconds),
        locations,
        options,
        events,
        table,
        config,
        panic_key,
        listener,
        hotstrings,
        jobs,
        cancel: cancel.clone(),
        running: None,
        input_done: false,
        paused: false,
        script_errors,
        tray,
        recorder,
        stopwatch_key,
        palette_key,
        stopwatch: Stopwatch::default(),
        pulse: super::pulse::Pulse::new(
            usage
                .as_ref()
                .map(|(recorder, _)| recorder.pulse_schedule())
                .unwrap_or_default(),
        ),
        reloading,
        bundle_checks,
        sequence: None,
        sequence_count: 0,
    };
    let reason = loop {
        let Ok(event) = inbox.recv() else {
            break "every sender of agent events stopped".to_string();
        };
        if let Some(reason) = agent.handle(event)? {
            break reason;
        }
    };

    tracing::info!("genvej stopping: {reason}");
    cancel.cancel();
    // A satisfaction question still on screen goes with the agent.
    agent.pulse.withdraw();
    drop(agent);
    if worker.join().is_err() {
        tracing::error!("the run worker ended abnormally");
    }
    // The last records are written before "stopped".
    drop(usage);
    tracing::info!("genvej stopped");
    // Last: at the end of a Windows session, this tells Windows we are done.
    drop(shutdown);
    Ok(())
}

/// Called on the hot-key listener's thread for each press, before the
/// agent hears of it, with the focused window if the listener described
/// it: the worker gets ready (keeps or makes the description) while the
/// agent decides ([`Job::Prepare`]). Sent first, so it is in the worker's
/// queue before any job the press starts. It holds the agent's sender only
/// weakly: the worker ends when the agent lets go of it, although the
/// listener's thread may outlive the agent (Windows: the session window).
fn heads_up(jobs: &Arc<Sender<Job>>) -> impl Fn(Option<WindowInfo>) + Send + 'static {
    let jobs = Arc::downgrade(jobs);
    move |window| {
        if let Some(jobs) = jobs.upgrade() {
            let _ = jobs.send(Job::Prepare(std::time::Instant::now(), window));
        }
    }
}

impl Agent {
    /// Handles one event; `Some(reason)` when the agent should stop.
    fn handle(&mut self, event: AgentEvent) -> anyhow::Result<Option<String>> {
        match event {
            // The panic key first: no other setting may take it over.
            AgentEvent::Hotkey(chord) if chord == self.panic_key => {
                if let Some(name) = &self.running {
                    tracing::info!("panic key: stopping «{name}»");
                    self.cancel.cancel();
                }
            }
            // While a sequence waits, every key is its next key (on Windows
            // the sequence's keys are hot keys for the moment).
            AgentEvent::Hotkey(chord) if self.sequence.is_some() => self.next_key(Some(chord))?,
            AgentEvent::NextKey(key) => self.next_key(key)?,
            AgentEvent::SequenceTimedOut(id) => self.sequence_timed_out(id),
            AgentEvent::Hotkey(chord) if self.table.is_leader(chord) => self.start_sequence(chord),
            AgentEvent::Hotkey(chord) if Some(chord) == self.stopwatch_key => {
                if self.stopwatch.measuring().is_some() {
                    self.stop_measuring();
                } else {
                    let entries = self.table.entries();
                    ask_in_background(entries, self.events.clone());
                }
            }
            AgentEvent::Hotkey(chord) if Some(chord) == self.palette_key => self.open_palette()?,
            AgentEvent::PaletteClosed(chosen) => self.palette_closed(chosen)?,
            AgentEvent::Hotkey(chord) => {
                let candidates: Vec<Arc<Script>> =
                    self.table.scripts_for(chord).into_iter().cloned().collect();
                let Some(first) = candidates.first() else {
                    tracing::debug!("hot key {chord} pressed: no script has it");
                    return Ok(None);
                };
                if self.paused {
                    tracing::debug!("hot key {chord} pressed while paused");
                    return Ok(None);
                }
                if let Some(busy) = &self.running {
                    self.cancel.note_grab();
                    tracing::info!(script = %first.id, "hot key {chord} ignored: «{busy}» is still running");
                    self.notices.busy(&first.name, busy);
                    if let Some(recorder) = &self.recorder {
                        recorder.refused(first, Trigger::Hotkey, &self.config);
                    }
                    return Ok(None);
                }
                let name = first.name.clone();
                self.start(name, Job::Hotkey(candidates, Arc::clone(&self.config)))?;
                // Logged once the run is on its way, not before.
                tracing::debug!("hot key {chord} pressed");
            }
            AgentEvent::Hotstring {
                index,
                ended_by_tab,
            } => {
                if self.running.is_some() || self.paused {
                    return Ok(None);
                }
                if self.pulse.showing() {
                    // Typed into the satisfaction question: its Backspaces
                    // would land in the caseworker's window once it closes.
                    tracing::debug!("hotstring ignored: the satisfaction question is on screen");
                    return Ok(None);
                }
                let Some(expansion) = self
                    .table
                    .hotstring(index)
                    .and_then(|(script, h)| script.hotstring_expansion(h, ended_by_tab))
                else {
                    return Ok(None);
                };
                let name = expansion.name.clone();
                self.start(
                    name,
                    Job::Run(
                        Arc::new(expansion),
                        Arc::clone(&self.config),
                        Trigger::Hotstring,
                    ),
                )?;
            }
            AgentEvent::InputDone => {
                if self.running.is_some() && !self.input_done {
                    self.input_done = true;
                    if !self.paused {
                        if let Some(h) = &self.hotstrings {
                            h.resume();
                        }
                    }
                }
            }
            AgentEvent::Finished(outcome) => {
                let name = self.running.take().unwrap_or_default();
                log_outcome(&name, &outcome);
                self.notices.run_finished(&name, &outcome);
                if !self.paused && !self.input_done {
                    if let Some(h) = &self.hotstrings {
                        h.resume();
                    }
                }
                // Only now that the run is over, and only when it succeeded.
                if outcome.status == Status::Completed {
                    self.ask_pulse(&outcome.script_id, &name);
                }
            }
            AgentEvent::Reload => {
                // A changed config or script: the bundle is checked too.
                if let Some(checks) = &self.bundle_checks {
                    checks.now();
                }
                self.reload()?
            }
            AgentEvent::LibraryChanged => self.reload()?,
            AgentEvent::Loaded(loaded) => self.swap_to(*loaded)?,
            AgentEvent::Measure { script_id, side } => self.start_measuring(&script_id, side),
            AgentEvent::Tray(action) => return self.on_tray(action),
            AgentEvent::Shutdown(reason) => return Ok(Some(reason)),
        }
        Ok(None)
    }

    pub(super) fn start(&mut self, name: String, job: Job) -> anyhow::Result<()> {
        // A pulse question still on screen closes first: the run types
        // into the window the caseworker was in, never into the question.
        let job = if self.pulse.withdraw() {
            Job::AfterQuestion(Box::new(job))
        } else {
            job
        };
        self.running = Some(name);
        self.input_done = false;
        self.cancel.reset();
        pause(&self.hotstrings);
        self.jobs.send(job).context("the run worker stopped")
    }

    /// Grabs the scripts' hot keys, or only the panic key while paused (so
    /// paused chords reach the programs again).
    pub(super) fn register_hotkeys(&mut self) -> anyhow::Result<()> {
        self.end_sequence();
        let agent_keys: Vec<Chord> = std::iter::once(self.panic_key)
            .chain(self.stopwatch_key)
            .collect();
        // The palette runs scripts: it is off while paused, like their chords.
        let chords = if self.paused {
            agent_keys
        } else {
            let mut keys = agent_keys;
            keys.extend(self.palette_key);
            chords_of(&self.table, &keys)
        };
        let conflicts = self
            .listener
            .replace(&chords)
            .context("cannot register the hot keys")?;
        report_conflicts(&self.table, self.panic_key, self.palette_key, &conflicts);
        Ok(())
    }

    pub(super) fn show_state(&self) {
        if let Some(tray) = &self.tray {
            let mut state = TrayState::new(
                self.table.scripts.iter().map(|s| &**s),
                self.script_errors,
                self.paused,
            );
            state.measuring = self.stopwatch.label();
            tray.update(state);
        }
    }

    pub(super) fn about(&self) -> String {
        let folders: Vec<PathBuf> = self.locations.all_folders().cloned().collect();
        let folders: Vec<&std::path::Path> = folders.iter().map(PathBuf::as_path).collect();
        let configs: Vec<&std::path::Path> = self
            .locations
            .config_paths
            .iter()
            .map(|l| l.path.as_path())
            .collect();
        super::texts::about(
            super::texts::Library::of(&self.table.scripts),
            &folders,
            &configs,
            self.options.log_folder.as_deref(),
        )
    }
}

/// Checks for new bundles on a thread of its own, when `[bundles]` is set:
/// a new library arrives as [`AgentEvent::LibraryChanged`], and refusals
/// are shown as notices.
fn start_bundle_checks(
    locations: &Locations,
    events: &Sender<AgentEvent>,
) -> Option<super::library::Checks> {
    let bundles = locations.bundles.clone()?;
    let seconds = bundles.notice_seconds;
    let notify = Box::new(move |title: &str, text: &str| Notices::new(seconds).show(title, text));
    let checker = super::library::Checker::new(bundles, notify);
    let events = events.clone();
    let took = move || {
        let _ = events.send(AgentEvent::LibraryChanged);
    };
    match super::library::Checks::start(checker, took) {
        Ok(checks) => Some(checks),
        Err(e) => {
            tracing::error!("cannot start checking for new bundles: {e}");
            None
        }
    }
}

/// Every chord to grab: the scripts' hot keys and the agent's own (the
/// panic key, the stopwatch).
fn chords_of(table: &HotkeyTable, agent_keys: &[Chord]) -> Vec<Chord> {
    let mut chords = table.chords();
    chords.extend_from_slice(agent_keys);
    chords
}

fn report_conflicts(
    table: &HotkeyTable,
    panic_key: Chord,
    palette_key: Option<Chord>,
    conflicts: &[(Chord, String)],
) {
    for (chord, error) in conflicts {
        if *chord == panic_key {
            tracing::warn!(
                "the panic key {chord} is taken by another program ({error}); change agent.panic_key"
            );
        }
        if Some(*chord) == palette_key {
            tracing::warn!(
                "the command palette's key {chord} is taken by another program ({error}); change agent.palette_hotkey"
            );
        }
        for script in table.scripts_for(*chord) {
            tracing::warn!(script = %script.id, "hot key {chord} of «{}» is taken by another program ({error}); the other hot keys work", script.name);
        }
    }
}

/// Shows the tray icon; without one the agent runs on and says why.
pub(super) fn start_tray(state: TrayState, events: &Sender<AgentEvent>) -> Option<Tray> {
    let events = events.clone();
    let on_action = Box::new(move |action| {
        let _ = events.send(AgentEvent::Tray(action));
    });
    match Tray::start(state, on_action) {
        Ok(tray) => {
            match genvej_ui::tray::missing_host() {
                Some(why) => tracing::warn!(
                    "tray icon made, but it cannot be seen yet: {why}; it appears when a tray starts, and hot keys work without it"
                ),
                None => tracing::info!("tray icon shown"),
            }
            Some(tray)
        }
        Err(e) => {
            tracing::warn!("no tray icon, running without one: {e}");
            None
        }
    }
}
