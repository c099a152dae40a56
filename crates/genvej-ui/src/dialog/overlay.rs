//! A notice-like window that stays only as long as the agent wants it: a
//! sequence's leader shows which keys may follow, and the window must go
//! the moment the sequence ends (a key, Escape, the time-out). It is drawn
//! by `genvej dialog` like a notice (top right, never taking the keyboard),
//! but the agent keeps the child process and ends it when dropped. The
//! desktop's notification service is not used: its bubbles cannot be
//! taken back reliably.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::Request;

/// The window on screen; dropping it closes it.
#[derive(Debug)]
pub struct Overlay {
    child: Child,
}

impl Overlay {
    /// Starts the window; `None` (logged) when the dialog program cannot start.
    pub(super) fn show(program: &Path, request: &Request) -> Option<Overlay> {
        let started = Command::new(program)
            .arg("dialog")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match started {
            Ok(child) => child,
            Err(e) => {
                tracing::warn!("window not shown: {e}");
                return None;
            }
        };
        let written = serde_json::to_vec(request)
            .map_err(|e| e.to_string())
            .and_then(|json| match child.stdin.take() {
                Some(mut stdin) => stdin.write_all(&json).map_err(|e| e.to_string()),
                None => Err("no pipe to the dialog".into()),
            });
        if let Err(e) = written {
            tracing::warn!("window not shown: {e}");
        }
        Some(Overlay { child })
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        // Already gone (its own time ran out) is fine.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
