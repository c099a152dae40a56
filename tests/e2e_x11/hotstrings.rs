//! The hotstring monitor (X RECORD) against a real X server: Xvfb with
//! openbox, because the monitor follows `_NET_ACTIVE_WINDOW`, and stand-in
//! case windows that have the focus while keys are typed, by xdotool or
//! injected with XTest on another connection as a physical keyboard would.
//!
//! Many checks that something must *not* fire type a sentinel abbreviation
//! afterwards and expect it as the very next event, which proves that
//! nothing fired in between without waiting for a timeout.
//!
//! Needs the Debian packages of the e2e desktop (see tests/support/desktop.rs).
//! Missing tools skip these tests loudly, or fail them when CI/GENVEJ_E2E is set.
#![cfg(target_os = "linux")]

use crate::require_desktop;
use crate::support;

use std::io::Write;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use genvej_desktop::x11::hotstrings::{HotstringError, HotstringEvent, HotstringMonitor};
use support::desktop::Desktop;
use support::tools::Tool;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, KEY_PRESS_EVENT, KEY_RELEASE_EVENT, Keycode, Keysym,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;
use x11rb::{CURRENT_TIME, NONE};

/// The abbreviations of most tests, and their indices.
const NAVN_AND_ADR: &[&str] = &[";navn", ";adr"];
const NAVN: usize = 0;
const ADR: usize = 1;

/// Pause → inject → resume rounds in the race test. The module docs quote
/// 2,000 rounds, where a plain pause flag let injected keys fire 52–723
/// times; a few hundred rounds still catch that and keep the test quick.
const PAUSE_ROUNDS: usize = 300;
/// Hotstrings typed back to back in the latency test.
const LATENCY_PRESSES: usize = 300;
const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

const XK_SPACE: Keysym = 0x20;
const XK_COMMA: Keysym = 0x2c;
const XK_2: Keysym = 0x32;
const XK_AE: Keysym = 0xe6;
const XK_OSLASH: Keysym = 0xf8;
const XK_ISO_LEVEL3_SHIFT: Keysym = 0xfe03;
const XK_SHIFT_L: Keysym = 0xffe1;

// ---------------------------------------------------------------------------
// What fires

#[test]
fn abbreviation_ended_by_space_or_tab_fires_with_its_index() {
    let mut desktop = require_desktop!();
    desktop.case_window("hs-a");
    let (_monitor, inbox) = monitor(&desktop, NAVN_AND_ADR);

    type_text(&desktop, ";navn ");
    assert_eq!(next(&inbox), typed(NAVN, false));
    type_text(&desktop, ";navn");
    desktop.key("Tab");
    assert_eq!(next(&inbox), typed(NAVN, true));
    type_text(&desktop, ";adr ");
    assert_eq!(next(&inbox), typed(ADR, false));
    // After other words, at the start of a new one.
    type_text(&desktop, "hej ;navn\t");
    assert_eq!(next(&inbox), typed(NAVN, true));
    assert_no_more_events(&inbox);
}

#[test]
fn abbreviation_corrected_with_backspace_still_fires() {
    let mut desktop = require_desktop!();
    desktop.case_window("hs-a");
    let (_monitor, inbox) = monitor(&desktop, NAVN_AND_ADR);

    // One typo fixed: `;nax` BackSpace `vn`.
    type_text(&desktop, ";nax");
    desktop.key("BackSpace");
    type_text(&desktop, "vn ");
    assert_eq!(next(&inbox), typed(NAVN, false));
    // Everything erased and typed again.
    type_text(&desktop, ";na");
    desktop.key("BackSpace BackSpace BackSpace");
    type_text(&desktop, ";navn ");
    assert_eq!(next(&inbox), typed(NAVN, false));
    assert_no_more_events(&inbox);
}

#[test]
fn shift_and_capslock_give_the_case_the_user_sees() {
    let mut desktop = require_desktop!();
    desktop.case_window("hs-a");
    let (_monitor, inbox) = monitor(&desktop, &[";Navn", ";adr"]);
    let adr = 1;

    type_text(&desktop, ";Navn ");
    assert_eq!(next(&inbox), typed(0, false));
    // CapsLock + Shift gives lower case: `;nAVN` is not `;Navn`.
    desktop.key("Caps_Lock");
    desktop.key("semicolon shift+n a v n space");
    desktop.key("Caps_Lock");
    assert_sentinel_is_next(&desktop, &inbox, ";adr ", adr, "CapsLock + Shift");
    // CapsLock alone upper-cases, Shift under CapsLock lower-cases: `;Navn`.
    desktop.key("Caps_Lock");
    desktop.key("semicolon n shift+a shift+v shift+n space");
    desktop.key("Caps_Lock");
    assert_eq!(next(&inbox), typed(0, false), "CapsLock: ;N + shifted avn");
}

