//! The agent's Windows side: hot keys with RegisterHotKey, hotstrings from a
//! low-level keyboard hook, one agent per session (a named mutex), and a
//! hidden window for "close" and the end of the session.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use anyhow::{Context, anyhow};

use crate::listener::ListenerError;
use crate::os::{OsEvent, hotkeys_to, hotstrings_to};
use crate::windows::WindowsDesktop;
use crate::windows::hotkeys::HotkeyListener;
use crate::windows::hotstrings::HotstringMonitor;
use crate::windows::session::{self, ShutdownWindow};
use crate::{Dialogs, PasteRules};
use genvej_format::chord::Chord;
use genvej_format::window_match::WindowInfo;

pub use crate::windows::session::SingleInstance as Instance;

/// The desktop the run worker drives (it implements the engine's
/// `ports::Desktop`).
pub type NativeDesktop = WindowsDesktop;

/// What one agent is per, for the log.
pub fn session_name() -> String {
    "this Windows session".into()
}

pub fn connect_desktop(
    browser: Option<String>,
    rules: PasteRules,
    dialogs: Box<dyn Dialogs>,
) -> anyhow::Result<NativeDesktop> {
    Ok(WindowsDesktop::new(browser, rules, dialogs))
}

/// Becomes the agent of this session, or asks the running one to reload
/// (`None`).
pub fn claim<E: From<OsEvent> + Send + 'static>(
    events: Sender<E>,
) -> anyhow::Result<Option<Instance>> {
    let on_reload = move || {
        tracing::info!("another start of genvej asked for a reload");
        events.send(E::from(OsEvent::Reload)).is_ok()
    };
    let claimed = session::claim(on_reload)
        .map_err(|e| anyhow!("cannot check whether genvej is already running: {e}"))?;
    if claimed.is_none() {
        tracing::info!(
            "genvej is already running in this Windows session; it was asked to reload its scripts"
        );
    }
    Ok(claimed)
}

/// The registered hot keys; presses arrive as [`OsEvent::Hotkey`].
pub struct Hotkeys {
    listener: HotkeyListener,
    /// The chords registered outside sequences.
    chords: Vec<Chord>,
    /// A sequence's keys are registered besides them.
    waiting: bool,
}

impl Hotkeys {
    /// Registers `chords`; the ones other programs hold are returned with
    /// why. `on_press` is called on the hot-key thread as each press is
    /// reported (with the focused window, if the listener described it),
    /// before it is sent to `events`.
    pub fn start<E: From<OsEvent> + Send + 'static>(
        chords: &[Chord],
        events: Sender<E>,
        on_press: impl Fn(Option<WindowInfo>) + Send + 'static,
    ) -> anyhow::Result<(Hotkeys, Vec<(Chord, String)>)> {
        let report = hotkeys_to(events, on_press);
        let (listener, conflicts) =
            HotkeyListener::start(chords, report, session::take_reload_wake())
                .context("cannot listen for hot keys")?;
        let hotkeys = Hotkeys {
            listener,
            chords: chords.to_vec(),
            waiting: false,
        };
        Ok((hotkeys, conflicts))
    }

    /// Registers exactly `chords` from now on.
    pub fn replace(&mut self, chords: &[Chord]) -> anyhow::Result<Vec<(Chord, String)>> {
        self.chords = chords.to_vec();
        self.waiting = false;
        Ok(self.listener.replace(chords)?)
    }

    /// After a sequence's `leader`: takes the next key from every program
    /// with a low-level keyboard hook on the hot-key thread; it arrives as
    /// [`OsEvent::NextKey`] (one of `keys`, Escape included, or `None` for
    /// any other key, which cancels and reaches no window — like X11's
    /// keyboard grab). If Windows refuses the hook, `keys` are registered
    /// as hot keys instead, see [`Hotkeys::register_next_keys`].
    pub fn await_next_key(&mut self, leader: Chord, keys: &[Chord]) -> anyhow::Result<bool> {
        // Waiting from before the request: if its answer is late the hot-key
        // thread may still apply it, and `stop_waiting` must then put the
        // plain hot keys back (and the hook away).
        self.waiting = true;
        let wanted: Vec<_> = keys.iter().map(|chord| chord.key).collect();
        let (conflicts, hooked) = self.listener.await_next_key(&self.chords, &wanted)?;
        if hooked {
            for (chord, why) in &conflicts {
                tracing::debug!("hot key {chord} not registered: {why}");
            }
            return Ok(true);
        }
        self.register_next_keys(leader, keys)
    }

    /// Without the hook: registers `keys` (Escape included) as hot keys
    /// for the moment, alone and with the leader's modifiers (the
    /// caseworker may still hold them), so the next of them arrives as
    /// [`OsEvent::Hotkey`]. The typing keys (A–Z, 0–9, Space, Enter, Tab,
    /// Backspace, with and without Shift) are registered too, so one that
    /// is not a follow-up cancels and is not typed — else "hej" typed after
    /// an accidental leader would run the script on J. Keys outside that
    /// set (punctuation, arrows) still reach the window then; the agent's
    /// time-out ends the wait.
    fn register_next_keys(&mut self, leader: Chord, keys: &[Chord]) -> anyhow::Result<bool> {
        let held = genvej_format::chord::Modifiers {
            shift: false,
            ..leader.modifiers
        };
        let mut chords = self.chords.clone();
        for key in keys {
            let with_leader = Chord {
                modifiers: genvej_format::chord::Modifiers {
                    shift: key.modifiers.shift,
                    ..held
                },
                key: key.key,
            };
            for chord in [*key, with_leader] {
                if !chords.contains(&chord) {
                    chords.push(chord);
                }
            }
        }
        for chord in typing_keys() {
            if !chords.contains(&chord) {
                chords.push(chord);
            }
        }
        let conflicts = self.listener.replace(&chords)?;
        for (chord, why) in &conflicts {
            tracing::debug!("sequence key {chord} not registered: {why}");
        }
        Ok(true)
    }

    /// Stops waiting for a sequence's next key: only the hot keys again.
    pub fn stop_waiting(&mut self) {
        if !self.waiting {
            return;
        }
        self.waiting = false;
        if let Err(e) = self.listener.replace(&self.chords) {
            tracing::warn!("could not put the hot keys back after a sequence: {e}");
        }
    }
}

