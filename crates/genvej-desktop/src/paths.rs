//! Where the config and scripts are: given on the command line, else the
//! development layout of the checkout whose `target/` holds the binary
//! (`config/genvej.toml`, `hotkeys/`), else the installed per-OS locations.

use std::path::{Path, PathBuf};

use genvej_format::config::ConfigLayer;

/// The installed locations on this OS.
pub struct Installed {
    /// Machine-wide config and scripts (ProgramData / /etc and /usr/share).
    pub machine_config: PathBuf,
    pub machine_hotkeys: PathBuf,
    /// The caseworker's own config (AppData / XDG); their personal scripts
    /// are in `hotkeys/` beside it.
    pub user_config: Option<PathBuf>,
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
            user_config: user.map(|d| d.join("genvej.toml")),
        }
    }
}

/// The development layout: the checkout whose Cargo `target/` folder holds
/// the running binary (`<checkout>/target/debug/genvej`,
/// `<checkout>/target/<triple>/release/genvej.exe`, a test binary in
/// `target/debug/deps`), when that checkout has `config/genvej.toml` and
/// `hotkeys/`. Never the current folder or any other folder above the
/// binary: an installed `C:\Program Files\genvej\genvej.exe` has `C:\`
/// above it, where every user may create folders, and a planted
/// `config/` + `hotkeys/` there must not replace the organisation's.
pub fn development_root() -> Option<PathBuf> {
    development_root_of(&std::env::current_exe().ok()?)
}

fn development_root_of(exe: &Path) -> Option<PathBuf> {
    // The binary's folder is a profile (`debug`, `release`, `deps`) inside
    // `target/`, never `target/` itself.
    exe.ancestors()
        .skip(2)
        .take(3)
        .find(|dir| dir.file_name().is_some_and(|name| name == "target"))
        .and_then(Path::parent)
        .filter(|root| is_development_root(root))
        .map(Path::to_path_buf)
}

fn is_development_root(dir: &Path) -> bool {
    dir.join("Cargo.toml").is_file()
        && dir.join("config/genvej.toml").is_file()
        && dir.join("hotkeys").is_dir()
}

/// The config files to use when none is named, in the order they apply:
/// the development one; or the machine-wide one (if it exists) and then
/// the per-user one (if it exists when read), so the caseworker's values
/// apply where the organisation's policy lets them.
pub fn default_config_layers() -> Vec<ConfigLayer> {
    if let Some(root) = development_root() {
        return vec![ConfigLayer::machine(root.join("config/genvej.toml"))];
    }
    let installed = Installed::for_this_os();
    std::iter::once(installed.machine_config)
        .filter(|p| p.is_file())
        .map(ConfigLayer::machine)
        .chain(installed.user_config.map(ConfigLayer::personal))
        .collect()
}

/// The organisation's script folders when neither the command line nor
/// the config names any: the checkout's `hotkeys/`, or the installed one.
pub fn default_hotkey_folders() -> Vec<PathBuf> {
    if let Some(root) = development_root() {
        return vec![root.join("hotkeys")];
    }
    std::iter::once(Installed::for_this_os().machine_hotkeys)
        .filter(|p| p.is_dir())
        .collect()
}

/// The central script folders an IT office set when installing: on Windows
/// the MSI property SCRIPTFOLDER (`;`-separated), kept in the registry at
/// `HKLM\Software\genvej\ScriptFolder`. None elsewhere. Used when neither
/// the command line nor a config names script folders.
pub fn deployed_hotkey_folders() -> Vec<PathBuf> {
    #[cfg(windows)]
    if let Some(folders) = crate::windows::deployment_setting("ScriptFolder") {
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

/// Where the agent keeps the last good script bundle and what it knows of
/// the bundle server: `~/.local/share/genvej/bundles` on Linux,
/// `%LOCALAPPDATA%\genvej\bundles` on Windows.
pub fn default_bundle_cache() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("genvej").join("bundles"))
}

/// The default log folder: `~/.local/share/genvej/logs` on Linux,
/// `%LOCALAPPDATA%\genvej\logs` on Windows.
pub fn default_log_folder() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("genvej").join("logs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkout() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("config")).expect("config");
        std::fs::create_dir_all(dir.path().join("hotkeys")).expect("hotkeys");
        std::fs::write(dir.path().join("config/genvej.toml"), "").expect("config");
        std::fs::write(dir.path().join("Cargo.toml"), "").expect("manifest");
        dir
    }

    #[test]
    fn a_binary_in_the_checkouts_target_folder_uses_the_checkout() {
        let root = checkout();
        for exe in [
            "target/debug/genvej",
            "target/release/genvej",
            "target/debug/deps/cli-0123abcd",
            "target/x86_64-pc-windows-gnu/release/genvej.exe",
        ] {
            assert_eq!(
                development_root_of(&root.path().join(exe)).as_deref(),
                Some(root.path()),
                "{exe}"
            );
        }
    }

    #[test]
    fn a_planted_layout_above_an_installed_binary_is_not_used() {
        // C:\config + C:\hotkeys above C:\Program Files\genvej\genvej.exe,
        // or a `target` folder someone made there: neither is a checkout
        // whose target/ holds the binary.
        let root = checkout();
        for exe in [
            "Program Files/genvej/genvej.exe",
            "genvej.exe",
            "target/genvej.exe",
            "a/b/c/d/target/x/genvej",
        ] {
            let exe = root.path().join(exe);
            let found = development_root_of(&exe);
            assert!(
                found.as_deref() != Some(root.path()),
                "{} used the planted layout",
                exe.display()
            );
        }
    }
}