#[test]
fn new_keyboard_layout_is_read_after_setxkbmap_with_altgr_and_danish_letters() {
    let mut desktop = require_desktop!(Tool::Setxkbmap);
    desktop.case_window("hs-a");
    let (_monitor, inbox) = monitor(&desktop, &[";navn", ";æø@"]);
    let danish = 1;

    // Danish layout: `;` is Shift+comma, æ and ø have keys of their own, @
    // is AltGr+2. The monitor started with the US layout.
    let status = desktop
        .command("setxkbmap")
        .arg("dk")
        .status()
        .expect("setxkbmap runs");
    assert!(status.success(), "setxkbmap dk: {status}");
    let keyboard = Keyboard::new(&desktop);
    let (shift, altgr) = (
        keyboard.keycode(XK_SHIFT_L),
        keyboard.keycode(XK_ISO_LEVEL3_SHIFT),
    );
    keyboard.press(shift);
    keyboard.tap(keyboard.keycode(XK_COMMA));
    keyboard.release(shift);
    keyboard.tap(keyboard.keycode(XK_AE));
    keyboard.tap(keyboard.keycode(XK_OSLASH));
    keyboard.press(altgr);
    keyboard.tap(keyboard.keycode(XK_2));
    keyboard.release(altgr);
    keyboard.tap(keyboard.keycode(XK_SPACE));
    assert_eq!(next(&inbox), typed(danish, false), "Danish ;æø@");
    assert_no_more_events(&inbox);
}

// ---------------------------------------------------------------------------
// What must not fire

#[test]
fn abbreviation_inside_a_word_does_not_fire() {
    let mut desktop = require_desktop!();
    desktop.case_window("hs-a");
    let (_monitor, inbox) = monitor(&desktop, NAVN_AND_ADR);

    type_text(&desktop, "x;navn ");
    assert_adr_is_next(&desktop, &inbox, "a letter before");
    type_text(&desktop, ";navnx ");
    assert_adr_is_next(&desktop, &inbox, "a letter after");
    // `;na` BackSpace `;navn` is `;n;navn`: the `;navn` follows a letter.
    type_text(&desktop, ";na");
    desktop.key("BackSpace");
    type_text(&desktop, ";navn ");
    assert_adr_is_next(&desktop, &inbox, "`;n;navn` (a letter before)");
}

#[test]
fn keys_that_may_move_the_cursor_clear_what_was_typed() {
    let mut desktop = require_desktop!();
    desktop.case_window("hs-a");
    let (_monitor, inbox) = monitor(&desktop, NAVN_AND_ADR);

    for key in [
        "Return", "Escape", "Left", "Home", "Delete", "ctrl+a", "alt+b", "F5", "Prior",
    ] {
        type_text(&desktop, ";na");
        desktop.key(key);
        type_text(&desktop, "vn ");
        assert_adr_is_next(&desktop, &inbox, key);
    }
    // Modifier keys alone do not, and a Shift-ed character is still typed.
    type_text(&desktop, ";na");
    desktop.key("shift ctrl v");
    type_text(&desktop, "n ");
    assert_eq!(next(&inbox), typed(NAVN, false), "modifiers alone");
}

#[test]
fn mouse_click_and_another_active_window_clear_what_was_typed() {
    let mut desktop = require_desktop!();
    let first = desktop.case_window("hs-a");
    let second = desktop.case_window("hs-b");
    let (_monitor, inbox) = monitor(&desktop, NAVN_AND_ADR);

    // A click inside the active window (it stays active).
    type_text(&desktop, ";na");
    desktop.xdotool(&[
        "mousemove",
        "--window",
        &second.id,
        "20",
        "20",
        "click",
        "1",
    ]);
    desktop.wait_for_active(&second.id, EVENT_TIMEOUT);
    type_text(&desktop, "vn ");
    assert_adr_is_next(&desktop, &inbox, "mouse click");

    desktop.activate(&first);
    type_text(&desktop, ";na");
    desktop.activate(&second);
    type_text(&desktop, "vn ");
    assert_adr_is_next(&desktop, &inbox, "window change");
}

// ---------------------------------------------------------------------------
// Pausing while the agent types

#[test]
fn keys_typed_while_paused_never_fire_and_resume_starts_afresh() {
    let mut desktop = require_desktop!();
    desktop.case_window("hs-a");
    let (monitor, inbox) = monitor(&desktop, NAVN_AND_ADR);

    monitor.pause();
    type_text(&desktop, ";navn ");
    type_text(&desktop, ";adr ");
    monitor.resume();
    type_text(&desktop, ";navn ");
    assert_eq!(next(&inbox), typed(NAVN, false), "paused keys fired");
    // Characters typed before a pause do not count after it.
    type_text(&desktop, ";na");
    monitor.pause();
    monitor.resume();
    type_text(&desktop, "vn ");
    assert_adr_is_next(&desktop, &inbox, "buffer kept across pause");
}

