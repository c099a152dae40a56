//! `X11Clipboard` against a real X server (Xvfb, no window manager) and a
//! real other program (xclip): what other programs receive when they paste,
//! what we read from theirs, INCR for large texts, ownership hand-over, and
//! the "served" signal the agent waits for before it restores the clipboard.
//!
//! Needs the Debian packages of the e2e desktop (see tests/support/desktop.rs).
//! Missing tools skip these tests loudly, or fail them when CI/GENVEJ_E2E is set.
#![cfg(target_os = "linux")]

use crate::require_desktop;
use crate::support;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use genvej_desktop::x11::clipboard::{ClipboardError, X11Clipboard};
use support::desktop::Desktop;
use support::texts::DANISH_2000;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ChangeWindowAttributesAux, ConnectionExt as _, CreateWindowAux, EventMask,
    PropMode, SelectionNotifyEvent, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

const READ_TIMEOUT: Duration = Duration::from_secs(2);
const SERVE_TIMEOUT: Duration = Duration::from_secs(5);

fn connect(desktop: &Desktop) -> X11Clipboard {
    X11Clipboard::connect(Some(desktop.display())).expect("X11Clipboard connects")
}

// ---------------------------------------------------------------------------

#[test]
fn clipboard_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<X11Clipboard>();
}

#[test]
fn connect_failure_names_the_display() {
    match X11Clipboard::connect(Some(":4711")) {
        Ok(_) => panic!("connected to a display that does not exist"),
        Err(error) => {
            eprintln!("connect error: {error}");
            assert!(
                error
                    .to_string()
                    .contains("cannot connect to X display \":4711\""),
                "{error}"
            );
        }
    }
}

#[test]
fn xclip_receives_exact_unicode_text_and_we_see_it_served() {
    let desktop = require_desktop!(without_window_manager);
    let clipboard = connect(&desktop);
    assert_eq!(DANISH_2000.chars().count(), 2000);

    let mut write_times = Vec::new();
    let mut served_times = Vec::new();
    for round in 0..10 {
        // DANISH_2000 starts with an ASCII letter: still 2,000 characters.
        let text = format!("{round}{}", &DANISH_2000[1..]);
        let start = Instant::now();
        clipboard.write_text(&text).expect("write_text");
        write_times.push(start.elapsed());
        let got = std::thread::scope(|scope| {
            let reader = scope.spawn(|| desktop.read_selection("clipboard", None));
            assert!(
                clipboard
                    .wait_until_served(SERVE_TIMEOUT)
                    .expect("wait_until_served"),
                "round {round}: not served"
            );
            served_times.push(start.elapsed());
            reader.join().expect("xclip reader thread")
        });
        let got = got.unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(
            got == text.as_bytes(),
            "round {round}: xclip got different text ({} bytes, expected {})",
            got.len(),
            text.len()
        );
    }
    eprintln!(
        "2,000 chars: write_text median {:.2} ms (max {:.2}); write -> served by a fresh xclip -o median {:.1} ms (max {:.1})",
        ms(median(&write_times)),
        ms(max(&write_times)),
        ms(median(&served_times)),
        ms(max(&served_times)),
    );
}

#[test]
fn not_served_when_nobody_reads_and_asking_for_targets_alone_does_not_count() {
    let desktop = require_desktop!(without_window_manager);
    let clipboard = connect(&desktop);
    clipboard
        .write_text("æøå ✓ only Latin-1? no")
        .expect("write_text");

    let start = Instant::now();
    assert!(!served_within(&clipboard, Duration::from_millis(300)));
    assert!(start.elapsed() >= Duration::from_millis(300));

    let targets = targets(&desktop);
    for expected in [
        "TARGETS",
        "UTF8_STRING",
        "TEXT",
        "text/plain;charset=utf-8",
        "MULTIPLE",
        "TIMESTAMP",
    ] {
        assert!(
            targets.lines().any(|l| l == expected),
            "{expected} missing from {targets:?}"
        );
    }
    // ✓ is not Latin-1, so STRING is not offered.
    assert!(!targets.lines().any(|l| l == "STRING"), "{targets:?}");
    assert!(!served_within(&clipboard, Duration::from_millis(200)));
}

