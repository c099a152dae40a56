//! The organisation's locations — the machine-wide config and the central
//! script folders — are trusted because ordinary users cannot change them.
//! A folder a caseworker can add a file to is not central: on a shared
//! terminal server one user's planted script would run in every other
//! user's agent at the next reload. genvej cannot fix permissions (the MSI
//! sets them, see installer/windows), but it says so when they are wrong.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::access;
use genvej_format::config::{ConfigLayer, LayerRole};

/// Sub-folders looked at below one central folder, at most.
const MAX_FOLDERS: usize = 500;
/// How deep below a central folder.
const MAX_DEPTH: usize = 6;

/// A central location the current (non-administrator) user could change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WritableLocation {
    pub path: PathBuf,
    /// The machine-wide config file (else a script folder).
    pub config: bool,
}

impl fmt::Display for WritableLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.config {
            "the machine-wide config"
        } else {
            "the central script folder"
        };
        write!(
            f,
            "{what} {} can be changed by you, and you are not an administrator: \
             anyone with your rights could change what every caseworker's agent does; \
             only Administrators should be able to write there",
            self.path.display()
        )
    }
}

/// The machine-wide config files and central script folders (and the
/// folders below them) the current user could change; none for an
/// administrator, and none inside the development checkout the binary
/// runs from.
pub fn writable_central_locations(
    layers: &[ConfigLayer],
    central_folders: &[PathBuf],
) -> Vec<WritableLocation> {
    if access::runs_as_admin() {
        return Vec::new();
    }
    let checkout = crate::paths::development_root();
    let outside_checkout = |path: &Path| checkout.as_deref().is_none_or(|c| !path.starts_with(c));
    let mut found = Vec::new();
    for layer in layers.iter().filter(|l| l.role == LayerRole::Machine) {
        let folder = layer.path.parent().filter(|p| !p.as_os_str().is_empty());
        let writable = [Some(layer.path.as_path()), folder]
            .into_iter()
            .flatten()
            .any(|p| p.exists() && access::can_write(p));
        if writable && outside_checkout(&layer.path) {
            found.push(WritableLocation {
                path: layer.path.clone(),
                config: true,
            });
        }
    }
    for folder in central_folders.iter().filter(|f| outside_checkout(f)) {
        if let Some(path) = first_writable_folder(folder) {
            found.push(WritableLocation {
                path,
                config: false,
            });
        }
    }
    found
}

/// `folder` or the first folder below it the user could add files to;
/// symbolic links are not followed.
fn first_writable_folder(folder: &Path) -> Option<PathBuf> {
    let mut queue = vec![(folder.to_path_buf(), 0)];
    let mut seen = 0;
    while let Some((dir, depth)) = queue.pop() {
        seen += 1;
        if seen > MAX_FOLDERS {
            break;
        }
        if access::can_write(&dir) {
            return Some(dir);
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut below: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        below.sort();
        queue.extend(below.into_iter().rev().map(|d| (d, depth + 1)));
    }
    None
}
