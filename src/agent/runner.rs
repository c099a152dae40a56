//! The agent's loop, the same on every OS: hot keys, hotstrings, runs,
//! reloads and the tray menu all arrive as events in one channel, and the
//! rules ("one run at a time", "the panic key cancels", "paused means no hot
//! keys") live in [`Agent`]'s handlers. What differs per OS is in `os`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::notices::Notices;
use super::reload::Locations;
use super::scripts::{HotkeyTable, pick};
use super::{AgentEvent, AgentOptions, log_outcome};
use anyhow::{Context, anyhow};
use genvej_desktop::PasteRules;
use genvej_desktop::os::{self, Hotkeys};
use genvej_engine::ports::{CancelToken, Windows};
use genvej_engine::{Engine, RunError, RunFailure, RunOutcome, Status};
use genvej_format::chord::Chord;
use genvej_format::config::Config;
use genvej_format::script::Script;
use genvej_format::template::Renderer;
use genvej_ui::dialog::PaletteProcess;
use genvej_ui::tray::{Tray, TrayEntry, TrayState};
use genvej_usage::Trigger;

use super::keys::{palette_key_of, panic_key_of, pause, start_hotstrings, stopwatch_key_of};
use super::state::{Agent, Job};
use super::stopwatch::{Stopwatch, ask_in_background};
use super::swap::first_load;
use super::usage::Recorder;

/// Runs until SIGINT/SIGTERM or "Afslut" in the tray. Logs `genvej ready`
/// once every hot key is registered, and reloads when the scripts or the
/// config change.
pub fn run(locations: Locations, options: AgentOptions) -> anyhow::Result<()> {
    let (events, inbox) = mpsc::channel::<AgentEvent>();
    let (set, config, reloading) = first_load(&locations, &events, &inbox)?;
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

    let (jobs, worker) = start_worker(&config, cancel.clone(), events.clone(), recorder.clone())?;

    let agent_keys: Vec<Chord> = std::iter::once(panic_key)
        .chain(stopwatch_key)
        .chain(palette_key)
        .collect();
    let chords = chords_of(&table, &agent_keys);
    let (listener, conflicts) = Hotkeys::start(&chords, events.clone())?;
    report_conflicts(&table, panic_key, palette_key, &conflicts);
    let hotstrings = start_hotstrings(&table, events.clone());
    let shutdown = os::watch_shutdown(events.clone())?;
    let bundle_checks = start_bundle_checks(&locations, &events);
    let _watcher = match locations.watch(events.clone()) {
        Ok(watcher) => Some(watcher),
        Err(e) => {
            tracing::warn!("scripts are not reloaded on change: {e}");
            None
        }
    };
    let tray = if options.tray {
        start_tray(
            TrayState::new(&table.scripts, script_errors, false),
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
                    let entries = self.table.scripts.iter().map(TrayEntry::of).collect();
                    ask_in_background(entries, self.events.clone());
                }
            }
            AgentEvent::Hotkey(chord) if Some(chord) == self.palette_key => self.open_palette()?,
            AgentEvent::PaletteClosed(chosen) => self.palette_closed(chosen)?,
            AgentEvent::Hotkey(chord) => {
                let candidates: Vec<Script> =
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
                        Box::new(expansion),
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
            let mut state = TrayState::new(&self.table.scripts, self.script_errors, self.paused);
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

/// The worker owns the desktop connection and runs one job at a time.
fn start_worker(
    config: &Config,
    cancel: CancelToken,
    events: Sender<AgentEvent>,
    recorder: Option<Recorder>,
) -> anyhow::Result<(Sender<Job>, JoinHandle<()>)> {
    let (jobs, job_inbox) = mpsc::channel::<Job>();
    let (ready, ready_inbox) = mpsc::channel::<anyhow::Result<()>>();
    // The desktop's browser and paste rules are read once, at start.
    let rules = PasteRules {
        shift_insert_classes: config.agent.shift_insert_classes.clone(),
    };
    let browser = config.agent.browser.clone();
    let palette_ready = super::palette::keep_ready(config);
    let worker = thread::Builder::new()
        .name("genvej-run".into())
        .spawn(move || {
            let mut desktop = match os::connect_desktop(
                browser,
                rules,
                Box::new(genvej_ui::dialog::DialogProcess::current()),
            ) {
                Ok(desktop) => {
                    let _ = ready.send(Ok(()));
                    desktop
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            // Renders stop at the panic key, not only between steps.
            let renderer = Renderer::with_cancel(cancel.clone());
            // The command palette, drawn ahead of its chord by a process of
            // its own (never GL in the agent); it ends with the worker.
            let mut palette = PaletteProcess::current();
            if palette_ready {
                palette.prepare();
            }
            for job in job_inbox {
                // A job that closed the pulse question waits for the focus
                // to be back first, whatever the job (a run or the palette).
                let job = match job {
                    Job::AfterQuestion(inner) => {
                        wait_for_focus_back(&mut desktop);
                        *inner
                    }
                    job => job,
                };
                let job = match job {
                    Job::Palette {
                        entries,
                        keep_ready,
                    } => {
                        let closed = super::palette::choose_on_worker(
                            &mut desktop,
                            &mut palette,
                            entries,
                            &cancel,
                            keep_ready,
                        );
                        if events.send(closed).is_err() {
                            break;
                        }
                        continue;
                    }
                    Job::PaletteReady(true) => {
                        palette.prepare();
                        continue;
                    }
                    Job::PaletteReady(false) => {
                        palette.stop();
                        continue;
                    }
                    job => job,
                };
                // The engine turns a panic inside a run into a failed run;
                // this catches one anywhere else in a job, so the agent is
                // always told that the run is over.
                let input_done = || {
                    let _ = events.send(AgentEvent::InputDone);
                };
                let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let worker = Worker {
                        renderer: &renderer,
                        cancel: &cancel,
                        recorder: recorder.as_ref(),
                        input_done: &input_done,
                    };
                    worker.run_job(job, &mut desktop)
                }))
                .unwrap_or_else(|_| {
                    tracing::error!("a run stopped on an internal error");
                    Some(RunOutcome {
                        script_id: String::new(),
                        status: Status::Failed(RunFailure {
                            script_name: "genvej".into(),
                            step: None,
                            action: "run",
                            error: RunError::Internal,
                        }),
                        duration: Duration::ZERO,
                        steps_completed: 0,
                    })
                });
                let Some(outcome) = done else { continue };
                if events.send(AgentEvent::Finished(outcome)).is_err() {
                    break;
                }
            }
        })
        .context("cannot start the run worker")?;
    match ready_inbox.recv() {
        Ok(Ok(())) => Ok((jobs, worker)),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(anyhow!("the run worker stopped while starting")),
    }
}

/// What the run worker lends each job.
struct Worker<'w> {
    renderer: &'w Renderer,
    cancel: &'w CancelToken,
    recorder: Option<&'w Recorder>,
    /// Called once the run has sent its last key, before it is recorded.
    input_done: &'w dyn Fn(),
}