#[test]
fn a_paste_is_marked_secret_for_clipboard_managers_and_fetching_the_mark_is_not_the_paste() {
    const HINT: &str = "x-kde-passwordManagerHint";
    let desktop = require_desktop!(without_window_manager);
    let clipboard = connect(&desktop);
    clipboard
        .write_for_paste("Borger: Karen Testesen")
        .expect("write_for_paste");

    // A clipboard manager asks what the new content is, sees the hint, and
    // reads it: `secret`, so it keeps no copy.
    let offered = targets(&desktop);
    assert!(offered.lines().any(|l| l == HINT), "{offered:?}");
    assert!(offered.lines().any(|l| l == "UTF8_STRING"), "{offered:?}");
    assert_eq!(read(&desktop, "clipboard", Some(HINT)), b"secret");
    assert!(
        !served_within(&clipboard, Duration::from_millis(200)),
        "reading the hint is not fetching the paste"
    );
    assert_eq!(
        read(&desktop, "clipboard", None),
        "Borger: Karen Testesen".as_bytes()
    );
    assert!(served_within(&clipboard, SERVE_TIMEOUT));

    // The caseworker's own clipboard, put back after the paste, is not marked.
    clipboard.write_text("egen tekst").expect("write_text");
    let offered = targets(&desktop);
    assert!(!offered.lines().any(|l| l == HINT), "{offered:?}");
    assert!(desktop.read_selection("clipboard", Some(HINT)).is_err());
}

#[test]
fn string_target_gets_latin1_when_representable_and_is_refused_otherwise() {
    let desktop = require_desktop!(without_window_manager);
    let clipboard = connect(&desktop);
    clipboard.write_text("Ærø § ½ æøå").expect("write_text");
    let targets = targets(&desktop);
    assert!(targets.lines().any(|l| l == "STRING"), "{targets:?}");
    let latin1 = read(&desktop, "clipboard", Some("STRING"));
    assert_eq!(latin1, b"\xc6r\xf8 \xa7 \xbd \xe6\xf8\xe5");
    let text_target = read(&desktop, "clipboard", Some("TEXT"));
    assert_eq!(text_target, latin1);
    let mime = read(&desktop, "clipboard", Some("text/plain;charset=utf-8"));
    assert_eq!(mime, "Ærø § ½ æøå".as_bytes());
    assert!(served_within(&clipboard, SERVE_TIMEOUT));

    clipboard.write_text("emoji 🙂").expect("write_text");
    assert!(
        desktop.read_selection("clipboard", Some("STRING")).is_err(),
        "STRING must be refused"
    );
    assert_eq!(
        read(&desktop, "clipboard", Some("TEXT")),
        "emoji 🙂".as_bytes()
    );
}

#[test]
fn reads_text_owned_by_another_program() {
    let mut desktop = require_desktop!(without_window_manager);
    let selections = Selections::new(&desktop);
    let clipboard = connect(&desktop);
    assert_eq!(read_text(&clipboard), None, "nobody owns CLIPBOARD yet");

    xclip_takes(&mut desktop, &selections, "clipboard", DANISH_2000);
    let mut times = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        let got = read_text(&clipboard);
        times.push(start.elapsed());
        assert_eq!(got.as_deref(), Some(DANISH_2000));
    }
    eprintln!(
        "read_text of 2,000 chars from xclip: median {:.2} ms, max {:.2} ms",
        ms(median(&times)),
        ms(max(&times))
    );

    clipboard.write_text(DANISH_2000).expect("write_text");
    let start = Instant::now();
    let own = read_text(&clipboard);
    eprintln!(
        "read_text of our own text (from memory): {:.3} ms",
        ms(start.elapsed())
    );
    assert_eq!(own.as_deref(), Some(DANISH_2000));
}

