//! Whether the person running genvej could change a file or folder, and
//! whether they are an administrator — asked of the OS itself (its
//! permission check), not worked out from permission bits.

use std::path::Path;

/// An administrator (root, or a member of Administrators on Windows) may
/// write everywhere; warning them that they can is noise.
pub fn runs_as_admin() -> bool {
    #[cfg(unix)]
    {
        rustix::process::geteuid().is_root()
    }
    #[cfg(windows)]
    {
        super::windows::is_admin()
    }
    #[cfg(not(any(unix, windows)))]
    {
        false
    }
}

/// Whether the current user could write `path`: change a file, or add
/// files and folders to a folder.
pub fn can_write(path: &Path) -> bool {
    #[cfg(unix)]
    {
        rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
    }
    #[cfg(windows)]
    {
        super::windows::can_write(path)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = path;
        false
    }
}
