//! The hot-key listener and the physical keyboard state against a real X
//! server (Xvfb; openbox only where window focus matters), with keys pressed
//! by xdotool or injected with XTest, and other X clients that grab keys or
//! own the focused window.
//!
//! Needs the Debian packages of the e2e desktop (see tests/support/desktop.rs).
//! Missing tools skip these tests loudly, or fail them when CI/GENVEJ_E2E is set.
#![cfg(target_os = "linux")]

use crate::require_desktop;
use crate::support;

use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use genvej_desktop::x11::hotkeys::{GrabError, GrabListenerError, HotkeyEvent, HotkeyListener};
use genvej_desktop::x11::keyboard_state::{modifiers_held, wait_modifiers_released};
use genvej_format::chord::{Chord, Key};
use support::desktop::Desktop;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ConnectionExt as _, CreateWindowAux, EventMask, GrabMode, InputFocus, KEY_PRESS_EVENT,
    KEY_RELEASE_EVENT, Keycode, ModMask, WindowClass,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;
use x11rb::{CURRENT_TIME, NONE};

const XK_A_LOWER: u32 = 0x61;
const XK_B: u32 = 0x62;
const XK_C: u32 = 0x63;
const XK_X: u32 = 0x78;
const XK_Y: u32 = 0x79;
const XK_CONTROL_L: u32 = 0xffe3;
const XK_ALT_L: u32 = 0xffe9;
const CTRL_ALT: u16 = 0x04 | 0x08;
/// CapsLock's modifier bit.
const LOCK: u16 = 0x02;
/// NumLock's modifier bit in Xvfb's default mapping.
const MOD2: u16 = 0x10;
const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------
// Hot keys

#[test]
fn chord_fires_once_per_press_and_reports_release() {
    let desktop = require_desktop!(without_window_manager);
    let (listener, events) = start(
        &desktop,
        &["Ctrl+Alt+B", "F9", "Ctrl+Shift+7", "PrintScreen"],
    );
    assert!(listener.is_running());
    desktop.key("ctrl+alt+b");
    expect_tap(&events, "Ctrl+Alt+B");
    desktop.key("F9 ctrl+shift+7 Print");
    expect_tap(&events, "F9");
    expect_tap(&events, "Ctrl+Shift+7");
    expect_tap(&events, "PrintScreen");
    // Modifiers must match exactly: Ctrl+B and Ctrl+Alt+Shift+B are other chords.
    desktop.key("ctrl+b ctrl+alt+shift+b ctrl+alt+b");
    expect_tap(&events, "Ctrl+Alt+B");
    assert!(events.try_recv().is_err());
}

#[test]
fn chord_fires_with_numlock_and_capslock_on() {
    let desktop = require_desktop!(without_window_manager);
    let observer = desktop.x11_connection();
    let (_listener, events) = start(&desktop, &["Ctrl+Alt+B"]);

    desktop.key("Num_Lock");
    wait_until("NumLock on", EVENT_TIMEOUT, || {
        modifier_state(&observer) & MOD2 != 0
    });
    desktop.key("ctrl+alt+b");
    expect_tap(&events, "Ctrl+Alt+B");

    desktop.key("Caps_Lock");
    wait_until("CapsLock on", EVENT_TIMEOUT, || {
        modifier_state(&observer) & LOCK != 0
    });
    desktop.key("ctrl+alt+b");
    expect_tap(&events, "Ctrl+Alt+B");

    desktop.key("Num_Lock");
    wait_until("NumLock off", EVENT_TIMEOUT, || {
        modifier_state(&observer) & MOD2 == 0
    });
    desktop.key("ctrl+alt+b");
    expect_tap(&events, "Ctrl+Alt+B");
}

