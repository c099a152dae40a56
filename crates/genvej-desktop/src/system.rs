//! Ports that are the same on every real desktop: the clock and starting
//! programs.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use genvej_engine::ports::{PortError, PortResult};

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
        .map_err(|e| not_started(program, &e))?;
    std::thread::Builder::new()
        .name("genvej-reaper".into())
        .spawn(move || {
            let _ = child.wait();
        })
        .map_err(|e| not_started(program, &e))?;
    Ok(())
}

fn not_started(program: &str, error: &std::io::Error) -> PortError {
    PortError::Launch {
        program: program.to_string(),
        reason: error.to_string(),
    }
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
/// renamed, so a half-written PDF never looks finished. The folder is made
/// private (0700 on Unix) and every file is 0600.
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
        let failed = |e: std::io::Error| PortError::Document {
            file_name: file_name.to_string(),
            folder: self.folder.display().to_string(),
            reason: e.to_string(),
        };
        // Merged documents are citizens' case papers: the folder and the
        // files are the caseworker's alone (0700/0600 on Unix).
        if let Some(warning) =
            genvej_format::private_files::create_dir(&self.folder).map_err(failed)?
        {
            tracing::warn!("document folder: {warning}");
        }
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
        if genvej_format::private_files::write(&partial, bytes)
            .map_err(failed)?
            .is_some()
        {
            // Not the warning itself: the file's name may hold a citizen's name.
            tracing::warn!(
                "a document saved in {} may be readable by other users (a file left by another user?)",
                self.folder.display()
            );
        }
        std::fs::rename(&partial, &path).map_err(failed)?;
        Ok(path.to_string_lossy().into_owned())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn saved_documents_and_their_folder_are_the_caseworkers_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let documents = DocumentFolder {
            folder: dir.path().join("Documents/genvej"),
        };
        let saved = documents
            .save("Statusattester Jens.pdf", b"%PDF-1.5")
            .expect("saved");
        assert_eq!(mode(&documents.folder), 0o700);
        assert_eq!(mode(std::path::Path::new(&saved)), 0o600);
        assert_eq!(std::fs::read(&saved).expect("read"), b"%PDF-1.5");
        // A folder of ours that others may open is tightened.
        std::fs::set_permissions(&documents.folder, std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let second = documents
            .save("Statusattester Jens.pdf", b"%PDF-1.5")
            .expect("saved");
        assert!(second.ends_with("Statusattester Jens (2).pdf"), "{second}");
        assert_eq!(mode(&documents.folder), 0o700);
        assert_eq!(mode(std::path::Path::new(&second)), 0o600);
    }
}
