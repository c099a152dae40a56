//! Ports that are the same on every real desktop: the clock and starting
//! programs.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::ports::{PortError, PortResult};

/// Wall clock and monotonic time.
pub struct SystemClock {
    started: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            started: Instant::now(),
        }
    }
}

impl SystemClock {
    pub fn now(&self) -> chrono::NaiveDateTime {
        chrono::Local::now().naive_local()
    }
    pub fn monotonic(&self) -> Duration {
        self.started.elapsed()
    }
    pub fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// Starts a program with its arguments as a list, never through a shell, and
/// without waiting for it. A reaper thread collects its exit status so no
/// zombie is left.
pub fn launch(program: &str, args: &[String]) -> PortResult<()> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| PortError::Failed(format!("kunne ikke starte «{program}»: {e}")))?;
    std::thread::Builder::new()
        .name("genvej-reaper".into())
        .spawn(move || {
            let _ = child.wait();
        })
        .map_err(|e| PortError::Failed(format!("kunne ikke starte «{program}»: {e}")))?;
    Ok(())
}

/// Opens a URL with the configured browser, else the desktop's opener.
pub fn open_url(url: &str, browser: Option<&str>) -> PortResult<()> {
    match browser {
        Some(browser) => launch(browser, &[url.to_string()]),
        None if cfg!(windows) => launch(
            "rundll32",
            &["url.dll,FileProtocolHandler".into(), url.into()],
        ),
        None => launch("xdg-open", &[url.to_string()]),
    }
}