#[test]
fn hot_key_never_reaches_the_focused_window() {
    let desktop = require_desktop!();
    let window = FocusedWindow::open(&desktop);
    let (_listener, events) = start(&desktop, &["Ctrl+Alt+B"]);
    let (b, x) = (
        keycode_of(&window.conn, XK_B),
        keycode_of(&window.conn, XK_X),
    );

    desktop.key("ctrl+alt+b ctrl+alt+x");
    expect_tap(&events, "Ctrl+Alt+B");
    let seen = window.presses_until(x);
    assert!(
        !seen.contains(&b),
        "the focused window saw the hot key: {seen:?}"
    );
    assert!(
        seen.len() >= 3,
        "expected Ctrl, Alt and X at least: {seen:?}"
    );
}

#[test]
fn taken_chord_is_reported_and_the_others_still_fire() {
    let desktop = require_desktop!(without_window_manager);
    let other = desktop.x11_connection();
    let c = keycode_of(&other, XK_C);
    grab_on_root(&other, c, CTRL_ALT).expect("the other program grabs Ctrl+Alt+C");

    let (sender, events) = mpsc::channel();
    let chords = [chord("Ctrl+Alt+B"), chord("Ctrl+Alt+C"), chord("F13")];
    let (listener, conflicts) = HotkeyListener::start(Some(desktop.display()), &chords, move |e| {
        sender.send(e).is_ok()
    })
    .expect("listener starts");
    assert_eq!(
        conflicts,
        vec![
            (
                chord("Ctrl+Alt+C"),
                GrabError::Taken {
                    chord: chord("Ctrl+Alt+C")
                }
            ),
            // Xvfb's default layout has no F13 key.
            (
                chord("F13"),
                GrabError::NoSuchKey {
                    chord: chord("F13"),
                    key: Key::Function(13)
                }
            ),
        ]
    );
    assert_eq!(
        conflicts[0].1.to_string(),
        "Ctrl+Alt+C is already taken by another program"
    );
    assert_eq!(
        conflicts[1].1.to_string(),
        "F13 cannot be used: no key on this keyboard layout produces F13"
    );
    assert_eq!(listener.chords(), vec![chord("Ctrl+Alt+B")]);

    desktop.key("ctrl+alt+c ctrl+alt+b");
    expect_tap(&events, "Ctrl+Alt+B");

    // A second genvej (another connection) is refused the chord the first holds,
    // and its partial lock-variant grabs are released again.
    let (sender2, events2) = mpsc::channel();
    let (second, conflicts2) =
        HotkeyListener::start(Some(desktop.display()), &[chord("Ctrl+Alt+B")], move |e| {
            sender2.send(e).is_ok()
        })
        .expect("second listener starts");
    assert_eq!(conflicts2.len(), 1);
    assert!(second.chords().is_empty());
    desktop.key("ctrl+alt+b");
    expect_tap(&events, "Ctrl+Alt+B");
    assert!(events2.try_recv().is_err());
}

#[test]
fn held_hot_key_fires_once() {
    let desktop = require_desktop!(without_window_manager);
    let window = FocusedWindow::open(&desktop);
    let (x, y) = (
        keycode_of(&window.conn, XK_X),
        keycode_of(&window.conn, XK_Y),
    );
    let (_listener, events) = start(&desktop, &["Ctrl+Alt+B", "Ctrl+Alt+C"]);

    // Sanity: the server really auto-repeats a key held this long.
    let hold = Duration::from_millis(1200);
    desktop.key_down("x");
    std::thread::sleep(hold);
    desktop.key_up("x");
    desktop.key("y");
    let repeats = window.presses_until(y).iter().filter(|&&k| k == x).count();
    assert!(
        repeats > 3,
        "expected auto-repeat of a held key, saw {repeats} presses"
    );

    desktop.key_down("ctrl+alt+b");
    std::thread::sleep(hold);
    desktop.key_up("ctrl+alt+b");
    desktop.key("ctrl+alt+c");
    expect_tap(&events, "Ctrl+Alt+B");
    expect_tap(&events, "Ctrl+Alt+C");
}