#[test]
fn injected_keys_never_fire_even_when_resume_follows_at_once() {
    // The race the resume marker closes: the injected keys' RECORD data may
    // still be on its way when `resume()` is called.
    let mut desktop = require_desktop!();
    desktop.case_window("hs-a");
    let (monitor, inbox) = monitor(&desktop, NAVN_AND_ADR);
    let keyboard = Keyboard::new(&desktop);

    let mut resume_times = Vec::with_capacity(PAUSE_ROUNDS);
    for round in 0..PAUSE_ROUNDS {
        monitor.pause();
        if round % 2 == 0 {
            keyboard.type_plain(";navn ");
        } else {
            keyboard.burst(";navn ;navn ;navn ");
        }
        let start = Instant::now();
        monitor.resume();
        resume_times.push(start.elapsed());
    }
    print_percentiles("resume()", resume_times);

    keyboard.type_plain(";adr ");
    let fired: Vec<HotstringEvent> = std::iter::from_fn(|| Some(next(&inbox)))
        .take_while(|&event| event != typed(ADR, false))
        .collect();
    assert!(
        fired.is_empty(),
        "{} injected hotstrings fired while paused ({PAUSE_ROUNDS} rounds), e.g. {:?}",
        fired.len(),
        fired.first()
    );
}

// ---------------------------------------------------------------------------
// Latency, stopping and logging

#[test]
fn every_hotstring_fires_drop_stops_the_thread_and_typed_text_is_never_logged() {
    let mut desktop = require_desktop!();
    desktop.case_window("hs-a");
    // Set only now, while this test holds the desktop turn, so no other
    // test's monitor logs into it meanwhile. The first and only global
    // subscriber of this test binary.
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");

    let (monitor, inbox) = monitor(&desktop, &[";navn"]);
    let keyboard = Keyboard::new(&desktop);
    let space = keyboard.keycode(XK_SPACE);
    let mut latencies = Vec::with_capacity(LATENCY_PRESSES);
    for press in 0..LATENCY_PRESSES {
        keyboard.type_plain(";navn");
        let start = Instant::now();
        keyboard.press(space);
        let event = next(&inbox);
        latencies.push(start.elapsed());
        assert_eq!(event, typed(0, false), "press {press}");
        keyboard.release(space);
        keyboard.sync();
    }
    print_percentiles("Space pressed → event received", latencies);
    assert!(inbox.try_recv().is_err(), "no extra events");

    // Drop must end the recording and join the thread, never hang.
    assert!(monitor.is_running());
    let (dropped, dropped_inbox) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        drop(monitor);
        let _ = dropped.send(());
    });
    dropped_inbox
        .recv_timeout(EVENT_TIMEOUT)
        .expect("dropping the monitor returns");
    eprintln!("drop took {:.2?}", start.elapsed());
    // The thread has ended and dropped its sender.
    assert_eq!(inbox.try_recv(), Err(mpsc::TryRecvError::Disconnected));

    let logs = logs.text();
    eprintln!("log lines: {}", logs.lines().count());
    assert!(
        !logs.contains("WARN") && !logs.contains("ERROR"),
        "warnings or errors logged:\n{logs}"
    );
    assert!(!logs.contains("navn"), "typed text in the log:\n{logs}");
}

#[test]
fn server_without_record_is_a_clear_error() {
    let desktop = require_desktop!(without_window_manager, server_args: &["-extension", "RECORD"]);
    let (sender, _inbox) = mpsc::channel();
    let error = HotstringMonitor::start(Some(desktop.display()), vec![";navn".into()], move |e| {
        sender.send(e).is_ok()
    })
    .err()
    .expect("start fails without RECORD");
    eprintln!("{error}");
    assert!(matches!(error, HotstringError::NoRecord), "{error}");
    assert!(error.to_string().contains("no RECORD extension"), "{error}");
}

// ---------------------------------------------------------------------------
// Helpers

/// Starts a monitor for `abbreviations` on the desktop.
fn monitor(
    desktop: &Desktop,
    abbreviations: &[&str],
) -> (HotstringMonitor, Receiver<HotstringEvent>) {
    let (sender, inbox) = mpsc::channel();
    let abbreviations = abbreviations.iter().map(|a| a.to_string()).collect();
    let monitor = HotstringMonitor::start(Some(desktop.display()), abbreviations, move |e| {
        sender.send(e).is_ok()
    })
    .expect("monitor starts");
    (monitor, inbox)
}

