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

/// Opens a URL (or a folder or document) with the configured browser, else
/// the desktop's opener: ShellExecute on Windows, `xdg-open` elsewhere.
pub fn open_url(url: &str, browser: Option<&str>) -> PortResult<()> {
    match browser {
        Some(browser) => launch(browser, &[url.to_string()]),
        #[cfg(windows)]
        None => super::windows::shell_open(url),
        #[cfg(not(windows))]
        None => launch("xdg-open", &[url.to_string()]),
    }
}

/// Where `merge_pdf` saves documents. Files are never replaced: a name in
/// use gets ` (2)`, ` (3)` …; the file is written under a temporary name and
/// renamed, so a half-written PDF never looks finished.
#[derive(Debug, Clone)]
pub struct DocumentFolder {
    pub folder: std::path::PathBuf,
}

impl Default for DocumentFolder {
    fn default() -> Self {
        DocumentFolder {
            folder: default_document_folder(),
        }
    }
}

/// The user's Documents folder + `genvej`.
pub fn default_document_folder() -> std::path::PathBuf {
    dirs::document_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("genvej")
}

impl DocumentFolder {
    pub fn save(&self, file_name: &str, bytes: &[u8]) -> PortResult<String> {
        let failed = |e: std::io::Error| {
            PortError::Failed(format!(
                "kunne ikke gemme «{file_name}» i {}: {e}",
                self.folder.display()
            ))
        };
        std::fs::create_dir_all(&self.folder).map_err(failed)?;
        let (stem, extension) = file_name
            .rsplit_once('.')
            .map_or((file_name, ""), |(s, e)| (s, e));
        let mut path = self.folder.join(file_name);
        let mut n = 2;
        while path.exists() {
            path = self.folder.join(format!("{stem} ({n}).{extension}"));
            n += 1;
        }
        let partial = path.with_extension("part");
        std::fs::write(&partial, bytes).map_err(failed)?;
        std::fs::rename(&partial, &path).map_err(failed)?;
        Ok(path.to_string_lossy().into_owned())
    }
}
