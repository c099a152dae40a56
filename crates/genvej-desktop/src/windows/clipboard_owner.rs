//! Pasting with delayed rendering. The text to paste is promised on the
//! clipboard by a hidden window of genvej's and handed over only when a
//! program asks for it (WM_RENDERFORMAT). The program asking is known (the
//! window holding the clipboard open), so genvej learns the moment the
//! target has fetched the paste and can give the caseworker's clipboard
//! back at once — no fixed wait, and no restoring before a slow target
//! (Citrix, remote desktop) has read it.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use windows_sys::Win32::UI::WindowsAndMessaging::{
    WM_APP, WM_DESTROYCLIPBOARD, WM_RENDERALLFORMATS, WM_RENDERFORMAT,
};

use super::win32::clipboard as clip;
use super::win32::messages as msg;
use genvej_engine::ports::ClipboardFailure;

const OFFER: u32 = WM_APP + 5;
const WINDOW_TITLE: &str = "genvej-clipboard";

/// Where one promised text is.
#[derive(Default)]
enum Offer {
    #[default]
    None,
    /// Handed to the owner thread, not yet promised.
    Next(String),
    /// Promising it failed.
    Failed(ClipboardFailure),
    /// On the clipboard, not fetched yet.
    Promised(String),
    /// Fetched by the program with this process id (`None`: one that opened
    /// the clipboard without a window).
    Fetched { by: Option<u32> },
    /// Someone else wrote to the clipboard before anyone fetched it.
    Replaced,
}

/// What became of a promised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// The target window's program fetched it.
    ByTarget,
    /// Another program fetched it first (a clipboard tool, or genvej
    /// itself); the target may fetch it later.
    ByOther,
    /// The clipboard was overwritten before anyone fetched it.
    Replaced,
    /// Nobody asked for it in time.
    NotFetched,
}

struct Shared {
    offer: Mutex<Offer>,
    changed: Condvar,
}

impl Shared {
    fn offer(&self) -> MutexGuard<'_, Offer> {
        self.offer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, offer: Offer) {
        *self.offer() = offer;
        self.changed.notify_all();
    }
}

/// The hidden window that owns promised text, on a thread of its own.
pub struct ClipboardOwner {
    shared: Arc<Shared>,
    window: msg::WindowThread,
}

impl ClipboardOwner {
    pub fn start() -> Result<ClipboardOwner, ClipboardFailure> {
        let shared = Arc::new(Shared {
            offer: Mutex::new(Offer::None),
            changed: Condvar::new(),
        });
        let for_window = Arc::clone(&shared);
        let window = msg::WindowThread::spawn("genvej-clipboard", WINDOW_TITLE, move || {
            Box::new(move |window, message, wparam, _lparam| {
                on_message(&for_window, window, message, wparam)
            })
        })
        .map_err(|e| ClipboardFailure::OwnerNotStarted {
            detail: e.to_string(),
        })?;
        Ok(ClipboardOwner { shared, window })
    }

    /// Promises `text` on the clipboard (replacing what was there).
    pub fn offer(&self, text: &str) -> Result<(), ClipboardFailure> {
        self.shared.set(Offer::Next(text.to_string()));
        if msg::send_to_window(self.window.window(), OFFER) == 1 {
            return Ok(());
        }
        match std::mem::take(&mut *self.shared.offer()) {
            Offer::Failed(why) => Err(why),
            _ => Err(ClipboardFailure::OwnerNotAnswering),
        }
    }

    /// Waits until the promised text was fetched, and says by whom.
    pub fn wait(&self, target_pid: Option<u32>, timeout: Duration) -> Fetch {
        let deadline = Instant::now() + timeout;
        let mut offer = self.shared.offer();
        loop {
            match &*offer {
                Offer::Fetched { by } if by.is_some() && *by == target_pid => {
                    return Fetch::ByTarget;
                }
                Offer::Fetched { .. } => return Fetch::ByOther,
                Offer::Replaced => return Fetch::Replaced,
                Offer::Promised(_) => {}
                _ => return Fetch::NotFetched,
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Fetch::NotFetched;
            }
            offer = self
                .shared
                .changed
                .wait_timeout(offer, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// The owner window's messages, on its thread.
fn on_message(shared: &Shared, window: u64, message: u32, wparam: usize) -> Option<isize> {
    match message {
        OFFER => {
            let Offer::Next(text) = std::mem::take(&mut *shared.offer()) else {
                return Some(0);
            };
            // Emptying the clipboard tells its previous owner; if that is
            // this window, the message arrives while this callback runs and
            // goes to Windows, so it cannot undo the new offer.
            match clip::promise_text(window) {
                Ok(()) => {
                    shared.set(Offer::Promised(text));
                    Some(1)
                }
                Err(why) => {
                    shared.set(Offer::Failed(why));
                    Some(0)
                }
            }
        }
        WM_RENDERFORMAT if wparam == clip::UNICODE_TEXT as usize => {
            let mut offer = shared.offer();
            if let Offer::Promised(text) = &*offer {
                let by = clip::clipboard_reader_pid();
                if clip::render_text(text).is_ok() {
                    *offer = Offer::Fetched { by };
                    shared.changed.notify_all();
                }
            }
            Some(0)
        }
        WM_DESTROYCLIPBOARD => {
            let mut offer = shared.offer();
            if matches!(*offer, Offer::Promised(_)) {
                *offer = Offer::Replaced;
                shared.changed.notify_all();
            }
            Some(0)
        }
        // A promise is for one paste: it does not outlive genvej.
        WM_RENDERALLFORMATS => Some(0),
        msg::STOP_WINDOW => {
            if matches!(*shared.offer(), Offer::Promised(_)) {
                let _ = clip::withdraw(window);
            }
            Some(0)
        }
        _ => None,
    }
}
