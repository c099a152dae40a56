//! The agent's place in a Windows session: one agent per session (a named
//! mutex; a second start sets a named event that makes the first reload),
//! and a hidden window that hears "close" (`taskkill /im genvej.exe`
//! without /f) and the end of the session, so the agent stops cleanly and
//! its last usage records are written. The window lives on the hot-key
//! thread, which also waits on the reload event: one idle thread, not three.

use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use windows_sys::Win32::UI::WindowsAndMessaging::{WM_CLOSE, WM_ENDSESSION, WM_QUERYENDSESSION};

use super::hotkeys::{HostedWindow, HotkeyListener};
use super::win32::Win32Error;
use super::win32::messages as msg;
use super::win32::named::{self, Handle};

const MUTEX: &str = "Local\\genvej-agent";
const RELOAD_EVENT: &str = "Local\\genvej-agent-reload";
/// The hidden window's title, for `wintool close` and friends.
pub const WINDOW_TITLE: &str = "genvej-agent";
/// How long the end of a session waits for the agent to finish.
const SESSION_END_GRACE: Duration = Duration::from_secs(5);

/// Held by the one agent of the session.
pub struct SingleInstance {
    _mutex: Handle,
}

/// Why the session's agent could not be claimed (for the log).
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error(transparent)]
    Win32(#[from] Win32Error),
}

/// The claimed agent's reload event and what to do when it is set, until
/// the hot-key thread takes them over ([`take_reload_wake`]).
static RELOAD: Mutex<Option<msg::Wake>> = Mutex::new(None);

/// Becomes the session's agent (`Some`, with `on_reload` called whenever a
/// later start asks, once the hot-key thread runs), or asks the running
/// agent to reload (`None`). A set event waits for that thread; nothing is
/// lost before it.
pub fn claim(
    on_reload: impl Fn() -> bool + Send + 'static,
) -> Result<Option<SingleInstance>, ClaimError> {
    let (mutex, existed) = named::claim_mutex(MUTEX)?;
    if existed {
        named::set_named_event(RELOAD_EVENT)?;
        return Ok(None);
    }
    let event = named::create_event(RELOAD_EVENT)?;
    *RELOAD.lock().unwrap_or_else(PoisonError::into_inner) = Some(msg::Wake {
        event,
        on_set: Box::new(on_reload),
    });
    Ok(Some(SingleInstance { _mutex: mutex }))
}

/// The reload event of [`claim`], for the hot-key thread to wait on.
pub fn take_reload_wake() -> Option<msg::Wake> {
    RELOAD.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// The hidden window; dropping it tells a waiting session end that the
/// agent is done.
pub struct ShutdownWindow {
    /// Dropped first (fields drop in order), which ends the session end's
    /// wait; then the hot-key thread stops, if the listener is gone too.
    _done: Sender<()>,
    _window: HostedWindow,
}

/// Calls `on_close(reason)` when the window is asked to close or the
/// session ends; the window lives on `hotkeys`' thread.
pub fn watch_close(
    hotkeys: &HotkeyListener,
    on_close: impl Fn(String) + Send + 'static,
) -> Result<ShutdownWindow, msg::WindowThreadError> {
    let (done, done_inbox) = mpsc::channel::<()>();
    let window = hotkeys.host_window(WINDOW_TITLE, move || {
        Box::new(
            move |_window, message: u32, wparam: usize, _lparam| match message {
                WM_CLOSE => {
                    on_close("asked to close (WM_CLOSE)".into());
                    Some(0)
                }
                WM_QUERYENDSESSION => Some(1),
                WM_ENDSESSION if wparam != 0 => {
                    // Windows ends the process when this returns: wait (a little)
                    // until the agent has stopped and written its records.
                    on_close("the Windows session is ending".into());
                    let _ = done_inbox.recv_timeout(SESSION_END_GRACE);
                    Some(0)
                }
                _ => None,
            },
        )
    })?;
    Ok(ShutdownWindow {
        _done: done,
        _window: window,
    })
}
