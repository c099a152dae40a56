//! Global hot keys on Windows: RegisterHotKey on a thread of their own,
//! whose message loop receives WM_HOTKEY. Event-driven, nothing polls.
//! Windows gives a chord to one program only: a chord another program holds
//! is reported (and the others work).
//!
//! While a sequence waits for its second key the thread also runs a
//! low-level keyboard hook that takes the next key, whatever it is, from
//! every program (the rules are in [`crate::next_key`]). If Windows refuses
//! the hook, the caller registers the sequence's keys as hot keys instead.
//!
//! At each press the thread describes the focused window before it reports
//! the press ([`HotkeyEvent::Pressed`]'s `window`): it is awake already,
//! while the agent and the run worker still have to wake up.
//!
//! The same thread hosts the agent's hidden session window, waits on the
//! "another start asks for a reload" event and watches the script folders
//! ([`HotkeyListener::host_window`], [`HotkeyListener::add_wakes`],
//! [`msg::Wake`]): under Wine every thread costs about 1 MB resident. So
//! the thread lives until both the listener and the hosted window are
//! dropped — the window outlives the agent's shutdown, so that the end of
//! a session waits for the last usage records.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    MOD_ALT, MOD_CONTROL, MOD_NOREPEAT, MOD_SHIFT, MOD_WIN, VK_SHIFT,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{WM_APP, WM_HOTKEY, WM_QUIT};

use super::focused::FocusedWindow;
use super::virtual_key;
use super::win32::Win32Error;
use super::win32::messages::{
    self as msg, KeyEvent, KeyboardHook, Verdict, WindowCallback, WindowThreadError,
};
use crate::listener::{ListenerError, Report, Reporter};
use crate::next_key::{HookKey, NextKeyWait};
use genvej_format::chord::{Chord, Key};

pub use crate::listener::HotkeyEvent;

/// Asks the hot-key thread to register the chords waiting in `request`.
const REPLACE: u32 = WM_APP + 1;
/// Asks the hot-key thread to make the window waiting in `hosted`.
const HOST: u32 = WM_APP + 3;
/// Asks the hot-key thread to make the wakes waiting in `wakes_to_add`.
const ADD_WAKES: u32 = WM_APP + 4;

/// Makes wakes on the hot-key thread (so that what they start, such as an
/// asynchronous read, belongs to that thread), and says when they are in.
struct MakeWakes {
    make: Box<dyn FnOnce() -> Vec<msg::Wake> + Send>,
    done: Sender<()>,
}
/// The thread, as errors name it.
const THREAD: &str = "hot-key";
/// Win32's "hot key is already registered".
const ALREADY_REGISTERED: u32 = 1409;
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// Chords that could not be registered, with why.
pub type Conflicts = Vec<(Chord, String)>;

/// What the hot-key thread is asked to do.
#[derive(Debug, Clone, Default)]
struct Request {
    chords: Vec<Chord>,
    /// A sequence waits for one of these keys (Escape included).
    next_key: Option<Vec<Key>>,
}

/// The hot-key thread's answer to a [`Request`].
struct Answer {
    conflicts: Conflicts,
    /// The keyboard hook for the sequence's next key is in.
    hooked: bool,
}

/// A window for the hot-key thread to make: its title and its callback
/// (made on that thread, so it need not be `Send`).
struct WindowJob {
    title: &'static str,
    callback: Box<dyn FnOnce() -> WindowCallback + Send>,
    answer: Sender<Result<u64, Win32Error>>,
}

