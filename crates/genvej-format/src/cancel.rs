//! Stopping a run from outside: the panic key sets the token, and every
//! long step (typing, waiting, rendering a template) looks at it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Signals from the agent to a running script, set from other threads: the
/// panic key (stop before the next action), and "a hot key's grab just took
/// the keyboard" (the target window needs a moment to get focus back).
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    cancelled: Arc<AtomicBool>,
    grabbed: Arc<AtomicBool>,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
    pub fn reset(&self) {
        self.cancelled.store(false, Ordering::SeqCst);
        self.grabbed.store(false, Ordering::SeqCst);
    }
    /// A hot key was pressed (and its grab took the keyboard) during the run.
    pub fn note_grab(&self) {
        self.grabbed.store(true, Ordering::SeqCst);
    }
    /// Whether a grab happened since the last call.
    pub fn take_grab(&self) -> bool {
        self.grabbed.swap(false, Ordering::SeqCst)
    }
}
