//! The agent a caseworker has running all day: registers every script's hot
//! key, runs one script at a time on a worker thread, stops a run on the
//! panic key, and shuts down cleanly on SIGINT/SIGTERM.
//!
//! Threads: the hot-key listener (X11 grabs or Windows' RegisterHotKey), the
//! hotstring watcher, the shutdown watcher (on Windows a hidden window on
//! the hot-key thread), and one run worker that owns the desktop connection. All report into one channel that the main loop reads,
//! so the rules ("one run at a time", "the panic key cancels") live in one
//! place (`runner`), the same on every OS; `os` holds what differs.

#[cfg(any(target_os = "linux", windows))]
mod keys;
pub mod library;
#[cfg(any(target_os = "linux", windows))]
mod notices;
#[cfg(any(target_os = "linux", windows))]
mod palette;
#[cfg(any(target_os = "linux", windows))]
mod pulse;
mod reload;
#[cfg(any(target_os = "linux", windows))]
mod runner;
mod scripts;
#[cfg(any(target_os = "linux", windows))]
mod sequence;
#[cfg(any(target_os = "linux", windows))]
mod state;
#[cfg(any(target_os = "linux", windows))]
mod stopwatch;
#[cfg(any(target_os = "linux", windows))]
mod swap;
mod texts;
#[cfg(any(target_os = "linux", windows))]
mod tray_menu;
pub mod usage;
#[cfg(any(target_os = "linux", windows))]
mod worker;

pub use reload::Locations;
pub use scripts::HotkeyTable;

use genvej_engine::{RunOutcome, Status};

/// Everything the main loop reacts to.
#[derive(Debug)]
pub enum AgentEvent {
    /// A registered chord was pressed.
    Hotkey(genvej_format::chord::Chord),
    /// While a sequence waits: the next key, if it is one of the sequence's
    /// keys or Escape, else `None` (X11; on Windows they come as `Hotkey`).
    NextKey(Option<genvej_format::chord::Chord>),
    /// The time to press a sequence's next key ran out (for the wait with
    /// this number).
    SequenceTimedOut(u64),
    /// The `index`-th of the table's abbreviations
    /// ([`HotkeyTable::abbreviations`]) was typed, ended by Tab (else Space).
    Hotstring { index: usize, ended_by_tab: bool },
    /// The worker's run sent its last key (its usage record is still to be
    /// written): keys typed from now on are the caseworker's.
    InputDone,
    /// The worker finished a run.
    Finished(RunOutcome),
    /// A script file or the config changed.
    Reload,
    /// A new bundle from the organisation is verified and current: read it.
    LibraryChanged,
    /// A reload's result, read on its own thread: the scripts and the
    /// config, or why the config cannot be used.
    Loaded(
        Box<
            Result<
                (
                    genvej_format::script::ScriptSet,
                    genvej_format::config::Config,
                ),
                String,
            >,
        >,
    ),
    /// The stopwatch's form chose a task and a side.
    Measure {
        script_id: String,
        side: genvej_usage::Side,
    },
    /// A click in the tray menu.
    Tray(genvej_ui::tray::TrayAction),
    /// The command palette closed, with the id of the script chosen (the
    /// focus is back in the window that had it).
    PaletteClosed(Option<String>),
    /// SIGINT/SIGTERM, or the listener stopped.
    Shutdown(String),
}

impl From<genvej_desktop::os::OsEvent> for AgentEvent {
    fn from(event: genvej_desktop::os::OsEvent) -> AgentEvent {
        use genvej_desktop::os::OsEvent;
        match event {
            OsEvent::Hotkey(chord) => AgentEvent::Hotkey(chord),
            OsEvent::NextKey(key) => AgentEvent::NextKey(key),
            OsEvent::Hotstring {
                index,
                ended_by_tab,
            } => AgentEvent::Hotstring {
                index,
                ended_by_tab,
            },
            OsEvent::Reload => AgentEvent::Reload,
            OsEvent::Shutdown(reason) => AgentEvent::Shutdown(reason),
        }
    }
}

#[cfg(any(target_os = "linux", windows))]
pub use runner::run;

/// How the agent runs.
#[derive(Debug, Clone, Default)]
pub struct AgentOptions {
    /// Show the tray icon (if the desktop has a tray host).
    pub tray: bool,
    /// Where the log files are, for the tray's "open log folder".
    pub log_folder: Option<std::path::PathBuf>,
}

/// One log line per finished run; never a CPR number (the outcome's texts
/// are redacted where they are built, and again by the logger), and at info
/// and warn level never a window title: windows are named by program and
/// the script's pattern.
pub fn log_outcome(name: &str, outcome: &RunOutcome) {
    let ms = outcome.duration.as_millis();
    match &outcome.status {
        Status::Completed => tracing::info!(script = %outcome.script_id, ms, "«{name}» completed"),
        Status::Failed(failure) => {
            // Window titles only at debug: a case system's title holds the
            // citizen's name (the logger masks CPR numbers either way).
            let logged = failure.log_text();
            tracing::warn!(script = %outcome.script_id, ms, "{logged}");
            let full = failure.to_string();
            if full != logged {
                tracing::debug!(script = %outcome.script_id, "with the windows' titles: {full}");
            }
        }
        Status::Cancelled { step } => {
            tracing::info!(script = %outcome.script_id, ms, step = ?step, "«{name}» cancelled")
        }
        Status::Rejected { reason } => {
            tracing::info!(script = %outcome.script_id, "«{name}» not run: {reason}")
        }
    }
}