#[test]
fn every_press_of_a_chord_whose_modifiers_stay_held_fires_once() {
    // Keys injected with XTest on another connection, as a real keyboard
    // reaches the server. Prints the latency; benches/desktop.rs measures
    // hot key → first typed key, so nothing here is timed.
    const PRESSES: usize = 300;
    let desktop = require_desktop!(without_window_manager);
    let (_listener, events) = start(&desktop, &["Ctrl+Alt+B"]);
    let expected = chord("Ctrl+Alt+B");

    let injector = desktop.x11_connection();
    let ctrl = keycode_of(&injector, XK_CONTROL_L);
    let alt = keycode_of(&injector, XK_ALT_L);
    let b = keycode_of(&injector, XK_B);

    // Reference: one request/reply round trip to the server.
    let mut round_trips = Vec::new();
    for _ in 0..PRESSES {
        let start = Instant::now();
        sync(&injector);
        round_trips.push(start.elapsed());
    }

    fake_key(&injector, KEY_PRESS_EVENT, ctrl);
    fake_key(&injector, KEY_PRESS_EVENT, alt);
    sync(&injector);
    let (mut read, mut handled) = (Vec::new(), Vec::new());
    for press in 0..PRESSES {
        let start = Instant::now();
        fake_key(&injector, KEY_PRESS_EVENT, b);
        let event = next(&events);
        let handler = Instant::now();
        match event {
            HotkeyEvent::Pressed { chord: got, at, .. } => {
                assert_eq!(got, expected, "press {press}");
                read.push(at - start);
                handled.push(handler - start);
            }
            other => panic!("press {press}: expected a press, got {other:?}"),
        }
        fake_key(&injector, KEY_RELEASE_EVENT, b);
        assert_eq!(
            next(&events),
            HotkeyEvent::Released { chord: expected },
            "press {press}"
        );
    }
    fake_key(&injector, KEY_RELEASE_EVENT, alt);
    fake_key(&injector, KEY_RELEASE_EVENT, ctrl);
    sync(&injector);
    assert_eq!(read.len(), PRESSES);
    assert!(events.try_recv().is_err(), "no extra events");

    print_percentiles("X round trip (reference)", round_trips);
    print_percentiles("FakeInput → event read (`at`)", read);
    print_percentiles("FakeInput → handler (channel recv)", handled);
}

#[test]
fn thirty_eight_chords_register_replace_and_release_without_conflicts() {
    let desktop = require_desktop!(without_window_manager);
    let (sender, _events) = mpsc::channel();
    let chords: Vec<Chord> = ('A'..='Z')
        .map(|c| chord(&format!("Ctrl+Alt+{c}")))
        .chain((1..=12).map(|n| chord(&format!("Super+F{n}"))))
        .collect();
    assert_eq!(chords.len(), 38);
    let start = Instant::now();
    let (mut listener, conflicts) =
        HotkeyListener::start(Some(desktop.display()), &chords, move |e| {
            sender.send(e).is_ok()
        })
        .expect("listener starts");
    let started = start.elapsed();
    assert_eq!(conflicts, vec![]);
    assert_eq!(listener.chords().len(), chords.len());
    let start = Instant::now();
    assert_eq!(listener.replace(&chords).expect("replace"), vec![]);
    let replaced = start.elapsed();
    let start = Instant::now();
    drop(listener);
    let dropped = start.elapsed();
    eprintln!(
        "{} chords: start {started:.2?}, replace {replaced:.2?}, drop {dropped:.2?}",
        chords.len()
    );
    // All released: another program can take every one of them now.
    let other = desktop.x11_connection();
    for (letter, keysym) in ('A'..='Z').zip(XK_A_LOWER..) {
        grab_on_root(&other, keycode_of(&other, keysym), CTRL_ALT)
            .unwrap_or_else(|e| panic!("Ctrl+Alt+{letter} still grabbed after drop: {e}"));
    }
}

