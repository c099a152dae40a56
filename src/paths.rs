//! Where the config and scripts are: given on the command line, else the
//! development layout next to the binary (`config/genvej.toml`, `hotkeys/`),
//! else the installed per-OS locations.

use std::path::{Path, PathBuf};

/// The installed locations on this OS.
pub struct Installed {
    /// Machine-wide config and scripts (ProgramData / /etc and /usr/share).
    pub machine_config: PathBuf,
    pub machine_hotkeys: PathBuf,
    /// Per-user overrides (AppData / XDG).
    pub user_config: Option<PathBuf>,
    pub user_hotkeys: Option<PathBuf>,
}

impl Installed {
    pub fn for_this_os() -> Installed {
        let user = dirs::config_dir().map(|d| d.join("genvej"));
        #[cfg(windows)]
        let machine = std::env::var_os("ProgramData")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"))
            .join("genvej");
        #[cfg(windows)]
        let (machine_config, machine_hotkeys) =
            (machine.join("genvej.toml"), machine.join("hotkeys"));
        #[cfg(not(windows))]
        let (machine_config, machine_hotkeys) = (
            PathBuf::from("/etc/genvej/genvej.toml"),
            PathBuf::from("/usr/share/genvej/hotkeys"),
        );
        Installed {
            machine_config,
            machine_hotkeys,
            user_config: user.as_ref().map(|d| d.join("genvej.toml")),
            user_hotkeys: user.map(|d| d.join("hotkeys")),
        }
    }
}

/// The development layout: a folder holding `config/genvej.toml` and
/// `hotkeys/`, at or above the running binary (e.g. `target/debug/genvej`),
/// else the current folder (a build kept in a shared target folder).
pub fn development_root() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok();
    let near_binary = exe
        .as_deref()
        .into_iter()
        .flat_map(|exe| exe.ancestors().skip(1).take(5))
        .find(|dir| is_development_root(dir))
        .map(Path::to_path_buf);
    near_binary.or_else(|| {
        std::env::current_dir()
            .ok()
            .filter(|dir| is_development_root(dir))
    })
}

fn is_development_root(dir: &Path) -> bool {
    dir.join("config/genvej.toml").is_file() && dir.join("hotkeys").is_dir()
}

/// The config files to use when none is named, in the order they apply:
/// the development one; or the machine-wide one and then the per-user one
/// (each only if it exists), so the caseworker's values override the
/// organisation's.
pub fn default_config_layers() -> Vec<PathBuf> {
    if let Some(root) = development_root() {
        return vec![root.join("config/genvej.toml")];
    }
    let installed = Installed::for_this_os();
    std::iter::once(installed.machine_config)
        .chain(installed.user_config)
        .filter(|p| p.is_file())
        .collect()
}

/// Script folders when neither the command line nor the config names any.
pub fn default_hotkey_folders() -> Vec<PathBuf> {
    if let Some(root) = development_root() {
        return vec![root.join("hotkeys")];
    }
    let installed = Installed::for_this_os();
    std::iter::once(installed.machine_hotkeys)
        .chain(installed.user_hotkeys)
        .filter(|p| p.is_dir())
        .collect()
}

/// The central script folders an IT office set when installing: on Windows
/// the MSI property SCRIPTFOLDER (`;`-separated), kept in the registry at
/// `HKLM\Software\genvej\ScriptFolder`. None elsewhere. Used when neither
/// the command line nor a config names script folders.
pub fn deployed_hotkey_folders() -> Vec<PathBuf> {
    #[cfg(windows)]
    if let Some(folders) = crate::platform::windows::deployment_setting("ScriptFolder") {
        return folders
            .split(';')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(PathBuf::from)
            .collect();
    }
    Vec::new()
}

/// The default usage database: `~/.local/share/genvej/usage.sqlite` on
/// Linux, `%LOCALAPPDATA%\genvej\usage.sqlite` on Windows.
pub fn default_usage_database() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("genvej").join("usage.sqlite"))
}

/// The default log folder: `~/.local/share/genvej/logs` on Linux,
/// `%LOCALAPPDATA%\genvej\logs` on Windows.
pub fn default_log_folder() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("genvej").join("logs"))
}