/// The thread itself; it stops (and is joined) when its last owner — the
/// listener or a hosted window — is dropped.
struct ListenerThread {
    id: u32,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for ListenerThread {
    fn drop(&mut self) {
        msg::post_to_thread(self.id, WM_QUIT);
        let handle = self
            .handle
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

/// The hot-key thread; dropping it unregisters every chord (without
/// waiting: a hosted window's thread may be busy with the session's end).
pub struct HotkeyListener {
    thread: Arc<ListenerThread>,
    request: Arc<Mutex<Request>>,
    answers: Receiver<Answer>,
    hosted: Arc<Mutex<Option<WindowJob>>>,
    wakes_to_add: Arc<Mutex<Vec<MakeWakes>>>,
}

/// A hidden window on the hot-key thread ([`HotkeyListener::host_window`]);
/// it keeps the thread going until it is dropped.
pub struct HostedWindow {
    _thread: Arc<ListenerThread>,
}

impl HotkeyListener {
    /// Registers `chords`; each press goes to `report` (as
    /// [`HotkeyEvent::Pressed`]; Windows tells no releases), on the hot-key
    /// thread, which also waits on `wake`'s event.
    pub fn start(
        chords: &[Chord],
        report: impl Report<HotkeyEvent>,
        wake: Option<msg::Wake>,
    ) -> Result<(HotkeyListener, Conflicts), ListenerError> {
        let request = Arc::new(Mutex::new(Request {
            chords: chords.to_vec(),
            next_key: None,
        }));
        let (answer, answers) = mpsc::channel::<Answer>();
        let (started, started_inbox) = mpsc::channel::<u32>();
        let wanted = Arc::clone(&request);
        let hosted = Arc::new(Mutex::new(None::<WindowJob>));
        let wakes_to_add = Arc::new(Mutex::new(Vec::<MakeWakes>::new()));
        let work = Work {
            wanted,
            hosted: Arc::clone(&hosted),
            wakes_to_add: Arc::clone(&wakes_to_add),
        };
        let reporter = Reporter::new(report);
        let thread = thread::Builder::new()
            .name("genvej-hotkeys".into())
            .spawn(move || {
                listen(&work, wake, &answer, &started, reporter);
            })
            .map_err(|source| ListenerError::ThreadNotStarted {
                what: THREAD,
                source,
            })?;
        let thread = Arc::new(ListenerThread {
            id: started_inbox
                .recv_timeout(ANSWER_TIMEOUT)
                .map_err(|_| ListenerError::NoAnswer(THREAD))?,
            handle: Mutex::new(Some(thread)),
        });
        let mut listener = HotkeyListener {
            thread,
            request,
            answers,
            hosted,
            wakes_to_add,
        };
        let conflicts = listener.wait_for_answer()?.conflicts;
        Ok((listener, conflicts))
    }

    /// Registers exactly `chords` from now on (and ends a wait for a
    /// sequence's next key).
    pub fn replace(&mut self, chords: &[Chord]) -> Result<Conflicts, ListenerError> {
        let request = Request {
            chords: chords.to_vec(),
            next_key: None,
        };
        Ok(self.ask(request)?.conflicts)
    }

    /// Registers exactly `chords` and takes the next key that is not a
    /// modifier from every program: it arrives as [`HotkeyEvent::Next`]
    /// (one of `keys`, else `key: None`). The `bool` is false when Windows
    /// refused the keyboard hook: then nothing waits for the next key.
    pub fn await_next_key(
        &mut self,
        chords: &[Chord],
        keys: &[Key],
    ) -> Result<(Conflicts, bool), ListenerError> {
        let request = Request {
            chords: chords.to_vec(),
            next_key: Some(keys.to_vec()),
        };
        let answer = self.ask(request)?;
        Ok((answer.conflicts, answer.hooked))
    }

    /// Makes a hidden window titled `title` on the hot-key thread (see
    /// [`msg::hidden_window`]); `callback` is made there and gets its
    /// messages. The thread goes on until the window is dropped too.
    pub fn host_window(
        &self,
        title: &'static str,
        callback: impl FnOnce() -> WindowCallback + Send + 'static,
    ) -> Result<HostedWindow, WindowThreadError> {
        let (answer, answered) = mpsc::channel();
        *self.hosted.lock().unwrap_or_else(PoisonError::into_inner) = Some(WindowJob {
            title,
            callback: Box::new(callback),
            answer,
        });
        if !msg::post_to_thread(self.thread.id, HOST) {
            return Err(WindowThreadError::NoAnswer(THREAD.into()));
        }
        answered
            .recv_timeout(ANSWER_TIMEOUT)
            .map_err(|_| WindowThreadError::NoAnswer(THREAD.into()))?
            .map_err(|source| WindowThreadError::Window {
                name: THREAD.into(),
                source,
            })?;
        Ok(HostedWindow {
            _thread: Arc::clone(&self.thread),
        })
    }

    /// Runs `make` on the hot-key thread and waits there on the events of
    /// the wakes it makes, for as long as the thread runs (or a wake's
    /// `on_set` says `false`). Returns once they are in (so a change made
    /// after it is seen); `false` when the thread did not answer.
    pub fn add_wakes(&self, make: impl FnOnce() -> Vec<msg::Wake> + Send + 'static) -> bool {
        let (done, in_place) = mpsc::channel();
        self.wakes_to_add
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(MakeWakes {
                make: Box::new(make),
                done,
            });
        msg::post_to_thread(self.thread.id, ADD_WAKES)
            && in_place.recv_timeout(ANSWER_TIMEOUT).is_ok()
    }

    fn ask(&mut self, request: Request) -> Result<Answer, ListenerError> {
        *self.request.lock().unwrap_or_else(PoisonError::into_inner) = request;
        if !msg::post_to_thread(self.thread.id, REPLACE) {
            return Err(ListenerError::Stopped(THREAD));
        }
        self.wait_for_answer()
    }

    fn wait_for_answer(&mut self) -> Result<Answer, ListenerError> {
        self.answers
            .recv_timeout(ANSWER_TIMEOUT)
            .map_err(|_| ListenerError::NoAnswer(THREAD))
    }
}

impl Drop for HotkeyListener {
    fn drop(&mut self) {
        // No chords, no hook; the thread ends with its last owner.
        *self.request.lock().unwrap_or_else(PoisonError::into_inner) = Request::default();
        msg::post_to_thread(self.thread.id, REPLACE);
    }
}

/// What the other threads hand the hot-key thread.
struct Work {
    wanted: Arc<Mutex<Request>>,
    hosted: Arc<Mutex<Option<WindowJob>>>,
    wakes_to_add: Arc<Mutex<Vec<MakeWakes>>>,
}

/// The hot-key thread: registers, then waits for WM_HOTKEY, REPLACE, HOST
/// and ADD_WAKES (and, while a sequence waits, runs the next-key hook; a
/// hosted window's messages go to its callback; each wake's event to its
/// `on_set`).
fn listen(
    work: &Work,
    wake: Option<msg::Wake>,
    answer: &Sender<Answer>,
    started: &Sender<u32>,
    reporter: Reporter<HotkeyEvent>,
) {
    msg::ensure_queue();
    let take = || {
        work.wanted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    };
    // Shared by WM_HOTKEY and the hook, which Windows calls on this thread
    // while it waits for messages: never both at once.
    let reporter = Rc::new(RefCell::new(reporter));
    let mut hook: Option<KeyboardHook> = None;
    let mut registered = take().chords;
    let _ = answer.send(Answer {
        conflicts: register(&registered),
        hooked: false,
    });
    let _ = started.send(msg::current_thread());
    let mut window = None;
    let mut focused = FocusedWindow::default();
    let wakes = RefCell::new(wake.into_iter().collect::<Vec<_>>());
    msg::message_loop_waking(&wakes, |message, wparam| match message {
        WM_HOTKEY => {
            if let Some(chord) = wparam.checked_sub(1).and_then(|i| registered.get(i)) {
                if let Ok(mut reporter) = reporter.try_borrow_mut() {
                    let at = Instant::now();
                    // Here, before the agent and the run worker wake up:
                    // the window the caseworker pressed the key in.
                    let window = focused.describe();
                    reporter.send(HotkeyEvent::Pressed {
                        chord: *chord,
                        at,
                        window,
                    });
                }
            }
        }
        REPLACE => {
            // The old hook goes first: a hook's callback slot is per thread.
            hook = None;
            unregister(&registered);
            let request = take();
            registered = request.chords;
            let conflicts = register(&registered);
            hook = request
                .next_key
                .and_then(|keys| next_key_hook(&keys, Rc::clone(&reporter)));
            let _ = answer.send(Answer {
                conflicts,
                hooked: hook.is_some(),
            });
        }
        ADD_WAKES => {
            let makers = std::mem::take(
                &mut *work
                    .wakes_to_add
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            for maker in makers {
                let made = (maker.make)();
                wakes.borrow_mut().extend(made);
                let _ = maker.done.send(());
            }
        }
        HOST => {
            let job = work
                .hosted
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(job) = job {
                let made = msg::hidden_window(job.title, (job.callback)());
                if let Ok(id) = made {
                    window = Some(id);
                }
                let _ = job.answer.send(made);
            }
        }
        _ => {}
    });
    drop(hook);
    unregister(&registered);
    if let Some(window) = window {
        msg::destroy_window(window);
    }
}

/// The hook that takes a sequence's next key; `None` (logged) when Windows
/// refuses it.
fn next_key_hook(
    keys: &[Key],
    reporter: Rc<RefCell<Reporter<HotkeyEvent>>>,
) -> Option<KeyboardHook> {
    let held = (1..=254u16).filter(|&vk| msg::is_held(vk));
    let mut wait = NextKeyWait::new(keys.iter().map(|&key| (virtual_key(key), key)), held);
    let hook = KeyboardHook::install(Box::new(move |key: KeyEvent| {
        let decision = wait.on_key(HookKey {
            vk: u16::try_from(key.vk).unwrap_or(0),
            down: key.down,
            injected: key.injected,
            shift: msg::is_held(VK_SHIFT),
        });
        if let Some(event) = decision.event {
            if let Ok(mut reporter) = reporter.try_borrow_mut() {
                reporter.send(event);
            }
        }
        if decision.swallow {
            Verdict::Swallow
        } else {
            Verdict::PassOn
        }
    }));
    match hook {
        Ok(hook) => Some(hook),
        Err(e) => {
            tracing::warn!("no keyboard hook for the sequence's next key: {e}");
            None
        }
    }
}

/// Hot-key ids are the chord's place in the list, from 1.
fn register(chords: &[Chord]) -> Conflicts {
    let mut conflicts = Vec::new();
    for (index, chord) in chords.iter().enumerate() {
        let id = i32::try_from(index + 1).unwrap_or(i32::MAX);
        let vk = u32::from(virtual_key(chord.key));
        if let Err(code) = msg::register_hotkey(id, modifiers_of(chord), vk) {
            let why = if code == ALREADY_REGISTERED {
                format!("{chord} is already taken by another program")
            } else {
                format!("Windows refused to register {chord} (Win32 error {code})")
            };
            conflicts.push((*chord, why));
        }
    }
    conflicts
}

fn unregister(chords: &[Chord]) {
    for index in 0..chords.len() {
        msg::unregister_hotkey(i32::try_from(index + 1).unwrap_or(i32::MAX));
    }
}

/// RegisterHotKey's modifier flags; a held key does not repeat the hot key.
fn modifiers_of(chord: &Chord) -> u32 {
    let m = chord.modifiers;
    [
        (m.ctrl, MOD_CONTROL),
        (m.alt, MOD_ALT),
        (m.shift, MOD_SHIFT),
        (m.super_key, MOD_WIN),
    ]
    .into_iter()
    .filter_map(|(on, flag)| on.then_some(flag))
    .fold(MOD_NOREPEAT, |all, flag| all | flag)
}
