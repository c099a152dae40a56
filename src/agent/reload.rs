//! Hot reload: the agent watches its script folders and config files; after a
//! change it checks everything again and swaps to the new set only if it is
//! free of errors, else it keeps the last good set and logs the problems
//! with `path:line:col`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

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
    /// The watcher stops when the returned value is dropped.
    pub fn watch(&self, events: Sender<AgentEvent>) -> notify::Result<RecommendedWatcher> {
        let (changed, changes) = mpsc::channel::<()>();
        let config_paths: Vec<PathBuf> = self.config_paths.iter().map(|l| l.path.clone()).collect();
        let config_folders: Vec<PathBuf> = config_paths
            .iter()
            .filter_map(|p| p.parent())
            .filter(|p| p.exists())
            .map(Path::to_path_buf)
            .collect();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let relevant = event.is_ok_and(|e| {
                    !e.kind.is_access()
                        && e.paths
                            .iter()
                            .any(|p| is_script_or_config(p, &config_paths))
                });
                if relevant {
                    let _ = changed.send(());
                }
            })?;
        for folder in self.all_folders().filter(|f| f.exists()) {
            watcher.watch(folder, RecursiveMode::Recursive)?;
        }
        for parent in &config_folders {
            watcher.watch(parent, RecursiveMode::NonRecursive)?;
        }
        std::thread::Builder::new()
            .name("genvej-reload".into())
            .spawn(move || {
                while changes.recv().is_ok() {
                    loop {
                        match changes.recv_timeout(QUIET) {
                            Ok(()) => continue,
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    if events.send(AgentEvent::Reload).is_err() {
                        return;
                    }
                }
            })
            .map_err(|e| notify::Error::generic(&e.to_string()))?;
        Ok(watcher)
    }
}

/// A script file or a config file (editors' temporary files are not, nor
/// are the scripts' test files, `*.tests.toml`, which the agent never loads).
fn is_script_or_config(path: &Path, configs: &[PathBuf]) -> bool {
    (path.extension().is_some_and(|e| e == "toml")
        && !genvej_format::script_tests::is_test_file(path))
        || configs.iter().any(|c| c == path)
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
}