#[test]
fn replace_swaps_the_chords() {
    let desktop = require_desktop!(without_window_manager);
    let (mut listener, events) = start(&desktop, &["Ctrl+Alt+B"]);
    let conflicts = listener
        .replace(&[chord("Ctrl+Alt+C"), chord("Super+F5")])
        .expect("replace");
    assert_eq!(conflicts, vec![]);
    assert_eq!(
        listener.chords(),
        vec![chord("Super+F5"), chord("Ctrl+Alt+C")]
    ); // sorted

    desktop.key("ctrl+alt+b ctrl+alt+c super+F5");
    expect_tap(&events, "Ctrl+Alt+C");
    expect_tap(&events, "Super+F5");

    // The released chord is free for others now.
    let other = desktop.x11_connection();
    let b = keycode_of(&other, XK_B);
    grab_on_root(&other, b, CTRL_ALT).expect("Ctrl+Alt+B was released by replace");

    // Replacing with an overlapping set keeps working, and a now-taken chord is reported.
    let conflicts = listener
        .replace(&[chord("Ctrl+Alt+B"), chord("Ctrl+Alt+C")])
        .expect("replace");
    assert_eq!(
        conflicts,
        vec![(
            chord("Ctrl+Alt+B"),
            GrabError::Taken {
                chord: chord("Ctrl+Alt+B")
            }
        )]
    );
    desktop.key("ctrl+alt+c");
    expect_tap(&events, "Ctrl+Alt+C");
}

#[test]
fn drop_releases_the_keys_and_stops_the_thread() {
    let desktop = require_desktop!(without_window_manager);
    let other = desktop.x11_connection();
    let b = keycode_of(&other, XK_B);
    let (listener, events) = start(&desktop, &["Ctrl+Alt+B"]);
    assert!(
        grab_on_root(&other, b, CTRL_ALT).is_err(),
        "held by the listener"
    );
    assert!(
        grab_on_root(&other, b, CTRL_ALT | MOD2).is_err(),
        "NumLock variant held too"
    );

    drop(listener);
    grab_on_root(&other, b, CTRL_ALT).expect("free after drop");
    grab_on_root(&other, b, CTRL_ALT | LOCK | MOD2).expect("all variants free");
    // The thread has ended and dropped its sender.
    assert_eq!(
        events.recv_timeout(Duration::from_secs(1)),
        Err(RecvTimeoutError::Disconnected)
    );
}

#[test]
fn bad_display_is_a_clear_error() {
    let (sender, _events) = mpsc::channel();
    let error = HotkeyListener::start(Some(":4711"), &[chord("Ctrl+Alt+B")], move |e| {
        sender.send(e).is_ok()
    })
    .err()
    .expect("no such display");
    assert!(matches!(error, GrabListenerError::Connect { .. }));
    assert!(
        error
            .to_string()
            .starts_with("cannot connect to the X display :4711: "),
        "{error}"
    );
}

#[test]
fn listener_notices_when_the_server_goes_away() {
    let desktop = require_desktop!(without_window_manager);
    let (listener, events) = start(&desktop, &["Ctrl+Alt+B"]);
    drop(desktop); // stops Xvfb
    assert_eq!(
        events.recv_timeout(EVENT_TIMEOUT),
        Err(RecvTimeoutError::Disconnected)
    );
    wait_until("the thread to end", EVENT_TIMEOUT, || {
        !listener.is_running()
    });
    drop(listener); // must not hang or panic
}

// ---------------------------------------------------------------------------
// Physical modifier state (keyboard_state)

#[test]
fn modifiers_held_follows_the_physical_keys() {
    let desktop = require_desktop!(without_window_manager);
    let conn = desktop.x11_connection();
    assert!(!held(&conn));

    for key in [
        "ctrl",
        "alt",
        "shift",
        "super",
        "ISO_Level3_Shift",
        "Control_R",
    ] {
        desktop.key_down(key);
        wait_until(&format!("{key} held"), EVENT_TIMEOUT, || held(&conn));
        desktop.key_up(key);
        wait_until(&format!("{key} released"), EVENT_TIMEOUT, || !held(&conn));
    }
}

