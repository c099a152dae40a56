//! Global hot keys on Windows: RegisterHotKey on a thread of their own,
//! whose message loop receives WM_HOTKEY. Event-driven, nothing polls.
//! Windows gives a chord to one program only: a chord another program holds
//! is reported (and the others work).

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    MOD_ALT, MOD_CONTROL, MOD_NOREPEAT, MOD_SHIFT, MOD_WIN,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{WM_APP, WM_HOTKEY, WM_QUIT};

use super::virtual_key;
use super::win32::messages as msg;
use crate::listener::{ListenerError, Report, Reporter};
use genvej_format::chord::Chord;

pub use crate::listener::HotkeyEvent;

/// Asks the hot-key thread to register the chords waiting in `request`.
const REPLACE: u32 = WM_APP + 1;
/// The thread, as errors name it.
const THREAD: &str = "hot-key";
/// Win32's "hot key is already registered".
const ALREADY_REGISTERED: u32 = 1409;
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// Chords that could not be registered, with why.
pub type Conflicts = Vec<(Chord, String)>;

/// The hot-key thread; dropping it unregisters every chord.
pub struct HotkeyListener {
    thread_id: u32,
    request: Arc<Mutex<Vec<Chord>>>,
    answers: Receiver<Conflicts>,
    thread: Option<JoinHandle<()>>,
}

impl HotkeyListener {
    /// Registers `chords`; each press goes to `report` (as
    /// [`HotkeyEvent::Pressed`]; Windows tells no releases), on the hot-key
    /// thread.
    pub fn start(
        chords: &[Chord],
        report: impl Report<HotkeyEvent>,
    ) -> Result<(HotkeyListener, Conflicts), ListenerError> {
        let request = Arc::new(Mutex::new(chords.to_vec()));
        let (answer, answers) = mpsc::channel::<Conflicts>();
        let (started, started_inbox) = mpsc::channel::<u32>();
        let wanted = Arc::clone(&request);
        let reporter = Reporter::new(report);
        let thread = thread::Builder::new()
            .name("genvej-hotkeys".into())
            .spawn(move || listen(&wanted, &answer, &started, reporter))
            .map_err(|source| ListenerError::ThreadNotStarted {
                what: THREAD,
                source,
            })?;
        let thread_id = started_inbox
            .recv_timeout(ANSWER_TIMEOUT)
            .map_err(|_| ListenerError::NoAnswer(THREAD))?;
        let mut listener = HotkeyListener {
            thread_id,
            request,
            answers,
            thread: Some(thread),
        };
        let conflicts = listener.wait_for_answer()?;
        Ok((listener, conflicts))
    }

    /// Registers exactly `chords` from now on.
    pub fn replace(&mut self, chords: &[Chord]) -> Result<Conflicts, ListenerError> {
        *self.request.lock().unwrap_or_else(PoisonError::into_inner) = chords.to_vec();
        if !msg::post_to_thread(self.thread_id, REPLACE) {
            return Err(ListenerError::Stopped(THREAD));
        }
        self.wait_for_answer()
    }

    fn wait_for_answer(&mut self) -> Result<Conflicts, ListenerError> {
        self.answers
            .recv_timeout(ANSWER_TIMEOUT)
            .map_err(|_| ListenerError::NoAnswer(THREAD))
    }
}

impl Drop for HotkeyListener {
    fn drop(&mut self) {
        msg::post_to_thread(self.thread_id, WM_QUIT);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The hot-key thread: registers, then waits for WM_HOTKEY and REPLACE.
fn listen(
    wanted: &Mutex<Vec<Chord>>,
    answer: &Sender<Conflicts>,
    started: &Sender<u32>,
    mut reporter: Reporter<HotkeyEvent>,
) {
    msg::ensure_queue();
    let take = || {
        wanted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    };
    let mut registered = take();
    let _ = answer.send(register(&registered));
    let _ = started.send(msg::current_thread());
    msg::message_loop(|message, wparam| match message {
        WM_HOTKEY => {
            if let Some(chord) = wparam.checked_sub(1).and_then(|i| registered.get(i)) {
                reporter.send(HotkeyEvent::Pressed {
                    chord: *chord,
                    at: Instant::now(),
                });
            }
        }
        REPLACE => {
            unregister(&registered);
            registered = take();
            let _ = answer.send(register(&registered));
        }
        _ => {}
    });
    unregister(&registered);
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
