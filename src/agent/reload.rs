//! Hot reload: the agent watches its script folders and config files; after a
//! change it checks everything again and swaps to the new set only if it is
//! free of errors, else it keeps the last good set and logs the problems
//! with `path:line:col`.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::AgentEvent;
use crate::config::Config;
use crate::script::{self, ScriptSet};

/// Editors write a file in several steps; changes this close together are
/// one reload.
const QUIET: Duration = Duration::from_millis(200);

/// Where the agent's scripts and config come from.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Config files in the order they apply (see [`Config::load_layers`]).
    pub config_paths: Vec<PathBuf>,
    pub folders: Vec<PathBuf>,
}

impl Sources {
    /// Reads the config and every script. `Err` is a config that cannot be
    /// used (rendered for the log); script problems are in the set.
    pub fn load(&self) -> Result<(ScriptSet, Config), String> {
        let config = Config::load_layers(&self.config_paths).map_err(|e| e.to_string())?;
        let set = script::load(&self.folders, &config);
        Ok((set, config))
    }

    /// Watches the folders (recursively) and the config file; sends
    /// [`AgentEvent::Reload`] once changes have been quiet for a moment.
    /// The watcher stops when the returned value is dropped.
    pub fn watch(&self, events: Sender<AgentEvent>) -> notify::Result<RecommendedWatcher> {
        let (changed, changes) = mpsc::channel::<()>();
        let config_paths = self.config_paths.clone();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let relevant = event.is_ok_and(|e| {
                    !e.kind.is_access() && e.paths.iter().any(|p| is_source(p, &config_paths))
                });
                if relevant {
                    let _ = changed.send(());
                }
            })?;
        for folder in &self.folders {
            watcher.watch(folder, RecursiveMode::Recursive)?;
        }
        for parent in self.config_paths.iter().filter_map(|p| p.parent()) {
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

/// A script file or a config file (editors' temporary files are not).
fn is_source(path: &Path, configs: &[PathBuf]) -> bool {
    path.extension().is_some_and(|e| e == "toml") || configs.iter().any(|c| c == path)
}
