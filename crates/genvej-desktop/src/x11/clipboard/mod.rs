//! X11 CLIPBOARD and PRIMARY selections, owned and served by genvej itself.
//!
//! # Why not arboard
//!
//! The agent pastes by putting text on CLIPBOARD, sending Ctrl+V and then
//! restoring whatever the user had there before. That is only safe if we can
//! *confirm* that the paste target actually fetched our text before we restore:
//! a probe with arboard once saw the first paste after start deliver nothing
//! (the paste key arrived before ownership was settled). We also need to read
//! PRIMARY ("grab the selected text") without touching CLIPBOARD. Both need
//! direct access to the selection protocol, so this module speaks it with
//! x11rb (pure Rust, no Xlib/xcb C libraries).
//!
//! # Design
//!
//! * [`X11Clipboard`] owns a private x11rb connection and a hidden InputOnly
//!   window that is never mapped. The window owns CLIPBOARD, receives the
//!   selections we read, and is where we obtain server timestamps.
//! * One background thread is the only reader of X events. It
//!   - answers `SelectionRequest`s while we own CLIPBOARD (TARGETS, TIMESTAMP,
//!     MULTIPLE, UTF8_STRING, `text/plain;charset=utf-8`, TEXT, and STRING
//!     when the text is representable in Latin-1), switching to the INCR
//!     protocol for texts above [`MAX_DIRECT_BYTES`] or the server's request
//!     size limit, whichever is smaller;
//!   - forgets our text on `SelectionClear`, so later reads go to the new owner;
//!   - forwards `SelectionNotify` and new-value `PropertyNotify` events for our
//!     own window through a channel to the calling thread, which waits on it
//!     with a timeout in [`X11Clipboard::read_text`],
//!     [`X11Clipboard::read_primary`] and [`X11Clipboard::write_text`].
//! * Calling-side operations are serialised by one mutex, because they share
//!   that channel and one property on our window.
//! * "Served" tracking: every `write_text` starts a new generation. A text
//!   target answered for the current generation (for INCR: once the final
//!   chunk is written) counts as served; TARGETS, TIMESTAMP and refusals do
//!   not. [`X11Clipboard::wait_until_served`] blocks on a condition variable.
//! * The ownership race: `write_text` stores the text *before* asking for
//!   ownership (so an immediate request is answered), acquires ownership with
//!   a real server timestamp (ICCCM), and confirms with `GetSelectionOwner`
//!   before it returns. A stale `SelectionClear` (generated before our newest
//!   `SetSelectionOwner` was processed) is recognised by its sequence number
//!   and ignored.
//!
//! # Privacy
//!
//! Clipboard text can hold CPR numbers. Nothing here logs text content; logs
//! carry byte counts and X error codes only. Text put there for a paste
//! ([`X11Clipboard::write_for_paste`]) is also offered as the target
//! `x-kde-passwordManagerHint` with the value `secret`, which tells clipboard
//! managers (Klipper, and others that honour it) not to keep it in their
//! history, as Windows' history is told for the same paste.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use x11rb::connection::{Connection, RequestConnection, SequenceNumber};
use x11rb::errors::{ConnectError, ConnectionError, ReplyError, ReplyOrIdError};
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ChangeWindowAttributesAux, ClientMessageEvent, ConnectionExt as _,
    CreateWindowAux, EventMask, PropMode, Property, PropertyNotifyEvent, SELECTION_NOTIFY_EVENT,
    SelectionClearEvent, SelectionNotifyEvent, SelectionRequestEvent, Timestamp, Window,
    WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::{COPY_DEPTH_FROM_PARENT, COPY_FROM_PARENT, CURRENT_TIME, NONE};

