//! Hot reload: the agent watches its script folders and config files; after a
//! change it checks everything again and swaps to the new set only if it is
//! free of errors, else it keeps the last good set and logs the problems
//! with `path:line:col`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::AgentEvent;
use super::notices::Notices;
use genvej_format::config::{Config, ConfigLayer};
use genvej_format::script::{self, ScriptFolders, ScriptSet};

/// Editors write a file in several steps; changes this close together are
/// one reload.
const QUIET: Duration = Duration::from_millis(200);

/// Where the agent's scripts and config come from: the config files and
/// the script folders (not the HTTP `[sources]` a script fetches from).
#[derive(Debug, Clone)]
pub struct Locations {
    /// Config files in the order they apply (see [`Config::load_layers`]).
    pub config_paths: Vec<ConfigLayer>,
    pub folders: ScriptFolders,
    /// Signed bundles (`[bundles]`): the organisation's scripts come from
    /// the current bundle instead of `folders.central`.
    pub bundles: Option<super::library::Bundles>,
    /// Central locations already reported as changeable by the caseworker
    /// (each is reported once per agent, not at every reload).
    pub warned_writable: Arc<Mutex<BTreeSet<PathBuf>>>,
}

impl Locations {
    /// Reads the config and every script. `Err` is a config that cannot be
    /// used (rendered for the log); script problems, and what the
    /// organisation's policy refused, are in the set.
    pub fn load(&self) -> Result<(ScriptSet, Config), String> {
        let layered = genvej_desktop::deployment::load_config(&self.config_paths)
            .map_err(|e| e.to_string())?;
        let mut set = match &self.bundles {
            Some(bundles) => bundles.script_set(&self.folders.personal, &layered.config),
            None => script::load_folders(&self.folders, &layered.config),
        };
        set.add_config_notes(&layered);
        if !set.policy_notes.is_empty() {
            tracing::warn!(
                "the organisation's policy ignored personal settings or scripts:\n{}",
                set.policy_diagnostics()
            );
        }
        self.warn_about_writable_locations(&layered.config);
        Ok((set, layered.config))
    }

    /// Tells the caseworker once (log and notice) about each central
    /// location they could change. Part of every load, so on the loading
    /// thread: asking about a folder on a share that hangs holds up no hot
    /// key.
    fn warn_about_writable_locations(&self, config: &Config) {
        let found = self.writable_central_locations();
        let new: Vec<_> = match self.warned_writable.lock() {
            Ok(mut warned) => found
                .into_iter()
                .filter(|l| warned.insert(l.path.clone()))
                .collect(),
            Err(_) => found,
        };
        for location in &new {
            tracing::warn!("{location}");
        }
        if !new.is_empty() {
            Notices::new(config.agent.notice_seconds).writable_central_locations(&new);
        }
    }

    /// Central locations the caseworker could change (see [`genvej_desktop::trust`]).
    pub fn writable_central_locations(&self) -> Vec<genvej_desktop::trust::WritableLocation> {
        genvej_desktop::trust::writable_central_locations(&self.config_paths, &self.folders.central)
    }

    /// Every folder the scripts come from, the organisation's first.
    pub fn all_folders(&self) -> impl Iterator<Item = &PathBuf> {
        self.folders.central.iter().chain(&self.folders.personal)
    }

    /// Watches the folders (recursively) and the config file; sends
    /// [`AgentEvent::Reload`] once changes have been quiet for a moment.
    /// The watch stops when the returned value is dropped. On Windows it
    /// runs on `hotkeys`' thread.
    #[cfg(any(target_os = "linux", windows))]
    pub fn watch(
        &self,
        hotkeys: &genvej_desktop::os::Hotkeys,
        events: Sender<AgentEvent>,
    ) -> anyhow::Result<genvej_desktop::os::FolderWatch> {
        let config_paths: Vec<PathBuf> = self.config_paths.iter().map(|l| l.path.clone()).collect();
        let config_folders: Vec<PathBuf> = config_paths
            .iter()
            .filter_map(|p| p.parent())
            .filter(|p| p.exists())
            .map(Path::to_path_buf)
            .collect();
        let folders = self
            .all_folders()
            .filter(|f| f.exists())
            .map(|folder| (folder.clone(), true))
            .chain(config_folders.into_iter().map(|folder| (folder, false)))
            .collect();
        let burst = Burst::new(events);
        genvej_desktop::os::watch_folders(hotkeys, folders, move |path| {
            if is_script_or_config(path, &config_paths) {
                burst.changed();
            }
        })
    }
}

