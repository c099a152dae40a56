//! The agent's side of the command palette kept ready: starts
//! `genvej dialog --palette` ahead of the chord (see `palette_child`),
//! sends it the scripts of the moment when the chord is pressed, and reads
//! the choice. A process that has ended (crashed, killed) is noticed at the
//! chord and replaced by a fresh one, with a log line; every answer is read
//! bounded in size, and in time until the palette is on screen — the agent
//! never hangs on it. Dropping this ends the process.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Reply;
use super::palette_child::{Order, Said};
use crate::tray::TrayEntry;
use genvej_engine::ports::{CancelToken, DialogKind, PortError, PortResult};
use genvej_format::cpr::redact;

/// The longest answer line read from the palette.
const MAX_ANSWER: u64 = 64 * 1024;
/// How long a palette may take to come on screen (a fresh process
/// included: a GL context on a slow PC) before it is given up.
const SHOW_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a palette closed by the agent may take to say so.
const HIDE_TIMEOUT: Duration = Duration::from_secs(2);
const TICK: Duration = Duration::from_millis(20);

/// The palette's process, started ahead of the chord and kept.
#[derive(Debug)]
pub struct PaletteProcess {
    program: PathBuf,
    running: Option<Running>,
}

#[derive(Debug)]
struct Running {
    child: Child,
    orders: ChildStdin,
    said: Receiver<Result<Said, String>>,
    /// The last line the process wrote on stderr (redacted), for the log.
    last_error: Arc<Mutex<String>>,
}

impl PaletteProcess {
    /// The palette drawn by the running executable.
    pub fn current() -> PaletteProcess {
        PaletteProcess::new(std::env::current_exe().unwrap_or_else(|_| PathBuf::from("genvej")))
    }

    pub fn new(program: PathBuf) -> PaletteProcess {
        PaletteProcess {
            program,
            running: None,
        }
    }

    /// Starts the process now, unless one runs: it draws the palette out
    /// of sight and waits, so the chord finds it ready. Returns at once.
    pub fn prepare(&mut self) {
        if self.alive() {
            return;
        }
        match self.start() {
            Ok(()) => tracing::info!(
                pid = self.pid().unwrap_or_default(),
                "command palette started ahead of its chord"
            ),
            Err(e) => tracing::warn!(
                "the command palette could not be made ready ({e}); it starts when its chord is pressed"
            ),
        }
    }

