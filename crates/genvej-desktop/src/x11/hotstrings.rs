//! Hotstrings on X11: notices when the user types a declared abbreviation
//! such as `;navn` followed by Space or Tab, in any window. (The agent then
//! erases the abbreviation and the ending key and types the expansion.)
//!
//! Why the RECORD extension: to see what is typed in *every* window, genvej
//! must watch the keyboard without taking keys away from the focused program.
//! A passive `XGrabKey`, as used for hot keys, would swallow every key it
//! watches. RECORD gives a recording client a copy of each device event while
//! the events are delivered as usual.
//!
//! How it works:
//! * Two connections, as the RECORD specification advises. The *control*
//!   connection creates a context and the *data* connection enables it. One
//!   thread blocks on the data connection, and the server streams each
//!   recorded item to it as it happens. Nothing polls. The context records:
//!   - the KeyPress, KeyRelease and ButtonPress device events (all of them:
//!     device events are recorded whatever the context's client list says);
//!   - PropertyNotify and MappingNotify events *delivered to the control
//!     connection*. It watches `_NET_ACTIVE_WINDOW` on the root window, so
//!     active-window changes need an EWMH window manager. MappingNotify
//!     means the layout must be read again. Because these arrive in the same
//!     stream as the keys, they are handled in server order: a key typed
//!     right after `setxkbmap` or a focus change is read the new way. (An
//!     earlier version watched them on a second thread and lost that race
//!     in about 1 of 25 test runs.)
//!   - the control connection's own NoOperation requests (see pausing).
//! * [`typing`] turns keycode + modifier state into a character and keeps
//!   the recently typed text. Space or Tab after an abbreviation at a word
//!   start sends the event. Anything that may move the cursor clears the
//!   buffer: a mouse button, another active window, and the keys listed in
//!   [`typing`].
//! * Pausing: the agent's own injected keys must neither match nor feed the
//!   buffer. `pause()` sets a flag, and the agent calls it before injecting
//!   anything. `resume()` cannot simply clear the flag, because RECORD data
//!   arrives asynchronously: the agent's last keys may still be on their way.
//!   So `resume()` also sends a NoOperation request, which the server records
//!   after every key it processed earlier. Matching resumes, with an empty
//!   buffer, only when that marker comes through the stream. (Measured: a
//!   plain flag let injected keys fire in 52–723 of 2,000 pause/type/resume
//!   rounds.) The server holds recorded requests until it has other output
//!   to send, so `resume()` then waits for a GetInputFocus reply. Without
//!   that, the marker could stay in the server and mute everything after it.
//! * Stopping: `Drop` disables and frees the context, which ends the data
//!   stream (EndOfData), and joins the thread.
//!
//! Privacy: typed text may be personal data (CPR numbers, names). Nothing
//! here logs typed characters, only counts and abbreviation indices.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::mpsc::{self, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use x11rb::connection::{Connection, RequestConnection as _};
use x11rb::errors::{ConnectError, ConnectionError, ReplyError, ReplyOrIdError};
use x11rb::protocol::record::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{
    self, Atom, AtomEnum, ChangeWindowAttributesAux, ConnectionExt as _, EventMask, KeyPressEvent,
    Mapping, MappingNotifyEvent, PropertyNotifyEvent, Window,
};
use x11rb::rust_connection::RustConnection;
use x11rb::x11_utils::TryParse;

mod typing;

use typing::Layout;

use crate::listener::{ListenerError, Report, Reporter};
pub use genvej_format::hotstring::HotstringEvent;
use genvej_format::hotstring::Matcher;

