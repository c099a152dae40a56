//! The stand-in "case system" window (case_window.py): one Tk text field
//! whose exact content the window program reports on its stdout, read
//! here on a thread of its own so that waits wake at each change.

use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;
use std::process::{ChildStdout, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::{Desktop, START_TIMEOUT};

/// A stand-in "case system" window: one Tk Text field with keyboard focus
/// (see case_window.py). Close it early with `desktop.stop(window.pid)`.
pub struct CaseWindow {
    /// The exact window title.
    pub title: String,
    /// X window id as xdotool prints it (decimal), e.g. `"4194320"`.
    pub id: String,
    /// Process id (and process group id) of the window program.
    pub pid: u32,
    report: Arc<Report>,
}

/// What a case window program has reported on its stdout so far.
#[derive(Default)]
struct Reported {
    ready: bool,
    text: String,
    /// Number of text reports (each one differs from the previous).
    changes: u64,
    /// Why the reports ended (the program exited or sent garbage).
    ended: Option<String>,
}

/// [`Reported`], shared with the thread reading the window's stdout, plus a
/// condition variable so waits wake up on each report instead of polling.
#[derive(Default)]
struct Report {
    state: Mutex<Reported>,
    changed: Condvar,
}

impl Desktop {
    /// Starts a stand-in case system window titled exactly `title`, with one
    /// multi-line text field that has keyboard focus, and waits until it is
    /// mapped and the active window.
    pub fn case_window(&mut self, title: &str) -> CaseWindow {
        let started = Instant::now();
        self.windows_started += 1;
        let name = format!("case-window-{}", self.windows_started);
        let wm_instance = format!("genvej-{name}");
        let log_name = format!("{name}.log");
        let log = self
            .log_file(&log_name)
            .unwrap_or_else(|err| panic!("{err}"));

        let mut cmd = self.command(&self.python.to_string_lossy());
        cmd.arg(self.dir().join("case_window.py"))
            .arg(title)
            .arg(&wm_instance)
            // Tk decodes keys through the C library locale; never depend on
            // the caller's (CI may have none).
            .env("LC_ALL", "C.UTF-8")
            .stdout(Stdio::piped())
            .stderr(log);
        let pid = self
            .spawn_named(&name, cmd)
            .unwrap_or_else(|err| panic!("{err}"));
        let report = Arc::new(Report::default());
        let stdout = self.take_stdout(pid);
        let reader_report = Arc::clone(&report);
        thread::spawn(move || read_reports(stdout, &reader_report));

        let state = report.wait_while(Instant::now() + START_TIMEOUT, |r| {
            !r.ready && r.ended.is_none()
        });
        if !state.ready {
            panic!(
                "{name} ({title:?}) did not get ready within {START_TIMEOUT:?}: {}\n{}",
                state.ended.as_deref().unwrap_or("no reason given"),
                self.log_contents(&log_name)
            );
        }
        drop(state);

        let id = self.wait_for_window_of_class(&wm_instance, title);
        let window = CaseWindow {
            title: title.to_string(),
            id,
            pid,
            report,
        };
        self.activate(&window);
        eprintln!(
            "e2e desktop {}: case window {title:?} (id {}) ready in {} ms",
            self.display,
            window.id,
            started.elapsed().as_millis()
        );
        window
    }

    /// Path of case_window.py on this desktop, for tests whose case window
    /// is started by the agent under test: run it as `python3 SCRIPT TITLE
    /// WM_INSTANCE TEXT_FILE READY_FILE`; TEXT_FILE then always holds the
    /// field's exact content and READY_FILE appears once it has focus.
    pub fn case_window_script(&self) -> PathBuf {
        self.dir().join("case_window.py")
    }
}

impl CaseWindow {
    /// Exactly what the text field contained at most ~5 ms ago (reported by
    /// the window program itself, not read through X). Use the `wait_*`
    /// methods to wait for input to arrive.
    pub fn text(&self) -> String {
        self.report.lock().text.clone()
    }

    /// Waits until the text equals `expected` or `timeout` passes; returns
    /// the last text (the caller asserts). Panics if the window has exited.
    pub fn wait_for_text(&self, expected: &str, timeout: Duration) -> String {
        let state = self.report.wait_while(Instant::now() + timeout, |r| {
            r.text != expected && r.ended.is_none()
        });
        if let (Some(ended), false) = (&state.ended, state.text == expected) {
            panic!(
                "case window {:?} is gone ({ended}); its last text: {:?}",
                self.title, state.text
            );
        }
        state.text.clone()
    }

    /// Returns the text once it has not changed for `quiet`. Panics if it
    /// is still changing after `timeout`.
    pub fn wait_until_stable(&self, quiet: Duration, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let changes = self.report.lock().changes;
            let quiet_end = Instant::now() + quiet;
            let state = self
                .report
                .wait_while(quiet_end.min(deadline), |r| r.changes == changes);
            if state.changes == changes && Instant::now() >= quiet_end {
                return state.text.clone();
            }
            if Instant::now() >= deadline {
                panic!(
                    "text of case window {:?} still changing after {timeout:?} ({} chars so far)",
                    self.title,
                    state.text.chars().count()
                );
            }
        }
    }
}

impl Report {
    fn lock(&self) -> MutexGuard<'_, Reported> {
        // Every update is a plain assignment: a panic elsewhere cannot leave
        // `Reported` half-updated, so a poisoned lock is still good.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, change: impl FnOnce(&mut Reported)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }

    /// Blocks while `pending` holds, until `deadline` at the latest, and
    /// returns the state (locked) for the caller to inspect.
    fn wait_while(
        &self,
        deadline: Instant,
        mut pending: impl FnMut(&Reported) -> bool,
    ) -> MutexGuard<'_, Reported> {
        let mut state = self.lock();
        while pending(&state) {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            state = match self.changed.wait_timeout(state, left) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        state
    }
}

/// One message of the case window protocol (see case_window.py).
enum Message {
    Ready,
    Text(String),
}

/// Runs on its own thread for the life of a case window program.
fn read_reports(stdout: ChildStdout, report: &Report) {
    let mut reader = BufReader::new(stdout);
    let ended = loop {
        match read_message(&mut reader) {
            Ok(Some(Message::Ready)) => report.update(|r| r.ready = true),
            Ok(Some(Message::Text(text))) => report.update(|r| {
                r.text = text;
                r.changes += 1;
            }),
            Ok(None) => break "the window program exited".to_string(),
            Err(e) => break format!("unreadable report from the window program: {e}"),
        }
    };
    report.update(|r| r.ended = Some(ended));
}

/// Reads `ready\n` or `text <N>\n<N bytes>`; `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> io::Result<Option<Message>> {
    let mut header = String::new();
    if reader.read_line(&mut header)? == 0 {
        return Ok(None);
    }
    let invalid = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    match header.trim_end().split_once(' ') {
        None if header.trim_end() == "ready" => Ok(Some(Message::Ready)),
        Some(("text", len)) => {
            let len: usize = len
                .parse()
                .map_err(|_| invalid(format!("bad length in {header:?}")))?;
            let mut bytes = vec![0; len];
            reader.read_exact(&mut bytes)?;
            let text = String::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8: {e}")))?;
            Ok(Some(Message::Text(text)))
        }
        _ => Err(invalid(format!("unexpected line {header:?}"))),
    }
}
