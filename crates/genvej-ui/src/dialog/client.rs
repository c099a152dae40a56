//! The agent's side of a dialog: start `genvej dialog`, send the request,
//! read the reply.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::NaiveDate;

use super::{Reply, Request};
use genvej_engine::ports::{DialogKind, Form, PortError, PortResult};
use genvej_format::cpr::redact;

/// Shows dialogs by running this same program as `genvej dialog`.
#[derive(Debug, Clone)]
pub struct DialogProcess {
    program: PathBuf,
}

impl DialogProcess {
    /// Dialogs drawn by the running executable.
    pub fn current() -> DialogProcess {
        DialogProcess {
            program: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("genvej")),
        }
    }

    /// Asks the form; `None` when the caseworker cancels (Escape, Annuller,
    /// or closing the window).
    pub fn ask(
        &self,
        form: &Form,
        today: NaiveDate,
    ) -> PortResult<Option<BTreeMap<String, String>>> {
        let request = Request::Form {
            form: form.clone(),
            today,
        };
        match self.exchange(&request, DialogKind::Form)? {
            Reply::Answered { answers } => Ok(Some(answers)),
            Reply::Chosen { .. } | Reply::Cancelled | Reply::Closed => Ok(None),
        }
    }

    /// Asks the form like [`ask`](Self::ask), but closes it — as if
    /// cancelled — as soon as `withdraw` is set (looked at every 20 ms):
    /// for a question the agent asks of its own accord (the satisfaction
    /// pulse), which must give way when a run starts.
    pub fn ask_unless(
        &self,
        form: &Form,
        today: NaiveDate,
        withdraw: &AtomicBool,
    ) -> PortResult<Option<BTreeMap<String, String>>> {
        let what = DialogKind::Form;
        let failed = |reason: String| PortError::Dialog { what, reason };
        let request = Request::Form {
            form: form.clone(),
            today,
        };
        let mut child = spawn(&self.program, &request, what)?;
        loop {
            if withdraw.load(Ordering::SeqCst) {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(None);
            }
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(failed(e.to_string())),
            }
        }
        let output = child
            .wait_with_output()
            .map_err(|e| failed(e.to_string()))?;
        match reply(output, what)? {
            Reply::Answered { answers } => Ok(Some(answers)),
            Reply::Chosen { .. } | Reply::Cancelled | Reply::Closed => Ok(None),
        }
    }

    /// Shows a script's message and waits until it is closed.
    pub fn message(&self, title: &str, text: &str) -> PortResult<()> {
        let request = Request::Message {
            title: title.to_string(),
            text: text.to_string(),
        };
        self.exchange(&request, DialogKind::Message).map(|_| ())
    }

    /// Shows a notice that closes by itself; does not wait. It goes to the
    /// desktop's notification service where one runs, else to genvej's own
    /// small window. The text is redacted here, so a CPR number never
    /// reaches the screen in a notice.
    pub fn notice(&self, title: &str, text: &str, seconds: u64) {
        let request = Request::notice(title, text, seconds);
        let program = self.program.clone();
        in_background("notice", move || {
            #[cfg(target_os = "linux")]
            if let Request::Notice {
                title,
                text,
                seconds,
            } = &request
            {
                match genvej_desktop::x11::toast::show(title, text, *seconds) {
                    Ok(()) => {
                        tracing::debug!("notice sent to the notification service");
                        return;
                    }
                    Err(e) => tracing::debug!("no notification service ({e}); own window"),
                }
            }
            show_or_log(&program, &request);
        });
    }

    /// Shows a notice-like window (never the notification service) until
    /// the returned [`super::Overlay`] is dropped, or `seconds` pass: a
    /// sequence's keys. The text is redacted like a notice's.
    pub fn overlay(&self, title: &str, text: &str, seconds: u64) -> Option<super::Overlay> {
        super::Overlay::show(&self.program, &Request::notice(title, text, seconds))
    }

    /// Shows a window (cheat sheet, about) without waiting for it.
    pub fn show_detached(&self, request: Request) {
        let program = self.program.clone();
        in_background("dialog", move || show_or_log(&program, &request));
    }

    fn exchange(&self, request: &Request, what: DialogKind) -> PortResult<Reply> {
        exchange(&self.program, request, what)
    }
}

/// Runs `job` on its own thread: the agent never waits for a window it
/// does not need an answer from.
fn in_background(name: &str, job: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.into()).spawn(job) {
        tracing::warn!("window not shown: {e}");
    }
}

fn show_or_log(program: &PathBuf, request: &Request) {
    if let Err(e) = exchange(program, request, DialogKind::Window) {
        tracing::warn!("window not shown: {e}");
    }
}

fn exchange(program: &PathBuf, request: &Request, what: DialogKind) -> PortResult<Reply> {
    let child = spawn(program, request, what)?;
    let output = child.wait_with_output().map_err(|e| PortError::Dialog {
        what,
        reason: e.to_string(),
    })?;
    reply(output, what)
}

/// Starts `genvej dialog` with the request on its stdin.
fn spawn(program: &PathBuf, request: &Request, what: DialogKind) -> PortResult<Child> {
    let failed = |reason: String| PortError::Dialog { what, reason };
    let mut child = Command::new(program)
        .arg("dialog")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    let json = serde_json::to_vec(request).map_err(|e| failed(e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&json).map_err(|e| failed(e.to_string()))?;
    }
    Ok(child)
}

/// The dialog's answer from its output, or why there is none.
fn reply(output: Output, what: DialogKind) -> PortResult<Reply> {
    let failed = |reason: String| PortError::Dialog { what, reason };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map_or_else(|| output.status.to_string(), |l| redact(l.trim()));
        return Err(failed(reason));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| failed(format!("unreadable answer from the dialog: {e}")))
}

impl genvej_desktop::Dialogs for DialogProcess {
    fn ask(&self, form: &Form, today: NaiveDate) -> PortResult<Option<BTreeMap<String, String>>> {
        DialogProcess::ask(self, form, today)
    }

    fn message(&self, title: &str, text: &str) -> PortResult<()> {
        DialogProcess::message(self, title, text)
    }
}
