//! The clipboard: text read and written at once, and text promised by an
//! owner window and handed over only when a program asks for it (delayed
//! rendering), so that genvej learns when the target has fetched a paste.
#![allow(unsafe_code)]

use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{GlobalFree, HANDLE, HGLOBAL};
use windows_sys::Win32::System::DataExchange::{
    CloseClipboard, EmptyClipboard, GetClipboardData, GetClipboardOwner,
    GetClipboardSequenceNumber, GetOpenClipboardWindow, OpenClipboard, RegisterClipboardFormatW,
    SetClipboardData,
};
use windows_sys::Win32::System::Memory::{GMEM_MOVEABLE, GlobalAlloc, GlobalLock, GlobalUnlock};
use windows_sys::Win32::UI::WindowsAndMessaging::GetWindowThreadProcessId;

use super::{hwnd, id, wide};
use genvej_engine::ports::ClipboardFailure;

/// `CF_UNICODETEXT`.
pub const UNICODE_TEXT: u32 = 13;

/// The clipboard's change counter.
pub fn clipboard_sequence() -> u32 {
    // SAFETY: plain call.
    unsafe { GetClipboardSequenceNumber() }
}

/// The open clipboard; closed when dropped.
struct OpenedClipboard;

impl OpenedClipboard {
    /// Another program may hold it for a moment: try for up to 500 ms.
    /// `owner` 0 opens it for this task; a window of ours becomes the owner
    /// at the next EmptyClipboard.
    fn open(owner: u64) -> Result<OpenedClipboard, ClipboardFailure> {
        let deadline = Instant::now() + Duration::from_millis(500);
        loop {
            // SAFETY: a window handle of ours or null.
            if unsafe { OpenClipboard(hwnd(owner)) } != 0 {
                return Ok(OpenedClipboard);
            }
            if Instant::now() > deadline {
                return Err(ClipboardFailure::Busy);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for OpenedClipboard {
    fn drop(&mut self) {
        // SAFETY: opened by `open`.
        unsafe { CloseClipboard() };
    }
}

/// The clipboard's text, if it holds text.
pub fn clipboard_text() -> Result<Option<String>, ClipboardFailure> {
    let _open = OpenedClipboard::open(0)?;
    // SAFETY: the clipboard is open; the handle belongs to the clipboard.
    let data = unsafe { GetClipboardData(UNICODE_TEXT) };
    if data.is_null() {
        return Ok(None);
    }
    // SAFETY: CF_UNICODETEXT data is a global memory handle holding a
    // NUL-terminated UTF-16 string; it stays valid while the clipboard is open.
    unsafe {
        let pointer = GlobalLock(data as HGLOBAL) as *const u16;
        if pointer.is_null() {
            return Ok(None);
        }
        let mut length = 0usize;
        while *pointer.add(length) != 0 {
            length += 1;
        }
        let text = String::from_utf16_lossy(std::slice::from_raw_parts(pointer, length));
        GlobalUnlock(data as HGLOBAL);
        Ok(Some(text))
    }
}

/// Puts `text` on the clipboard, marked so that clipboard managers, the
/// clipboard history (Win+V) and the cloud clipboard leave it alone.
pub fn set_clipboard_text(text: &str) -> Result<(), ClipboardFailure> {
    let _open = OpenedClipboard::open(0)?;
    // SAFETY: the clipboard is open.
    unsafe { EmptyClipboard() };
    put(UNICODE_TEXT, &wide_bytes(&wide(text)))?;
    mark_private()
}

/// Makes `owner` (a window of the calling thread) the clipboard's owner
/// with text promised but not handed over: Windows sends the owner
/// WM_RENDERFORMAT when a program first asks for it. Marked private as
/// [`set_clipboard_text`] is.
pub fn promise_text(owner: u64) -> Result<(), ClipboardFailure> {
    let _open = OpenedClipboard::open(owner)?;
    // SAFETY: the clipboard is open (for `owner`, which now owns it); a
    // null handle promises the format.
    unsafe {
        EmptyClipboard();
        SetClipboardData(UNICODE_TEXT, std::ptr::null_mut());
    }
    mark_private()
}

/// While handling WM_RENDERFORMAT: hands the promised text to the
/// clipboard, which the asking program holds open.
pub fn render_text(text: &str) -> Result<(), ClipboardFailure> {
    put(UNICODE_TEXT, &wide_bytes(&wide(text)))
}

/// The process of the window holding the clipboard open — during
/// WM_RENDERFORMAT, the program asking for the data. `None` when it opened
/// the clipboard without a window.
pub fn clipboard_reader_pid() -> Option<u32> {
    // SAFETY: plain call.
    let window = unsafe { GetOpenClipboardWindow() };
    if window.is_null() {
        return None;
    }
    let mut pid = 0u32;
    // SAFETY: `pid` is a valid out pointer; a stale handle gives 0.
    let thread = unsafe { GetWindowThreadProcessId(window, &mut pid) };
    (thread != 0).then_some(pid)
}

/// Empties the clipboard if `owner` still owns it (a promise that was
/// never fetched is withdrawn rather than left dangling).
pub fn withdraw(owner: u64) -> Result<(), ClipboardFailure> {
    let _open = OpenedClipboard::open(owner)?;
    // SAFETY: the clipboard is open.
    unsafe {
        if id(GetClipboardOwner()) == owner {
            EmptyClipboard();
        }
    }
    Ok(())
}

/// Empties the clipboard.
pub fn clear_clipboard() -> Result<(), ClipboardFailure> {
    let _open = OpenedClipboard::open(0)?;
    // SAFETY: the clipboard is open.
    unsafe { EmptyClipboard() };
    Ok(())
}

/// Asks clipboard monitors, the clipboard history and the cloud clipboard
/// to leave the open clipboard's content alone.
fn mark_private() -> Result<(), ClipboardFailure> {
    for (format, value) in [
        ("ExcludeClipboardContentFromMonitorProcessing", 0u32),
        ("CanIncludeInClipboardHistory", 0u32),
        ("CanUploadToCloudClipboard", 0u32),
    ] {
        // SAFETY: the name is NUL-terminated UTF-16.
        let id = unsafe { RegisterClipboardFormatW(wide(format).as_ptr()) };
        if id != 0 {
            put(id, &value.to_le_bytes())?;
        }
    }
    Ok(())
}

fn wide_bytes(units: &[u16]) -> Vec<u8> {
    units.iter().flat_map(|u| u.to_le_bytes()).collect()
}

/// Copies `bytes` into global memory and hands it to the open clipboard.
fn put(format: u32, bytes: &[u8]) -> Result<(), ClipboardFailure> {
    // SAFETY: allocation, copy into the locked block, then ownership passes
    // to the clipboard on success (freed here on failure).
    unsafe {
        let memory = GlobalAlloc(GMEM_MOVEABLE, bytes.len().max(1));
        if memory.is_null() {
            return Err(ClipboardFailure::OutOfMemory);
        }
        let target = GlobalLock(memory) as *mut u8;
        if target.is_null() {
            GlobalFree(memory);
            return Err(ClipboardFailure::OutOfMemory);
        }
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), target, bytes.len());
        GlobalUnlock(memory);
        if SetClipboardData(format, memory as HANDLE).is_null() {
            GlobalFree(memory);
            return Err(ClipboardFailure::Refused);
        }
    }
    Ok(())
}
