//! Logs: tracing to stderr and, for the agent, to a daily file in the log
//! folder (the last 14 days are kept). Every line passes through CPR
//! redaction before it reaches either, so a number in a window title or an
//! error message never reaches a log. The folder and its files are the
//! user's alone (0700/0600 on Unix): see [`genvej_format::private_files`].
//!
//! The file is written on the logging thread, one whole line per write, as
//! stderr is: the agent logs a few lines per run, and a background writer
//! cost an idle thread and a queue of 128,000 lines (4 MB) kept in memory.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Log files kept in the log folder, one a day.
const KEPT_FILES: usize = 14;

/// Where the log file went; held for as long as the command runs.
#[must_use = "holds where the log file is written"]
pub struct LogGuard {
    /// Where today's log file is written, if file logging started.
    pub folder: Option<PathBuf>,
}

/// Starts logging at `level` (`GENVEJ_LOG` overrides, e.g. `GENVEJ_LOG=debug`)
/// to stderr, and to `genvej.YYYY-MM-DD.log` in `folder` when one is given.
pub fn init(level: &str, folder: Option<&Path>) -> LogGuard {
    let filter = || EnvFilter::try_from_env("GENVEJ_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let stderr = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(false)
        .with_writer(RedactedStderr);
    let (file, problem, warnings) = match folder.map(DailyLog::open) {
        Some(Ok((log, warnings))) => {
            let layer = tracing_subscriber::fmt::layer()
                .with_target(false)
                .with_ansi(false)
                .with_writer(RedactedFile(Mutex::new(log)));
            (Some(layer), None, warnings)
        }
        Some(Err(e)) => (None, Some(e.to_string()), Vec::new()),
        None => (None, None, Vec::new()),
    };
    let started = file.is_some();
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::registry()
        .with(filter())
        .with(stderr)
        .with(file)
        .try_init();
    if let (Some(folder), Some(e)) = (folder, problem) {
        tracing::warn!("no log file in {}: {e}", folder.display());
    }
    for warning in warnings {
        tracing::warn!("log folder: {warning}");
    }
    LogGuard {
        folder: folder.filter(|_| started).map(Path::to_path_buf),
    }
}

/// `genvej.YYYY-MM-DD.log` (UTC date, like the lines' times) in a private
/// folder, a new file each day; the oldest beyond [`KEPT_FILES`] are removed.
/// Files are created 0600 on Unix (tracing-appender's roller cannot do that).
struct DailyLog {
    folder: PathBuf,
    day: String,
    file: File,
}

impl DailyLog {
    /// Opens today's file; returns warnings about permissions to log.
    fn open(folder: &Path) -> io::Result<(DailyLog, Vec<String>)> {
        let mut warnings: Vec<String> = genvej_format::private_files::create_dir(folder)?
            .into_iter()
            .collect();
        let day = today();
        let (file, warning) = genvej_format::private_files::open_append(&file_for(folder, &day))?;
        warnings.extend(warning);
        let log = DailyLog {
            folder: folder.to_path_buf(),
            day,
            file,
        };
        log.remove_old();
        Ok((log, warnings))
    }

    fn remove_old(&self) {
        let Ok(entries) = std::fs::read_dir(&self.folder) else {
            return;
        };
        let mut logs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("genvej.") && n.ends_with(".log"))
            })
            .collect();
        logs.sort();
        let excess = logs.len().saturating_sub(KEPT_FILES);
        for old in logs.into_iter().take(excess) {
            let _ = std::fs::remove_file(old);
        }
    }
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

fn file_for(folder: &Path, day: &str) -> PathBuf {
    folder.join(format!("genvej.{day}.log"))
}

impl Write for DailyLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let day = today();
        if day != self.day {
            // A new day: a new file (a failure keeps writing to the old one).
            if let Ok((file, _)) =
                genvej_format::private_files::open_append(&file_for(&self.folder, &day))
            {
                self.file = file;
                self.day = day;
                self.remove_old();
            }
        }
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Replaces Rust's panic message on stderr (unredacted, and lost in the
/// Windows GUI build, which has no console) with an error in the log: the
/// message with CPR numbers masked, the thread and the place in the code.
/// Installed first thing by every command; a panic in a run then ends that
/// run as failed (the engine catches it) and is found in the log.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = panic_text(info.payload());
        let place = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "an unknown place".into());
        let thread = std::thread::current();
        let text = genvej_format::cpr::redact(&format!(
            "internal error (panic) in thread {} at {place}: {message}",
            thread.name().unwrap_or("unnamed")
        ));
        let logging = tracing::dispatcher::get_default(|current| {
            !current.is::<tracing::subscriber::NoSubscriber>()
        });
        if logging {
            tracing::error!("{text}");
        } else {
            let _ = writeln!(io::stderr(), "genvej: {text}");
        }
    }));
}