/// Why the monitor could not start.
#[derive(Debug, thiserror::Error)]
pub enum HotstringError {
    #[error("cannot connect to the X display {display}: {source}")]
    Connect {
        display: String,
        #[source]
        source: ConnectError,
    },
    #[error("the X display has no screen number {0}")]
    NoScreen(usize),
    #[error(
        "the X server has no RECORD extension, so hotstrings cannot be watched (on Xorg, enable the \"record\" module)"
    )]
    NoRecord,
    #[error("lost the connection to the X server: {0}")]
    Connection(#[from] ConnectionError),
    #[error("the X server failed a request of the hotstring monitor: {0}")]
    Request(#[from] ReplyError),
    #[error("the X server refused to create the hotstring monitor's resources: {0}")]
    Resource(#[from] ReplyOrIdError),
    #[error("could not start the hotstring thread: {0}")]
    Thread(#[source] std::io::Error),
    #[error("the X server did not start recording keys: {0}")]
    NotStarted(String),
}

impl From<HotstringError> for ListenerError {
    fn from(error: HotstringError) -> ListenerError {
        match error {
            HotstringError::Connect { display, source } => ListenerError::NoDisplay {
                display,
                cause: Box::new(source),
            },
            HotstringError::NoRecord => ListenerError::NoRecord,
            HotstringError::Thread(source) => ListenerError::ThreadNotStarted {
                what: "hotstring",
                source,
            },
            other => ListenerError::Os(Box::new(other)),
        }
    }
}

/// RECORD reply categories (the protocol description has no enumeration).
const FROM_SERVER: u8 = 0;
const FROM_CLIENT: u8 = 1;
const START_OF_DATA: u8 = 4;
/// Core opcode of NoOperation, the resume marker.
const NO_OPERATION: u8 = 127;
/// How long `start` waits for the server to begin recording.
const START_TIMEOUT: Duration = Duration::from_secs(5);

/// Watches the keyboard for abbreviations on two X connections and one
/// thread. Dropping it stops recording and joins the thread.
pub struct HotstringMonitor {
    control: Arc<RustConnection>,
    context: record::Context,
    pause: Arc<PauseState>,
    recorder: Option<JoinHandle<()>>,
}

/// Shared by the API and the recording thread.
#[derive(Debug, Default)]
struct PauseState {
    paused: AtomicBool,
    /// How many resume markers have been sent.
    resumes: AtomicU64,
}

impl HotstringMonitor {
    /// Starts recording on `display` (default: `$DISPLAY`) and returns once
    /// the server records keys. Each typed abbreviation goes to `report`,
    /// on the recording thread; `HotstringEvent::Typed::index` refers to
    /// `abbreviations`. Fails with [`HotstringError::NoRecord`] if the
    /// server lacks the RECORD extension.
    pub fn start(
        display: Option<&str>,
        abbreviations: Vec<String>,
        report: impl Report<HotstringEvent>,
    ) -> Result<HotstringMonitor, HotstringError> {
        let (control, screen) = connect(display)?;
        let root = control
            .setup()
            .roots
            .get(screen)
            .ok_or(HotstringError::NoScreen(screen))?
            .root;
        if control
            .extension_information(record::X11_EXTENSION_NAME)?
            .is_none()
        {
            return Err(HotstringError::NoRecord);
        }
        control.record_query_version(1, 13)?.reply()?;
        let active_atom = control
            .intern_atom(false, b"_NET_ACTIVE_WINDOW")?
            .reply()?
            .atom;
        let watch_root = ChangeWindowAttributesAux::new().event_mask(EventMask::PROPERTY_CHANGE);
        control
            .change_window_attributes(root, &watch_root)?
            .check()?;
        // Until `control` is closed, errors below leave nothing behind: the
        // server frees a client's resources when its connection closes.
        let context = create_context(&control)?;
        let (data, _) = connect(display)?;

        let control = Arc::new(control);
        let pause = Arc::new(PauseState::default());
        let recorder = Recorder {
            layout: Layout::fetch(&control)?,
            active: read_active_window(&control, root, active_atom)?,
            control: Arc::clone(&control),
            root,
            active_atom,
            pause: Arc::clone(&pause),
            matcher: Matcher::new(&abbreviations),
            markers: 0,
            layout_stale: false,
            reporter: Reporter::new(report),
        };
        let (started, started_inbox) = mpsc::channel();
        let recorder = thread::Builder::new()
            .name("genvej-hotstrings".to_owned())
            .spawn(move || recorder.run(&data, context, started))
            .map_err(HotstringError::Thread)?;
        // On an error, dropping `monitor` stops the recording.
        let monitor = HotstringMonitor {
            control,
            context,
            pause,
            recorder: Some(recorder),
        };
        match started_inbox.recv_timeout(START_TIMEOUT) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Err(HotstringError::NotStarted(error.to_string())),
            Err(_) => return Err(HotstringError::NotStarted("no answer within 5 s".into())),
        }
        tracing::debug!(count = abbreviations.len(), "watching hotstrings");
        Ok(monitor)
    }

    /// Stops matching at once; nothing typed before the pause counts after
    /// it. Only sets a flag. Call it before the agent injects keys.
    pub fn pause(&self) {
        self.pause.paused.store(true, SeqCst);
    }

    /// Matches again, starting with an empty buffer. Keys the server
    /// processed before this call (the agent's own injected keys included)
    /// are ignored; keys it processes after this returns are matched. Costs
    /// one round trip to the server.
    pub fn resume(&self) {
        // Count the marker before unpausing, so the recorder never sees
        // "not paused" without also waiting for this marker.
        self.pause.resumes.fetch_add(1, SeqCst);
        self.pause.paused.store(false, SeqCst);
        if let Err(error) = self.send_marker() {
            tracing::warn!(%error, "hotstrings stay paused: could not reach the X server");
        }
    }

    /// Sends the NoOperation marker, then waits for the reply to a later
    /// request. That reply makes the server flush the recorded marker, and
    /// it proves the marker was recorded before the caller types anything.
    fn send_marker(&self) -> Result<(), ReplyError> {
        self.control.no_operation()?;
        self.control.get_input_focus()?.reply()?;
        Ok(())
    }

    /// False once recording has ended, e.g. because the X server went away.
    pub fn is_running(&self) -> bool {
        self.recorder.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Disables and frees the context. The server then ends the data stream.
    fn stop_recording(&self) -> Result<(), ReplyError> {
        self.control.record_disable_context(self.context)?.check()?;
        self.control.record_free_context(self.context)?.check()?;
        Ok(())
    }
}

impl Drop for HotstringMonitor {
    fn drop(&mut self) {
        if let Err(error) = self.stop_recording() {
            tracing::warn!(%error, "could not stop recording keys");
        }
        if let Some(thread) = self.recorder.take() {
            if thread.join().is_err() {
                tracing::error!("the hotstring thread panicked");
            }
        }
    }
}

fn connect(display: Option<&str>) -> Result<(RustConnection, usize), HotstringError> {
    RustConnection::connect(display).map_err(|source| HotstringError::Connect {
        display: display
            .map(str::to_owned)
            .or_else(|| std::env::var("DISPLAY").ok())
            .unwrap_or_else(|| "(DISPLAY is not set)".to_owned()),
        source,
    })
}

/// A context recording KeyPress…ButtonPress device events, plus the
/// PropertyNotify…MappingNotify events delivered to `conn` and its
/// NoOperation requests (the resume markers).
fn create_context(conn: &RustConnection) -> Result<record::Context, ReplyOrIdError> {
    let context = conn.generate_id()?;
    let range8 = |first, last| record::Range8 { first, last };
    let no_ext = record::ExtRange {
        major: range8(0, 0),
        minor: record::Range16 { first: 0, last: 0 },
    };
    let range = record::Range {
        core_requests: range8(NO_OPERATION, NO_OPERATION),
        core_replies: range8(0, 0),
        ext_requests: no_ext,
        ext_replies: no_ext,
        delivered_events: range8(xproto::PROPERTY_NOTIFY_EVENT, xproto::MAPPING_NOTIFY_EVENT),
        device_events: range8(xproto::KEY_PRESS_EVENT, xproto::BUTTON_PRESS_EVENT),
        errors: range8(0, 0),
        client_started: false,
        client_died: false,
    };
    // A client is named by its resource-id base.
    let this_client = conn.setup().resource_id_base;
    conn.record_create_context(context, 0, &[this_client], &[range])?
        .check()?;
    Ok(context)
}

/// The window `_NET_ACTIVE_WINDOW` names, if any.
fn read_active_window(
    conn: &RustConnection,
    root: Window,
    atom: Atom,
) -> Result<Option<Window>, ReplyError> {
    let reply = conn
        .get_property(false, root, atom, AtomEnum::WINDOW, 0, 1)?
        .reply()?;
    Ok(reply.value32().and_then(|mut values| values.next()))
}

/// Counts the requests in recorded client data (each starts with its
/// length in 4-byte units at bytes 2–3).
fn count_requests(data: &[u8]) -> u64 {
    let mut count = 0;
    let mut rest = data;
    while let [_, _, low, high, ..] = *rest {
        let words = usize::from(u16::from_ne_bytes([low, high])).max(1);
        rest = rest.get(words * 4..).unwrap_or_default();
        count += 1;
    }
    count
}

// ---------------------------------------------------------------------------
// The recording thread

/// Owns the buffer; runs on the recording thread.
struct Recorder {
    control: Arc<RustConnection>,
    root: Window,
    /// The `_NET_ACTIVE_WINDOW` atom, and the window it names.
    active_atom: Atom,
    active: Option<Window>,
    pause: Arc<PauseState>,
    layout: Layout,
    matcher: Matcher,
    /// Resume markers seen in the stream.
    markers: u64,
    /// A MappingNotify came: read the layout before the next matched key
    /// (not at once: enigo remaps a spare key for many characters it types).
    layout_stale: bool,
    reporter: Reporter<HotstringEvent>,
}

impl Recorder {
    /// Enables the context and handles recorded data until the context is
    /// disabled. Reports on `started` whether recording began.
    fn run(
        mut self,
        data: &RustConnection,
        context: record::Context,
        started: Sender<Result<(), ReplyError>>,
    ) {
        let mut started = Some(started);
        let replies = match data.record_enable_context(context) {
            Ok(replies) => replies,
            Err(error) => return report_start(&mut started, Err(error.into())),
        };
        for reply in replies {
            match reply {
                Ok(reply) if reply.category == START_OF_DATA => report_start(&mut started, Ok(())),
                Ok(reply) if reply.category == FROM_SERVER => {
                    reply.data.chunks_exact(32).for_each(|e| self.on_event(e));
                    self.discard_control_events();
                }
                Ok(reply) if reply.category == FROM_CLIENT => {
                    self.markers += count_requests(&reply.data);
                    self.matcher.clear();
                }
                Ok(_) => {}
                Err(error) if started.is_some() => return report_start(&mut started, Err(error)),
                Err(error) => {
                    tracing::error!(%error, "hotstrings stopped: lost the X connection");
                    return;
                }
            }
        }
        tracing::debug!("hotstring recording ended");
    }

    /// One recorded raw 32-byte `xEvent`.
    fn on_event(&mut self, event: &[u8]) {
        match event.first().map(|t| t & 0x7f) {
            Some(xproto::KEY_PRESS_EVENT) => {
                if let Ok((key, _)) = KeyPressEvent::try_parse(event) {
                    self.on_key(key.detail, u16::from(key.state));
                }
            }
            Some(xproto::BUTTON_PRESS_EVENT) => self.matcher.clear(),
            Some(xproto::PROPERTY_NOTIFY_EVENT) => {
                if let Ok((change, _)) = PropertyNotifyEvent::try_parse(event) {
                    if change.window == self.root && change.atom == self.active_atom {
                        self.on_active_window_change();
                    }
                }
            }
            Some(xproto::MAPPING_NOTIFY_EVENT) => {
                if let Ok((change, _)) = MappingNotifyEvent::try_parse(event) {
                    self.layout_stale |= change.request != Mapping::POINTER;
                }
            }
            _ => {}
        }
    }

    fn on_key(&mut self, keycode: xproto::Keycode, state: u16) {
        if !self.is_listening() {
            self.matcher.clear();
            return;
        }
        if self.layout_stale {
            self.layout_stale = false;
            self.reread_layout();
        }
        if let Some(event) = self.matcher.feed(self.layout.action(keycode, state)) {
            let HotstringEvent::Typed { index, .. } = event;
            tracing::debug!(index, "hotstring typed");
            self.reporter.send(event);
        }
    }

    /// Not paused, and every resume marker has come through.
    fn is_listening(&self) -> bool {
        // `paused` first: `resume` counts its marker before unpausing.
        !self.pause.paused.load(SeqCst) && self.markers == self.pause.resumes.load(SeqCst)
    }

    /// A PropertyNotify does not promise a new value (a window manager may
    /// write the same window again), so only a different window, or a
    /// failed read, clears the buffer.
    fn on_active_window_change(&mut self) {
        let active = read_active_window(&self.control, self.root, self.active_atom);
        if !matches!(active, Ok(window) if window == self.active) {
            self.active = active.ok().flatten();
            self.matcher.clear();
        }
    }

    fn reread_layout(&mut self) {
        match Layout::fetch(&self.control) {
            Ok(layout) => self.layout = layout,
            Err(error) => tracing::warn!(%error, "could not re-read the keyboard layout"),
        }
    }

    /// The events recorded above also reach the control connection itself;
    /// nothing else reads them there, so they are dropped here.
    fn discard_control_events(&self) {
        loop {
            match self.control.poll_for_event() {
                Ok(Some(x11rb::protocol::Event::Error(error))) => {
                    tracing::debug!(?error, "X error on the hotstring connection");
                }
                Ok(Some(_)) => {}
                Ok(None) => return,
                Err(error) => {
                    tracing::debug!(%error, "the hotstring control connection failed");
                    return;
                }
            }
        }
    }
}

fn report_start(
    started: &mut Option<Sender<Result<(), ReplyError>>>,
    result: Result<(), ReplyError>,
) {
    if let Some(started) = started.take() {
        let _ = started.send(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agent_is_told_which_kind_of_failure_stopped_the_monitor() {
        let missing = ListenerError::from(HotstringError::NoRecord);
        assert!(matches!(missing, ListenerError::NoRecord));
        assert!(missing.to_string().contains("enable the \"record\" module"));
        let thread =
            ListenerError::from(HotstringError::Thread(std::io::Error::other("no memory")));
        assert_eq!(
            thread.to_string(),
            "cannot start the hotstring thread: no memory"
        );
        let other = ListenerError::from(HotstringError::NotStarted("busy".into()));
        assert_eq!(
            other.to_string(),
            "the X server did not start recording keys: busy"
        );
    }

    #[test]
    fn the_monitor_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<HotstringMonitor>();
    }

    #[test]
    fn recorded_requests_are_counted_by_length() {
        let noop: Vec<u8> = [NO_OPERATION, 0]
            .into_iter()
            .chain(1u16.to_ne_bytes())
            .collect();
        assert_eq!(count_requests(&noop), 1);
        assert_eq!(count_requests(&noop.repeat(3)), 3);
        assert_eq!(count_requests(&[]), 0);
    }
}