/// Turns a burst of changes into one [`AgentEvent::Reload`], sent once the
/// changes have been quiet for [`QUIET`]. The wait runs on a short-lived
/// thread that the burst's first change starts, so no thread sits waiting
/// while nothing changes (an idle thread costs about 1 MB under Wine).
#[derive(Clone)]
struct Burst {
    state: Arc<Mutex<BurstState>>,
    events: Sender<AgentEvent>,
}

#[derive(Default)]
struct BurstState {
    /// When the last change was seen.
    last: Option<Instant>,
    /// A thread is waiting for the quiet (and will send the reload).
    waiting: bool,
}

impl Burst {
    fn new(events: Sender<AgentEvent>) -> Burst {
        Burst {
            state: Arc::default(),
            events,
        }
    }

    /// A change: the reload comes [`QUIET`] after the last one.
    fn changed(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.last = Some(Instant::now());
        if state.waiting {
            return;
        }
        let burst = self.clone();
        match std::thread::Builder::new()
            .name("genvej-reload".into())
            .spawn(move || burst.wait_for_quiet())
        {
            Ok(_) => state.waiting = true,
            Err(e) => {
                // Reloading at once beats not reloading.
                tracing::warn!("cannot wait for the changes to settle: {e}");
                let _ = self.events.send(AgentEvent::Reload);
            }
        }
    }

    /// Sleeps until no change came for [`QUIET`], then asks for the reload.
    /// A change after the check starts a new wait, so none is missed.
    fn wait_for_quiet(&self) {
        loop {
            let left = {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                let quiet_for = state.last.map_or(QUIET, |last| last.elapsed());
                if quiet_for >= QUIET {
                    state.waiting = false;
                    None
                } else {
                    Some(QUIET - quiet_for)
                }
            };
            match left {
                Some(left) => std::thread::sleep(left),
                None => {
                    let _ = self.events.send(AgentEvent::Reload);
                    return;
                }
            }
        }
    }
}

/// A script file or a config file (editors' temporary files are not, nor
/// are the scripts' test files, `*.tests.toml`, which the agent never loads).
fn is_script_or_config(path: &Path, configs: &[PathBuf]) -> bool {
    (path.extension().is_some_and(|e| e == "toml")
        && !genvej_format::script_tests::is_test_file(path))
        || configs.iter().any(|c| c == path)
        || may_be_folder(path)
}

/// A folder made, renamed or removed may hold scripts: a folder copied in
/// whole can be reported as the folder alone (its files were there before
/// the watch reached it). Told by its name only — no extension — so that a
/// share that hangs never holds up the thread the changes arrive on.
fn may_be_folder(path: &Path) -> bool {
    path.extension().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_file_edit_reloads_nothing() {
        let configs = [PathBuf::from("/etc/genvej/genvej.toml")];
        assert!(is_script_or_config(
            Path::new("/h/Journal/signatur.toml"),
            &configs
        ));
        assert!(!is_script_or_config(
            Path::new("/h/Journal/signatur.tests.toml"),
            &configs
        ));
        assert!(!is_script_or_config(
            Path::new("/h/Journal/.signatur.toml.swp"),
            &configs
        ));
        assert!(is_script_or_config(&configs[0], &configs));
    }

    #[test]
    fn a_folder_made_or_removed_reloads_and_other_files_do_not() {
        let dir = tempfile::tempdir().expect("folder");
        let made = dir.path().join("Breve");
        std::fs::create_dir(&made).expect("folder");
        assert!(is_script_or_config(&made, &[]));
        assert!(is_script_or_config(&dir.path().join("Gammel"), &[]));
        let note = dir.path().join("noter.txt");
        std::fs::write(&note, "x").expect("file");
        assert!(!is_script_or_config(&note, &[]));
        assert!(!is_script_or_config(&dir.path().join("slettet.txt"), &[]));
    }

    #[test]
    fn a_burst_of_changes_is_one_reload_once_quiet_and_a_later_change_another() {
        let (events, inbox) = std::sync::mpsc::channel();
        let burst = Burst::new(events);
        let started = Instant::now();
        for _ in 0..5 {
            burst.changed();
            std::thread::sleep(Duration::from_millis(20));
        }
        let reload = inbox
            .recv_timeout(Duration::from_secs(5))
            .expect("a reload");
        assert!(matches!(reload, AgentEvent::Reload), "{reload:?}");
        assert!(started.elapsed() >= Duration::from_millis(80) + QUIET);
        assert!(
            inbox.recv_timeout(QUIET * 2).is_err(),
            "one reload per burst"
        );
        burst.changed();
        let again = inbox
            .recv_timeout(Duration::from_secs(5))
            .expect("a second reload");
        assert!(matches!(again, AgentEvent::Reload), "{again:?}");
    }
}
