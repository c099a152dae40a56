//! Watching the script folders and the config's folder for changes, on the
//! hot-key thread: one `ReadDirectoryChangesW` per folder, asynchronous,
//! each with an event that thread waits on beside its messages (see
//! [`msg::Wake`]). No thread of its own — under Wine every thread costs
//! about 1 MB resident.
#![allow(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, INVALID_HANDLE_VALUE, WAIT_OBJECT_0};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OVERLAPPED, FILE_LIST_DIRECTORY,
    FILE_NOTIFY_CHANGE_DIR_NAME, FILE_NOTIFY_CHANGE_FILE_NAME, FILE_NOTIFY_CHANGE_LAST_WRITE,
    FILE_NOTIFY_CHANGE_SIZE, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE, OPEN_EXISTING,
    ReadDirectoryChangesW,
};
use windows_sys::Win32::System::IO::{CancelIoEx, GetOverlappedResult, OVERLAPPED};
use windows_sys::Win32::System::Threading::{CreateEventW, ResetEvent, WaitForSingleObject};

use super::messages::Wake;
use super::named::Handle;
use super::{Win32Error, last_error, wide};

/// What a change calls: the changed file's (or folder's) full path.
pub type OnChange = Arc<dyn Fn(&Path) + Send + Sync>;

/// The changes asked for: files and folders made, removed or renamed,
/// files written. Not access times (reading a script is no change).
const CHANGES: u32 = FILE_NOTIFY_CHANGE_FILE_NAME
    | FILE_NOTIFY_CHANGE_DIR_NAME
    | FILE_NOTIFY_CHANGE_LAST_WRITE
    | FILE_NOTIFY_CHANGE_SIZE;

/// Bytes of change records one read can hold (Windows' limit for a
/// folder on a network share is 64 KiB). More changes at once than fit
/// are reported as one change of the folder itself.
const BUFFER_WORDS: usize = 16 * 1024;

/// One folder's outstanding read. The buffer and the OVERLAPPED stay put
/// (boxed) while Windows may write to them; dropping cancels the read and
/// waits for it before they are freed.
struct FolderRead {
    folder: PathBuf,
    recursive: bool,
    directory: HANDLE,
    /// The same event as the wake's, not owned here.
    event: HANDLE,
    overlapped: Box<OVERLAPPED>,
    buffer: Box<[u32; BUFFER_WORDS]>,
    on_change: OnChange,
}

// SAFETY: the handles are process-wide kernel handles; the buffer and the
// OVERLAPPED are owned by this value and only touched by the thread that
// owns it (the hot-key thread, after it was handed over).
unsafe impl Send for FolderRead {}

impl FolderRead {
    /// Starts the next read; the error when Windows refuses.
    fn start(&mut self) -> Result<(), Win32Error> {
        // SAFETY: a valid event handle.
        unsafe { ResetEvent(self.event) };
        *self.overlapped = empty_overlapped(self.event);
        // SAFETY: the directory was opened for overlapped listing; the
        // buffer and the OVERLAPPED live (boxed, not moved) until the read
        // has ended — `Drop` cancels and waits for it.
        let started = unsafe {
            ReadDirectoryChangesW(
                self.directory,
                self.buffer.as_mut_ptr().cast(),
                (BUFFER_WORDS * 4) as u32,
                i32::from(self.recursive),
                CHANGES,
                std::ptr::null_mut(),
                &mut *self.overlapped,
                None,
            )
        };
        if started == 0 {
            return Err(last_error("ReadDirectoryChangesW"));
        }
        Ok(())
    }

    /// The read ended (its event is set): reports each changed path, then
    /// starts the next read. `false` when the folder can no longer be
    /// watched (e.g. it was removed).
    fn finished(&mut self) -> bool {
        let mut bytes = 0u32;
        // SAFETY: the OVERLAPPED of the read that ended; no wait.
        let done =
            unsafe { GetOverlappedResult(self.directory, &*self.overlapped, &mut bytes, 0) } != 0;
        if !done {
            tracing::warn!(
                "changes in {} are no longer watched: {}",
                self.folder.display(),
                last_error("GetOverlappedResult")
            );
            return false;
        }
        if bytes == 0 {
            // More changes than the buffer holds: something changed here.
            (self.on_change)(&self.folder);
        } else {
            let written = (bytes as usize).min(BUFFER_WORDS * 4);
            // SAFETY: the buffer's first `written` bytes, as bytes; the read
            // that wrote them has ended.
            let bytes =
                unsafe { std::slice::from_raw_parts(self.buffer.as_ptr().cast::<u8>(), written) };
            for name in changed_names(bytes) {
                (self.on_change)(&self.folder.join(name));
            }
        }
        match self.start() {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(
                    "changes in {} are no longer watched: {e}",
                    self.folder.display()
                );
                false
            }
        }
    }
}