    /// The process id of the palette's process, when one runs.
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref().map(|r| r.child.id())
    }

    /// Ends the process (if any).
    pub fn stop(&mut self) {
        if let Some(mut running) = self.running.take() {
            let _ = running.child.kill();
            let _ = running.child.wait();
        }
    }

    /// Shows the palette over `entries` and waits: the id of the script
    /// chosen, `None` when the caseworker closes it (Escape, the window's
    /// ×) or `cancel` is set meanwhile (the panic key, shutdown). With
    /// `keep_ready` the process stays for the next chord, else it ends.
    pub fn choose(
        &mut self,
        entries: Vec<TrayEntry>,
        cancel: &CancelToken,
        keep_ready: bool,
    ) -> PortResult<Option<String>> {
        let result = self.show_and_wait(entries, cancel);
        if result.is_err() || !keep_ready {
            self.stop();
        }
        result
    }

    fn show_and_wait(
        &mut self,
        entries: Vec<TrayEntry>,
        cancel: &CancelToken,
    ) -> PortResult<Option<String>> {
        let mut line = serde_json::to_vec(&Order::Show { entries })
            .map_err(|e| failed(format!("the scripts could not be sent: {e}")))?;
        line.push(b'\n');
        if !self.alive() {
            self.start()?;
        }
        if let Err(e) = self.send(&line) {
            tracing::warn!(
                "the command palette's process did not take the order ({e}); starting a fresh one"
            );
            self.stop();
            self.start()?;
            self.send(&line).map_err(|e| failed(e.to_string()))?;
        }
        self.wait_for_choice(cancel)
    }

    /// Whether the process runs; one that has ended is logged and dropped.
    fn alive(&mut self) -> bool {
        let Some(running) = self.running.as_mut() else {
            return false;
        };
        match running.child.try_wait() {
            Ok(None) => true,
            Ok(Some(status)) => {
                tracing::warn!(
                    "the command palette kept ready had ended ({status}{}); starting a fresh one",
                    running.reason()
                );
                self.running = None;
                false
            }
            Err(e) => {
                tracing::warn!(
                    "the command palette kept ready cannot be checked ({e}); starting a fresh one"
                );
                self.stop();
                false
            }
        }
    }

    fn start(&mut self) -> PortResult<()> {
        let mut child = Command::new(&self.program)
            .args(["dialog", "--palette"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(e.to_string()))?;
        let (Some(orders), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(failed("no pipes to the palette's process".into()));
        };
        let (tell, said) = mpsc::channel();
        let reading = std::thread::Builder::new()
            .name("palette-answers".into())
            .spawn(move || read_answers(stdout, &tell));
        let last_error = Arc::new(Mutex::new(String::new()));
        let keep = Arc::clone(&last_error);
        let errors = std::thread::Builder::new()
            .name("palette-errors".into())
            .spawn(move || read_errors(stderr, &keep));
        if let Err(e) = reading.and(errors) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(failed(e.to_string()));
        }
        self.running = Some(Running {
            child,
            orders,
            said,
            last_error,
        });
        Ok(())
    }

    fn send(&mut self, line: &[u8]) -> std::io::Result<()> {
        let Some(running) = self.running.as_mut() else {
            return Err(std::io::Error::other("no palette process"));
        };
        // Answers left from an earlier showing (closed by the agent) are stale.
        while running.said.try_recv().is_ok() {}
        #[cfg(windows)]
        if !genvej_desktop::windows::dialog_window::allow_foreground(running.child.id()) {
            tracing::debug!("the palette's process could not be allowed the foreground");
        }
        running.orders.write_all(line)?;
        running.orders.flush()
    }

    fn wait_for_choice(&mut self, cancel: &CancelToken) -> PortResult<Option<String>> {
        let Some(running) = self.running.as_mut() else {
            return Err(failed("no palette process".into()));
        };
        let asked = Instant::now();
        let mut shown = false;
        loop {
            match running.said.recv_timeout(TICK) {
                Ok(Ok(Said::Ready)) => {}
                Ok(Ok(Said::Shown)) => {
                    shown = true;
                    tracing::debug!(
                        "command palette shown {} ms after the order",
                        asked.elapsed().as_millis()
                    );
                }
                Ok(Ok(Said::Closed { reply })) => {
                    return Ok(match reply {
                        Reply::Chosen { id } => Some(id),
                        Reply::Answered { .. } | Reply::Cancelled | Reply::Closed => None,
                    });
                }
                Ok(Err(reason)) => return Err(failed(reason)),
                Err(RecvTimeoutError::Disconnected) => {
                    let status = running
                        .child
                        .wait()
                        .map_or_else(|e| e.to_string(), |s| s.to_string());
                    return Err(failed(format!(
                        "the palette's process ended ({status}{})",
                        running.reason()
                    )));
                }
                Err(RecvTimeoutError::Timeout) => {
                    if cancel.is_cancelled() {
                        return Ok(running.close());
                    }
                    if !shown && asked.elapsed() > SHOW_TIMEOUT {
                        return Err(failed(format!(
                            "the palette did not appear within {} s",
                            SHOW_TIMEOUT.as_secs()
                        )));
                    }
                }
            }
        }
    }
}