/// The text a panic was raised with, when it has one.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Makes writers that redact CPR numbers before the text reaches the file.
struct RedactedFile(Mutex<DailyLog>);

impl<'a> MakeWriter<'a> for RedactedFile {
    type Writer = Redacted<LockedLog<'a>>;
    fn make_writer(&'a self) -> Self::Writer {
        Redacted(LockedLog(&self.0))
    }
}

/// The log file, locked for one line at a time (a panic on another thread
/// while it wrote leaves the file usable, so a poisoned lock is taken over).
struct LockedLog<'a>(&'a Mutex<DailyLog>);

impl Write for LockedLog<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush()
    }
}

/// Makes writers that redact CPR numbers before the text reaches stderr.
struct RedactedStderr;

impl<'a> MakeWriter<'a> for RedactedStderr {
    type Writer = Redacted<io::Stderr>;
    fn make_writer(&'a self) -> Self::Writer {
        Redacted(io::stderr())
    }
}

/// A writer that masks CPR numbers. tracing writes one whole event per call.
pub struct Redacted<W: Write>(pub W);

impl<W: Write> Write for Redacted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0
            .write_all(genvej_format::cpr::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a subscriber wrote, for the test below.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("not poisoned").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_panic_is_logged_as_an_error_with_its_place_and_no_cpr_number() {
        install_panic_hook();
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        std::thread::Builder::new()
            .name("genvej-run".into())
            .spawn(move || {
                tracing::subscriber::with_default(subscriber, || {
                    let _ = std::panic::catch_unwind(|| {
                        panic!("bad value for borger 070761-4285");
                    });
                });
            })
            .expect("thread")
            .join()
            .expect("the panic was caught");
        let text =
            String::from_utf8(captured.0.lock().expect("not poisoned").clone()).expect("utf-8");
        assert!(text.contains("ERROR"), "{text}");
        assert!(
            text.contains("internal error (panic) in thread genvej-run at src/logging.rs:"),
            "{text}"
        );
        assert!(text.contains("bad value for borger 070761-XXXX"), "{text}");
        assert!(!text.contains("4285"), "{text}");
    }

    #[test]
    fn a_panic_s_text_is_read_from_either_kind_of_payload() {
        let text: Box<dyn std::any::Any + Send> = Box::new("borger 070761-4285");
        assert_eq!(panic_text(text.as_ref()), "borger 070761-4285");
        let owned: Box<dyn std::any::Any + Send> = Box::new(String::from("x"));
        assert_eq!(panic_text(owned.as_ref()), "x");
        let other: Box<dyn std::any::Any + Send> = Box::new(7);
        assert_eq!(panic_text(other.as_ref()), "(no message)");
    }

    #[test]
    fn only_the_newest_log_files_are_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        for day in 1..=20 {
            std::fs::write(dir.path().join(format!("genvej.2020-01-{day:02}.log")), "")
                .expect("old log");
        }
        std::fs::write(dir.path().join("notes.txt"), "").expect("other file");
        let (mut log, warnings) = DailyLog::open(dir.path()).expect("opened");
        assert!(warnings.is_empty(), "{warnings:?}");
        writeln!(log, "today").expect("written");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), KEPT_FILES + 1, "{names:?}");
        assert_eq!(names[0], "genvej.2020-01-08.log");
        assert!(names.contains(&format!("genvej.{}.log", today())));
        assert!(names.contains(&"notes.txt".to_string()));
    }

    #[cfg(unix)]
    #[test]
    fn the_log_folder_and_files_are_the_users_alone() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("logs");
        let (mut log, _) = DailyLog::open(&folder).expect("opened");
        writeln!(log, "window «Fasit» focused").expect("written");
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&file_for(&folder, &today())), 0o600);
    }

    #[test]
    fn log_text_is_redacted() {
        let mut out = Redacted(Vec::new());
        write!(out, "window «Fasit – 070761-4285» focused").expect("write");
        assert_eq!(
            String::from_utf8(out.0).expect("utf-8"),
            "window «Fasit – 070761-XXXX» focused"
        );
    }
}
