//! The agent's X11 side: hot keys grabbed with x11rb, hotstrings from the
//! RECORD extension, one agent per display (a Unix socket), SIGINT/SIGTERM.

use std::sync::mpsc::Sender;
use std::thread;

use anyhow::Context;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use super::instance::{self as instance_unix, Claim};
use crate::listener::ListenerError;
use crate::os::{OsEvent, hotkeys_to, hotstrings_to};
use crate::x11::X11Desktop;
use crate::x11::hotkeys::{GrabError, HotkeyListener};
use crate::x11::hotstrings::HotstringMonitor;
use crate::{Dialogs, PasteRules};
use genvej_format::chord::Chord;
use genvej_format::window_match::WindowInfo;

pub use instance_unix::SingleInstance as Instance;

/// The desktop the run worker drives (it implements the engine's
/// `ports::Desktop`).
pub type NativeDesktop = X11Desktop;

fn display() -> Option<String> {
    std::env::var("DISPLAY").ok()
}

/// What one agent is per, for the log: the X display.
pub fn session_name() -> String {
    format!("display {}", display().unwrap_or_default())
}

pub fn connect_desktop(
    browser: Option<String>,
    rules: PasteRules,
    dialogs: Box<dyn Dialogs>,
) -> anyhow::Result<NativeDesktop> {
    X11Desktop::connect(None, browser, rules, dialogs)
        .map_err(|e| anyhow::anyhow!("cannot use the X display: {e}"))
}

/// Becomes the agent of this display, or asks the running one to reload
/// (`None`).
pub fn claim<E: From<OsEvent> + Send + 'static>(
    events: Sender<E>,
) -> anyhow::Result<Option<Instance>> {
    let screen = display().unwrap_or_default();
    match instance_unix::claim(&screen, events)
        .context("cannot check whether genvej is already running")?
    {
        Claim::First(instance) => Ok(Some(instance)),
        Claim::AlreadyRunning(socket) => {
            tracing::info!(
                "genvej is already running on display {screen} ({}); it was asked to reload its scripts",
                socket.display()
            );
            Ok(None)
        }
    }
}

/// The registered hot keys; presses arrive as [`OsEvent::Hotkey`].
pub struct Hotkeys {
    listener: HotkeyListener,
}

fn conflicts(grabs: Vec<(Chord, GrabError)>) -> Vec<(Chord, String)> {
    grabs.into_iter().map(|(c, e)| (c, e.to_string())).collect()
}

impl Hotkeys {
    /// Registers `chords`; the ones other programs hold are returned with
    /// why. `on_press` is called on the listener's thread as each press is
    /// reported (with the focused window, if the listener described it),
    /// before it is sent to `events`.
    pub fn start<E: From<OsEvent> + Send + 'static>(
        chords: &[Chord],
        events: Sender<E>,
        on_press: impl Fn(Option<WindowInfo>) + Send + 'static,
    ) -> anyhow::Result<(Hotkeys, Vec<(Chord, String)>)> {
        let report = hotkeys_to(events, on_press);
        let (listener, taken) = HotkeyListener::start(display().as_deref(), chords, report)
            .context("cannot listen for hot keys")?;
        Ok((Hotkeys { listener }, conflicts(taken)))
    }

    /// Registers exactly `chords` from now on.
    pub fn replace(&mut self, chords: &[Chord]) -> anyhow::Result<Vec<(Chord, String)>> {
        Ok(conflicts(self.listener.replace(chords)?))
    }

    /// After a sequence's `leader`: takes the keyboard until the next key,
    /// which arrives as [`OsEvent::NextKey`] — one of `keys` (Escape
    /// included), else `None`; any key ends the wait and lets the keyboard
    /// go. `Ok(false)` when another program holds the keyboard.
    pub fn await_next_key(&mut self, _leader: Chord, keys: &[Chord]) -> anyhow::Result<bool> {
        let keys: Vec<genvej_format::chord::Key> = keys.iter().map(|c| c.key).collect();
        self.listener
            .await_next_key(&keys)
            .context("cannot take the keyboard for the sequence's next key")
    }

    /// Stops waiting for a sequence's next key and lets the keyboard go.
    pub fn stop_waiting(&mut self) {
        if let Err(e) = self.listener.stop_waiting() {
            tracing::warn!("could not let go of the keyboard: {e}");
        }
    }
}

/// The running hotstring watcher; typed abbreviations arrive as
/// [`OsEvent::Hotstring`].
pub struct Hotstrings {
    monitor: HotstringMonitor,
}

impl Hotstrings {
    /// Watches typed text for `abbreviations`; `Err` says why not (e.g. no
    /// RECORD extension).
    pub fn start<E: From<OsEvent> + Send + 'static>(
        abbreviations: Vec<String>,
        events: Sender<E>,
    ) -> Result<Hotstrings, ListenerError> {
        HotstringMonitor::start(display().as_deref(), abbreviations, hotstrings_to(events))
            .map(|monitor| Hotstrings { monitor })
            .map_err(ListenerError::from)
    }

    pub fn pause(&self) {
        self.monitor.pause();
    }

    pub fn resume(&self) {
        self.monitor.resume();
    }
}

/// SIGINT and SIGTERM become [`OsEvent::Shutdown`].
pub struct ShutdownWatch {
    handle: signal_hook::iterator::Handle,
}

pub fn watch_shutdown<E: From<OsEvent> + Send + 'static>(
    _hotkeys: &Hotkeys,
    events: Sender<E>,
) -> anyhow::Result<ShutdownWatch> {
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
                let _ = events.send(E::from(OsEvent::Shutdown(format!("{name} received"))));
            }
        })
        .context("cannot start the signal thread")?;
    Ok(ShutdownWatch { handle })
}

impl Drop for ShutdownWatch {
    fn drop(&mut self) {
        self.handle.close();
    }
}

/// Folders watched for changes ([`watch_folders`]); dropping it stops the
/// watch.
pub struct FolderWatch {
    _watcher: notify::RecommendedWatcher,
}

/// Calls `on_change` with the path of each file or folder made, removed,
/// renamed or written under `folders` (each with its subfolders when its
/// `bool` says so), with inotify (the `notify` crate's thread).
pub fn watch_folders(
    _hotkeys: &Hotkeys,
    folders: Vec<(std::path::PathBuf, bool)>,
    on_change: impl Fn(&std::path::Path) + Send + Sync + 'static,
) -> anyhow::Result<FolderWatch> {
    use notify::{RecursiveMode, Watcher};
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading a script is no change.
        if let Ok(event) = event {
            if !event.kind.is_access() {
                for path in &event.paths {
                    on_change(path);
                }
            }
        }
    })
    .context("cannot watch the script folders")?;
    for (folder, recursive) in &folders {
        let mode = if *recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        watcher
            .watch(folder, mode)
            .with_context(|| format!("cannot watch {}", folder.display()))?;
    }
    Ok(FolderWatch { _watcher: watcher })
}