/// Largest text written to a requestor in one ChangeProperty; larger texts go
/// by INCR. GTK uses the same cap: it keeps every request small, so a large
/// paste never monopolises the connection.
const MAX_DIRECT_BYTES: usize = 256 * 1024;
/// Size of each INCR chunk we send.
const INCR_CHUNK_BYTES: usize = 64 * 1024;
/// Room for the ChangeProperty header (with BIG-REQUESTS length) in a request.
const CHANGE_PROPERTY_OVERHEAD: usize = 32;
/// An INCR transfer whose requestor stops asking for chunks is dropped after this.
const INCR_STALL_LIMIT: Duration = Duration::from_secs(10);
/// Limit for our own round trips through the event thread (server timestamps).
const ROUND_TRIP_TIMEOUT: Duration = Duration::from_secs(2);
/// 32-bit words fetched per GetProperty when reading a selection (4 MiB).
const GET_PROPERTY_WORDS: u32 = 1 << 20;

x11rb::atom_manager! {
    Atoms: AtomsCookie {
        CLIPBOARD,
        TARGETS,
        TIMESTAMP,
        MULTIPLE,
        ATOM_PAIR,
        INCR,
        UTF8_STRING,
        TEXT,
        COMPOUND_TEXT,
        TEXT_PLAIN_UTF8: b"text/plain;charset=utf-8",
        PASSWORD_MANAGER_HINT: b"x-kde-passwordManagerHint",
        GENVEJ_SELECTION,
        GENVEJ_TIMESTAMP,
        GENVEJ_STOP,
    }
}