#[test]
fn large_text_goes_both_ways_with_incr() {
    let mut desktop = require_desktop!(without_window_manager);
    let selections = Selections::new(&desktop);
    let clipboard = connect(&desktop);
    let text = text_of_bytes(300 * 1024);
    eprintln!("large text: {} bytes", text.len());
    assert!(text.len() > 256 * 1024);

    // Ours -> xclip (we send INCR: above our 256 KiB single-request cap).
    let start = Instant::now();
    clipboard.write_text(&text).expect("write_text");
    let got = read(&desktop, "clipboard", None);
    assert!(
        got == text.as_bytes(),
        "xclip got {} bytes, expected {}",
        got.len(),
        text.len()
    );
    assert!(served_within(&clipboard, SERVE_TIMEOUT));
    eprintln!(
        "300 KB write -> xclip read -> served: {:.1} ms",
        ms(start.elapsed())
    );

    // Ours -> another X11Clipboard (INCR on both sides).
    let other = connect(&desktop);
    let start = Instant::now();
    let got = read_text(&other);
    eprintln!(
        "300 KB read_text from our own other instance (INCR): {:.1} ms",
        ms(start.elapsed())
    );
    assert!(got.as_deref() == Some(text.as_str()));

    // xclip -> ours (xclip owns the same text now, so we must not answer
    // from memory: xclip_takes waits until the owner really changed).
    xclip_takes(&mut desktop, &selections, "clipboard", &text);
    let start = Instant::now();
    let got = read_text(&clipboard);
    eprintln!("300 KB read_text from xclip: {:.1} ms", ms(start.elapsed()));
    assert!(got.as_deref() == Some(text.as_str()));
}

#[test]
fn reads_multi_megabyte_text_from_xclip() {
    // xclip switches to INCR only above ~1 MB (BIG-REQUESTS), so use 3 MB.
    let mut desktop = require_desktop!(without_window_manager);
    let selections = Selections::new(&desktop);
    let clipboard = connect(&desktop);
    let text = text_of_bytes(3 * 1024 * 1024);
    xclip_takes(&mut desktop, &selections, "clipboard", &text);
    let start = Instant::now();
    let got = read_text(&clipboard);
    eprintln!(
        "{} bytes read_text from xclip: {:.1} ms",
        text.len(),
        ms(start.elapsed())
    );
    assert!(got.as_deref() == Some(text.as_str()));
}

#[test]
fn reads_primary_without_touching_clipboard() {
    let mut desktop = require_desktop!(without_window_manager);
    let selections = Selections::new(&desktop);
    let clipboard = connect(&desktop);
    assert_eq!(
        clipboard.read_primary(READ_TIMEOUT).expect("read_primary"),
        None
    );

    clipboard
        .write_text("on the clipboard")
        .expect("write_text");
    xclip_takes(
        &mut desktop,
        &selections,
        "primary",
        "markeret tekst æøå 🙂",
    );
    let start = Instant::now();
    let selected = clipboard.read_primary(READ_TIMEOUT).expect("read_primary");
    eprintln!("read_primary: {:.2} ms", ms(start.elapsed()));
    assert_eq!(selected.as_deref(), Some("markeret tekst æøå 🙂"));

    assert_eq!(read(&desktop, "clipboard", None), b"on the clipboard");
    assert_eq!(read_text(&clipboard).as_deref(), Some("on the clipboard"));
}

#[test]
fn forgets_our_text_when_another_program_takes_the_clipboard() {
    let mut desktop = require_desktop!(without_window_manager);
    let selections = Selections::new(&desktop);
    let clipboard = connect(&desktop);
    clipboard.write_text("ours").expect("write_text");
    xclip_takes(&mut desktop, &selections, "clipboard", "theirs");

    wait_until("read_text to return xclip's text", SERVE_TIMEOUT, || {
        read_text(&clipboard).as_deref() == Some("theirs")
    });
    // Not served and no longer ours: returns false without waiting out the timeout.
    let start = Instant::now();
    assert!(!served_within(&clipboard, SERVE_TIMEOUT));
    assert!(start.elapsed() < Duration::from_secs(1));

    // And we can take it back.
    clipboard.write_text("ours again").expect("write_text");
    assert_eq!(read(&desktop, "clipboard", None), b"ours again");
}