#[test]
fn locks_and_ordinary_keys_are_not_modifiers() {
    let desktop = require_desktop!(without_window_manager);
    let conn = desktop.x11_connection();
    // NumLock/CapsLock switched on, and the Num_Lock key itself held down.
    desktop.key("Num_Lock Caps_Lock");
    desktop.key_down("Num_Lock");
    desktop.key_down("b");
    assert!(!held(&conn));
    // A positive control on the same connection, so the order is certain.
    desktop.key_down("ctrl");
    wait_until("ctrl held", EVENT_TIMEOUT, || held(&conn));
    desktop.key_up("ctrl b Num_Lock");
}

#[test]
fn wait_returns_when_released_and_times_out_when_held() {
    let desktop = require_desktop!(without_window_manager);
    let conn = desktop.x11_connection();
    assert!(wait_modifiers_released(&conn, Duration::from_millis(50)).expect("query"));

    desktop.key_down("ctrl+alt");
    wait_until("ctrl+alt held", EVENT_TIMEOUT, || held(&conn));
    let start = Instant::now();
    assert!(!wait_modifiers_released(&conn, Duration::from_millis(100)).expect("query"));
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(100) && waited < Duration::from_millis(400),
        "{waited:?}"
    );

    let waited = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(200));
            desktop.key_up("alt ctrl");
        });
        let start = Instant::now();
        assert!(wait_modifiers_released(&conn, EVENT_TIMEOUT).expect("query"));
        start.elapsed()
    });
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
}

// ---------------------------------------------------------------------------
// Helpers

fn chord(text: &str) -> Chord {
    Chord::parse(text).unwrap_or_else(|e| panic!("{text:?} is not a chord: {e}"))
}

/// Starts a listener for `chords` on the desktop; none may conflict.
fn start(desktop: &Desktop, chords: &[&str]) -> (HotkeyListener, Receiver<HotkeyEvent>) {
    let (sender, receiver) = mpsc::channel();
    let chords: Vec<Chord> = chords.iter().map(|c| chord(c)).collect();
    let (listener, conflicts) = HotkeyListener::start(Some(desktop.display()), &chords, move |e| {
        sender.send(e).is_ok()
    })
    .expect("listener starts");
    assert_eq!(conflicts, vec![], "no conflicts expected");
    (listener, receiver)
}

fn next(receiver: &Receiver<HotkeyEvent>) -> HotkeyEvent {
    receiver
        .recv_timeout(EVENT_TIMEOUT)
        .expect("a hot-key event within 5 s")
}

fn expect_pressed(receiver: &Receiver<HotkeyEvent>, expected: &str) {
    match next(receiver) {
        HotkeyEvent::Pressed { chord: got, .. } => assert_eq!(got, chord(expected)),
        other => panic!("expected {expected} pressed, got {other:?}"),
    }
}

fn expect_released(receiver: &Receiver<HotkeyEvent>, expected: &str) {
    assert_eq!(
        next(receiver),
        HotkeyEvent::Released {
            chord: chord(expected)
        }
    );
}

fn expect_tap(receiver: &Receiver<HotkeyEvent>, expected: &str) {
    expect_pressed(receiver, expected);
    expect_released(receiver, expected);
}

fn held(conn: &RustConnection) -> bool {
    modifiers_held(conn).expect("query the keyboard state")
}

/// A window of another X client, mapped and focused, listening for keys.
struct FocusedWindow {
    conn: RustConnection,
}