/// The keys that would type something, alone and with Shift: caught while
/// a sequence waits, so none reaches the window.
fn typing_keys() -> Vec<Chord> {
    use genvej_format::chord::{Key, Modifiers, NamedKey};
    let letters = ('A'..='Z').map(Key::Letter);
    let digits = ('0'..='9').map(Key::Digit);
    let named = [
        NamedKey::Space,
        NamedKey::Enter,
        NamedKey::Tab,
        NamedKey::Backspace,
    ]
    .map(Key::Named);
    letters
        .chain(digits)
        .chain(named)
        .flat_map(|key| {
            [false, true].map(|shift| Chord {
                modifiers: Modifiers {
                    shift,
                    ..Modifiers::default()
                },
                key,
            })
        })
        .collect()
}

/// The running hotstring watcher; typed abbreviations arrive as
/// [`OsEvent::Hotstring`].
pub struct Hotstrings {
    monitor: HotstringMonitor,
}

impl Hotstrings {
    /// Watches typed text for `abbreviations`; `Err` says why not (e.g. the
    /// keyboard hook was refused).
    pub fn start<E: From<OsEvent> + Send + 'static>(
        abbreviations: Vec<String>,
        events: Sender<E>,
    ) -> Result<Hotstrings, ListenerError> {
        HotstringMonitor::start(abbreviations, hotstrings_to(events))
            .map(|monitor| Hotstrings { monitor })
    }

    pub fn pause(&self) {
        self.monitor.pause();
    }

    pub fn resume(&self) {
        self.monitor.resume();
    }
}

/// Closing the agent's hidden window, or the end of the session, becomes
/// [`OsEvent::Shutdown`]. The window lives on `hotkeys`' thread (and keeps
/// it going until the watch is dropped, after the agent has stopped).
pub type ShutdownWatch = ShutdownWindow;

pub fn watch_shutdown<E: From<OsEvent> + Send + 'static>(
    hotkeys: &Hotkeys,
    events: Sender<E>,
) -> anyhow::Result<ShutdownWatch> {
    session::watch_close(&hotkeys.listener, move |reason| {
        let _ = events.send(E::from(OsEvent::Shutdown(reason)));
    })
    .context("cannot watch for the session's end")
}

/// Folders watched for changes ([`watch_folders`]); dropping it stops the
/// reports.
pub struct FolderWatch {
    active: Arc<AtomicBool>,
}

impl Drop for FolderWatch {
    fn drop(&mut self) {
        self.active.store(false, Ordering::SeqCst);
    }
}

/// Calls `on_change` with the path of each file or folder made, removed,
/// renamed or written under `folders` (each with its subfolders when its
/// `bool` says so). The reads run on `hotkeys`' thread: no thread of their
/// own. A folder that cannot be watched is logged and left out.
pub fn watch_folders(
    hotkeys: &Hotkeys,
    folders: Vec<(PathBuf, bool)>,
    on_change: impl Fn(&Path) + Send + Sync + 'static,
) -> anyhow::Result<FolderWatch> {
    let active = Arc::new(AtomicBool::new(true));
    let reporting = Arc::clone(&active);
    let on_change: crate::windows::win32::folder_watch::OnChange = Arc::new(move |path: &Path| {
        if reporting.load(Ordering::SeqCst) {
            on_change(path);
        }
    });
    let added = hotkeys.listener.add_wakes(move || {
        folders
            .iter()
            .filter_map(|(folder, recursive)| {
                crate::windows::win32::folder_watch::watch(
                    folder,
                    *recursive,
                    Arc::clone(&on_change),
                )
                .map_err(|e| {
                    tracing::warn!("changes in {} are not watched: {e}", folder.display());
                })
                .ok()
            })
            .collect()
    });
    if !added {
        return Err(anyhow!("the hot-key thread did not start the watch"));
    }
    Ok(FolderWatch { active })
}