#[test]
fn consecutive_writes_serve_the_latest_and_reset_served() {
    let desktop = require_desktop!(without_window_manager);
    let clipboard = connect(&desktop);
    clipboard.write_text("first").expect("write_text");
    assert_eq!(read(&desktop, "clipboard", None), b"first");
    assert!(served_within(&clipboard, SERVE_TIMEOUT));

    clipboard.write_text("second").expect("write_text");
    assert!(
        !served_within(&clipboard, Duration::from_millis(100)),
        "served must reset"
    );
    clipboard.write_text("third ✓").expect("write_text");
    assert_eq!(read(&desktop, "clipboard", None), "third ✓".as_bytes());
    assert!(served_within(&clipboard, SERVE_TIMEOUT));
}

#[test]
fn clear_gives_up_our_clipboard_but_never_another_programs() {
    let mut desktop = require_desktop!(without_window_manager);
    let selections = Selections::new(&desktop);
    let clipboard = connect(&desktop);
    clipboard.write_text("temporary").expect("write_text");
    assert_ne!(selections.owner("clipboard"), 0);
    clipboard.clear().expect("clear");
    assert_eq!(
        selections.owner("clipboard"),
        0,
        "clear() returns after the server processed it"
    );
    assert_eq!(read_text(&clipboard), None);
    assert!(!served_within(&clipboard, Duration::from_millis(50)));
    assert!(desktop.read_selection("clipboard", None).is_err());

    // clear() must not wipe another program's clipboard.
    xclip_takes(&mut desktop, &selections, "clipboard", "the user's");
    clipboard.clear().expect("clear");
    assert_eq!(read_text(&clipboard).as_deref(), Some("the user's"));
}

#[test]
fn drop_releases_ownership() {
    let desktop = require_desktop!(without_window_manager);
    let selections = Selections::new(&desktop);
    let clipboard = connect(&desktop);
    clipboard.write_text("bye").expect("write_text");
    let start = Instant::now();
    drop(clipboard);
    eprintln!("drop: {:.2} ms", ms(start.elapsed()));
    selections.wait_owner("clipboard", |owner| owner == 0);
}

#[test]
fn multiple_target_converts_each_pair_and_refuses_unknown_targets() {
    let desktop = require_desktop!(without_window_manager);
    let clipboard = connect(&desktop);
    clipboard.write_text("multi ✓").expect("write_text");

    let selections = Selections::new(&desktop);
    let conn = &selections.conn;
    let window = selections.create_window();
    let [
        clip,
        multiple,
        pair,
        utf8,
        targets,
        png,
        p_text,
        p_targets,
        p_png,
        request,
    ] = [
        "CLIPBOARD",
        "MULTIPLE",
        "ATOM_PAIR",
        "UTF8_STRING",
        "TARGETS",
        "image/png",
        "P_TEXT",
        "P_TARGETS",
        "P_PNG",
        "P_REQUEST",
    ]
    .map(|name| selections.atom(name));
    conn.change_property32(
        PropMode::REPLACE,
        window,
        request,
        pair,
        &[utf8, p_text, targets, p_targets, png, p_png],
    )
    .expect("send ChangeProperty");
    conn.convert_selection(window, clip, multiple, request, x11rb::CURRENT_TIME)
        .expect("send ConvertSelection");
    conn.flush().expect("flush");
    let notify = selections.wait_selection_notify();
    assert_eq!(notify.property, request);

    let property = |prop| {
        conn.get_property(true, window, prop, AtomEnum::ANY, 0, 1 << 20)
            .expect("send GetProperty")
            .reply()
            .expect("GetProperty")
            .value
    };
    assert_eq!(property(p_text), "multi ✓".as_bytes());
    assert!(!property(p_targets).is_empty());
    let answered = conn
        .get_property(false, window, request, pair, 0, 64)
        .expect("send GetProperty")
        .reply()
        .expect("GetProperty");
    let answered: Vec<u32> = answered
        .value32()
        .expect("ATOM_PAIR in format 32")
        .collect();
    assert_eq!(
        answered,
        [utf8, p_text, targets, p_targets, 0, p_png],
        "png must be refused"
    );
    assert!(served_within(&clipboard, SERVE_TIMEOUT));
}

