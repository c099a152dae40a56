//! The Win32 calls for a dialog window that another process keeps ready
//! (the command palette): the agent lets the dialog's process take the
//! foreground, and the dialog shows, centres and hides its own window
//! without waiting for its event loop (a hidden window gets no paint
//! messages, so the loop would not wake for it).
#![allow(unsafe_code)]

use windows_sys::Win32::UI::WindowsAndMessaging::{
    AllowSetForegroundWindow, GetSystemMetrics, GetWindowRect, HWND_TOPMOST, SM_CXSCREEN,
    SM_CYSCREEN, SW_HIDE, SW_SHOW, SWP_NOSIZE, SetWindowPos, ShowWindow,
};

use super::{bring_to_front, hwnd};

/// Lets process `pid` take the foreground. Only a process that may take it
/// itself (the agent, which just received the hot key) can hand the right on.
pub fn allow_foreground(pid: u32) -> bool {
    // SAFETY: plain call with a process id.
    unsafe { AllowSetForegroundWindow(pid) != 0 }
}

/// Centres the window on the main screen, shows it on top of the others
/// and gives it the keyboard.
pub fn present(window: u64) {
    let target = hwnd(window);
    let mut rect = windows_sys::Win32::Foundation::RECT {
        left: 0,
        top: 0,
        right: 0,
        bottom: 0,
    };
    // SAFETY: plain calls on a window handle and an owned RECT; a stale
    // handle fails harmlessly.
    unsafe {
        let (x, y) = if GetWindowRect(target, &mut rect) != 0 {
            let width = rect.right - rect.left;
            let height = rect.bottom - rect.top;
            (
                ((GetSystemMetrics(SM_CXSCREEN) - width) / 2).max(0),
                ((GetSystemMetrics(SM_CYSCREEN) - height) / 2).max(0),
            )
        } else {
            (0, 0)
        };
        SetWindowPos(target, HWND_TOPMOST, x, y, 0, 0, SWP_NOSIZE);
        ShowWindow(target, SW_SHOW);
    }
    bring_to_front(window);
}

/// Hides the window (it stays, ready to be shown again).
pub fn hide(window: u64) {
    // SAFETY: plain call on a window handle.
    unsafe { ShowWindow(hwnd(window), SW_HIDE) };
}
