//! Hotstrings on Windows: a low-level keyboard hook (WH_KEYBOARD_LL) on a
//! thread of its own sees every key going to any program without taking it
//! away. Each key becomes a [`KeyAction`] and goes to the shared
//! [`Matcher`]. Keys sent with SendInput (flagged "injected": genvej's own
//! typing and other programs' macros) are never matched, so the agent's
//! expansion cannot trigger another; `pause()` additionally ignores
//! everything while a run types, and `resume()` starts from an empty buffer.
//!
//! Privacy: typed characters stay in the matcher's buffer; nothing here
//! logs them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::mpsc::{self, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    VK_BACK, VK_CAPITAL, VK_CONTROL, VK_LCONTROL, VK_LMENU, VK_LSHIFT, VK_LWIN, VK_MENU,
    VK_NUMLOCK, VK_RCONTROL, VK_RMENU, VK_RSHIFT, VK_RWIN, VK_SCROLL, VK_SHIFT, VK_SPACE, VK_TAB,
};
use windows_sys::Win32::UI::WindowsAndMessaging::WM_QUIT;

use super::win32::Win32Error;
use super::win32::messages::{self as msg, KeyEvent, KeyboardHook, Verdict};
use crate::listener::{ListenerError, Report, Reporter};
use genvej_format::hotstring::{HotstringEvent, KeyAction, Matcher};

const START_TIMEOUT: Duration = Duration::from_secs(5);
/// The thread, as errors name it.
const THREAD: &str = "hotstring";

/// The hook thread; dropping it removes the hook.
pub struct HotstringMonitor {
    thread_id: u32,
    paused: Arc<AtomicBool>,
    resumes: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl HotstringMonitor {
    /// Watches for `abbreviations`; each typed one goes to `report`, on the
    /// hook thread. `HotstringEvent::Typed::index` refers to them.
    pub fn start(
        abbreviations: Vec<String>,
        report: impl Report<HotstringEvent>,
    ) -> Result<HotstringMonitor, ListenerError> {
        let paused = Arc::new(AtomicBool::new(false));
        let resumes = Arc::new(AtomicU64::new(0));
        let (started, started_inbox) = mpsc::channel::<Result<u32, Win32Error>>();
        let watch = Watch {
            matcher: Matcher::new(&abbreviations),
            paused: Arc::clone(&paused),
            resumes: Arc::clone(&resumes),
            seen_resumes: 0,
            reporter: Reporter::new(report),
        };
        let thread = thread::Builder::new()
            .name("genvej-hotstrings".into())
            .spawn(move || watch.run(&started))
            .map_err(|source| ListenerError::ThreadNotStarted {
                what: THREAD,
                source,
            })?;
        let thread_id = match started_inbox.recv_timeout(START_TIMEOUT) {
            Ok(Ok(id)) => id,
            Ok(Err(e)) => return Err(ListenerError::HookRefused(Box::new(e))),
            Err(_) => return Err(ListenerError::NoAnswer(THREAD)),
        };
        tracing::debug!(count = abbreviations.len(), "watching hotstrings");
        Ok(HotstringMonitor {
            thread_id,
            paused,
            resumes,
            thread: Some(thread),
        })
    }

    /// Stops matching at once (before the agent injects keys).
    pub fn pause(&self) {
        self.paused.store(true, SeqCst);
    }

    /// Matches again, from an empty buffer.
    pub fn resume(&self) {
        self.resumes.fetch_add(1, SeqCst);
        self.paused.store(false, SeqCst);
    }
}

impl Drop for HotstringMonitor {
    fn drop(&mut self) {
        msg::post_to_thread(self.thread_id, WM_QUIT);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The hook thread's state.
struct Watch {
    matcher: Matcher,
    paused: Arc<AtomicBool>,
    resumes: Arc<AtomicU64>,
    seen_resumes: u64,
    reporter: Reporter<HotstringEvent>,
}

impl Watch {
    fn run(mut self, started: &Sender<Result<u32, Win32Error>>) {
        msg::ensure_queue();
        // Hotstrings only watch: every key goes on to the programs.
        let hook = KeyboardHook::install(Box::new(move |key| {
            if key.down {
                self.key_down(key);
            }
            Verdict::PassOn
        }));
        let hook = match hook {
            Ok(hook) => hook,
            Err(e) => {
                let _ = started.send(Err(e));
                return;
            }
        };
        let _ = started.send(Ok(msg::current_thread()));
        msg::message_loop(|_, _| {});
        drop(hook);
    }

    fn key_down(&mut self, key: KeyEvent) {
        if self.paused.load(SeqCst) {
            return;
        }
        let resumes = self.resumes.load(SeqCst);
        if resumes != self.seen_resumes {
            self.seen_resumes = resumes;
            self.matcher.clear();
        }
        if key.injected {
            return;
        }
        if let Some(event) = self.matcher.feed(key_action(key)) {
            self.reporter.send(event);
        }
    }
}

const MODIFIER_KEYS: [u16; 14] = [
    VK_SHIFT,
    VK_LSHIFT,
    VK_RSHIFT,
    VK_CONTROL,
    VK_LCONTROL,
    VK_RCONTROL,
    VK_MENU,
    VK_LMENU,
    VK_RMENU,
    VK_LWIN,
    VK_RWIN,
    VK_CAPITAL,
    VK_NUMLOCK,
    VK_SCROLL,
];

/// What a key does to the typed text, read with the modifiers held now.
/// Ctrl or Alt alone (a command) and Windows-key chords clear the buffer;
/// Ctrl+Alt together is AltGr, which types characters (`@`, `€` …).
fn key_action(key: KeyEvent) -> KeyAction {
    let Ok(vk) = u16::try_from(key.vk) else {
        return KeyAction::Clear;
    };
    if MODIFIER_KEYS.contains(&vk) {
        return KeyAction::Ignore;
    }
    let ctrl = msg::is_held(VK_CONTROL);
    let alt = msg::is_held(VK_MENU);
    let shift = msg::is_held(VK_SHIFT);
    if msg::is_held(VK_LWIN) || msg::is_held(VK_RWIN) || ctrl != alt {
        return KeyAction::Clear;
    }
    match vk {
        VK_SPACE => return KeyAction::End { tab: false },
        VK_TAB if shift => return KeyAction::Clear,
        VK_TAB => return KeyAction::End { tab: true },
        VK_BACK => return KeyAction::Backspace,
        _ => {}
    }
    let held: Vec<u16> = [(shift, VK_SHIFT), (ctrl, VK_CONTROL), (alt, VK_MENU)]
        .into_iter()
        .filter_map(|(on, vk)| on.then_some(vk))
        .collect();
    let toggled: Vec<u16> = [VK_CAPITAL, VK_NUMLOCK]
        .into_iter()
        .filter(|vk| msg::is_toggled(*vk))
        .collect();
    let text = msg::text_of_key(key.vk, key.scan, &held, &toggled);
    let mut chars = text.as_deref().unwrap_or_default().chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_control() => KeyAction::Char(c),
        _ => KeyAction::Clear,
    }
}
