//! Threads with a Win32 message queue: hidden windows, thread messages,
//! global hot keys (RegisterHotKey) and the low-level keyboard hook. Each
//! thread keeps its Rust callback in a thread-local, because window
//! procedures and hook procedures are plain `extern "system"` functions.
//! A window thread can also wait on an event (see [`Wake`]), so that one
//! idle thread does the work of two.
#![allow(unsafe_code)]

use std::cell::RefCell;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use windows_sys::Win32::Foundation::{GetLastError, HWND, LPARAM, LRESULT, WAIT_OBJECT_0, WPARAM};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::Threading::GetCurrentThreadId;
use windows_sys::Win32::System::Threading::INFINITE;
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    GetAsyncKeyState, GetKeyState, RegisterHotKey, ToUnicode, UnregisterHotKey,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CallNextHookEx, CreateWindowExW, DefWindowProcW, DestroyWindow, DispatchMessageW, GetMessageW,
    HHOOK, KBDLLHOOKSTRUCT, LLKHF_INJECTED, MSG, MWMO_INPUTAVAILABLE, MsgWaitForMultipleObjectsEx,
    PM_NOREMOVE, PM_REMOVE, PeekMessageW, PostMessageW, PostQuitMessage, PostThreadMessageW,
    QS_ALLINPUT, RegisterClassW, SendMessageW, SetWindowsHookExW, TranslateMessage,
    UnhookWindowsHookEx, WH_KEYBOARD_LL, WM_APP, WM_KEYDOWN, WM_KEYUP, WM_QUIT, WM_SYSKEYDOWN,
    WM_SYSKEYUP, WNDCLASSW,
};

use super::named::Handle;
use super::{Win32Error, hwnd, id, last_error, wide};

/// What a window's callback gets: its window, message, wParam, lParam.
/// `Some(result)` handles the message; `None` leaves it to Windows.
pub type WindowCallback = Box<dyn FnMut(u64, u32, usize, isize) -> Option<isize>>;

thread_local! {
    static WINDOW_CALLBACK: RefCell<Option<WindowCallback>> = const { RefCell::new(None) };
    static KEY_CALLBACK: RefCell<Option<KeyCallback>> = const { RefCell::new(None) };
}

const CLASS: &str = "genvej-agent";

unsafe extern "system" fn window_procedure(
    window: HWND,
    message: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    // A message sent while the callback runs (re-entry) goes to Windows.
    let handled = WINDOW_CALLBACK.with(|callback| {
        callback.try_borrow_mut().ok().and_then(|mut callback| {
            callback
                .as_mut()
                .and_then(|f| f(id(window), message, wparam, lparam))
        })
    });
    match handled {
        Some(result) => result,
        // SAFETY: the arguments are the ones Windows passed in.
        None => unsafe { DefWindowProcW(window, message, wparam, lparam) },
    }
}

/// Creates a hidden top-level window titled `title` on this thread, whose
/// messages go to `callback`. Hidden windows are skipped by the window
/// search, but they receive WM_CLOSE (e.g. `taskkill` without /f) and the
/// end-of-session messages. One per thread.
pub fn hidden_window(title: &str, callback: WindowCallback) -> Result<u64, Win32Error> {
    let class = wide(CLASS);
    let title = wide(title);
    // SAFETY: the class and title buffers outlive the calls; a class that is
    // already registered (a second window thread) is fine.
    let window = unsafe {
        let instance = GetModuleHandleW(std::ptr::null());
        let description = WNDCLASSW {
            style: 0,
            lpfnWndProc: Some(window_procedure),
            cbClsExtra: 0,
            cbWndExtra: 0,
            hInstance: instance,
            hIcon: std::ptr::null_mut(),
            hCursor: std::ptr::null_mut(),
            hbrBackground: std::ptr::null_mut(),
            lpszMenuName: std::ptr::null(),
            lpszClassName: class.as_ptr(),
        };
        RegisterClassW(&description);
        CreateWindowExW(
            0,
            class.as_ptr(),
            title.as_ptr(),
            0,
            0,
            0,
            0,
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            instance,
            std::ptr::null(),
        )
    };
    if window.is_null() {
        return Err(last_error("CreateWindowExW"));
    }
    WINDOW_CALLBACK.with(|slot| *slot.borrow_mut() = Some(callback));
    Ok(id(window))
}

