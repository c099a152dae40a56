//! Asking Windows whether the current user could write a file or folder:
//! open it with the write rights in question (nothing is written; the
//! handle is closed at once). Windows runs its full access check on open,
//! inherited and denying entries included, which no reading of the ACL by
//! hand would match.
#![allow(unsafe_code)]

use std::os::windows::ffi::OsStrExt;
use std::path::Path;

use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, FILE_ADD_FILE, FILE_ADD_SUBDIRECTORY, FILE_APPEND_DATA,
    FILE_FLAG_BACKUP_SEMANTICS, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
    FILE_WRITE_DATA, OPEN_EXISTING,
};
use windows_sys::Win32::UI::Shell::IsUserAnAdmin;

/// Whether the user is a member of Administrators (elevated or not).
pub fn is_admin() -> bool {
    // SAFETY: no arguments; reads the calling thread's token.
    unsafe { IsUserAnAdmin() != 0 }
}

/// Whether a folder lets the user add files or folders to it, or a file
/// lets them change it.
pub fn can_write(path: &Path) -> bool {
    let name: Vec<u16> = path
        .as_os_str()
        .encode_wide()
        .chain(std::iter::once(0))
        .collect();
    let (access, flags) = if path.is_dir() {
        (
            FILE_ADD_FILE | FILE_ADD_SUBDIRECTORY,
            FILE_FLAG_BACKUP_SEMANTICS,
        )
    } else {
        (FILE_WRITE_DATA | FILE_APPEND_DATA, 0)
    };
    // SAFETY: `name` is NUL-terminated and outlives the call; no security
    // attributes or template; the handle is closed below.
    let handle = unsafe {
        CreateFileW(
            name.as_ptr(),
            access,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            std::ptr::null(),
            OPEN_EXISTING,
            flags,
            std::ptr::null_mut(),
        )
    };
    if handle == INVALID_HANDLE_VALUE {
        return false;
    }
    // SAFETY: a handle this function opened and closes once.
    unsafe { CloseHandle(handle) };
    true
}