#[test]
fn unresponsive_owner_times_out_with_a_clear_error() {
    let desktop = require_desktop!(without_window_manager);
    let selections = Selections::new(&desktop);
    let conn = &selections.conn;
    // A client that owns CLIPBOARD and never answers a request for it.
    let window = selections.create_window();
    let clip = selections.atom("CLIPBOARD");
    conn.set_selection_owner(window, clip, x11rb::CURRENT_TIME)
        .expect("send SetSelectionOwner");
    conn.change_window_attributes(
        window,
        &ChangeWindowAttributesAux::new().event_mask(EventMask::NO_EVENT),
    )
    .expect("send ChangeWindowAttributes");
    conn.flush().expect("flush");
    selections.wait_owner("clipboard", |o| o == window);

    let clipboard = connect(&desktop);
    let start = Instant::now();
    let error = match clipboard.read_text(Duration::from_millis(200)) {
        Err(error) => error,
        Ok(text) => panic!("expected a timeout, got {:?}", text.map(|t| t.len())),
    };
    assert!(start.elapsed() >= Duration::from_millis(200));
    assert!(matches!(error, ClipboardError::Timeout { .. }), "{error:?}");
    eprintln!("timeout error: {error}");
    assert!(
        error
            .to_string()
            .contains("timeout reading the CLIPBOARD selection"),
        "{error}"
    );
}

#[test]
fn first_write_after_connect_is_pasteable() {
    // The race arboard showed: the first paste right after start delivered nothing.
    let desktop = require_desktop!(without_window_manager);
    for round in 0..10 {
        let clipboard = connect(&desktop);
        let text = format!("runde {round} æøå 🙂");
        clipboard.write_text(&text).expect("write_text");
        assert_eq!(
            read(&desktop, "clipboard", None),
            text.as_bytes(),
            "round {round}"
        );
        assert!(served_within(&clipboard, SERVE_TIMEOUT));
    }
}

#[test]
fn retaking_the_clipboard_right_after_losing_it() {
    let mut desktop = require_desktop!(without_window_manager);
    let selections = Selections::new(&desktop);
    let clipboard = connect(&desktop);
    for round in 0..10 {
        let xclip = xclip_takes(&mut desktop, &selections, "clipboard", "theirs");
        let ours = format!("ours {round}");
        clipboard.write_text(&ours).expect("write_text");
        assert_eq!(
            read(&desktop, "clipboard", None),
            ours.as_bytes(),
            "round {round}"
        );
        assert_eq!(read_text(&clipboard).as_deref(), Some(ours.as_str()));
        desktop.stop(xclip);
    }
}

#[test]
fn a_resident_requestor_gets_the_whole_text_every_time_and_we_see_it_served() {
    // What a running application sees: no process start, just the protocol.
    let desktop = require_desktop!(without_window_manager);
    let clipboard = connect(&desktop);
    let selections = Selections::new(&desktop);
    let conn = &selections.conn;
    let window = selections.create_window();
    let (clip, utf8, prop) = (
        selections.atom("CLIPBOARD"),
        selections.atom("UTF8_STRING"),
        selections.atom("PASTE"),
    );
    let mut served = Vec::new();
    let mut delivered = Vec::new();
    for _ in 0..50 {
        clipboard.write_text(DANISH_2000).expect("write_text");
        let start = Instant::now();
        conn.convert_selection(window, clip, utf8, prop, x11rb::CURRENT_TIME)
            .expect("send ConvertSelection");
        conn.flush().expect("flush");
        assert!(served_within(&clipboard, SERVE_TIMEOUT));
        served.push(start.elapsed());
        let notify = selections.wait_selection_notify();
        let value = conn
            .get_property(true, window, notify.property, AtomEnum::ANY, 0, 1 << 20)
            .expect("send GetProperty")
            .reply()
            .expect("GetProperty")
            .value;
        delivered.push(start.elapsed());
        assert!(
            value == DANISH_2000.as_bytes(),
            "got {} bytes, expected {}",
            value.len(),
            DANISH_2000.len()
        );
    }
    eprintln!(
        "resident requestor, 2,000 chars: request -> served median {:.3} ms (max {:.3}); request -> text in hand median {:.3} ms",
        ms(median(&served)),
        ms(max(&served)),
        ms(median(&delivered)),
    );
}

// ---------------------------------------------------------------------------
// Helpers

/// `read_text` that must not fail.
fn read_text(clipboard: &X11Clipboard) -> Option<String> {
    clipboard.read_text(READ_TIMEOUT).expect("read_text")
}

