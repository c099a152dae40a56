//! The organisation's script library from signed bundles (`[bundles]` in
//! the machine-wide config): the agent fetches the IT office's bundle,
//! verifies its signature and every file's hash against the trusted keys,
//! keeps the last good one (`store`), chooses between everyone's and its
//! ring's (`choice`), checks again every `check_minutes` on a thread of its
//! own (`check`), and hands the scripts to the usual reload, which swaps
//! them in only when they are free of errors. When `[bundles] from` is set
//! the organisation's scripts come from the bundle only; the caseworker's
//! personal scripts stay, under the policy.

mod check;
pub mod choice;
pub mod store;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genvej_bundle::{Library, PublicKey};
use genvej_format::config::{BundleLocation, Config};
use genvej_format::script::{self, ScriptFolders, ScriptSet};
use sha2::Digest;

pub use check::{CheckSummary, Checker, Checks};
pub use store::Store;

/// A verified library and what it is.
#[derive(Debug, Clone)]
pub struct Current {
    pub library: Arc<Library>,
    /// SHA-256 of the bundle's bytes.
    pub digest: [u8; 32],
    /// The file it came from (`all.genvej-bundle`, `pilot.genvej-bundle`).
    pub from: Option<String>,
}

impl Current {
    pub fn sequence(&self) -> u64 {
        self.library.manifest.sequence
    }

    fn running(&self) -> choice::Running {
        choice::Running {
            sequence: self.sequence(),
            digest: self.digest,
            from: self.from.clone(),
        }
    }
}

/// The library in use: replaced by the checker, read by every reload.
#[derive(Debug, Clone, Default)]
pub struct SharedLibrary(Arc<Mutex<Option<Current>>>);

impl SharedLibrary {
    pub fn get(&self) -> Option<Current> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn set(&self, current: Option<Current>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = current;
        }
    }
}

/// `[bundles]` made ready to use.
#[derive(Debug, Clone)]
pub struct Bundles {
    pub location: BundleLocation,
    pub keys: Arc<Vec<PublicKey>>,
    pub ring: Option<String>,
    pub every: Duration,
    pub store: Store,
    /// `agent.ca_file`, for https.
    pub ca_file: Option<PathBuf>,
    pub notice_seconds: u64,
    pub current: SharedLibrary,
}

/// Why `[bundles]` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("bundles.from is set but bundles.trusted_keys is empty, so no bundle can be trusted")]
    NoKeys,
    #[error("bundles.trusted_keys[{index}] is not a public key: {reason}")]
    BadKey { index: usize, reason: String },
    #[error("bundles.from `{from}` cannot be used: {reason}")]
    BadLocation { from: String, reason: String },
    #[error("this user has no data folder to keep the bundle in")]
    NoDataFolder,
}

impl Bundles {
    /// `None` when the config does not name where bundles come from.
    pub fn from_config(config: &Config) -> Result<Option<Bundles>, SetupError> {
        match Store::for_this_user() {
            Some(store) => Bundles::with_store(config, store),
            None if config.bundles.from.is_none() => Ok(None),
            None => Err(SetupError::NoDataFolder),
        }
    }

    /// [`Bundles::from_config`] with the cache in `store`.
    pub fn with_store(config: &Config, store: Store) -> Result<Option<Bundles>, SetupError> {
        let settings = &config.bundles;
        let Some(from) = &settings.from else {
            return Ok(None);
        };
        let location = BundleLocation::parse(from).map_err(|reason| SetupError::BadLocation {
            from: from.clone(),
            reason,
        })?;
        if settings.trusted_keys.is_empty() {
            return Err(SetupError::NoKeys);
        }
        let keys = trusted_keys(&settings.trusted_keys)?;
        Ok(Some(Bundles {
            location,
            keys: Arc::new(keys),
            ring: settings.ring.clone(),
            every: Duration::from_secs(u64::from(settings.check_minutes.max(1)) * 60),
            store,
            ca_file: config.agent.ca_file.clone(),
            notice_seconds: config.agent.notice_seconds,
            current: SharedLibrary::default(),
        }))
    }

    /// Reads the cached bundle and verifies it again; one that no longer
    /// verifies (another key now, or changed on disk) is discarded. Logs
    /// what it found, and returns it: `Ok` a library runs, `Err` none does.
    pub fn load_cache(&self) -> Result<String, String> {
        let found = self.read_cache();
        match &found {
            Ok(text) => tracing::info!("{text}"),
            Err(text) => tracing::warn!("{text}"),
        }
        found
    }

    fn read_cache(&self) -> Result<String, String> {
        let state = self.store.read_state();
        let path = self.store.current_path();
        let bytes = match self
            .store
            .read_current(genvej_desktop::bundle_source::MAX_BUNDLE_BYTES)
        {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Err(format!("no cached library yet ({})", path.display())),
            Err(e) => {
                return Err(format!(
                    "cached library {} cannot be read: {e}",
                    path.display()
                ));
            }
        };
        match genvej_bundle::verify(&bytes, &self.keys) {
            Ok(library) => {
                let current = Current {
                    library: Arc::new(library),
                    digest: digest(&bytes),
                    from: state.current_from,
                };
                let text = format!("cached library: {}", describe(&current.library));
                self.current.set(Some(current));
                Ok(text)
            }
            Err(e) => {
                let mut text = format!(
                    "cached library {} discarded: {e}; a bundle is fetched again",
                    path.display()
                );
                if let Err(e) = self.store.discard_current() {
                    text.push_str(&format!(" (cannot remove it: {e})"));
                }
                Err(text)
            }
        }
    }

    /// The scripts: the running library's, or none of the organisation's
    /// while there is none; the personal folders' under the policy either way.
    pub fn script_set(&self, personal: &[PathBuf], config: &Config) -> ScriptSet {
        match self.current.get() {
            Some(current) => {
                tracing::debug!(
                    "reading the scripts of bundle sequence {}",
                    current.sequence()
                );
                library_scripts(&current.library, personal, config)
            }
            None => script::load_folders(
                &ScriptFolders {
                    central: Vec::new(),
                    personal: personal.to_vec(),
                },
                config,
            ),
        }
    }
}

/// A library's scripts, named `bundle N/path` in messages.
pub fn library_scripts(library: &Library, personal: &[PathBuf], config: &Config) -> ScriptSet {
    let files: Vec<(PathBuf, String)> = library
        .files
        .iter()
        .map(|f| (PathBuf::from(f.path.as_str()), f.text.clone()))
        .collect();
    script::load_bundle(&files, library.manifest.sequence, personal, config)
}

/// The trusted keys, each checked.
pub fn trusted_keys(texts: &[String]) -> Result<Vec<PublicKey>, SetupError> {
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            PublicKey::parse(text).map_err(|e| SetupError::BadKey {
                index,
                reason: e.to_string(),
            })
        })
        .collect()
}

/// SHA-256 of a bundle's bytes.
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(bytes).into()
}

/// One line about a library, for logs and `genvej bundle status`.
pub fn describe(library: &Library) -> String {
    let manifest = &library.manifest;
    format!(
        "sequence {}, built {}, {} scripts, signed by key {}",
        manifest.sequence,
        manifest.built.format("%Y-%m-%d %H:%M UTC"),
        manifest.scripts.len(),
        manifest.key_id
    )
}
#[cfg(test)]
mod tests;
