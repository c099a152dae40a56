//! The one shape in which every OS listener reports: the hot-key listeners
//! (X11 grabs, Windows' RegisterHotKey) and the hotstring monitors (X11
//! RECORD, Windows' keyboard hook) all take a [`Report`] — a function called
//! on the listener's own thread for each event. The caller decides where
//! an event goes (a channel of its own event type, a test's channel), so
//! no thread exists only to translate one channel into another. A listener
//! that cannot start says why with a [`ListenerError`], the same kinds on
//! both OSes.

use std::time::Instant;

use genvej_format::chord::Chord;
pub use genvej_format::hotstring::HotstringEvent;
use genvej_format::window_match::WindowInfo;

/// Where a listener sends its events: called on the listener's thread, it
/// returns `false` once nobody listens any more (e.g. the receiving end of
/// a channel is gone). The listener then reports nothing more; it keeps its
/// keys and its thread until it is dropped.
///
/// Any `Fn(T) -> bool + Send + 'static` is one, for example
/// `move |event| sender.send(event).is_ok()`.
pub trait Report<T>: Fn(T) -> bool + Send + 'static {}

impl<T, F: Fn(T) -> bool + Send + 'static> Report<T> for F {}

/// What the OS reported when a listener failed, kept for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a hot-key listener or hotstring monitor could not start, or stopped
/// answering. The agent logs it: without hotstrings it runs on and says so
/// ("hotstrings are off: …"); without hot keys it cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    /// X11: the display could not be reached.
    #[error("cannot connect to the X display {display}: {cause}")]
    NoDisplay { display: String, cause: Cause },
    /// X11: the server lacks the RECORD extension, which hotstrings need.
    #[error(
        "the X server has no RECORD extension, so hotstrings cannot be watched (on Xorg, enable the \"record\" module)"
    )]
    NoRecord,
    /// Windows: the low-level keyboard hook was refused.
    #[error("the keyboard hook was refused: {0}")]
    HookRefused(Cause),
    /// The listener's thread could not be started.
    #[error("cannot start the {what} thread: {source}")]
    ThreadNotStarted {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The listener's thread did not answer in time (at start, or when
    /// asked to register other keys).
    #[error("the {0} thread did not answer")]
    NoAnswer(&'static str),
    /// The listener's thread has ended.
    #[error("the {0} thread has stopped")]
    Stopped(&'static str),
    /// Anything else the display server failed at (X11).
    #[error("{0}")]
    Os(Cause),
}

/// What a hot-key listener reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HotkeyEvent {
    /// A hot key went down. `at` is when the listener read the event from
    /// the OS (for latency measurements and ordering). `window` is the
    /// focused window as the listener described it right then, where it
    /// does (Windows: on the thread that got the press, before any other
    /// wakes up, so that the run need not describe it after two thread
    /// wake-ups); `None` where the run describes it.
    Pressed {
        chord: Chord,
        at: Instant,
        window: Option<WindowInfo>,
    },
    /// The hot key's key went up (its modifiers may have gone up earlier).
    /// Only X11 reports releases; Windows' RegisterHotKey has none.
    Released { chord: Chord },
    /// While a sequence waited for its second key (X11's keyboard grab):
    /// the key pressed, if it was one of those asked for (with Shift when
    /// held), else `None` — any other key.
    Next { key: Option<Chord> },
}

/// A [`Report`] that remembers its `false`: after it, events are dropped
/// without calling the function again.
pub(crate) struct Reporter<T> {
    report: Box<dyn Fn(T) -> bool + Send>,
    closed: bool,
}

impl<T> Reporter<T> {
    pub(crate) fn new(report: impl Report<T>) -> Reporter<T> {
        Reporter {
            report: Box::new(report),
            closed: false,
        }
    }

    /// Hands `event` on, unless nobody listens any more.
    pub(crate) fn send(&mut self, event: T) {
        if !self.closed {
            self.closed = !(self.report)(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn listener_errors_name_the_thread_that_failed() {
        assert_eq!(
            ListenerError::NoAnswer("hot-key").to_string(),
            "the hot-key thread did not answer"
        );
        assert_eq!(
            ListenerError::Stopped("hot-key").to_string(),
            "the hot-key thread has stopped"
        );
        assert_eq!(
            ListenerError::HookRefused("SetWindowsHookExW failed (Win32 error 5)".into())
                .to_string(),
            "the keyboard hook was refused: SetWindowsHookExW failed (Win32 error 5)"
        );
    }

    #[test]
    fn once_nobody_listens_the_report_is_not_called_again() {
        let (sender, inbox) = mpsc::channel::<u32>();
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let mut reporter = Reporter::new(move |n| {
            counted.fetch_add(1, SeqCst);
            sender.send(n).is_ok()
        });
        reporter.send(1);
        assert_eq!(inbox.recv().ok(), Some(1));
        drop(inbox);
        reporter.send(2);
        reporter.send(3);
        assert_eq!(
            calls.load(SeqCst),
            2,
            "called for 1, and for 2 which failed"
        );
    }
}