/// `wait_until_served` that must not fail.
fn served_within(clipboard: &X11Clipboard, timeout: Duration) -> bool {
    clipboard
        .wait_until_served(timeout)
        .expect("wait_until_served")
}

/// What another program gets for `target` of `selection` (must succeed).
fn read(desktop: &Desktop, selection: &str, target: Option<&str>) -> Vec<u8> {
    desktop
        .read_selection(selection, target)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The CLIPBOARD's TARGETS as xclip lists them, one per line.
fn targets(desktop: &Desktop) -> String {
    String::from_utf8(read(desktop, "clipboard", Some("TARGETS"))).expect("TARGETS is UTF-8")
}

/// [`DANISH_2000`] repeated to just over `bytes` bytes of UTF-8.
fn text_of_bytes(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 4);
    for c in DANISH_2000.chars().cycle() {
        if text.len() >= bytes {
            break;
        }
        text.push(c);
    }
    text
}

/// Starts an `xclip` (tracked by the desktop) that owns `selection` with
/// `text`, and waits until the server reports a new owner (not merely until
/// the text reads back: we may own the very same text). Returns xclip's pid.
fn xclip_takes(desktop: &mut Desktop, selections: &Selections, selection: &str, text: &str) -> u32 {
    static FILES: AtomicUsize = AtomicUsize::new(0);
    let file: PathBuf = desktop.dir().join(format!(
        "xclip-{selection}-{}.txt",
        FILES.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
    let before = selections.owner(selection);
    let mut cmd = desktop.command("xclip");
    // -quiet keeps xclip in the foreground (tracked, killed with the desktop).
    cmd.args(["-quiet", "-i", "-selection", selection])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let pid = desktop.spawn(cmd);
    selections.wait_owner(selection, |owner| owner != 0 && owner != before);
    pid
}

/// A plain x11rb connection of its own, for selection owners and requests.
struct Selections {
    conn: RustConnection,
}

impl Selections {
    fn new(desktop: &Desktop) -> Selections {
        Selections {
            conn: desktop.x11_connection(),
        }
    }

    fn atom(&self, name: &str) -> Atom {
        self.conn
            .intern_atom(false, name.as_bytes())
            .expect("send InternAtom")
            .reply()
            .expect("InternAtom")
            .atom
    }

    /// Owner window of `selection` (`"clipboard"`, `"primary"`), 0 if none.
    fn owner(&self, selection: &str) -> Window {
        let atom = self.atom(&selection.to_uppercase());
        self.conn
            .get_selection_owner(atom)
            .expect("send GetSelectionOwner")
            .reply()
            .expect("GetSelectionOwner")
            .owner
    }

    /// Polls until `pred(owner)` holds; returns that owner.
    fn wait_owner(&self, selection: &str, pred: impl Fn(Window) -> bool) -> Window {
        let mut owner = 0;
        wait_until(
            &format!("the {selection} owner to change"),
            SERVE_TIMEOUT,
            || {
                owner = self.owner(selection);
                pred(owner)
            },
        );
        owner
    }

    /// An unmapped 1x1 input-only window to request selections with.
    fn create_window(&self) -> Window {
        let conn = &self.conn;
        let root = conn.setup().roots.first().expect("a screen").root;
        let window = conn.generate_id().expect("window id");
        conn.create_window(
            0,
            window,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &CreateWindowAux::new(),
        )
        .expect("send CreateWindow")
        .check()
        .expect("CreateWindow");
        window
    }

    /// The next SelectionNotify on this connection (other events skipped).
    fn wait_selection_notify(&self) -> SelectionNotifyEvent {
        let mut notify = None;
        wait_until("a SelectionNotify", SERVE_TIMEOUT, || {
            while let Some(event) = self.conn.poll_for_event().expect("X connection") {
                if let Event::SelectionNotify(n) = event {
                    notify = Some(n);
                    return true;
                }
            }
            false
        });
        notify.expect("found by wait_until")
    }
}

/// Polls `condition` every 2 ms; panics naming `what` after `limit`.
fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn max(samples: &[Duration]) -> Duration {
    samples.iter().copied().max().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
