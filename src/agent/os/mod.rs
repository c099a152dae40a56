//! What the agent needs from the operating system, with the same names on
//! each: `Desktop` and `connect_desktop` (the run worker's desktop),
//! `claim` (one agent per session), `Hotkeys`, `Hotstrings`,
//! `watch_shutdown` and `session`. Chosen at compile time; the agent's rules
//! in `runner` are written once.

#[cfg(target_os = "linux")]
mod instance_unix;
#[cfg(target_os = "linux")]
mod x11;
#[cfg(target_os = "linux")]
pub use x11::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;
