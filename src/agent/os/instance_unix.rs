//! One agent per user session (per X display): the first agent listens on a
//! Unix socket in the user's runtime folder; a second start connects to it,
//! asks it to reload its scripts, and exits instead of grabbing the same
//! hot keys twice.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::mpsc::Sender;

use crate::agent::AgentEvent;

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

/// `$XDG_RUNTIME_DIR/genvej-<display>.sock` (per user), else the temp folder.
fn socket_path(display: &str) -> PathBuf {
    let folder = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let display: String = display
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let user = std::env::var("USER").unwrap_or_default();
    folder.join(format!("genvej-{user}-{display}.sock"))
}

/// Becomes the agent for `display`, or tells the running one to reload.
/// Requests from later starts arrive as [`AgentEvent::Reload`].
pub fn claim(display: &str, events: Sender<AgentEvent>) -> std::io::Result<Claim> {
    let path = socket_path(display);
    if let Ok(mut running) = UnixStream::connect(&path) {
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
        Err(e) => return Err(e),
    };
    std::thread::Builder::new()
        .name("genvej-instance".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut line = String::new();
                if BufReader::new(stream).read_line(&mut line).is_ok() && line.trim() == "reload" {
                    tracing::info!("another start of genvej asked for a reload");
                    if events.send(AgentEvent::Reload).is_err() {
                        return;
                    }
                }
            }
        })?;
    Ok(Claim::First(SingleInstance { path }))
}

impl Drop for SingleInstance {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