impl Running {
    /// Closes the palette on screen without a choice; `None` either way
    /// (a choice made at that very moment is dropped: the agent stops).
    fn close(&mut self) -> Option<String> {
        let hide = serde_json::to_vec(&Order::Hide).unwrap_or_default();
        let sent = self
            .orders
            .write_all(&hide)
            .and_then(|()| self.orders.write_all(b"\n"))
            .and_then(|()| self.orders.flush());
        if sent.is_ok() {
            let deadline = Instant::now() + HIDE_TIMEOUT;
            while Instant::now() < deadline {
                if let Ok(Ok(Said::Closed { .. })) = self.said.recv_timeout(TICK) {
                    return None;
                }
            }
        }
        // Not closed in time: it goes, and the next chord starts a fresh one.
        let _ = self.child.kill();
        None
    }

    fn reason(&self) -> String {
        match self.last_error.lock() {
            Ok(line) if !line.is_empty() => format!(": {line}"),
            _ => String::new(),
        }
    }
}

impl Drop for PaletteProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

fn failed(reason: String) -> PortError {
    PortError::Dialog {
        what: DialogKind::Window,
        reason,
    }
}

/// Reads the palette's answers, one JSON line each, each bounded.
fn read_answers(stdout: impl Read, tell: &mpsc::Sender<Result<Said, String>>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut line = Vec::new();
        match (&mut reader).take(MAX_ANSWER).read_until(b'\n', &mut line) {
            Ok(0) => return,
            Ok(_) if !line.ends_with(b"\n") => {
                let _ = tell.send(Err(format!(
                    "an answer from the palette was longer than {MAX_ANSWER} bytes"
                )));
                return;
            }
            Ok(_) => {}
            Err(e) => {
                let _ = tell.send(Err(format!("the palette's answer could not be read: {e}")));
                return;
            }
        }
        let said = serde_json::from_slice::<Said>(&line)
            // serde repeats an unknown value in its message: masked.
            .map_err(|e| redact(&format!("unreadable answer from the palette: {e}")));
        if said == Ok(Said::Ready) {
            tracing::debug!("command palette ready: drawn out of sight, waiting for its chord");
        }
        if tell.send(said).is_err() {
            return;
        }
    }
}

/// Keeps the last line the palette wrote on stderr (bounded, redacted).
fn read_errors(stderr: impl Read, last: &Mutex<String>) {
    let mut reader = BufReader::new(stderr);
    loop {
        let mut line = Vec::new();
        match (&mut reader).take(MAX_ANSWER).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim();
                if !text.is_empty() {
                    if let Ok(mut last) = last.lock() {
                        *last = redact(text);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `read_answers` passes on for the bytes a palette wrote.
    fn answers_for(bytes: &[u8]) -> Vec<Result<Said, String>> {
        let (tell, heard) = mpsc::channel();
        read_answers(bytes, &tell);
        drop(tell);
        heard.into_iter().collect()
    }

    #[test]
    fn a_good_answer_is_passed_on() {
        let line = format!("{}\n", serde_json::to_string(&Said::Ready).expect("json"));
        assert_eq!(answers_for(line.as_bytes()), [Ok(Said::Ready)]);
    }

    #[test]
    fn an_endless_answer_is_cut_at_the_limit_and_ends_the_reading() {
        let endless = vec![b'a'; 10 * MAX_ANSWER as usize];
        let heard = answers_for(&endless);
        assert_eq!(heard.len(), 1);
        let error = heard[0].as_ref().expect_err("refused");
        assert!(error.contains("longer than 65536 bytes"), "{error}");
    }

    #[test]
    fn a_malformed_answer_is_an_error_that_repeats_no_cpr_number() {
        let heard = answers_for(b"{\"event\": \"070761-4285 0707614285\"}\nnot json\n");
        assert_eq!(heard.len(), 2, "{heard:?}");
        for said in heard {
            let error = said.expect_err("malformed");
            assert!(
                error.starts_with("unreadable answer from the palette"),
                "{error}"
            );
            assert!(!error.contains("4285"), "{error}");
        }
    }
}