/// Everything that can go wrong talking to the X server about selections.
#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    #[error("cannot connect to X display {display}: {source}")]
    Connect {
        display: String,
        #[source]
        source: ConnectError,
    },
    #[error("lost the connection to the X server: {0}")]
    Connection(#[from] ConnectionError),
    #[error("the X server refused a clipboard request: {0}")]
    Request(#[from] ReplyError),
    #[error("cannot create the hidden clipboard window: {0}")]
    CreateWindow(#[from] ReplyOrIdError),
    #[error("cannot start the clipboard thread: {0}")]
    SpawnThread(#[source] std::io::Error),
    #[error(
        "timeout reading the {selection} selection: its owner did not answer within {waited:?}"
    )]
    Timeout {
        selection: &'static str,
        waited: Duration,
    },
    #[error("the X server did not report its time within {0:?}")]
    ServerTimeTimeout(Duration),
    #[error("could not take ownership of CLIPBOARD: another client owns it")]
    NotOwner,
    #[error("the clipboard's X event thread has stopped: {0}")]
    EventThreadStopped(String),
}

/// Text on the CLIPBOARD selection, owned through our own X connection.
pub struct X11Clipboard {
    shared: Arc<Shared>,
    /// Events for our own window; holding this lock serialises operations.
    reader: Mutex<Receiver<ReaderEvent>>,
    thread: Option<JoinHandle<()>>,
}

impl X11Clipboard {
    /// Connects to `display` (or `$DISPLAY`), creates the hidden window and
    /// starts the thread that serves selection requests.
    pub fn connect(display: Option<&str>) -> Result<Self, ClipboardError> {
        let connect_error = |source| ClipboardError::Connect {
            display: display_label(display),
            source,
        };
        let (conn, screen) = x11rb::connect(display).map_err(connect_error)?;
        let root = conn
            .setup()
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or_else(|| connect_error(ConnectError::InvalidScreen))?;
        let atoms = Atoms::new(&conn)?.reply()?;
        let window = create_hidden_window(&conn, root)?;
        let max_direct = conn
            .maximum_request_bytes()
            .saturating_sub(CHANGE_PROPERTY_OVERHEAD)
            .min(MAX_DIRECT_BYTES);
        let shared = Arc::new(Shared {
            conn,
            window,
            atoms,
            max_direct,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let (to_reader, reader) = mpsc::channel();
        let event_loop = EventLoop {
            shared: Arc::clone(&shared),
            to_reader,
            transfers: HashMap::new(),
        };
        let thread = std::thread::Builder::new()
            .name("x11-clipboard".into())
            .spawn(move || event_loop.run())
            .map_err(ClipboardError::SpawnThread)?;
        Ok(Self {
            shared,
            reader: Mutex::new(reader),
            thread: Some(thread),
        })
    }

    /// Text currently on CLIPBOARD (UTF8_STRING, falling back to STRING and
    /// TEXT); `None` if nobody owns it or the owner offers no text. When we own
    /// it, the answer comes from memory. `timeout` bounds each wait for the
    /// owner; a large INCR transfer may take longer as long as it progresses.
    pub fn read_text(&self, timeout: Duration) -> Result<Option<String>, ClipboardError> {
        if let Some(text) = self.shared.own_text() {
            return Ok(Some(text.to_string()));
        }
        self.read_selection(Selection::Clipboard, timeout)
    }

    /// Text of the PRIMARY selection (what is highlighted right now), `None`
    /// if nothing is. CLIPBOARD is not touched.
    pub fn read_primary(&self, timeout: Duration) -> Result<Option<String>, ClipboardError> {
        self.read_selection(Selection::Primary, timeout)
    }

    /// Puts `text` on CLIPBOARD and returns once the X server confirms that we
    /// own it. Resets the "served" state for [`Self::wait_until_served`].
    pub fn write_text(&self, text: &str) -> Result<(), ClipboardError> {
        self.take(text, Sensitivity::Ordinary)
    }

    /// [`Self::write_text`] for a paste: the text is also marked for
    /// clipboard managers as a secret not to keep in their history
    /// (`x-kde-passwordManagerHint: secret`).
    pub fn write_for_paste(&self, text: &str) -> Result<(), ClipboardError> {
        self.take(text, Sensitivity::Secret)
    }

    fn take(&self, text: &str, sensitivity: Sensitivity) -> Result<(), ClipboardError> {
        let reader = self.lock_reader();
        drain(&reader);
        let time = self.server_time(&reader)?;
        let generation = self.shared.take_ownership(text, time, sensitivity)?;
        self.shared.confirm_ownership(generation)
    }

    /// Gives up CLIPBOARD, leaving it empty. Does nothing when another client
    /// owns it by now (its content is the user's, not ours to wipe).
    pub fn clear(&self) -> Result<(), ClipboardError> {
        let _serialised = self.lock_reader();
        let Some(time) = self.shared.forget_ownership() else {
            return Ok(());
        };
        // With our acquisition time the server ignores this if someone took
        // the selection after us.
        self.shared
            .conn
            .set_selection_owner(NONE, self.shared.atoms.CLIPBOARD, time)?;
        self.shared.conn.sync()?;
        Ok(())
    }

    /// Blocks until a client has requested *and received* our current text
    /// (a text target, not just TARGETS; for INCR the whole transfer), or until
    /// `timeout`. Returns `false` at once if we no longer own CLIPBOARD and it
    /// was not served.
    pub fn wait_until_served(&self, timeout: Duration) -> Result<bool, ClipboardError> {
        let deadline = deadline_after(timeout);
        let mut state = self.shared.lock_state();
        loop {
            if state.served > 0 {
                return Ok(true);
            }
            if let Some(reason) = &state.stopped {
                return Err(ClipboardError::EventThreadStopped(reason.clone()));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if state.owned.is_none() || left.is_zero() {
                return Ok(false);
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn lock_reader(&self) -> MutexGuard<'_, Receiver<ReaderEvent>> {
        self.reader.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read_selection(
        &self,
        selection: Selection,
        timeout: Duration,
    ) -> Result<Option<String>, ClipboardError> {
        let reader = self.lock_reader();
        drain(&reader);
        let atoms = &self.shared.atoms;
        let selection_atom = selection.atom(atoms);
        let owner = self
            .shared
            .conn
            .get_selection_owner(selection_atom)?
            .reply()?
            .owner;
        if owner == NONE {
            return Ok(None);
        }
        if owner == self.shared.window {
            // Never convert to ourselves: answer from memory (we never own PRIMARY).
            let own = self
                .shared
                .own_text()
                .filter(|_| matches!(selection, Selection::Clipboard));
            return Ok(own.map(|text| text.to_string()));
        }
        for target in [atoms.UTF8_STRING, AtomEnum::STRING.into(), atoms.TEXT] {
            let request = ConversionRequest {
                selection,
                target,
                timeout,
            };
            if let Some(data) = self.convert(&reader, request)? {
                if let Some(text) = decode_text(atoms, &data) {
                    return Ok(Some(text));
                }
            }
        }
        Ok(None)
    }

    /// Asks the owner to convert the selection into our property and reads
    /// the result (following INCR). `None` if the owner refused.
    fn convert(
        &self,
        reader: &Receiver<ReaderEvent>,
        request: ConversionRequest,
    ) -> Result<Option<PropertyData>, ClipboardError> {
        let s = &self.shared;
        let selection = request.selection.atom(&s.atoms);
        let property = s.atoms.GENVEJ_SELECTION;
        s.conn.delete_property(s.window, property)?;
        s.conn
            .convert_selection(s.window, selection, request.target, property, CURRENT_TIME)?;
        s.conn.flush()?;
        let answer = self.wait_for(
            reader,
            deadline_after(request.timeout),
            |event| match *event {
                ReaderEvent::SelectionNotify {
                    selection: sel,
                    target,
                    property,
                } if sel == selection && target == request.target => Some(property),
                _ => None,
            },
        )?;
        let Some(answer) = answer else {
            return Err(request.timeout_error());
        };
        if answer == NONE {
            return Ok(None);
        }
        let data = s.take_property(answer)?;
        if data.ty == s.atoms.INCR {
            tracing::debug!(
                selection = request.selection.name(),
                "receiving an INCR transfer"
            );
            return self.receive_incr(reader, &request).map(Some);
        }
        Ok(Some(data))
    }

    /// Collects INCR chunks until the owner writes the zero-length end marker.
    fn receive_incr(
        &self,
        reader: &Receiver<ReaderEvent>,
        request: &ConversionRequest,
    ) -> Result<PropertyData, ClipboardError> {
        let property = self.shared.atoms.GENVEJ_SELECTION;
        let mut data = PropertyData::default();
        loop {
            let new_value = self.wait_for(reader, deadline_after(request.timeout), |event| {
                matches!(*event, ReaderEvent::PropertyNewValue { atom, .. } if atom == property)
                    .then_some(())
            })?;
            if new_value.is_none() {
                return Err(request.timeout_error());
            }
            let chunk = self.shared.take_property(property)?;
            if chunk.ty == NONE {
                continue; // a stale notification: that chunk was already read
            }
            data.ty = chunk.ty;
            data.format = chunk.format;
            if chunk.bytes.is_empty() {
                tracing::debug!(bytes = data.bytes.len(), "INCR transfer received");
                return Ok(data);
            }
            data.bytes.extend_from_slice(&chunk.bytes);
        }
    }

    /// A server timestamp, from a zero-length append to our own window (ICCCM §2.1).
    fn server_time(&self, reader: &Receiver<ReaderEvent>) -> Result<Timestamp, ClipboardError> {
        let s = &self.shared;
        let property = s.atoms.GENVEJ_TIMESTAMP;
        s.conn
            .change_property8(PropMode::APPEND, s.window, property, AtomEnum::STRING, &[])?;
        s.conn.flush()?;
        let time = self.wait_for(
            reader,
            deadline_after(ROUND_TRIP_TIMEOUT),
            |event| match *event {
                ReaderEvent::PropertyNewValue { atom, time } if atom == property => Some(time),
                _ => None,
            },
        )?;
        time.ok_or(ClipboardError::ServerTimeTimeout(ROUND_TRIP_TIMEOUT))
    }

    /// Waits for the first event that `pick` accepts, discarding the others.
    /// `Ok(None)` on timeout.
    fn wait_for<T>(
        &self,
        reader: &Receiver<ReaderEvent>,
        deadline: Instant,
        pick: impl Fn(&ReaderEvent) -> Option<T>,
    ) -> Result<Option<T>, ClipboardError> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match reader.recv_timeout(left) {
                Ok(event) => {
                    if let Some(value) = pick(&event) {
                        return Ok(Some(value));
                    }
                }
                Err(RecvTimeoutError::Timeout) => return Ok(None),
                Err(RecvTimeoutError::Disconnected) => return Err(self.shared.stopped_error()),
            }
        }
    }

    fn shutdown(&self) -> Result<(), ConnectionError> {
        let s = &self.shared;
        if let Some(time) = s.forget_ownership() {
            s.conn.set_selection_owner(NONE, s.atoms.CLIPBOARD, time)?;
        }
        let stop = ClientMessageEvent::new(32, s.window, s.atoms.GENVEJ_STOP, [0_u32; 5]);
        s.conn
            .send_event(false, s.window, EventMask::NO_EVENT, stop)?;
        s.conn.flush()
    }
}

impl Drop for X11Clipboard {
    fn drop(&mut self) {
        if let Err(error) = self.shutdown() {
            tracing::debug!(%error, "clipboard shutdown could not reach the X server");
        }
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::warn!("the clipboard thread panicked");
            }
        }
    }
}

/// The selections we read.
#[derive(Debug, Clone, Copy)]
enum Selection {
    Clipboard,
    Primary,
}

impl Selection {
    fn atom(self, atoms: &Atoms) -> Atom {
        match self {
            Selection::Clipboard => atoms.CLIPBOARD,
            Selection::Primary => AtomEnum::PRIMARY.into(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Selection::Clipboard => "CLIPBOARD",
            Selection::Primary => "PRIMARY",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct ConversionRequest {
    selection: Selection,
    target: Atom,
    timeout: Duration,
}

impl ConversionRequest {
    fn timeout_error(&self) -> ClipboardError {
        ClipboardError::Timeout {
            selection: self.selection.name(),
            waited: self.timeout,
        }
    }
}

mod serve;
mod shared;

use serve::EventLoop;
use shared::*;

/// Text from selection data of a textual type; `None` for other types.
fn decode_text(atoms: &Atoms, data: &PropertyData) -> Option<String> {
    if data.format != 8 {
        return None;
    }
    let ty = data.ty;
    if ty == atoms.UTF8_STRING || ty == atoms.TEXT_PLAIN_UTF8 {
        return Some(String::from_utf8_lossy(&data.bytes).into_owned());
    }
    // COMPOUND_TEXT without escape sequences is plain Latin-1.
    let latin1 = ty == Atom::from(AtomEnum::STRING)
        || (ty == atoms.COMPOUND_TEXT && !data.bytes.contains(&0x1b));
    latin1.then(|| data.bytes.iter().map(|&b| char::from(b)).collect())
}

/// `time >= reference` for X timestamps, which wrap around every ~49.7 days.
fn not_before(time: Timestamp, reference: Timestamp) -> bool {
    time.wrapping_sub(reference) < 1 << 31
}

fn encode_latin1(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

fn create_hidden_window(conn: &RustConnection, root: Window) -> Result<Window, ReplyOrIdError> {
    let window = conn.generate_id()?;
    let aux = CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE);
    conn.create_window(
        COPY_DEPTH_FROM_PARENT,
        window,
        root,
        -1,
        -1,
        1,
        1,
        0,
        WindowClass::INPUT_ONLY,
        COPY_FROM_PARENT,
        &aux,
    )?
    .check()?;
    conn.change_property8(
        PropMode::REPLACE,
        window,
        AtomEnum::WM_NAME,
        AtomEnum::STRING,
        b"genvej clipboard",
    )?;
    Ok(window)
}

fn drain(reader: &Receiver<ReaderEvent>) {
    while reader.try_recv().is_ok() {}
}

fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600))
}

fn display_label(display: Option<&str>) -> String {
    match display {
        Some(name) => format!("{name:?}"),
        None => match std::env::var("DISPLAY") {
            Ok(name) => format!("{name:?} (from $DISPLAY)"),
            Err(_) => "(none: $DISPLAY is not set)".to_string(),
        },
    }
}

#[cfg(test)]
mod tests;