/// Destroys a window made by [`hidden_window`] on this thread.
pub fn destroy_window(window: u64) {
    // SAFETY: a handle of this thread's window; a stale one fails harmlessly.
    unsafe { DestroyWindow(hwnd(window)) };
}

/// Posted to a [`WindowThread`]'s window when it is dropped: its callback
/// sees it first (to tidy up), then the thread's message loop ends.
pub const STOP_WINDOW: u32 = WM_APP + 2;

/// Why a [`WindowThread`] did not start.
#[derive(Debug, thiserror::Error)]
pub enum WindowThreadError {
    #[error("cannot start the thread {name}: {source}")]
    Thread {
        name: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the window of {name} could not be made: {source}")]
    Window {
        name: String,
        #[source]
        source: Win32Error,
    },
    #[error("the window of {0} did not start within 5 s")]
    NoAnswer(String),
}

/// An event a [`WindowThread`] waits on besides its messages, and what to
/// do each time it is set (`false`: stop waiting on it).
pub struct Wake {
    /// Dropped before the event (fields drop in order): what it owns may
    /// still wait on the event as it goes.
    pub on_set: Box<dyn FnMut() -> bool + Send>,
    pub event: Handle,
}

/// A hidden window (see [`hidden_window`]) on a thread of its own that runs
/// its message loop; stopped, and the thread joined, when dropped.
pub struct WindowThread {
    window: u64,
    thread: Option<JoinHandle<()>>,
}

impl WindowThread {
    /// Starts the thread `name`; `callback` is made on it (so it need not be
    /// `Send`) and gets the window's messages.
    pub fn spawn(
        name: &str,
        title: &'static str,
        callback: impl FnOnce() -> WindowCallback + Send + 'static,
    ) -> Result<WindowThread, WindowThreadError> {
        let (started, started_inbox) = mpsc::channel::<Result<u64, Win32Error>>();
        let thread = thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let mut callback = callback();
                let on_message = move |window, message, wparam, lparam| {
                    let handled = callback(window, message, wparam, lparam);
                    if message == STOP_WINDOW {
                        quit_loop();
                        return Some(0);
                    }
                    handled
                };
                let window = match hidden_window(title, Box::new(on_message)) {
                    Ok(window) => window,
                    Err(e) => {
                        let _ = started.send(Err(e));
                        return;
                    }
                };
                let _ = started.send(Ok(window));
                message_loop(|_, _| {});
                destroy_window(window);
            })
            .map_err(|source| WindowThreadError::Thread {
                name: name.into(),
                source,
            })?;
        let window = started_inbox
            .recv_timeout(Duration::from_secs(5))
            .map_err(|_| WindowThreadError::NoAnswer(name.into()))?
            .map_err(|source| WindowThreadError::Window {
                name: name.into(),
                source,
            })?;
        Ok(WindowThread {
            window,
            thread: Some(thread),
        })
    }

    pub fn window(&self) -> u64 {
        self.window
    }
}

