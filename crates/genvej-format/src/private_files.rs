//! Folders and files only their owner may open. Logs carry window titles
//! and saved documents are citizens' case papers; on a machine shared by
//! several users nobody else may read them. On Unix the folders genvej makes
//! are 0700 and its files 0600, whatever the umask, and an existing one of
//! ours that others could open is tightened (a warning says so when it
//! cannot be). On Windows the per-user folders (AppData, Documents) are the
//! user's own by their ACLs, so files are created as usual.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Creates `folder` (missing parents the usual way) so only its owner may
/// list or open it. An existing folder that others may open is tightened if
/// it is ours; the returned warning says when it stays open to others.
pub fn create_dir(folder: &Path) -> io::Result<Option<String>> {
    if let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    #[cfg(unix)]
    let builder = {
        let mut builder = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
    };
    #[cfg(not(unix))]
    let builder = std::fs::DirBuilder::new();
    match builder.create(folder) {
        Ok(()) => Ok(None),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && folder.is_dir() => {
            Ok(tighten(folder, unix::FOLDER_MODE))
        }
        Err(e) => Err(e),
    }
}

/// Opens `path` to append, created readable by its owner only; an existing
/// file that others may read is tightened (the warning says when it cannot be).
pub fn open_append(path: &Path) -> io::Result<(File, Option<String>)> {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    open_private(&mut options, path)
}

/// Writes `bytes` to `path` (replacing it), readable by its owner only.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<Option<String>> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    let (mut file, warning) = open_private(&mut options, path)?;
    file.write_all(bytes)?;
    Ok(warning)
}

/// Makes an existing file or folder of ours that others may open readable
/// by us only. `None` when that holds afterwards (or the path is missing);
/// otherwise a warning to log.
pub fn tighten_existing(path: &Path) -> Option<String> {
    let mode = if path.is_dir() {
        unix::FOLDER_MODE
    } else {
        unix::FILE_MODE
    };
    if path.exists() {
        tighten(path, mode)
    } else {
        None
    }
}

fn open_private(options: &mut OpenOptions, path: &Path) -> io::Result<(File, Option<String>)> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, unix::FILE_MODE);
    let file = options.open(path)?;
    let warning = unix::tighten_open_file(&file, path);
    Ok((file, warning))
}

#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> Option<String> {
    unix::tighten_path(path, mode)
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> Option<String> {
    None
}

#[cfg(unix)]
mod unix {
    use std::fs::{File, Permissions};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::Path;

    pub const FOLDER_MODE: u32 = 0o700;
    pub const FILE_MODE: u32 = 0o600;

    /// Bits that let the group or others in.
    const OTHERS: u32 = 0o077;

    pub fn tighten_path(path: &Path, mode: u32) -> Option<String> {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => return Some(format!("cannot check who may open {}: {e}", path.display())),
        };
        if meta.mode() & OTHERS == 0 {
            return None;
        }
        let loose = meta.mode() & 0o777;
        if meta.uid() != rustix::process::geteuid().as_raw() {
            return Some(format!(
                "{} may be opened by other users (mode {loose:o}) and belongs to another user, so genvej cannot tighten it",
                path.display()
            ));
        }
        match std::fs::set_permissions(path, Permissions::from_mode(mode)) {
            Ok(()) => None,
            Err(e) => Some(format!(
                "{} may be opened by other users (mode {loose:o}) and could not be made private: {e}",
                path.display()
            )),
        }
    }

    pub fn tighten_open_file(file: &File, path: &Path) -> Option<String> {
        let meta = match file.metadata() {
            Ok(meta) => meta,
            Err(e) => return Some(format!("cannot check who may read {}: {e}", path.display())),
        };
        if meta.mode() & OTHERS == 0 {
            return None;
        }
        let loose = meta.mode() & 0o777;
        if meta.uid() != rustix::process::geteuid().as_raw() {
            return Some(format!(
                "{} may be read by other users (mode {loose:o}) and belongs to another user, so genvej cannot tighten it",
                path.display()
            ));
        }
        match file.set_permissions(Permissions::from_mode(FILE_MODE)) {
            Ok(()) => None,
            Err(e) => Some(format!(
                "{} may be read by other users (mode {loose:o}) and could not be made private: {e}",
                path.display()
            )),
        }
    }
}

#[cfg(not(unix))]
mod unix {
    use std::fs::File;
    use std::path::Path;

    pub const FOLDER_MODE: u32 = 0;
    pub const FILE_MODE: u32 = 0;

    pub fn tighten_open_file(_file: &File, _path: &Path) -> Option<String> {
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn new_folders_and_files_are_the_owners_alone_whatever_the_umask() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("a/b/logs");
        assert_eq!(create_dir(&folder).expect("created"), None);
        assert_eq!(mode(&folder), 0o700);
        let file = folder.join("genvej.log");
        let (mut log, warning) = open_append(&file).expect("opened");
        assert_eq!(warning, None);
        writeln!(log, "line").expect("written");
        assert_eq!(mode(&file), 0o600);
        let doc = folder.join("Samlet.pdf");
        assert_eq!(write(&doc, b"%PDF").expect("written"), None);
        assert_eq!(mode(&doc), 0o600);
    }

    #[test]
    fn existing_loose_folders_and_files_of_ours_are_tightened() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("logs");
        std::fs::create_dir(&folder).expect("mkdir");
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let file = folder.join("genvej.log");
        std::fs::write(&file, "old line\n").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");

        assert_eq!(create_dir(&folder).expect("exists"), None);
        assert_eq!(mode(&folder), 0o700);
        let (_log, warning) = open_append(&file).expect("opened");
        assert_eq!(warning, None);
        assert_eq!(mode(&file), 0o600);
        assert_eq!(
            std::fs::read_to_string(&file).expect("read"),
            "old line\n",
            "appending keeps what was there"
        );
    }

    #[test]
    fn a_file_in_place_of_the_folder_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let not_a_folder = dir.path().join("logs");
        std::fs::write(&not_a_folder, "").expect("write");
        assert!(create_dir(&not_a_folder).is_err());
        let linked = dir.path().join("linked");
        symlink(dir.path().join("missing"), &linked).expect("symlink");
        assert!(create_dir(&linked).is_err(), "a dangling link is no folder");
    }
}
