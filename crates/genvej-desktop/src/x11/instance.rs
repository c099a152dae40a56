//! One agent per user session (per X display): the first agent listens on a
//! Unix socket in a folder only the user can open; a second start connects
//! to it, asks it to reload its scripts, and exits instead of grabbing the
//! same hot keys twice.
//!
//! The folder is `$XDG_RUNTIME_DIR` (the user's own, made by the login
//! manager) when it is set, else `/tmp/genvej-<uid>`, created 0700 and used
//! only when it is a real folder (not a link), owned by us, that nobody else
//! may open: another user who made that name first is refused, with a
//! message that says what to do, rather than given our requests. A client
//! is read with a time and size limit on a thread of its own, so one that
//! connects and sends nothing, or sends megabytes, holds up nobody.

use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use crate::os::OsEvent;

/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest request read; anything more is ignored.
const MAX_REQUEST: usize = 64;
/// Clients read at the same time; more are turned away at once.
const MAX_CLIENTS: usize = 8;

/// What a start found.
pub enum Claim {
    /// This is the only agent; keep the value alive while the agent runs.
    First(SingleInstance),
    /// Another agent runs for this display; it has been asked to reload.
    AlreadyRunning(PathBuf),
}

/// The socket that marks this agent as the one for its session.
pub struct SingleInstance {
    path: PathBuf,
}

/// Why there is no socket folder we can trust.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is {problem}; genvej keeps its single-instance socket only in a folder that is the user's alone. Remove it (or set XDG_RUNTIME_DIR) and start genvej again"
    )]
    NotOurs { path: PathBuf, problem: String },
}

/// The folder for the socket: `$XDG_RUNTIME_DIR`, else a private folder
/// of ours in the temp folder.
pub fn socket_folder() -> Result<PathBuf, FolderError> {
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute() && dir.is_dir())
    {
        return Ok(runtime);
    }
    let uid = rustix::process::geteuid().as_raw();
    private_folder(&std::env::temp_dir().join(format!("genvej-{uid}")))
}

/// Creates `path` 0700, or accepts an existing one only if it is a real
/// folder, ours, that nobody else may open.
pub fn private_folder(path: &Path) -> Result<PathBuf, FolderError> {
    match std::fs::DirBuilder::new().mode(0o700).create(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(source) => {
            return Err(FolderError::Create {
                path: path.to_path_buf(),
                source,
            });
        }
    }
    let refuse = |problem: String| FolderError::NotOurs {
        path: path.to_path_buf(),
        problem,
    };
    // Not followed: a link could point anywhere another user chose.
    let meta = std::fs::symlink_metadata(path).map_err(|e| refuse(format!("unreadable ({e})")))?;
    if meta.file_type().is_symlink() {
        return Err(refuse("a symbolic link".into()));
    }
    if !meta.is_dir() {
        return Err(refuse("not a folder".into()));
    }
    let uid = rustix::process::geteuid().as_raw();
    if meta.uid() != uid {
        return Err(refuse(format!(
            "owned by another user (uid {}, we are {uid})",
            meta.uid()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        // Ours, but others may open it: a stale socket in it could have
        // been swapped; make it private before using it.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
            refuse(format!(
                "open to other users (mode {:o}) and could not be made private ({e})",
                meta.mode() & 0o777
            ))
        })?;
    }
    Ok(path.to_path_buf())
}

/// `<folder>/genvej-<user>-<display>.sock`.
fn socket_path(folder: &Path, display: &str) -> PathBuf {
    let display: String = display
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let user = std::env::var("USER").unwrap_or_default();
    let user: String = user
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    folder.join(format!("genvej-{user}-{display}.sock"))
}

/// Becomes the agent for `display`, or tells the running one to reload.
/// Requests from later starts arrive as [`OsEvent::Reload`].
pub fn claim<E: From<OsEvent> + Send + 'static>(
    display: &str,
    events: Sender<E>,
) -> anyhow::Result<Claim> {
    let path = socket_path(&socket_folder()?, display);
    if let Ok(mut running) = UnixStream::connect(&path) {
        running.set_write_timeout(Some(READ_TIMEOUT))?;
        running.write_all(b"reload\n")?;
        return Ok(Claim::AlreadyRunning(path));
    }
    // Nobody answers: a socket left by an agent that died is removed.
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(listener) => listener,
        // Another agent bound it between our connect and bind.
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return Ok(Claim::AlreadyRunning(path));
        }
        Err(e) => return Err(e.into()),
    };
    std::thread::Builder::new()
        .name("genvej-instance".into())
        .spawn(move || serve(&listener, &events))?;
    Ok(Claim::First(SingleInstance { path }))
}

