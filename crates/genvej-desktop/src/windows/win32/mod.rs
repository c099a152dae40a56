//! The Win32 calls the Windows desktop needs, each wrapped in a small safe
//! function. This is the only file of genvej with `unsafe`: every block is
//! one FFI call with the buffers and handles it needs owned right here.
#![allow(unsafe_code)]

pub mod access;
pub mod clipboard;
pub mod dialog_window;
pub mod folder_watch;
pub mod layout;
pub mod messages;
pub mod named;

use crate::key_events::KeyEvent;
pub use clipboard::{clear_clipboard, clipboard_sequence, clipboard_text, set_clipboard_text};

use windows_sys::Win32::Foundation::{CloseHandle, GetLastError, HANDLE, HWND, LPARAM};
use windows_sys::Win32::System::Threading::{
    AttachThreadInput, GetCurrentThreadId, OpenProcess, PROCESS_NAME_WIN32,
    PROCESS_QUERY_LIMITED_INFORMATION, QueryFullProcessImageNameW,
};
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    GetAsyncKeyState, INPUT, INPUT_0, INPUT_KEYBOARD, KEYBDINPUT, KEYEVENTF_KEYUP, SendInput,
    VK_MENU,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    BringWindowToTop, EnumWindows, GetClassNameW, GetForegroundWindow, GetWindowThreadProcessId,
    InternalGetWindowText, IsIconic, IsWindowVisible, SW_RESTORE, SetForegroundWindow, ShowWindow,
};

/// A Win32 call that failed, with `GetLastError`'s code (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{call} failed (Win32 error {code})")]
pub struct Win32Error {
    pub call: &'static str,
    pub code: u32,
}

/// The error of the call just made.
fn last_error(call: &'static str) -> Win32Error {
    // SAFETY: plain call, right after the one it describes.
    let code = unsafe { GetLastError() };
    Win32Error { call, code }
}

fn hwnd(id: u64) -> HWND {
    id as usize as HWND
}

fn id(hwnd: HWND) -> u64 {
    hwnd as usize as u64
}

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

/// The window with keyboard focus (0 when none).
pub fn foreground() -> u64 {
    // SAFETY: no arguments; returns a handle value or null.
    id(unsafe { GetForegroundWindow() })
}

/// A top-level window as Windows describes it.
pub struct RawWindow {
    pub id: u64,
    pub title: String,
    pub class: String,
    pub pid: u32,
}

/// Visible top-level windows with a title, in Z order (topmost first).
pub fn top_level_windows() -> Vec<RawWindow> {
    unsafe extern "system" fn collect(window: HWND, data: LPARAM) -> i32 {
        // SAFETY: `data` is the `&mut Vec<u64>` passed to EnumWindows below,
        // alive for the whole enumeration.
        let list = unsafe { &mut *(data as *mut Vec<u64>) };
        list.push(id(window));
        1
    }
    let mut handles: Vec<u64> = Vec::new();
    // SAFETY: the callback only pushes into `handles`, which outlives the call.
    unsafe { EnumWindows(Some(collect), &mut handles as *mut Vec<u64> as LPARAM) };
    handles
        .into_iter()
        .filter(|w| {
            // SAFETY: any handle value is accepted; a stale one yields false.
            unsafe { IsWindowVisible(hwnd(*w)) != 0 }
        })
        .filter_map(describe)
        .filter(|w| !w.title.is_empty())
        .collect()
}

/// Title, class and process of one window; `None` when it is gone.
pub fn describe(window: u64) -> Option<RawWindow> {
    let pid = process_of(window)?;
    Some(RawWindow {
        id: window,
        title: title_of(window),
        class: class_of(window),
        pid,
    })
}

/// The id of the process a window belongs to; `None` when it is gone.
pub fn process_of(window: u64) -> Option<u32> {
    if window == 0 {
        return None;
    }
    let mut pid = 0u32;
    // SAFETY: `pid` is a valid out pointer; a stale handle gives 0.
    let thread = unsafe { GetWindowThreadProcessId(hwnd(window), &mut pid) };
    (thread != 0).then_some(pid)
}

