//! What the agent needs from the operating system, with the same names on
//! each: `NativeDesktop` and `connect_desktop` (the run worker's desktop),
//! `claim` (one agent per session), `Hotkeys`, `Hotstrings`,
//! `watch_shutdown` and `session_name`. Chosen at compile time; the agent's
//! rules in `runner` are written once.

#[cfg(target_os = "linux")]
pub use crate::x11::os::*;

#[cfg(windows)]
pub use crate::windows::os::*;

use std::sync::mpsc::Sender;

use crate::listener::{HotkeyEvent, HotstringEvent, Report};
use genvej_format::chord::Chord;
use genvej_format::window_match::WindowInfo;

/// What the OS side reports to the agent, which makes its own events from
/// these (`From<OsEvent>`), so this layer never needs to know the agent.
/// Everything arrives the same way on every OS: `claim`, `Hotkeys::start`,
/// `Hotstrings::start` and `watch_shutdown` each take a `Sender<E>` with
/// `E: From<OsEvent>`, and the listeners' threads send into it directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OsEvent {
    /// A registered chord was pressed.
    Hotkey(Chord),
    /// The abbreviation `index` (of those given to `Hotstrings::start`) was
    /// typed and ended with Tab (else Space).
    Hotstring { index: usize, ended_by_tab: bool },
    /// While a sequence waits: the next key pressed, if it is one asked
    /// for, else `None` (see [`HotkeyEvent::Next`]).
    NextKey(Option<Chord>),
    /// Another start of genvej in this session asked for a reload.
    Reload,
    /// SIGINT/SIGTERM, the end of the session, or the listener stopped.
    Shutdown(String),
}

/// The hot-key listener's report on both OSes: presses go to `events` as
/// [`OsEvent::Hotkey`], a sequence's next key as [`OsEvent::NextKey`];
/// releases are not the agent's business.
///
/// `on_press` is called on the listener's thread for each press, just
/// before the agent hears of it, with the focused window if the listener
/// described it: the run worker can get ready (have the window described)
/// while the agent decides what the press starts, so the two threads wake
/// together instead of one after the other.
pub(crate) fn hotkeys_to<E: From<OsEvent> + Send + 'static>(
    events: Sender<E>,
    on_press: impl Fn(Option<WindowInfo>) + Send + 'static,
) -> impl Report<HotkeyEvent> {
    move |event| match event {
        HotkeyEvent::Pressed { chord, window, .. } => {
            on_press(window);
            events.send(E::from(OsEvent::Hotkey(chord))).is_ok()
        }
        HotkeyEvent::Next { key } => events.send(E::from(OsEvent::NextKey(key))).is_ok(),
        HotkeyEvent::Released { .. } => true,
    }
}

/// The hotstring monitor's report on both OSes: typed abbreviations go to
/// `events` as [`OsEvent::Hotstring`].
pub(crate) fn hotstrings_to<E: From<OsEvent> + Send + 'static>(
    events: Sender<E>,
) -> impl Report<HotstringEvent> {
    move |event| {
        let HotstringEvent::Typed {
            index,
            ended_by_tab,
        } = event;
        let event = OsEvent::Hotstring {
            index,
            ended_by_tab,
        };
        events.send(E::from(event)).is_ok()
    }
}
