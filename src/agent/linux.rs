//! The headless agent on X11.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

use anyhow::{Context, anyhow};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use super::instance::{self, Claim};
use super::notices::Notices;
use super::reload::Sources;
use super::scripts::{HotkeyTable, pick};
use super::{AgentEvent, log_outcome};
use crate::chord::Chord;
use crate::config::Config;
use crate::engine::Engine;
use crate::platform::x11::hotkeys::{GrabError, HotkeyEvent, HotkeyListener};
use crate::platform::x11::hotstrings::{HotstringEvent, HotstringMonitor};
use crate::platform::x11::{PasteRules, X11Desktop};
use crate::ports::{CancelToken, Windows};
use crate::script::Script;
use crate::template::Renderer;

/// What the worker is asked to run, with the config of the moment.
enum Job {
    /// A hot key: the scripts that share the chord (the worker picks by focused window).
    Hotkey(Vec<Script>, Arc<Config>),
    /// A hotstring's expansion, as a ready-made script.
    Expansion(Box<Script>, Arc<Config>),
}

/// Runs until SIGINT/SIGTERM. Logs `genvej ready` once every hot key is
/// registered, and reloads when the scripts or the config change.
pub fn run_headless(sources: Sources) -> anyhow::Result<()> {
    let display = std::env::var("DISPLAY").ok();
    let (set, config) = sources.load().map_err(|e| anyhow!("{e}"))?;
    if set.error_count() > 0 {
        tracing::warn!(
            "{} problem(s) in the scripts; scripts with errors are not loaded:\n{}",
            set.error_count(),
            set.render_diagnostics()
        );
    }
    let mut table = HotkeyTable::new(set.scripts);
    let mut config = Arc::new(config);
    let mut panic_key = panic_key_of(&config)?;
    let (events, inbox) = mpsc::channel::<AgentEvent>();
    let screen = display.clone().unwrap_or_default();
    let _instance = match instance::claim(&screen, events.clone())
        .context("cannot check whether genvej is already running")?
    {
        Claim::First(instance) => instance,
        Claim::AlreadyRunning(socket) => {
            tracing::info!(
                "genvej is already running on display {screen} ({}); it was asked to reload its scripts",
                socket.display()
            );
            return Ok(());
        }
    };
    let cancel = CancelToken::new();

    let (jobs, worker) = start_worker(&config, cancel.clone(), events.clone())?;

    let (key_events, key_inbox) = mpsc::channel::<HotkeyEvent>();
    let chords = chords_of(&table, panic_key);
    let (mut listener, conflicts) = HotkeyListener::start(display.as_deref(), &chords, key_events)
        .context("cannot listen for hot keys")?;
    report_conflicts(&table, panic_key, &conflicts);
    forward_hotkeys(key_inbox, events.clone())?;
    let mut hotstrings = start_hotstrings(display.as_deref(), &table, events.clone());
    let signals = watch_signals(events.clone())?;
    let _watcher = match sources.watch(events.clone()) {
        Ok(watcher) => Some(watcher),
        Err(e) => {
            tracing::warn!("scripts are not reloaded on change: {e}");
            None
        }
    };

    tracing::info!(
        "genvej ready: {} scripts, {} hot keys ({} taken by other programs), {} hotstrings, display {screen}",
        table.scripts.len(),
        chords.len() - 1,
        conflicts.len(),
        hotstrings.as_ref().map_or(0, |_| table.hotstring_count()),
    );

    let mut notices = Notices::new(config.agent.notice_seconds);
    let mut running: Option<String> = None;
    let reason = loop {
        let Ok(event) = inbox.recv() else {
            break "all event sources stopped".to_string();
        };
        match event {
            AgentEvent::Hotkey(chord) if chord == panic_key => {
                if let Some(name) = &running {
                    tracing::info!("panic key: stopping «{name}»");
                    cancel.cancel();
                }
            }
            AgentEvent::Hotkey(chord) => {
                tracing::debug!("hot key {chord} pressed");
                let candidates: Vec<Script> =
                    table.scripts_for(chord).into_iter().cloned().collect();
                let Some(first) = candidates.first() else {
                    continue;
                };
                if let Some(busy) = &running {
                    cancel.note_grab();
                    tracing::info!(script = %first.id, "hot key {chord} ignored: «{busy}» is still running");
                    notices.busy(&first.name, busy);
                    continue;
                }
                running = Some(first.name.clone());
                cancel.reset();
                pause(&hotstrings);
                jobs.send(Job::Hotkey(candidates, Arc::clone(&config)))
                    .context("the run worker stopped")?;
            }
            AgentEvent::Hotstring(script, index, by_tab) => {
                if running.is_some() {
                    continue;
                }
                let Some(expansion) = table
                    .scripts
                    .get(script)
                    .and_then(|s| s.hotstring_expansion(index, by_tab))
                else {
                    continue;
                };
                running = Some(expansion.name.clone());
                cancel.reset();
                pause(&hotstrings);
                jobs.send(Job::Expansion(Box::new(expansion), Arc::clone(&config)))
                    .context("the run worker stopped")?;
            }
            AgentEvent::Finished(outcome) => {
                log_outcome(running.as_deref().unwrap_or(""), &outcome);
                notices.run_finished(running.as_deref().unwrap_or(""), &outcome);
                running = None;
                if let Some(h) = &hotstrings {
                    h.monitor.resume();
                }
            }
            AgentEvent::Reload => match sources.load() {
                Ok((set, new_config)) if set.error_count() == 0 => {
                    let new_panic_key = match panic_key_of(&new_config) {
                        Ok(chord) => chord,
                        Err(e) => {
                            tracing::warn!(
                                "the config changed but is not usable; keeping the last good set: {e}"
                            );
                            continue;
                        }
                    };
                    table = HotkeyTable::new(set.scripts);
                    config = Arc::new(new_config);
                    notices = Notices::new(config.agent.notice_seconds);
                    panic_key = new_panic_key;
                    let conflicts = listener
                        .replace(&chords_of(&table, panic_key))
                        .context("cannot register the hot keys")?;
                    report_conflicts(&table, panic_key, &conflicts);
                    drop(hotstrings);
                    hotstrings = start_hotstrings(display.as_deref(), &table, events.clone());
                    tracing::info!(
                        "genvej reloaded: {} scripts, {} hot keys, {} hotstrings",
                        table.scripts.len(),
                        table.chords().len(),
                        table.hotstring_count()
                    );
                }
                Ok((set, _)) => {
                    let diagnostics = set.render_diagnostics();
                    tracing::warn!(
                        "the scripts changed but have {} error(s); keeping the last good set ({} scripts):\n{diagnostics}",
                        set.error_count(),
                        table.scripts.len(),
                    );
                    let first = diagnostics.lines().next().unwrap_or_default();
                    notices.scripts_have_errors(set.error_count(), first);
                }
                Err(e) => tracing::warn!(
                    "the config changed but is not usable; keeping the last good set:\n{e}"
                ),
            },
            AgentEvent::Shutdown(reason) => break reason,
        }
    };

    tracing::info!("genvej stopping: {reason}");
    cancel.cancel();
    drop(jobs);
    drop(listener);
    drop(hotstrings);
    signals.close();
    if worker.join().is_err() {
        tracing::error!("the run worker ended abnormally");
    }
    tracing::info!("genvej stopped");
    Ok(())
}