/// A window's title.
pub fn title_of(window: u64) -> String {
    // InternalGetWindowText reads the title Windows keeps for the window and
    // sends it no message: GetWindowTextLengthW sends WM_GETTEXTLENGTH (under
    // Wine to any window, of any process), which waits for the window's own
    // thread — a busy program would hold up every focus check of a run.
    let mut title = [0u16; TITLE_UNITS];
    // SAFETY: the buffer holds `title.len()` u16s; a stale handle gives 0.
    let copied =
        unsafe { InternalGetWindowText(hwnd(window), title.as_mut_ptr(), title.len() as i32) };
    String::from_utf16_lossy(&title[..copied.clamp(0, TITLE_UNITS as i32) as usize])
}

/// A window's class name (it never changes while the window exists).
pub fn class_of(window: u64) -> String {
    let mut class = [0u16; 256];
    // SAFETY: the buffer holds 256 u16s; a stale handle gives 0.
    let copied = unsafe { GetClassNameW(hwnd(window), class.as_mut_ptr(), class.len() as i32) };
    String::from_utf16_lossy(&class[..copied.clamp(0, 256) as usize])
}

/// The longest title read (in UTF-16 units); a longer one is cut there.
const TITLE_UNITS: usize = 1024;

/// The file name of a process's program, e.g. `notepad.exe`.
pub fn executable(pid: u32) -> Option<String> {
    KnownProcess::open(pid)?.name().map(str::to_string)
}

/// A process and its program's file name, with a handle to it kept open:
/// while the handle is open Windows gives the process's id to no other
/// process (even after it ended), so a window of the same process id is a
/// window of the same program, and its name need not be looked up again.
pub struct KnownProcess {
    pid: u32,
    handle: HANDLE,
    name: Option<String>,
}

// SAFETY: a process handle may be used and closed from any thread.
unsafe impl Send for KnownProcess {}

