//! The focused window, described: its title, class and program. Under Wine
//! every question about a window of another process is a round trip to the
//! wineserver, and this description comes before a hot key's first key, so
//! what never changes is read once: a window's process and class (per
//! window) and a process's program name (per process). Two threads
//! describe: the hot-key thread at each press (see [`super::hotkeys`]) and
//! the run worker's desktop; each keeps its own [`FocusedWindow`].

use super::win32;
use genvej_format::window_match::{WindowId, WindowInfo};

/// Describes the focused window, remembering the last one's process and
/// class.
#[derive(Default)]
pub struct FocusedWindow {
    /// The process of the window last described, so that the next
    /// description needs no process lookup when the caseworker is still in
    /// the same program (see [`win32::KnownProcess`]).
    process: Option<win32::KnownProcess>,
    /// The window last described: what stays the same while it exists.
    window: Option<KnownWindow>,
}

/// What never changes while a window exists: its process and its class. A
/// closed window's handle value comes back only after tens of thousands of
/// windows (its upper 16 bits count, under Wine too), never in the same
/// moment, so the handle alone names the window.
struct KnownWindow {
    id: u64,
    pid: u32,
    class: String,
}

impl FocusedWindow {
    /// The focused window, described; `None` when no window has focus (or
    /// it closed while it was being described). The same window as last
    /// time costs two questions (which window, its title), another one
    /// four, a new program a few more.
    pub fn describe(&mut self) -> Option<WindowInfo> {
        let id = win32::foreground();
        let known = match self.window.take() {
            Some(known) if known.id == id && id != 0 => known,
            _ => KnownWindow {
                id,
                pid: win32::process_of(id)?,
                class: win32::class_of(id),
            },
        };
        if self.process.as_ref().map(|p| p.pid()) != Some(known.pid) {
            self.process = win32::KnownProcess::open(known.pid);
        }
        let executable = self
            .process
            .as_ref()
            .and_then(|p| p.name())
            .map(str::to_string);
        let info = WindowInfo {
            id: WindowId(id),
            title: win32::title_of(id),
            class: known.class.clone(),
            executable,
        };
        self.window = Some(known);
        Some(info)
    }
}