fn typed(index: usize, ended_by_tab: bool) -> HotstringEvent {
    HotstringEvent::Typed {
        index,
        ended_by_tab,
    }
}

#[track_caller]
fn next(inbox: &Receiver<HotstringEvent>) -> HotstringEvent {
    inbox
        .recv_timeout(EVENT_TIMEOUT)
        .expect("a hotstring event within 5 s")
}

#[track_caller]
fn assert_no_more_events(inbox: &Receiver<HotstringEvent>) {
    assert_eq!(
        inbox.recv_timeout(Duration::from_millis(200)),
        Err(RecvTimeoutError::Timeout),
        "no more events"
    );
}

/// Types ASCII text into the focused window with `xdotool type` (exact
/// enough for the plain ASCII typed here).
fn type_text(desktop: &Desktop, text: &str) {
    desktop.xdotool(&["type", "--delay", "2", text]);
}

/// Types the sentinel `text` and checks that abbreviation `sentinel` is the
/// *next* event: nothing fired for what was typed before (`what`).
#[track_caller]
fn assert_sentinel_is_next(
    desktop: &Desktop,
    inbox: &Receiver<HotstringEvent>,
    text: &str,
    sentinel: usize,
    what: &str,
) {
    type_text(desktop, text);
    assert_eq!(next(inbox), typed(sentinel, false), "{what} fired");
}

/// [`assert_sentinel_is_next`] with `;adr ` of [`NAVN_AND_ADR`].
#[track_caller]
fn assert_adr_is_next(desktop: &Desktop, inbox: &Receiver<HotstringEvent>, what: &str) {
    assert_sentinel_is_next(desktop, inbox, ";adr ", ADR, what);
}

/// Injects keys with XTest on its own connection, as a physical keyboard
/// reaches the server; waits for the server after each key as enigo does.
struct Keyboard {
    conn: RustConnection,
    min_keycode: Keycode,
    keysyms_per_keycode: usize,
    keysyms: Vec<Keysym>,
}

impl Keyboard {
    /// Reads the keyboard mapping once: create it after any layout change.
    fn new(desktop: &Desktop) -> Keyboard {
        let conn = desktop.x11_connection();
        let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
        let map = conn
            .get_keyboard_mapping(min, max - min + 1)
            .expect("send")
            .reply()
            .expect("keyboard mapping");
        Keyboard {
            min_keycode: min,
            keysyms_per_keycode: usize::from(map.keysyms_per_keycode),
            keysyms: map.keysyms,
            conn,
        }
    }

    /// The keycode producing `keysym` in column 0 of the mapping.
    fn keycode(&self, keysym: Keysym) -> Keycode {
        let index = self
            .keysyms
            .chunks(self.keysyms_per_keycode)
            .position(|syms| syms.first() == Some(&keysym))
            .unwrap_or_else(|| panic!("keysym {keysym:#x} is not mapped"));
        self.min_keycode + u8::try_from(index).expect("keycode fits")
    }

    fn press(&self, keycode: Keycode) {
        self.fake(KEY_PRESS_EVENT, keycode);
    }

    fn release(&self, keycode: Keycode) {
        self.fake(KEY_RELEASE_EVENT, keycode);
    }

    fn fake(&self, kind: u8, keycode: Keycode) {
        self.conn
            .xtest_fake_input(kind, keycode, CURRENT_TIME, NONE, 0, 0, 0)
            .expect("send FakeInput");
        self.conn.flush().expect("flush");
    }

    /// One round trip: every key sent before has been processed.
    fn sync(&self) {
        self.conn
            .get_input_focus()
            .expect("send")
            .reply()
            .expect("round trip");
    }

    fn tap(&self, keycode: Keycode) {
        self.press(keycode);
        self.release(keycode);
        self.sync();
    }

    /// Types unshifted ASCII characters, one round trip per key.
    fn type_plain(&self, text: &str) {
        for c in text.chars() {
            self.tap(self.keycode(Keysym::from(c)));
        }
    }

    /// Sends unshifted ASCII characters in one go, then one round trip.
    fn burst(&self, text: &str) {
        for c in text.chars() {
            let keycode = self.keycode(Keysym::from(c));
            self.press(keycode);
            self.release(keycode);
        }
        self.sync();
    }
}

/// Collects what the global tracing subscriber writes.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn print_percentiles(what: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let (p50, p90, p99, max) = (at(0.5), at(0.9), at(0.99), at(1.0));
    eprintln!(
        "{what:<32} n={} p50={p50:.2?} p90={p90:.2?} p99={p99:.2?} max={max:.2?}",
        samples.len()
    );
}