impl Drop for WindowThread {
    fn drop(&mut self) {
        post_to_window(self.window, STOP_WINDOW);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Ends this thread's [`message_loop`].
pub fn quit_loop() {
    // SAFETY: plain call.
    unsafe { PostQuitMessage(0) };
}

/// This thread's id, for [`post_to_thread`].
pub fn current_thread() -> u32 {
    // SAFETY: plain call.
    unsafe { GetCurrentThreadId() }
}

/// Makes sure this thread has a message queue, so that messages posted to
/// it before it first waits are kept.
pub fn ensure_queue() {
    let mut message = empty_message();
    // SAFETY: `message` is a valid MSG to fill.
    unsafe { PeekMessageW(&mut message, std::ptr::null_mut(), 0, 0, PM_NOREMOVE) };
}

/// Posts `message` to a thread's queue; false when the thread has ended.
pub fn post_to_thread(thread: u32, message: u32) -> bool {
    // SAFETY: plain call; an ended thread makes it fail.
    unsafe { PostThreadMessageW(thread, message, 0, 0) != 0 }
}

/// Posts `message` to a window; false when it is gone.
pub fn post_to_window(window: u64, message: u32) -> bool {
    // SAFETY: plain call; a stale handle makes it fail.
    unsafe { PostMessageW(hwnd(window), message, 0, 0) != 0 }
}

/// Sends `message` to a window and waits until its thread has handled it
/// (SendMessageW); the window's answer, or 0 when it is gone.
pub fn send_to_window(window: u64, message: u32) -> isize {
    // SAFETY: plain call; a stale handle makes it return 0.
    unsafe { SendMessageW(hwnd(window), message, 0, 0) }
}

fn empty_message() -> MSG {
    // SAFETY: MSG is plain data; all zeros is a valid value.
    unsafe { std::mem::zeroed() }
}

/// Runs this thread's message loop until [`quit_loop`]. Window messages go
/// to their window; thread messages (posted with [`post_to_thread`], and
/// WM_HOTKEY of [`register_hotkey`]) go to `on_thread_message` with their
/// wParam.
pub fn message_loop(mut on_thread_message: impl FnMut(u32, usize)) {
    let mut message = empty_message();
    loop {
        // SAFETY: `message` is a valid MSG to fill.
        let got = unsafe { GetMessageW(&mut message, std::ptr::null_mut(), 0, 0) };
        if got == 0 || got == -1 {
            return;
        }
        if message.hwnd.is_null() {
            on_thread_message(message.message, message.wParam);
        } else {
            // SAFETY: a message GetMessageW just filled in.
            unsafe {
                TranslateMessage(&message);
                DispatchMessageW(&message);
            }
        }
    }
}

/// Runs this thread's message loop until [`quit_loop`] like
/// [`message_loop`], and calls a wake's `on_set` whenever its event is set
/// meanwhile. `on_thread_message` may add wakes to `wakes`; a wake whose
/// `on_set` says `false` is dropped, and should the wait fail the loop goes
/// on with the messages alone.
pub fn message_loop_waking(
    wakes: &RefCell<Vec<Wake>>,
    mut on_thread_message: impl FnMut(u32, usize),
) {
    let mut message = empty_message();
    loop {
        let events: Vec<_> = wakes.borrow().iter().map(|w| w.event.raw()).collect();
        // SAFETY: valid event handles, owned by `wakes` for the call (no
        // wake is dropped while the loop waits).
        let woke = unsafe {
            MsgWaitForMultipleObjectsEx(
                events.len() as u32,
                events.as_ptr(),
                INFINITE,
                QS_ALLINPUT,
                MWMO_INPUTAVAILABLE,
            )
        };
        let index = woke.wrapping_sub(WAIT_OBJECT_0) as usize;
        if index < events.len() {
            let mut wakes = wakes.borrow_mut();
            if !(wakes[index].on_set)() {
                wakes.remove(index);
            }
            continue;
        }
        if index != events.len() {
            break;
        }
        // SAFETY: `message` is a valid MSG to fill.
        while unsafe { PeekMessageW(&mut message, std::ptr::null_mut(), 0, 0, PM_REMOVE) } != 0 {
            if message.message == WM_QUIT {
                return;
            }
            if message.hwnd.is_null() {
                on_thread_message(message.message, message.wParam);
            } else {
                // SAFETY: a message PeekMessageW just filled in.
                unsafe {
                    TranslateMessage(&message);
                    DispatchMessageW(&message);
                }
            }
        }
    }
    message_loop(on_thread_message);
}

/// Registers a global hot key for this thread: WM_HOTKEY with `id` as
/// wParam arrives in its [`message_loop`]. `Err` carries the Win32 error
/// code (1409: another program holds the chord).
pub fn register_hotkey(id: i32, modifiers: u32, vk: u32) -> Result<(), u32> {
    // SAFETY: plain call for this thread (no window).
    if unsafe { RegisterHotKey(std::ptr::null_mut(), id, modifiers, vk) } != 0 {
        Ok(())
    } else {
        // SAFETY: plain call.
        Err(unsafe { GetLastError() })
    }
}

pub fn unregister_hotkey(id: i32) {
    // SAFETY: plain call for this thread (no window).
    unsafe { UnregisterHotKey(std::ptr::null_mut(), id) };
}

/// A key going down or up, as the low-level keyboard hook saw it.
#[derive(Debug, Clone, Copy)]
pub struct KeyEvent {
    pub vk: u32,
    pub scan: u32,
    /// Down (else up).
    pub down: bool,
    /// Sent with SendInput (by genvej or another program).
    pub injected: bool,
}

/// What the hook's callback decided about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The key goes on to the programs.
    PassOn,
    /// The key is taken: no program sees it.
    Swallow,
}

pub type KeyCallback = Box<dyn FnMut(KeyEvent) -> Verdict>;

unsafe extern "system" fn keyboard_procedure(code: i32, wparam: WPARAM, lparam: LPARAM) -> LRESULT {
    let down = wparam == WM_KEYDOWN as usize || wparam == WM_SYSKEYDOWN as usize;
    let up = wparam == WM_KEYUP as usize || wparam == WM_SYSKEYUP as usize;
    if code >= 0 && (down || up) {
        // SAFETY: for WH_KEYBOARD_LL, lParam points at a KBDLLHOOKSTRUCT.
        let event = unsafe { &*(lparam as *const KBDLLHOOKSTRUCT) };
        let key = KeyEvent {
            vk: event.vkCode,
            scan: event.scanCode,
            down,
            injected: event.flags & LLKHF_INJECTED != 0,
        };
        let verdict = KEY_CALLBACK.with(|callback| {
            callback
                .try_borrow_mut()
                .ok()
                .and_then(|mut callback| callback.as_mut().map(|f| f(key)))
        });
        if verdict == Some(Verdict::Swallow) {
            return 1;
        }
    }
    // SAFETY: the arguments are the ones Windows passed in.
    unsafe { CallNextHookEx(std::ptr::null_mut(), code, wparam, lparam) }
}

/// The low-level keyboard hook of this thread; removed when dropped. The
/// thread must run a [`message_loop`], or Windows skips the hook.
pub struct KeyboardHook(HHOOK);

impl KeyboardHook {
    pub fn install(callback: KeyCallback) -> Result<KeyboardHook, Win32Error> {
        KEY_CALLBACK.with(|slot| *slot.borrow_mut() = Some(callback));
        // SAFETY: the procedure is a valid HOOKPROC for the process's life.
        let hook = unsafe {
            SetWindowsHookExW(
                WH_KEYBOARD_LL,
                Some(keyboard_procedure),
                GetModuleHandleW(std::ptr::null()),
                0,
            )
        };
        if hook.is_null() {
            return Err(last_error("SetWindowsHookExW"));
        }
        Ok(KeyboardHook(hook))
    }
}

impl Drop for KeyboardHook {
    fn drop(&mut self) {
        // SAFETY: the hook this value installed.
        unsafe { UnhookWindowsHookEx(self.0) };
        KEY_CALLBACK.with(|slot| slot.borrow_mut().take());
    }
}

/// Whether a lock key (CapsLock, NumLock) is on.
pub fn is_toggled(vk: u16) -> bool {
    // SAFETY: plain call.
    unsafe { GetKeyState(i32::from(vk)) & 1 != 0 }
}

/// Whether a key is held down now.
pub fn is_held(vk: u16) -> bool {
    // SAFETY: plain call.
    unsafe { GetAsyncKeyState(i32::from(vk)) < 0 }
}

/// The text a key makes with the given modifier state on the current
/// layout; `None` for dead keys and keys without text. Asks Windows not to
/// change the keyboard state (flag 4), so a dead key typed by the user
/// still works in their program.
pub fn text_of_key(vk: u32, scan: u32, held: &[u16], toggled: &[u16]) -> Option<String> {
    let mut state = [0u8; 256];
    for key in held {
        state[usize::from(*key)] |= 0x80;
    }
    for key in toggled {
        state[usize::from(*key)] |= 0x01;
    }
    let mut buffer = [0u16; 8];
    // SAFETY: a 256-byte key state and a buffer whose length is passed.
    let written = unsafe {
        ToUnicode(
            vk,
            scan,
            state.as_ptr(),
            buffer.as_mut_ptr(),
            buffer.len() as i32,
            4,
        )
    };
    (written > 0).then(|| String::from_utf16_lossy(&buffer[..written as usize]))
}
