//! The agent's state between events: what it runs, what it listens to, and
//! what it shows. The rules that change it live in the modules that handle
//! events (`runner`, `swap`, `tray_menu`), each an `impl Agent` of its own.

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::Instant;

use genvej_desktop::os::{Hotkeys, Hotstrings};
use genvej_engine::ports::CancelToken;
use genvej_format::chord::Chord;
use genvej_format::config::Config;
use genvej_format::script::Script;
use genvej_format::window_match::WindowInfo;
use genvej_ui::tray::Tray;
use genvej_usage::Trigger;

use super::notices::Notices;
use super::pulse::Pulse;
use super::reload::Locations;
use super::scripts::HotkeyTable;
use super::stopwatch::Stopwatch;
use super::usage::Recorder;
use super::{AgentEvent, AgentOptions};

/// What the worker is asked to run, with the config of the moment.
pub(super) enum Job {
    /// A hot key: the scripts that share the chord (the worker picks by focused window).
    Hotkey(Vec<Arc<Script>>, Arc<Config>),
    /// One script as it is: a hotstring's expansion, or a tray menu click.
    Run(Arc<Script>, Arc<Config>, Trigger),
    /// The command palette over these scripts; the choice comes back as
    /// [`AgentEvent::PaletteClosed`]. With `keep_ready` its process stays
    /// for the next chord (`agent.palette_ready`).
    Palette {
        entries: Vec<genvej_ui::tray::TrayEntry>,
        keep_ready: bool,
    },
    /// Keep the palette's process ready (start it now), or end it: the
    /// config changed. Not a run: it answers nothing.
    PaletteReady(bool),
    /// A job started while the agent's own question (the satisfaction
    /// pulse) was on screen: it was closed, and the job waits until the
    /// desktop names the window the focus went back to.
    AfterQuestion(Box<Job>),
    /// A hot key was pressed at this instant and is on its way to the
    /// agent (sent by the hot-key listener's thread, before the agent
    /// hears of it), with the focused window if the listener described it
    /// (Windows): the worker gets ready for the run the press may start
    /// (describes the window itself if need be). Not a run: it answers
    /// nothing.
    Prepare(Instant, Option<WindowInfo>),
}

/// The agent's state between events. Every rule ("one run at a time", "the
/// panic key cancels", "paused means no hot keys") lives in its handlers.
pub(super) struct Agent {
    pub(super) locations: Locations,
    pub(super) options: AgentOptions,
    pub(super) events: Sender<AgentEvent>,
    pub(super) table: HotkeyTable,
    pub(super) config: Arc<Config>,
    pub(super) panic_key: Chord,
    pub(super) listener: Hotkeys,
    pub(super) hotstrings: Option<Hotstrings>,
    /// The only strong handle on the worker's queue: the worker ends when
    /// the agent is dropped (the hot-key thread's heads-up holds it weakly).
    pub(super) jobs: Arc<Sender<Job>>,
    pub(super) cancel: CancelToken,
    pub(super) notices: Notices,
    /// The name of the script running now.
    pub(super) running: Option<String>,
    /// The running job has sent its last key, so hotstrings listen again
    /// although the run is still being recorded. They are resumed once per
    /// run: each resume mutes the keyboard until its marker comes through.
    pub(super) input_done: bool,
    pub(super) paused: bool,
    /// Errors in the scripts at start or in the last refused reload.
    pub(super) script_errors: usize,
    pub(super) tray: Option<Tray>,
    /// Usage records (none when switched off).
    pub(super) recorder: Option<Recorder>,
    /// `usage.stopwatch_hotkey`, when set.
    pub(super) stopwatch_key: Option<Chord>,
    /// `agent.palette_hotkey`, when set.
    pub(super) palette_key: Option<Chord>,
    pub(super) stopwatch: Stopwatch,
    /// The satisfaction pulse's schedule and the question on screen.
    pub(super) pulse: Pulse,
    /// A reload running on its own thread, and whether another was asked for meanwhile.
    pub(super) reloading: Reloading,
    /// The thread checking for new bundles (`[bundles]`), asked to check
    /// now when the config or the scripts change.
    pub(super) bundle_checks: Option<super::library::Checks>,
    /// A sequence waiting for its next key.
    pub(super) sequence: Option<super::sequence::Waiting>,
    /// How many sequences were started (numbers their time-outs).
    pub(super) sequence_count: u64,
}

/// Whether a reload is being read, since when, and whether another was
/// asked for meanwhile.
#[derive(Debug, Default)]
pub(super) struct Reloading {
    pub(super) since: Option<Instant>,
    pub(super) again: bool,
    pub(super) said_slow: bool,
}

impl Reloading {
    pub(super) fn started() -> Reloading {
        Reloading {
            since: Some(Instant::now()),
            ..Reloading::default()
        }
    }
}