impl Drop for FolderRead {
    fn drop(&mut self) {
        let mut bytes = 0u32;
        // SAFETY: cancels this handle's read, if one is outstanding, and
        // waits until Windows is done with the buffer (a read that is not
        // pending returns at once); then closes the folder's handle.
        unsafe {
            CancelIoEx(self.directory, &*self.overlapped);
            GetOverlappedResult(self.directory, &*self.overlapped, &mut bytes, 1);
            CloseHandle(self.directory);
        }
    }
}

/// Where a FILE_NOTIFY_INFORMATION record's name starts: after
/// NextEntryOffset, Action and FileNameLength (three little-endian u32s).
const NAME_AT: usize = 12;

/// The file names of the FILE_NOTIFY_INFORMATION records in `bytes` (what
/// Windows wrote), relative to the watched folder. A record cut short ends
/// the list.
fn changed_names(bytes: &[u8]) -> Vec<String> {
    let word = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let mut names = Vec::new();
    let mut offset = 0usize;
    while let (Some(next), Some(length)) = (word(offset), word(offset + 8)) {
        let Some(name) = bytes.get(offset + NAME_AT..offset + NAME_AT + length) else {
            break;
        };
        let units: Vec<u16> = name
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        names.push(String::from_utf16_lossy(&units));
        if next == 0 {
            break;
        }
        offset += next;
    }
    names
}

fn empty_overlapped(event: HANDLE) -> OVERLAPPED {
    // SAFETY: OVERLAPPED is plain data; all zeros is a valid value.
    let mut overlapped: OVERLAPPED = unsafe { std::mem::zeroed() };
    overlapped.hEvent = event;
    overlapped
}

/// A [`Wake`] for the hot-key thread that calls `on_change` with each
/// changed path under `folder` (and its subfolders when `recursive`).
pub fn watch(folder: &Path, recursive: bool, on_change: OnChange) -> Result<Wake, Win32Error> {
    let path = wide(&folder.display().to_string());
    // SAFETY: the path buffer outlives the call; the handle is owned by the
    // FolderRead below.
    let directory = unsafe {
        CreateFileW(
            path.as_ptr(),
            FILE_LIST_DIRECTORY,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            std::ptr::null(),
            OPEN_EXISTING,
            FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED,
            std::ptr::null_mut(),
        )
    };
    if directory == INVALID_HANDLE_VALUE {
        return Err(last_error("CreateFileW"));
    }
    // A manual-reset event: set when a read ends, reset before the next.
    // SAFETY: default security, no name.
    let event = unsafe { CreateEventW(std::ptr::null(), 1, 0, std::ptr::null()) };
    if event.is_null() {
        let error = last_error("CreateEventW");
        // SAFETY: the handle opened above, not handed on.
        unsafe { CloseHandle(directory) };
        return Err(error);
    }
    let event = Handle::from_raw(event);
    let mut read = FolderRead {
        folder: folder.to_path_buf(),
        recursive,
        directory,
        event: event.raw(),
        overlapped: Box::new(empty_overlapped(event.raw())),
        buffer: Box::new([0; BUFFER_WORDS]),
        on_change,
    };
    read.start()?;
    Ok(Wake {
        on_set: Box::new(move || {
            // A wake for an event that is not set (it should not happen)
            // is no change.
            // SAFETY: the event, owned by the wake, outlives the read.
            if unsafe { WaitForSingleObject(read.event, 0) } != WAIT_OBJECT_0 {
                return true;
            }
            read.finished()
        }),
        event,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two records as Windows lays them out: a DWORD-aligned header, the
    /// name in UTF-16 right after it.
    #[test]
    fn the_names_of_the_change_records_are_read_and_a_cut_record_is_not() {
        let mut bytes = Vec::new();
        let mut sizes = Vec::new();
        for (name, last) in [
            ("Plan\\forberedende-plan.toml", false),
            ("genvej.toml", true),
        ] {
            let units: Vec<u16> = name.encode_utf16().collect();
            let size = (NAME_AT + units.len() * 2).next_multiple_of(4);
            let next = if last { 0u32 } else { size as u32 };
            let start = bytes.len();
            bytes.extend_from_slice(&next.to_le_bytes());
            bytes.extend_from_slice(&3u32.to_le_bytes()); // FILE_ACTION_MODIFIED
            bytes.extend_from_slice(&((units.len() * 2) as u32).to_le_bytes());
            for unit in units {
                bytes.extend_from_slice(&unit.to_le_bytes());
            }
            bytes.resize(start + size, 0);
            sizes.push(size);
        }
        assert_eq!(
            changed_names(&bytes),
            ["Plan\\forberedende-plan.toml", "genvej.toml"]
        );
        // Fewer bytes than the records say: only the whole ones.
        assert_eq!(changed_names(&bytes[..NAME_AT + 10]), Vec::<String>::new());
        assert_eq!(
            changed_names(&bytes[..sizes[0] + 4]),
            ["Plan\\forberedende-plan.toml"]
        );
        assert_eq!(changed_names(&[]), Vec::<String>::new());
    }
}
