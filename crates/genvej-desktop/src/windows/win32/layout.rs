//! The keyboard layout of the window typed into (the layout of its thread,
//! which is what that window turns keys into characters with), answering
//! [`Layout`] for the scan-code input mode; and the Caps Lock state.

use std::cell::OnceCell;

use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    GetKeyState, GetKeyboardLayout, HKL, MAPVK_VK_TO_CHAR, MAPVK_VK_TO_VSC_EX, MapVirtualKeyExW,
    VK_CAPITAL, VkKeyScanExW,
};
use windows_sys::Win32::UI::WindowsAndMessaging::GetWindowThreadProcessId;

use crate::key_events::Layout;

pub struct ActiveLayout {
    window: u64,
    /// Asked for at the first question: Unicode text without line breaks
    /// or tabs needs no layout, and under Wine asking is a round trip to
    /// the wineserver before a hot key's first key.
    hkl: OnceCell<HKL>,
}

impl ActiveLayout {
    /// The layout of `window`'s thread (the system's default when the
    /// window is gone).
    pub fn of(window: u64) -> ActiveLayout {
        ActiveLayout {
            window,
            hkl: OnceCell::new(),
        }
    }

    fn hkl(&self) -> HKL {
        *self.hkl.get_or_init(|| {
            // SAFETY: any handle value is accepted; a stale one gives thread 0.
            let thread =
                unsafe { GetWindowThreadProcessId(super::hwnd(self.window), std::ptr::null_mut()) };
            // SAFETY: plain call; thread 0 is the calling thread.
            unsafe { GetKeyboardLayout(thread) }
        })
    }

    /// The layout's identifier (e.g. 0x04060406 for Danish), for the log.
    pub fn id(&self) -> usize {
        self.hkl() as usize
    }
}

impl Layout for ActiveLayout {
    fn vk_scan(&self, unit: u16) -> i16 {
        // SAFETY: plain call with a layout handle Windows gave us.
        unsafe { VkKeyScanExW(unit, self.hkl()) }
    }

    fn scan_code(&self, vk: u16) -> u16 {
        // SAFETY: plain call.
        let scan = unsafe { MapVirtualKeyExW(u32::from(vk), MAPVK_VK_TO_VSC_EX, self.hkl()) };
        u16::try_from(scan).unwrap_or(0)
    }

    fn is_dead_key(&self, vk: u16) -> bool {
        // SAFETY: plain call.
        let char = unsafe { MapVirtualKeyExW(u32::from(vk), MAPVK_VK_TO_CHAR, self.hkl()) };
        char & 0x8000_0000 != 0
    }
}

/// Whether Caps Lock is on.
pub fn caps_lock_on() -> bool {
    // SAFETY: plain call.
    unsafe { GetKeyState(i32::from(VK_CAPITAL)) & 1 != 0 }
}