/// The worker owns the desktop connection and runs one job at a time.
fn start_worker(
    config: &Config,
    cancel: CancelToken,
    events: Sender<AgentEvent>,
) -> anyhow::Result<(Sender<Job>, JoinHandle<()>)> {
    let (jobs, job_inbox) = mpsc::channel::<Job>();
    let (ready, ready_inbox) = mpsc::channel::<Result<(), String>>();
    // The desktop's browser and paste rules are read once, at start.
    let rules = PasteRules {
        shift_insert_classes: config.agent.shift_insert_classes.clone(),
    };
    let browser = config.agent.browser.clone();
    let worker = thread::Builder::new()
        .name("genvej-run".into())
        .spawn(move || {
            let mut desktop = match X11Desktop::connect(None, browser, rules) {
                Ok(desktop) => {
                    let _ = ready.send(Ok(()));
                    desktop
                }
                Err(e) => {
                    let _ = ready.send(Err(e.to_string()));
                    return;
                }
            };
            let renderer = Renderer::new();
            for job in job_inbox {
                let (script, config) = match job {
                    Job::Hotkey(candidates, config) => {
                        let focused = desktop.focused().ok().flatten();
                        let refs: Vec<&Script> = candidates.iter().collect();
                        match pick(&refs, focused.as_ref()) {
                            Some(script) => (script.clone(), config),
                            None => continue,
                        }
                    }
                    Job::Expansion(script, config) => (*script, config),
                };
                let engine = Engine::new(&renderer, &config, cancel.clone());
                let outcome = engine.run(&mut desktop, &script, &BTreeMap::new());
                if events.send(AgentEvent::Finished(outcome)).is_err() {
                    break;
                }
            }
        })
        .context("cannot start the run worker")?;
    match ready_inbox.recv() {
        Ok(Ok(())) => Ok((jobs, worker)),
        Ok(Err(e)) => Err(anyhow!("cannot use the X display: {e}")),
        Err(_) => Err(anyhow!("the run worker stopped while starting")),
    }
}

