//! Global hot keys on X11, event-driven.
//!
//! Why not the `global-hotkey` crate: its X11 backend wakes every 50 ms to
//! poll the connection, so a hot key fires ~50 ms late on average (measured
//! median 49 ms). Here a dedicated thread blocks in `wait_for_event` on its
//! own x11rb connection and runs the moment the server delivers the key.
//!
//! How it works:
//! * Every chord is a passive `XGrabKey` on the root window. A passive grab
//!   matches the modifier state *exactly*, and CapsLock, NumLock and
//!   ScrollLock are modifiers too, so each chord is grabbed once for every
//!   combination of the lock modifiers — otherwise it would stop working
//!   whenever NumLock is on. Which Mod bit carries NumLock (and Alt, Super,
//!   ScrollLock) is read from the server's modifier mapping.
//! * `owner_events = false` with `GrabModeAsync`: the key goes to genvej
//!   alone; the focused program never sees it.
//! * Each grab is a checked request. `BadAccess` means another X client
//!   already holds that key combination; the chord is reported (and its
//!   partial grabs released) while the other chords keep working.
//! * A held hot key fires once: XKB "detectable auto-repeat" turns the
//!   server's Release+Press repeat pairs into repeated Presses, which are
//!   ignored while the key is down. Servers without XKB still send the
//!   pairs; those are recognised by their identical timestamps.
//! * Stopping: the thread cannot be interrupted while it waits on the
//!   socket, so `Drop` sends a ClientMessage to a private, never-mapped
//!   window; the thread sees it, returns, and is joined.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use x11rb::connection::Connection;
use x11rb::cookie::VoidCookie;
use x11rb::errors::{ConnectError, ConnectionError, ReplyError, ReplyOrIdError};
use x11rb::protocol::xkb::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{
    Atom, ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, GrabMode,
    KeyPressEvent, Keycode, ModMask, Window, WindowClass,
};
use x11rb::protocol::{ErrorKind, Event};
use x11rb::rust_connection::RustConnection;

use super::keymap::{self, Keymap, keysym};
use crate::listener::{Report, Reporter};
use genvej_format::chord::{Chord, Key, Modifiers};

pub use crate::listener::HotkeyEvent;

/// Why one chord could not be registered. The other chords are unaffected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrabError {
    #[error("{chord} is already taken by another program")]
    Taken { chord: Chord },
    #[error("{chord} cannot be used: no key on this keyboard layout produces {key}")]
    NoSuchKey { chord: Chord, key: Key },
    #[error("the X server refused to register {chord} ({reason})")]
    Refused { chord: Chord, reason: String },
}

