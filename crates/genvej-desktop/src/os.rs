//! What the agent needs from the operating system, with the same names on
//! each: `Desktop` and `connect_desktop` (the run worker's desktop),
//! `claim` (one agent per session), `Hotkeys`, `Hotstrings`,
//! `watch_shutdown` and `session`. Chosen at compile time; the agent's rules
//! in `runner` are written once.

#[cfg(target_os = "linux")]
pub use crate::x11::os::*;

#[cfg(windows)]
pub use crate::windows::os::*;

use genvej_format::chord::Chord;

/// What the OS side reports to the agent, which makes its own events from
/// these (`From<OsEvent>`), so this layer never needs to know the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OsEvent {
    /// A registered chord was pressed.
    Hotkey(Chord),
    /// Another start of genvej in this session asked for a reload.
    Reload,
    /// SIGINT/SIGTERM, the end of the session, or the listener stopped.
    Shutdown(String),
}