impl FocusedWindow {
    fn open(desktop: &Desktop) -> FocusedWindow {
        let conn = desktop.x11_connection();
        let screen = &conn.setup().roots[0];
        let window = conn.generate_id().expect("window id");
        let mask = EventMask::KEY_PRESS
            | EventMask::KEY_RELEASE
            | EventMask::FOCUS_CHANGE
            | EventMask::STRUCTURE_NOTIFY;
        conn.create_window(
            screen.root_depth,
            window,
            screen.root,
            10,
            10,
            300,
            200,
            0,
            WindowClass::INPUT_OUTPUT,
            screen.root_visual,
            &CreateWindowAux::new()
                .event_mask(mask)
                .background_pixel(screen.white_pixel),
        )
        .expect("create window");
        conn.map_window(window).expect("map");
        conn.flush().expect("flush");
        wait_for_event(
            &conn,
            "MapNotify",
            |e| matches!(e, Event::MapNotify(m) if m.window == window),
        );
        conn.set_input_focus(InputFocus::PARENT, window, CURRENT_TIME)
            .expect("focus");
        conn.flush().expect("flush");
        wait_until("focus on the test window", EVENT_TIMEOUT, || {
            conn.get_input_focus()
                .expect("send")
                .reply()
                .expect("focus")
                .focus
                == window
        });
        FocusedWindow { conn }
    }

    /// Key-press keycodes received until (and including) `last`.
    fn presses_until(&self, last: Keycode) -> Vec<Keycode> {
        let mut presses = Vec::new();
        wait_for_event(&self.conn, "the sentinel key", |event| {
            if let Event::KeyPress(press) = event {
                presses.push(press.detail);
                return press.detail == last;
            }
            false
        });
        presses
    }
}

/// Reads events until one satisfies `done` (non-blocking reads, 10 s limit).
fn wait_for_event(conn: &RustConnection, what: &str, mut done: impl FnMut(&Event) -> bool) {
    let mut found = false;
    wait_until(what, Duration::from_secs(10), || {
        while let Some(event) = conn.poll_for_event().expect("X connection") {
            if done(&event) {
                found = true;
                break;
            }
        }
        found
    });
}

/// Re-checks a condition every few milliseconds until it holds (panics after `limit`).
fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The keycode producing `keysym` in column 0 of the server's mapping.
fn keycode_of(conn: &RustConnection, keysym: u32) -> Keycode {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let map = conn
        .get_keyboard_mapping(min, max - min + 1)
        .expect("send")
        .reply()
        .expect("mapping");
    let per = usize::from(map.keysyms_per_keycode);
    let index = map
        .keysyms
        .chunks(per)
        .position(|syms| syms.first() == Some(&keysym))
        .unwrap_or_else(|| panic!("keysym {keysym:#x} is not mapped"));
    min + u8::try_from(index).expect("keycode fits")
}

/// The current modifier/lock state of the core keyboard (via QueryPointer).
fn modifier_state(conn: &RustConnection) -> u16 {
    let root = conn.setup().roots[0].root;
    u16::from(
        conn.query_pointer(root)
            .expect("send")
            .reply()
            .expect("pointer")
            .mask,
    )
}

/// Another program grabbing `keycode` with exactly `mods` on the root window.
fn grab_on_root(
    conn: &RustConnection,
    keycode: Keycode,
    mods: u16,
) -> Result<(), x11rb::errors::ReplyError> {
    let root = conn.setup().roots[0].root;
    conn.grab_key(
        false,
        root,
        ModMask::from(mods),
        keycode,
        GrabMode::ASYNC,
        GrabMode::ASYNC,
    )?
    .check()
}

/// A key event injected with XTest, as a physical keyboard would send it.
fn fake_key(conn: &RustConnection, kind: u8, keycode: Keycode) {
    conn.xtest_fake_input(kind, keycode, CURRENT_TIME, NONE, 0, 0, 0)
        .expect("send FakeInput");
    conn.flush().expect("flush");
}

/// One request/reply round trip: everything sent before is processed.
fn sync(conn: &RustConnection) {
    conn.get_input_focus()
        .expect("send")
        .reply()
        .expect("round trip");
}

fn print_percentiles(what: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let (p50, p99, max) = (at(0.5), at(0.99), at(1.0));
    eprintln!(
        "{what:<36} n={} p50={p50:.2?} p99={p99:.2?} max={max:.2?}",
        samples.len()
    );
}