impl Worker<'_> {
    /// Runs one job: picks the script (a hot key shared by several scripts
    /// goes to the one for the focused window), runs it and records it.
    /// `None` when no script was for the focused window.
    fn run_job(&self, job: Job, desktop: &mut os::NativeDesktop) -> Option<RunOutcome> {
        let (script, config, trigger) = match job {
            Job::AfterQuestion(job) => {
                wait_for_focus_back(desktop);
                return self.run_job(*job, desktop);
            }
            Job::Hotkey(candidates, config) => {
                let script = match candidates.as_slice() {
                    // One script: nothing to choose (the engine reads the
                    // focused window itself, once).
                    [only] => only.clone(),
                    _ => {
                        let focused = desktop.focused().ok().flatten();
                        let refs: Vec<&Script> = candidates.iter().collect();
                        pick(&refs, focused.as_ref())?.clone()
                    }
                };
                (script, config, Trigger::Hotkey)
            }
            Job::Run(script, config, trigger) => (*script, config, trigger),
            // Handled by the worker's loop before it gets here.
            Job::Palette { .. } | Job::PaletteReady(_) => return None,
        };
        desktop.set_document_folder(config.agent.document_folder.clone());
        desktop.set_ca_file(config.agent.ca_file.clone());
        let engine = Engine::new(self.renderer, &config, self.cancel.clone());
        let outcome = engine.run(desktop, &script, &BTreeMap::new());
        // Writing the usage record takes a moment; a key the caseworker
        // types meanwhile is theirs, and hotstrings must see it.
        (self.input_done)();
        if let Some(recorder) = self.recorder {
            recorder.run_finished(&script, &outcome, trigger, &config);
        }
        Some(outcome)
    }
}

/// After the agent closed its own question: waits (at most a second)
/// until the desktop names a focused window that is not the question. The
/// window manager hands the focus back a moment after the question's
/// window is gone; meanwhile the focus may still name the closed window.
fn wait_for_focus_back(desktop: &mut os::NativeDesktop) {
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(window)) = desktop.focused() {
            if !super::pulse::is_question(&window.title) {
                return;
            }
        }
        thread::sleep(Duration::from_millis(10));
    }
    tracing::debug!("the focus did not come back within a second of closing the question");
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