impl KnownProcess {
    /// `None` when the process cannot be opened (gone, or no access).
    pub fn open(pid: u32) -> Option<KnownProcess> {
        // SAFETY: plain call; a null handle means no access.
        let handle: HANDLE = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
        if handle.is_null() {
            return None;
        }
        let mut buffer = vec![0u16; 1024];
        let mut length = buffer.len() as u32;
        // SAFETY: `buffer` holds `length` u16s; `handle` is open until dropped.
        let ok = unsafe {
            QueryFullProcessImageNameW(handle, PROCESS_NAME_WIN32, buffer.as_mut_ptr(), &mut length)
        };
        let name = (ok != 0).then(|| {
            let path = String::from_utf16_lossy(&buffer[..length as usize]);
            path.rsplit(['\\', '/'])
                .next()
                .unwrap_or_default()
                .to_string()
        });
        Some(KnownProcess { pid, handle, name })
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The program's file name, e.g. `notepad.exe`.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl Drop for KnownProcess {
    fn drop(&mut self) {
        // SAFETY: `handle` came from OpenProcess and is closed only here.
        unsafe { CloseHandle(self.handle) };
    }
}

/// Brings a window to the front with the usual foreground-lock workarounds
/// (attach to the foreground thread's input, then an Alt tap); the caller
/// checks [`foreground`] afterwards.
pub fn bring_to_front(window: u64) {
    let target = hwnd(window);
    // SAFETY: plain calls on a window handle; stale handles fail harmlessly.
    unsafe {
        if IsIconic(target) != 0 {
            ShowWindow(target, SW_RESTORE);
        }
        let current = GetForegroundWindow();
        let their_thread = GetWindowThreadProcessId(current, std::ptr::null_mut());
        let our_thread = GetCurrentThreadId();
        let attached = their_thread != 0
            && their_thread != our_thread
            && AttachThreadInput(our_thread, their_thread, 1) != 0;
        SetForegroundWindow(target);
        BringWindowToTop(target);
        if attached {
            AttachThreadInput(our_thread, their_thread, 0);
        }
    }
    if foreground() != window {
        // A key event lets this process set the foreground window.
        send(&[key(VK_MENU, false), key(VK_MENU, true)]);
        // SAFETY: as above.
        unsafe { SetForegroundWindow(target) };
    }
}

/// One keyboard event for a virtual key.
pub fn key(vk: u16, up: bool) -> INPUT {
    let up = if up { KEYEVENTF_KEYUP } else { 0 };
    input(KeyEvent {
        vk,
        scan: 0,
        flags: up,
    })
}

/// A keyboard event as `SendInput` takes it.
fn input(event: KeyEvent) -> INPUT {
    INPUT {
        r#type: INPUT_KEYBOARD,
        Anonymous: INPUT_0 {
            ki: KEYBDINPUT {
                wVk: event.vk,
                wScan: event.scan,
                dwFlags: event.flags,
                time: 0,
                dwExtraInfo: 0,
            },
        },
    }
}

/// Sends keyboard events in one go; false when Windows refused some (e.g.
/// UIPI: the target runs as administrator).
pub fn send_events(events: &[KeyEvent]) -> bool {
    let inputs: Vec<INPUT> = events.iter().copied().map(input).collect();
    send(&inputs)
}

/// Sends keyboard events in one go; false when Windows refused some.
pub fn send(inputs: &[INPUT]) -> bool {
    if inputs.is_empty() {
        return true;
    }
    // SAFETY: `inputs` is a valid slice of INPUT structures.
    let sent = unsafe {
        SendInput(
            inputs.len() as u32,
            inputs.as_ptr(),
            std::mem::size_of::<INPUT>() as i32,
        )
    };
    sent as usize == inputs.len()
}

/// Whether a key is held down now.
pub fn is_down(vk: u16) -> bool {
    // SAFETY: plain call.
    unsafe { GetAsyncKeyState(i32::from(vk)) < 0 }
}

/// Lets `genvej.exe check …`, started from a console, print there although
/// it is a GUI program (no console window of its own at logon).
pub fn attach_parent_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: plain call; fails harmlessly without a parent console.
    unsafe { AttachConsole(ATTACH_PARENT_PROCESS) };
}

/// Opens a URL, document or folder with its registered program
/// (ShellExecuteW "open"); `Err` carries Windows' error number.
pub fn shell_open(target: &str) -> Result<(), isize> {
    use windows_sys::Win32::UI::Shell::ShellExecuteW;
    use windows_sys::Win32::UI::WindowsAndMessaging::SW_SHOWNORMAL;
    let operation = wide("open");
    let target = wide(target);
    // SAFETY: the buffers outlive the call; no parent window.
    let result = unsafe {
        ShellExecuteW(
            std::ptr::null_mut(),
            operation.as_ptr(),
            target.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            SW_SHOWNORMAL,
        )
    } as isize;
    // Values above 32 mean success (the return value is a legacy HINSTANCE).
    if result > 32 { Ok(()) } else { Err(result) }
}

/// A string value under `HKEY_LOCAL_MACHINE\{key}` (64-bit view); `None`
/// when the key or value is missing or not a string.
pub fn machine_registry_string(key: &str, name: &str) -> Option<String> {
    use windows_sys::Win32::System::Registry::{HKEY_LOCAL_MACHINE, RRF_RT_REG_SZ, RegGetValueW};
    let key = wide(key);
    let name = wide(name);
    let mut buffer = vec![0u16; 2048];
    let mut bytes = (buffer.len() * 2) as u32;
    // SAFETY: the buffers outlive the call; `bytes` is the buffer's size.
    let status = unsafe {
        RegGetValueW(
            HKEY_LOCAL_MACHINE,
            key.as_ptr(),
            name.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buffer.as_mut_ptr().cast(),
            &mut bytes,
        )
    };
    if status != 0 {
        return None;
    }
    let units = (bytes as usize / 2).min(buffer.len());
    buffer.truncate(units);
    while buffer.last() == Some(&0) {
        buffer.pop();
    }
    Some(String::from_utf16_lossy(&buffer))
}