fn forward_hotkeys(inbox: Receiver<HotkeyEvent>, events: Sender<AgentEvent>) -> anyhow::Result<()> {
    thread::Builder::new()
        .name("genvej-hotkeys".into())
        .spawn(move || {
            for event in inbox {
                if let HotkeyEvent::Pressed { chord, .. } = event {
                    if events.send(AgentEvent::Hotkey(chord)).is_err() {
                        return;
                    }
                }
            }
        })
        .context("cannot start the hot-key thread")?;
    Ok(())
}

fn panic_key_of(config: &Config) -> anyhow::Result<Chord> {
    Chord::parse_hotkey(&config.agent.panic_key).map_err(|e| anyhow!("agent.panic_key: {e}"))
}

/// Every chord to grab: the scripts' hot keys and the panic key.
fn chords_of(table: &HotkeyTable, panic_key: Chord) -> Vec<Chord> {
    let mut chords = table.chords();
    chords.push(panic_key);
    chords
}

fn report_conflicts(table: &HotkeyTable, panic_key: Chord, conflicts: &[(Chord, GrabError)]) {
    for (chord, error) in conflicts {
        if *chord == panic_key {
            tracing::warn!(
                "the panic key {chord} is taken by another program ({error}); change agent.panic_key"
            );
        }
        for script in table.scripts_for(*chord) {
            tracing::warn!(script = %script.id, "hot key {chord} of «{}» is taken by another program ({error}); the other hot keys work", script.name);
        }
    }
}

/// The running hotstring monitor.
struct Hotstrings {
    monitor: HotstringMonitor,
}

/// Starts watching typed text for the scripts' abbreviations. Without the
/// X RECORD extension the agent runs on without hotstrings and says so.
fn start_hotstrings(
    display: Option<&str>,
    table: &HotkeyTable,
    events: Sender<AgentEvent>,
) -> Option<Hotstrings> {
    // Which script's hotstring each abbreviation is.
    let owners: Vec<(usize, usize)> = table
        .scripts
        .iter()
        .enumerate()
        .flat_map(|(s, script)| (0..script.hotstrings.len()).map(move |h| (s, h)))
        .collect();
    if owners.is_empty() {
        return None;
    }
    let abbreviations = owners
        .iter()
        .map(|&(s, h)| table.scripts[s].hotstrings[h].abbreviation.clone())
        .collect();
    let (typed, typed_inbox) = mpsc::channel::<HotstringEvent>();
    let monitor = match HotstringMonitor::start(display, abbreviations, typed) {
        Ok(monitor) => monitor,
        Err(e) => {
            tracing::warn!("hotstrings are off: {e}");
            return None;
        }
    };
    let forwarded = thread::Builder::new()
        .name("genvej-hotstrings".into())
        .spawn(move || {
            for HotstringEvent::Typed {
                index,
                ended_by_tab,
            } in typed_inbox
            {
                let Some(&(script, hotstring)) = owners.get(index) else {
                    continue;
                };
                if events
                    .send(AgentEvent::Hotstring(script, hotstring, ended_by_tab))
                    .is_err()
                {
                    return;
                }
            }
        });
    if let Err(e) = forwarded {
        tracing::warn!("hotstrings are off: cannot start their thread: {e}");
        return None;
    }
    Some(Hotstrings { monitor })
}

/// Our own typing must never feed or trigger a hotstring.
fn pause(hotstrings: &Option<Hotstrings>) {
    if let Some(h) = hotstrings {
        h.monitor.pause();
    }
}

fn watch_signals(events: Sender<AgentEvent>) -> anyhow::Result<signal_hook::iterator::Handle> {
    let mut signals = Signals::new([SIGINT, SIGTERM]).context("cannot watch signals")?;
    let handle = signals.handle();
    thread::Builder::new()
        .name("genvej-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let name = if signal == SIGINT {
                    "SIGINT"
                } else {
                    "SIGTERM"
                };
                let _ = events.send(AgentEvent::Shutdown(format!("{name} received")));
            }
        })
        .context("cannot start the signal thread")?;
    Ok(handle)
}