/// Why the listener as a whole failed.
#[derive(Debug, thiserror::Error)]
pub enum GrabListenerError {
    #[error("cannot connect to the X display {display}: {source}")]
    Connect {
        display: String,
        #[source]
        source: ConnectError,
    },
    #[error("the X display has no screen number {0}")]
    NoScreen(usize),
    #[error("lost the connection to the X server: {0}")]
    Connection(#[from] ConnectionError),
    #[error("the X server failed a request of the hot-key listener: {0}")]
    Request(#[from] ReplyError),
    #[error("could not create the hot-key listener's window: {0}")]
    Window(#[from] ReplyOrIdError),
    #[error("could not start the hot-key thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// Listens for global hot keys on its own X connection and thread.
/// Dropping it releases the keys and stops the thread.
pub struct HotkeyListener {
    conn: Arc<RustConnection>,
    root: Window,
    wake: WakeTarget,
    grabs: Arc<Mutex<GrabTable>>,
    thread: Option<JoinHandle<()>>,
}

impl HotkeyListener {
    /// Grabs every chord on the root window (XGrabKey, GrabModeAsync) for
    /// each combination of the lock modifiers, so chords fire regardless of
    /// NumLock/CapsLock/ScrollLock, and starts the listening thread. The keys
    /// are swallowed: the focused program does not see them. Presses and
    /// releases go to `report`, on the listener's thread.
    ///
    /// Chords that could not be registered (already taken by another program,
    /// or not on the keyboard) come back in the list; the rest work.
    pub fn start(
        display: Option<&str>,
        chords: &[Chord],
        report: impl Report<HotkeyEvent>,
    ) -> Result<(HotkeyListener, Vec<(Chord, GrabError)>), GrabListenerError> {
        let (conn, screen) =
            RustConnection::connect(display).map_err(|source| GrabListenerError::Connect {
                display: display_name(display),
                source,
            })?;
        let root = conn
            .setup()
            .roots
            .get(screen)
            .ok_or(GrabListenerError::NoScreen(screen))?
            .root;
        if !enable_detectable_auto_repeat(&conn) {
            tracing::debug!("XKB detectable auto-repeat unavailable; using timestamp check");
        }
        let wake = WakeTarget::create(&conn, root)?;
        let conn = Arc::new(conn);
        let grabs = Arc::new(Mutex::new(GrabTable::default()));
        let thread = spawn_event_thread(Arc::clone(&conn), wake, Arc::clone(&grabs), report)
            .map_err(GrabListenerError::Thread)?;
        let mut listener = HotkeyListener {
            conn,
            root,
            wake,
            grabs,
            thread: Some(thread),
        };
        let conflicts = listener.replace(chords)?;
        Ok((listener, conflicts))
    }

    /// Re-registers a new set of chords (for hot reload): releases the old
    /// ones, grabs the new ones and returns those that could not be grabbed.
    /// The keyboard layout is read again, so a layout change is picked up.
    pub fn replace(
        &mut self,
        chords: &[Chord],
    ) -> Result<Vec<(Chord, GrabError)>, GrabListenerError> {
        let conn = &*self.conn;
        let keymap = Keymap::fetch(conn)?;
        let bits = ModifierBits::from_keymap(&keymap);
        let old = lock(&self.grabs).clone();
        ungrab_table(conn, self.root, &old)?;
        let (chords_by_key, conflicts) = grab_chords(conn, self.root, &keymap, &bits, chords)?;
        conn.flush()?;
        *lock(&self.grabs) = GrabTable {
            chords: chords_by_key,
            relevant: bits.relevant(),
            lock_variants: bits.lock_variants(),
            next_key: None,
            ungrab_on_release: None,
        };
        Ok(conflicts)
    }

    /// The chords currently grabbed, sorted.
    pub fn chords(&self) -> Vec<Chord> {
        let mut chords: Vec<Chord> = lock(&self.grabs).chords.values().copied().collect();
        chords.sort_unstable();
        chords.dedup();
        chords
    }

    /// False once the listening thread has ended, e.g. because the X server
    /// went away. Hot keys no longer fire then.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Releases all grabs and waits until the server has processed that, so
    /// another program can take the keys as soon as this returns.
    fn release_all(&self) -> Result<(), ReplyError> {
        let table = std::mem::take(&mut *lock(&self.grabs));
        ungrab_table(&self.conn, self.root, &table)?;
        self.conn.get_input_focus()?.reply()?; // round trip = sync
        Ok(())
    }
}

impl Drop for HotkeyListener {
    fn drop(&mut self) {
        if let Err(error) = self.release_all() {
            tracing::warn!(%error, "could not release the hot keys");
        }
        if let Err(error) = self.wake.send(&self.conn) {
            tracing::warn!(%error, "could not wake the hot-key thread");
        }
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the hot-key thread panicked");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Modifier bits and grabs

/// Which modifier bits mean what on this server.
#[derive(Debug, Clone, Copy)]
struct ModifierBits {
    alt: u16,
    super_key: u16,
    num_lock: u16,
    scroll_lock: u16,
}

impl ModifierBits {
    fn from_keymap(keymap: &Keymap) -> ModifierBits {
        let bit_of = |keysyms: &[u32], fallback: ModMask| {
            lowest_bit(keymap.modifier_mask_of(keysyms)).unwrap_or(u16::from(fallback))
        };
        ModifierBits {
            alt: bit_of(
                &[keysym::ALT_L, keysym::ALT_R, keysym::META_L, keysym::META_R],
                ModMask::M1,
            ),
            super_key: bit_of(&[keysym::SUPER_L, keysym::SUPER_R], ModMask::M4),
            num_lock: keymap.modifier_mask_of(&[keysym::NUM_LOCK]),
            scroll_lock: keymap.modifier_mask_of(&[keysym::SCROLL_LOCK]),
        }
    }

    /// The modifier mask a chord is grabbed with (before lock variants).
    fn mask_of(&self, modifiers: Modifiers) -> u16 {
        [
            (modifiers.shift, u16::from(ModMask::SHIFT)),
            (modifiers.ctrl, u16::from(ModMask::CONTROL)),
            (modifiers.alt, self.alt),
            (modifiers.super_key, self.super_key),
        ]
        .into_iter()
        .filter(|&(on, _)| on)
        .fold(0, |mask, (_, bit)| mask | bit)
    }

    /// The bits that distinguish chords; everything else in an event's state
    /// (locks, AltGr, mouse buttons) is ignored when matching.
    fn relevant(&self) -> u16 {
        u16::from(ModMask::SHIFT) | u16::from(ModMask::CONTROL) | self.alt | self.super_key
    }

    /// Every combination of the lock modifiers that are mapped (CapsLock is
    /// always the Lock bit; NumLock and ScrollLock only if on a Mod bit that
    /// no chord modifier uses). Always starts with 0.
    fn lock_variants(&self) -> Vec<u16> {
        let locks: Vec<u16> = [u16::from(ModMask::LOCK), self.num_lock, self.scroll_lock]
            .into_iter()
            .filter(|&bit| bit != 0 && bit & self.relevant() == 0)
            .collect();
        let mut variants = vec![0u16];
        for lock in locks {
            let with_lock: Vec<u16> = variants.iter().map(|v| v | lock).collect();
            variants.extend(with_lock);
        }
        variants.sort_unstable();
        variants.dedup();
        variants
    }
}

fn lowest_bit(mask: u16) -> Option<u16> {
    (mask != 0).then(|| mask & mask.wrapping_neg())
}

/// (keycode, modifier mask without locks) → chord.
type GrabMap = HashMap<(Keycode, u16), Chord>;

/// The grabs in force, shared with the event thread.
#[derive(Debug, Clone, Default)]
struct GrabTable {
    chords: GrabMap,
    /// See [`ModifierBits::relevant`].
    relevant: u16,
    /// The lock combinations every entry was grabbed with (to ungrab them).
    lock_variants: Vec<u16>,
    /// Set while a sequence waits for its next key (the keyboard is grabbed).
    next_key: Option<next_key::NextKey>,
    /// The sequence's next key came and is still down: the keyboard is let
    /// go when it comes up, so its release does not reach the window and a
    /// run started by it types only after it (see `keyboard_grab`).
    ungrab_on_release: Option<Keycode>,
}

impl GrabTable {
    fn chord_for(&self, keycode: Keycode, state: u16) -> Option<Chord> {
        self.chords.get(&(keycode, state & self.relevant)).copied()
    }
}

fn lock(grabs: &Mutex<GrabTable>) -> MutexGuard<'_, GrabTable> {
    // The table is always left consistent, so a panic elsewhere does not taint it.
    grabs.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A chord whose grab requests are on their way to the server.
struct PendingGrab<'c> {
    chord: Chord,
    keycodes: Vec<Keycode>,
    mask: u16,
    cookies: Vec<VoidCookie<'c, RustConnection>>,
}

/// Grabs all chords (requests pipelined, then checked one by one) and returns
/// the successful ones as a table plus the failures.
fn grab_chords(
    conn: &RustConnection,
    root: Window,
    keymap: &Keymap,
    bits: &ModifierBits,
    chords: &[Chord],
) -> Result<(GrabMap, Vec<(Chord, GrabError)>), ConnectionError> {
    let variants = bits.lock_variants();
    let mut failures = Vec::new();
    let mut pending = Vec::new();
    let mut seen = HashSet::new();
    for &chord in chords.iter().filter(|&&c| seen.insert(c)) {
        let keycodes = keymap::keysym_of(chord.key)
            .map(|sym| keymap.keycodes_for(sym))
            .unwrap_or_default();
        if keycodes.is_empty() {
            let error = GrabError::NoSuchKey {
                chord,
                key: chord.key,
            };
            failures.push((chord, error));
            continue;
        }
        let mask = bits.mask_of(chord.modifiers);
        let cookies = keycodes
            .iter()
            .flat_map(|&code| variants.iter().map(move |&locks| (code, mask | locks)))
            .map(|(code, mods)| {
                conn.grab_key(
                    false,
                    root,
                    ModMask::from(mods),
                    code,
                    GrabMode::ASYNC,
                    GrabMode::ASYNC,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        pending.push(PendingGrab {
            chord,
            keycodes,
            mask,
            cookies,
        });
    }

    let mut table = HashMap::new();
    for grab in pending {
        match first_grab_error(grab.chord, grab.cookies)? {
            None => {
                for code in grab.keycodes {
                    table.insert((code, grab.mask), grab.chord);
                }
            }
            Some(error) => {
                // Release the variants we did get, so the chord is not half-ours.
                for code in grab.keycodes {
                    ungrab(conn, root, code, grab.mask, &variants)?;
                }
                failures.push((grab.chord, error));
            }
        }
    }
    // Report in the caller's order, whatever the reason.
    failures.sort_by_key(|(chord, _)| chords.iter().position(|c| c == chord));
    Ok((table, failures))
}

/// Waits for every grab request of one chord and returns the first failure.
fn first_grab_error(
    chord: Chord,
    cookies: Vec<VoidCookie<'_, RustConnection>>,
) -> Result<Option<GrabError>, ConnectionError> {
    let mut first = None;
    for cookie in cookies {
        match cookie.check() {
            Ok(()) => {}
            Err(ReplyError::ConnectionError(error)) => return Err(error),
            Err(ReplyError::X11Error(error)) => {
                first.get_or_insert(match error.error_kind {
                    ErrorKind::Access => GrabError::Taken { chord },
                    kind => GrabError::Refused {
                        chord,
                        reason: format!("{kind:?} error"),
                    },
                });
            }
        }
    }
    Ok(first)
}

fn ungrab_table(
    conn: &RustConnection,
    root: Window,
    table: &GrabTable,
) -> Result<(), ConnectionError> {
    for &(code, mask) in table.chords.keys() {
        ungrab(conn, root, code, mask, &table.lock_variants)?;
    }
    Ok(())
}

/// UngrabKey only ever releases this client's own grabs, so it is harmless
/// on combinations another program holds.
fn ungrab(
    conn: &RustConnection,
    root: Window,
    keycode: Keycode,
    mask: u16,
    variants: &[u16],
) -> Result<(), ConnectionError> {
    for &locks in variants {
        conn.ungrab_key(keycode, root, ModMask::from(mask | locks))?;
    }
    Ok(())
}

/// Asks XKB to report a held key as repeated Presses without the fake
/// Releases in between. Returns whether the server agreed.
fn enable_detectable_auto_repeat(conn: &RustConnection) -> bool {
    match try_detectable_auto_repeat(conn) {
        Ok(enabled) => enabled,
        Err(error) => {
            tracing::debug!(%error, "XKB is not available");
            false
        }
    }
}

fn try_detectable_auto_repeat(conn: &RustConnection) -> Result<bool, ReplyError> {
    if !conn.xkb_use_extension(1, 0)?.reply()?.supported {
        return Ok(false);
    }
    let flag = xkb::PerClientFlag::DETECTABLE_AUTO_REPEAT;
    let none = xkb::BoolCtrl::from(0u32);
    let reply = conn
        .xkb_per_client_flags(xkb::ID::USE_CORE_KBD.into(), flag, flag, none, none, none)?
        .reply()?;
    Ok(reply.value.contains(flag))
}

fn display_name(display: Option<&str>) -> String {
    display
        .map(str::to_owned)
        .or_else(|| std::env::var("DISPLAY").ok())
        .unwrap_or_else(|| "(DISPLAY is not set)".to_owned())
}

// ---------------------------------------------------------------------------
// The event thread

/// A private, never-mapped window; a ClientMessage sent to it stops the thread.
#[derive(Debug, Clone, Copy)]
struct WakeTarget {
    window: Window,
    atom: Atom,
}

impl WakeTarget {
    fn create(conn: &RustConnection, root: Window) -> Result<WakeTarget, ReplyOrIdError> {
        let window = conn.generate_id()?;
        conn.create_window(
            0, // InputOnly windows have depth 0
            window,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0, // CopyFromParent visual
            &CreateWindowAux::new(),
        )?;
        let atom = conn
            .intern_atom(false, b"_GENVEJ_HOTKEYS_STOP")?
            .reply()?
            .atom;
        Ok(WakeTarget { window, atom })
    }

    /// With an empty event mask, SendEvent goes to the window's creator: us.
    fn send(&self, conn: &RustConnection) -> Result<(), ConnectionError> {
        let message = ClientMessageEvent::new(32, self.window, self.atom, [0u32; 5]);
        conn.send_event(false, self.window, EventMask::NO_EVENT, message)?;
        conn.flush()
    }

    fn is_stop(&self, message: &ClientMessageEvent) -> bool {
        message.window == self.window && message.type_ == self.atom
    }
}

fn spawn_event_thread(
    conn: Arc<RustConnection>,
    wake: WakeTarget,
    grabs: Arc<Mutex<GrabTable>>,
    report: impl Report<HotkeyEvent>,
) -> std::io::Result<JoinHandle<()>> {
    let reporter = Reporter::new(report);
    thread::Builder::new()
        .name("genvej-hotkeys".to_owned())
        .spawn(move || {
            let mut dispatcher = Dispatcher {
                grabs,
                reporter,
                held: HashMap::new(),
            };
            if let Err(error) = event_loop(&conn, wake, &mut dispatcher) {
                tracing::error!(%error, "hot keys stopped: lost the X connection");
            }
        })
}

/// Blocks on the X connection; returns when told to stop.
fn event_loop(
    conn: &RustConnection,
    wake: WakeTarget,
    dispatcher: &mut Dispatcher,
) -> Result<(), ConnectionError> {
    let mut peeked: Option<Event> = None;
    loop {
        let event = match peeked.take() {
            Some(event) => event,
            None => conn.wait_for_event()?,
        };
        let at = Instant::now();
        match event {
            Event::KeyPress(press) => {
                if dispatcher.ends_sequence_on_release(press.detail) {
                    continue; // the sequence's next key, repeating
                }
                if dispatcher
                    .next_key(press.detail, u16::from(press.state))
                    .is_none()
                {
                    dispatcher.press(press.detail, u16::from(press.state), at);
                }
            }
            Event::KeyRelease(release) => {
                // Without XKB detectable auto-repeat a held key arrives as
                // Release+Press pairs that share one timestamp.
                peeked = conn.poll_for_event()?;
                if let Some(Event::KeyPress(next)) = &peeked {
                    if is_auto_repeat(&release, next) {
                        peeked = None;
                        continue;
                    }
                }
                if dispatcher.ends_sequence_on_release(release.detail) {
                    lock(&dispatcher.grabs).ungrab_on_release = None;
                    next_key::release_keyboard(conn)?;
                }
                dispatcher.release(release.detail);
            }
            Event::ClientMessage(message) if wake.is_stop(&message) => return Ok(()),
            Event::Error(error) => tracing::warn!(?error, "X error on the hot-key connection"),
            _ => {}
        }
    }
}

fn is_auto_repeat(release: &KeyPressEvent, next_press: &KeyPressEvent) -> bool {
    next_press.detail == release.detail && next_press.time == release.time
}

/// Turns key events into hot-key events: one Pressed per physical press.
struct Dispatcher {
    grabs: Arc<Mutex<GrabTable>>,
    reporter: Reporter<HotkeyEvent>,
    /// Hot-key keys that are down now, by keycode.
    held: HashMap<Keycode, Chord>,
}

impl Dispatcher {
    fn press(&mut self, keycode: Keycode, state: u16, at: Instant) {
        if self.held.contains_key(&keycode) {
            return; // auto-repeat of a held hot key
        }
        let Some(chord) = lock(&self.grabs).chord_for(keycode, state) else {
            return; // another key pressed while our grab was active
        };
        self.held.insert(keycode, chord);
        // Recorded before the run it starts can look.
        super::keyboard_grab::hot_key_down(keycode);
        self.reporter.send(HotkeyEvent::Pressed {
            chord,
            at,
            window: None,
        });
    }

    fn release(&mut self, keycode: Keycode) {
        if let Some(chord) = self.held.remove(&keycode) {
            super::keyboard_grab::hot_key_up(keycode);
            self.reporter.send(HotkeyEvent::Released { chord });
        }
    }
}

mod next_key;
#[cfg(test)]
mod tests;
