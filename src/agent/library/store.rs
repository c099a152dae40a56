//! The workstation's copy of the organisation's library: the last good
//! bundle (`current.genvej-bundle`) and a small state file (`state.json`:
//! where it came from, what each file on the server looked like when last
//! read, the last check's result), in the caseworker's data folder
//! (`~/.local/share/genvej/bundles`, `%LOCALAPPDATA%\genvej\bundles`).
//!
//! The bundle is written to a temporary file and renamed over the old one,
//! so a crash or a full disk never leaves half a library; both files are
//! readable by their owner only. The cached bundle is verified again every
//! time it is read: the cache is a convenience, never trusted on its own.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use genvej_desktop::bundle_source::Validators;
use serde::{Deserialize, Serialize};

/// The last good bundle's file name.
pub const CURRENT: &str = "current.genvej-bundle";
const STATE: &str = "state.json";
/// A state file larger than this is not read (it is a few hundred bytes).
const MAX_STATE_BYTES: u64 = 64 * 1024;

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Store {
    folder: PathBuf,
}

/// What the agent remembers between checks and between starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The file the cached bundle came from, e.g. `pilot.genvej-bundle`.
    #[serde(default)]
    pub current_from: Option<String>,
    /// Per file on the server or share: how it looked when last read.
    #[serde(default)]
    pub files: BTreeMap<String, SavedValidators>,
    /// When the last check ended, and how (English, for `genvej bundle status`).
    #[serde(default)]
    pub last_check: Option<LastCheck>,
}

/// [`Validators`] as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedValidators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// As text: JSON numbers do not hold nanoseconds since 1970 exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_ns: Option<String>,
}

impl From<&Validators> for SavedValidators {
    fn from(v: &Validators) -> SavedValidators {
        SavedValidators {
            etag: v.etag.clone(),
            last_modified: v.last_modified.clone(),
            size: v.size,
            modified_ns: v.modified_ns.map(|n| n.to_string()),
        }
    }
}

impl From<&SavedValidators> for Validators {
    fn from(v: &SavedValidators) -> Validators {
        Validators {
            etag: v.etag.clone(),
            last_modified: v.last_modified.clone(),
            size: v.size,
            modified_ns: v.modified_ns.as_deref().and_then(|n| n.parse().ok()),
        }
    }
}

/// The end of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastCheck {
    pub at: chrono::DateTime<chrono::Utc>,
    pub result: String,
}

impl Store {
    pub fn at(folder: impl Into<PathBuf>) -> Store {
        Store {
            folder: folder.into(),
        }
    }

    /// The caseworker's own cache folder, when the OS names a data folder.
    pub fn for_this_user() -> Option<Store> {
        genvej_desktop::paths::default_bundle_cache().map(Store::at)
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    pub fn current_path(&self) -> PathBuf {
        self.folder.join(CURRENT)
    }

    /// The cached bundle's bytes, if there is one (at most `max_bytes`).
    pub fn read_current(&self, max_bytes: u64) -> io::Result<Option<Vec<u8>>> {
        read_at_most(&self.current_path(), max_bytes)
    }

    /// Makes `bytes` the cached bundle: written beside it, then renamed over it.
    pub fn write_current(&self, bytes: &[u8]) -> io::Result<()> {
        self.replace(CURRENT, bytes)
    }

    /// Removes the cached bundle (one that no longer verifies).
    pub fn discard_current(&self) -> io::Result<()> {
        match std::fs::remove_file(self.current_path()) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The state; a missing or unreadable state file is an empty state
    /// (the next check then reads every file again).
    pub fn read_state(&self) -> State {
        read_at_most(&self.folder.join(STATE), MAX_STATE_BYTES)
            .ok()
            .flatten()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn write_state(&self, state: &State) -> io::Result<()> {
        let text = serde_json::to_vec_pretty(state).map_err(io::Error::other)?;
        self.replace(STATE, &text)
    }

    fn replace(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        if let Some(warning) = genvej_format::private_files::create_dir(&self.folder)? {
            tracing::warn!("{warning}");
        }
        let temporary = self.folder.join(format!("{name}.new"));
        if let Some(warning) = genvej_format::private_files::write(&temporary, bytes)? {
            tracing::warn!("{warning}");
        }
        std::fs::rename(&temporary, self.folder.join(name))
    }
}

/// The file's bytes, `None` when it does not exist; an error when it is
/// larger than `max_bytes`.
fn read_at_most(path: &Path, max_bytes: u64) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(io::Error::other(format!(
            "{} is larger than {max_bytes} bytes",
            path.display()
        )));
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cached_bundle_and_the_state_survive_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::at(dir.path().join("bundles"));
        assert_eq!(store.read_current(100).expect("read"), None);
        assert_eq!(store.read_state(), State::default());

        store.write_current(b"bundle 1").expect("write");
        store.write_current(b"bundle 2").expect("replace");
        let validators = Validators {
            etag: Some("\"abc\"".into()),
            modified_ns: Some(1_765_000_000_123_456_789),
            ..Validators::default()
        };
        let mut state = State {
            current_from: Some("all.genvej-bundle".into()),
            ..State::default()
        };
        state
            .files
            .insert("all.genvej-bundle".into(), (&validators).into());
        store.write_state(&state).expect("write state");

        let again = Store::at(dir.path().join("bundles"));
        assert_eq!(
            again.read_current(100).expect("read").as_deref(),
            Some(&b"bundle 2"[..])
        );
        let read = again.read_state();
        assert_eq!(read, state);
        assert_eq!(
            Validators::from(&read.files["all.genvej-bundle"]),
            validators
        );
        let names: Vec<_> = std::fs::read_dir(dir.path().join("bundles"))
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.ends_with(".new")),
            "no temporary file is left: {names:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn only_the_owner_may_read_the_cache() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::at(dir.path().join("bundles"));
        store.write_current(b"bundle").expect("write");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(store.folder()), 0o700);
        assert_eq!(mode(&store.current_path()), 0o600);
    }

    #[test]
    fn a_cache_larger_than_the_limit_or_a_broken_state_is_not_used() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::at(dir.path());
        store.write_current(&[0; 11]).expect("write");
        assert!(store.read_current(10).is_err());
        std::fs::write(dir.path().join(STATE), "{ not json").expect("write");
        assert_eq!(store.read_state(), State::default());
        store.discard_current().expect("discard");
        store.discard_current().expect("discarding nothing is fine");
        assert_eq!(store.read_current(10).expect("read"), None);
    }
}
