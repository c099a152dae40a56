//! The one shape in which every OS listener reports: the hot-key listeners
//! (X11 grabs, Windows' RegisterHotKey) and the hotstring monitors (X11
//! RECORD, Windows' keyboard hook) all take a [`Report`] — a function called
//! on the listener's own thread for each event. The caller decides where
//! an event goes (a channel of its own event type, a test's channel), so
//! no thread exists only to translate one channel into another.

use std::time::Instant;

use genvej_format::chord::Chord;
pub use genvej_format::hotstring::HotstringEvent;

/// Where a listener sends its events: called on the listener's thread, it
/// returns `false` once nobody listens any more (e.g. the receiving end of
/// a channel is gone). The listener then reports nothing more; it keeps its
/// keys and its thread until it is dropped.
///
/// Any `Fn(T) -> bool + Send + 'static` is one, for example
/// `move |event| sender.send(event).is_ok()`.
pub trait Report<T>: Fn(T) -> bool + Send + 'static {}

impl<T, F: Fn(T) -> bool + Send + 'static> Report<T> for F {}

/// What a hot-key listener reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotkeyEvent {
    /// A hot key went down. `at` is when the listener read the event from
    /// the OS (for latency measurements and ordering).
    Pressed { chord: Chord, at: Instant },
    /// The hot key's key went up (its modifiers may have gone up earlier).
    /// Only X11 reports releases; Windows' RegisterHotKey has none.
    Released { chord: Chord },
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
