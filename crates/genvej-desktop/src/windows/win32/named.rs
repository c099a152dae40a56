//! Named kernel objects of the user's session (`Local\…`): the mutex that
//! makes genvej one agent per session, and the event a second start sets to
//! ask the first to reload.
#![allow(unsafe_code)]

use windows_sys::Win32::Foundation::{CloseHandle, ERROR_ALREADY_EXISTS, GetLastError, HANDLE};
use windows_sys::Win32::System::Threading::{
    CreateEventW, CreateMutexW, EVENT_MODIFY_STATE, OpenEventW, SetEvent,
};

use super::{Win32Error, last_error, wide};

/// A kernel object handle, closed when dropped.
pub struct Handle(HANDLE);

// SAFETY: a kernel handle may be used and closed from any thread.
unsafe impl Send for Handle {}
// SAFETY: the calls made on it (wait, set) are thread-safe in Windows.
unsafe impl Sync for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: a handle this value owns.
        unsafe { CloseHandle(self.0) };
    }
}

/// Creates (or opens) the named mutex; `true` when it existed already, i.e.
/// another process holds the name.
pub fn claim_mutex(name: &str) -> Result<(Handle, bool), Win32Error> {
    let name = wide(name);
    // SAFETY: default security, the name buffer outlives the call.
    let handle = unsafe { CreateMutexW(std::ptr::null(), 0, name.as_ptr()) };
    // SAFETY: plain call, right after the one it describes.
    let existed = unsafe { GetLastError() } == ERROR_ALREADY_EXISTS;
    if handle.is_null() {
        return Err(last_error("CreateMutexW"));
    }
    Ok((Handle(handle), existed))
}

/// Creates the named auto-reset event (not set).
pub fn create_event(name: &str) -> Result<Handle, Win32Error> {
    let name = wide(name);
    // SAFETY: default security, the name buffer outlives the call.
    let handle = unsafe { CreateEventW(std::ptr::null(), 0, 0, name.as_ptr()) };
    if handle.is_null() {
        return Err(last_error("CreateEventW"));
    }
    Ok(Handle(handle))
}

/// Sets the named event another process created.
pub fn set_named_event(name: &str) -> Result<(), Win32Error> {
    let name = wide(name);
    // SAFETY: the name buffer outlives the call.
    let handle = unsafe { OpenEventW(EVENT_MODIFY_STATE, 0, name.as_ptr()) };
    if handle.is_null() {
        return Err(last_error("OpenEventW"));
    }
    let handle = Handle(handle);
    // SAFETY: a valid event handle with EVENT_MODIFY_STATE.
    if unsafe { SetEvent(handle.0) } == 0 {
        return Err(last_error("SetEvent"));
    }
    Ok(())
}

impl Handle {
    /// Takes ownership of `handle` (closed when the value is dropped).
    pub(crate) fn from_raw(handle: HANDLE) -> Handle {
        Handle(handle)
    }

    /// The handle, for a wait on it together with a message queue.
    pub(crate) fn raw(&self) -> HANDLE {
        self.0
    }
}