/// Accepts clients; each is read on a thread of its own.
fn serve<E: From<OsEvent> + Send + 'static>(listener: &UnixListener, events: &Sender<E>) {
    let busy = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming().flatten() {
        if busy.fetch_add(1, Ordering::SeqCst) >= MAX_CLIENTS {
            busy.fetch_sub(1, Ordering::SeqCst);
            tracing::debug!("single-instance socket: too many clients at once; one turned away");
            continue;
        }
        let events = events.clone();
        let done = Arc::clone(&busy);
        let spawned = std::thread::Builder::new()
            .name("genvej-instance-client".into())
            .spawn(move || {
                if read_request(stream).as_deref() == Some("reload") {
                    tracing::info!("another start of genvej asked for a reload");
                    let _ = events.send(E::from(OsEvent::Reload));
                }
                done.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            busy.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The client's request (its first line, trimmed), read with a time and
/// size limit; `None` when it sent no whole line in time.
fn read_request(mut stream: UnixStream) -> Option<String> {
    stream.set_read_timeout(Some(READ_TIMEOUT)).ok()?;
    let deadline = std::time::Instant::now() + READ_TIMEOUT;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; MAX_REQUEST];
    while !bytes.contains(&b'\n') {
        if bytes.len() >= MAX_REQUEST || std::time::Instant::now() >= deadline {
            tracing::debug!("single-instance socket: a client sent no request in time");
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A timeout or a reset.
            Err(_) => return None,
        }
    }
    let line = bytes.split(|&b| b == b'\n').next()?;
    std::str::from_utf8(line).ok().map(|l| l.trim().to_string())
}

impl Drop for SingleInstance {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_new_private_folder_is_made_0700() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = private_folder(&dir.path().join("genvej-1000")).expect("made");
        let mode = std::fs::metadata(&folder).expect("meta").mode() & 0o777;
        assert_eq!(mode, 0o700);
        // Made again: the same folder is fine.
        private_folder(&folder).expect("ours");
    }

    #[test]
    fn a_symlink_in_place_of_the_folder_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).expect("mkdir");
        let planted = dir.path().join("genvej-1000");
        std::os::unix::fs::symlink(&elsewhere, &planted).expect("symlink");
        let error = private_folder(&planted).expect_err("refused");
        assert!(error.to_string().contains("is a symbolic link"), "{error}");
        assert!(error.to_string().contains("Remove it"), "{error}");
    }

    #[test]
    fn a_loose_folder_of_ours_is_made_private_before_use() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("genvej-1000");
        std::fs::create_dir(&folder).expect("mkdir");
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        private_folder(&folder).expect("ours");
        assert_eq!(
            std::fs::metadata(&folder).expect("meta").mode() & 0o777,
            0o700
        );
    }

    #[test]
    fn a_silent_client_and_a_flood_are_cut_off_by_the_limits() {
        let (ours, theirs) = UnixStream::pair().expect("pair");
        let started = Instant::now();
        assert_eq!(read_request(ours), None);
        assert!(started.elapsed() < READ_TIMEOUT + Duration::from_secs(1));
        drop(theirs);

        let (ours, mut theirs) = UnixStream::pair().expect("pair");
        let writer = std::thread::spawn(move || {
            let megabyte = vec![b'x'; 1 << 20];
            // The reader stops after its limit; the rest fails to send.
            let _ = theirs.write_all(&megabyte);
        });
        assert_eq!(read_request(ours), None);
        writer.join().expect("writer");

        // A request is answered as soon as its line is complete.
        let (ours, mut theirs) = UnixStream::pair().expect("pair");
        theirs.write_all(b"reload\n").expect("sent");
        let started = Instant::now();
        assert_eq!(read_request(ours).as_deref(), Some("reload"));
        assert!(started.elapsed() < Duration::from_millis(500));
        drop(theirs);
    }
}
