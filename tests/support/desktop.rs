//! A throw-away X11 desktop for end-to-end tests: Xvfb + openbox, stand-in
//! "case system" windows whose text can be read back exactly, and helpers to
//! press keys, move focus and use the CLIPBOARD. Tests that talk X directly
//! can start Xvfb alone ([`Desktop::start_without_window_manager`]) and open
//! their own x11rb connections ([`Desktop::x11_connection`]).
//!
//! Every process started here runs in its own process group and is killed
//! (TERM, then KILL) when the [`Desktop`] is dropped, also when a test
//! panics. The temporary directory (openbox config, logs) is removed, except
//! after a failed test: then it is kept, with a screenshot when ImageMagick
//! is installed, and its path is printed.
//!
//! One desktop runs at a time per test binary (see [`TURN`]).
//!
//! Nothing here sleeps for a fixed time to "let things settle": every wait
//! polls for the condition it needs, with a timeout and a clear panic message.
//!
//! Linux only; the tools come from Debian packages (see
//! [`tools::DESKTOP`](super::tools::DESKTOP)).

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;

use rustix::process::{Pid, Signal};
use tempfile::TempDir;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, CreateWindowAux, EventMask, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::{COPY_DEPTH_FROM_PARENT, COPY_FROM_PARENT};

pub use super::tools::find_program;
use super::tools::{self, Tool, python_interpreter};
use super::tray_host::TrayHost;

/// Starts a [`Desktop`](crate::support::desktop::Desktop), or returns from
/// the calling test (which then passes as skipped) when the X tools are
/// missing and neither `CI` nor `GENVEJ_E2E` is set. See [`Desktop::start`].
/// `require_desktop!(Tool::DbusDaemon, Tool::GnomeKeyring)` also needs those
/// tools (one notice names everything missing), see [`Desktop::start_needing`];
/// `require_desktop!(without_window_manager)` starts Xvfb alone, see
/// [`Desktop::start_without_window_manager`];
/// `require_desktop!(without_window_manager, server_args: &["-extension", "RECORD"])`
/// also passes extra arguments to Xvfb, see
/// [`Desktop::start_without_window_manager_with_server_args`].
#[macro_export]
macro_rules! require_desktop {
    () => {
        match $crate::support::desktop::Desktop::start() {
            Some(desktop) => desktop,
            None => return,
        }
    };
    (without_window_manager) => {
        match $crate::support::desktop::Desktop::start_without_window_manager() {
            Some(desktop) => desktop,
            None => return,
        }
    };
    (without_window_manager, server_args: $args:expr) => {
        match $crate::support::desktop::Desktop::start_without_window_manager_with_server_args(
            $args,
        ) {
            Some(desktop) => desktop,
            None => return,
        }
    };
    ($($tool:expr),+ $(,)?) => {
        match $crate::support::desktop::Desktop::start_needing(&[$($tool),+]) {
            Some(desktop) => desktop,
            None => return,
        }
    };
}

/// Screen geometry of the virtual display.
const SCREEN: &str = "1280x1024x24";
/// How long Xvfb and openbox may take to come up (xterm once took 5 s to
/// start on the 2-core build machines, so be generous; waits end early).
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a short helper command (xdotool, xprop, xclip -o) may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a stopped process may take to exit after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// Interval for all polling loops.
const POLL: Duration = Duration::from_millis(5);
/// How long the window manager may take to manage a probe window before it
/// is mapped again (see `Desktop::wait_until_windows_are_managed`).
const MAP_RETRY: Duration = Duration::from_millis(250);

/// The stand-in case window (Tk), embedded so the harness works from any
/// working directory; written into the desktop's temp dir at start (see
/// [`Desktop::case_window_script`]).
const CASE_WINDOW_PY: &str = include_str!("case_window.py");
const NOTIFICATION_SERVER_PY: &str = include_str!("notification_server.py");
const CASE_SERVER_PY: &str = include_str!("case_server.py");
const SNI_TRAY_PY: &str = include_str!("sni_tray.py");

/// openbox configuration without a single key binding, so the window manager
/// never grabs a key that genvej or a test uses (openbox's default rc.xml
/// binds e.g. Alt+F4, Alt+Tab and Ctrl+Alt+arrows). New windows get focus;
/// the only mouse binding is click-to-focus, as on a normal desktop.
const OPENBOX_RC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <focus>
    <focusNew>yes</focusNew>
    <followMouse>no</followMouse>
  </focus>
  <placement><policy>Smart</policy></placement>
  <desktops><number>1</number></desktops>
  <keyboard></keyboard>
  <mouse>
    <context name="Client">
      <mousebind button="Left" action="Press">
        <action name="Focus"/><action name="Raise"/>
      </mousebind>
    </context>
  </mouse>
</openbox_config>
"#;

/// A process started by the desktop, killed with its process group on drop.
struct Tracked {
    name: String,
    child: Child,
}

/// One Xvfb + openbox session on its own display. See the module docs.
pub struct Desktop {
    display: String,
    dir_path: PathBuf,
    /// `None` only inside Drop, which removes the dir or keeps it.
    dir: Option<TempDir>,
    python: PathBuf,
    /// The X server; stopped last so clients never lose it mid-teardown.
    server: Tracked,
    /// Everything else (openbox, windows, xclip, processes under test).
    clients: Vec<Tracked>,
    windows_started: usize,
    /// The desktop's own D-Bus session, once started; programs never see
    /// the developer's session bus.
    session_bus: Option<String>,
    /// Held for the desktop's life, released after Drop has cleaned up.
    _turn: MutexGuard<'static, ()>,
}

/// Lets one desktop at a time run in a test binary (cargo runs tests in
/// parallel threads). End-to-end results depend on timing, and two desktops
/// sharing 2 cores make them flaky: typing 2,000 characters with enigo while
/// another desktop did the same lost a character (enigo re-binds its spare
/// keycodes right after use, so a window that looks a key up a millisecond
/// late gets the wrong one or none). A desktop starts in ~0.2 s, so taking
/// turns costs little. A test must not hold two desktops at once: deadlock.
static TURN: Mutex<()> = Mutex::new(());

/// A stand-in "case system" window: one Tk Text field with keyboard focus
/// (see case_window.py). Close it early with `desktop.stop(window.pid)`.
pub struct CaseWindow {
    /// The exact window title.
    pub title: String,
    /// X window id as xdotool prints it (decimal), e.g. `"4194320"`.
    pub id: String,
    /// Process id (and process group id) of the window program.
    pub pid: u32,
    report: Arc<Report>,
}

/// What a case window program has reported on its stdout so far.
#[derive(Default)]
struct Reported {
    ready: bool,
    text: String,
    /// Number of text reports (each one differs from the previous).
    changes: u64,
    /// Why the reports ended (the program exited or sent garbage).
    ended: Option<String>,
}

/// [`Reported`], shared with the thread reading the window's stdout, plus a
/// condition variable so waits wake up on each report instead of polling.
#[derive(Default)]
struct Report {
    state: Mutex<Reported>,
    changed: Condvar,
}

// ---------------------------------------------------------------------------
// Starting

impl Desktop {
    /// Starts Xvfb on a free display (chosen by Xvfb via `-displayfd`) and
    /// openbox without key bindings, and waits until openbox manages the
    /// screen.
    ///
    /// When a required tool is missing this panics if the environment
    /// variable `CI` or `GENVEJ_E2E` is set (so CI can never silently skip),
    /// and otherwise prints a loud notice with the `sudo apt-get install` line
    /// and returns `None` (use [`require_desktop!`] to skip the test).
    #[track_caller]
    pub fn start() -> Option<Desktop> {
        Desktop::start_needing(&[])
    }

    /// Like [`start`](Self::start), for a test that also needs `tools`
    /// (D-Bus, Wine, …): skips or fails as `start` does, with one notice
    /// naming everything missing.
    #[track_caller]
    pub fn start_needing(tools: &[Tool]) -> Option<Desktop> {
        Desktop::start_with("Xvfb + openbox", tools, &[], |desktop| {
            desktop.start_openbox()
        })
    }

    /// Like [`start`](Self::start), but Xvfb alone, without a window manager:
    /// for tests that talk X directly and must control focus and key grabs
    /// themselves (nothing else on the display grabs keys or moves focus).
    /// [`case_window`](Self::case_window) needs the window manager.
    #[track_caller]
    pub fn start_without_window_manager() -> Option<Desktop> {
        Desktop::start_with("Xvfb only", &[], &[], |_| Ok(()))
    }

    /// Like [`start_without_window_manager`](Self::start_without_window_manager),
    /// with extra Xvfb arguments after the harness's own, e.g.
    /// `["-extension", "RECORD"]` for a server without that extension.
    #[track_caller]
    pub fn start_without_window_manager_with_server_args(server_args: &[&str]) -> Option<Desktop> {
        let what = format!("Xvfb only, with {}", server_args.join(" "));
        Desktop::start_with(&what, &[], server_args, |_| Ok(()))
    }

    /// Checks the desktop's tools and `tools` (see [`tools::require`]),
    /// waits for this test binary's turn, starts Xvfb (with `server_args`
    /// added) and then `then` (e.g. openbox). Panics with the logs if
    /// anything fails.
    #[track_caller]
    fn start_with(
        what: &str,
        tools: &[Tool],
        server_args: &[&str],
        then: impl FnOnce(&mut Desktop) -> Result<(), String>,
    ) -> Option<Desktop> {
        if !tools::require(&[tools::DESKTOP, tools].concat()) {
            return None;
        }
        let python = python_interpreter();
        // A test that panicked while holding the turn has cleaned up in Drop.
        let turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
        let started = Instant::now();
        let mut desktop = Desktop::start_x_server(python, turn, server_args)
            .unwrap_or_else(|err| panic!("{err}"));
        // If `then` fails, the panic drops `desktop`: Xvfb stops, logs stay.
        then(&mut desktop).unwrap_or_else(|err| panic!("{err}"));
        eprintln!(
            "e2e desktop {} ready in {} ms ({what})",
            desktop.display,
            started.elapsed().as_millis()
        );
        Some(desktop)
    }

    fn start_x_server(
        python: PathBuf,
        turn: MutexGuard<'static, ()>,
        server_args: &[&str],
    ) -> Result<Desktop, String> {
        let dir = tempfile::Builder::new()
            .prefix("genvej-e2e-")
            .tempdir()
            .map_err(|e| format!("cannot create a temp dir for the e2e desktop: {e}"))?;
        write_file(&dir.path().join("rc.xml"), OPENBOX_RC)?;
        write_file(&dir.path().join("case_window.py"), CASE_WINDOW_PY)?;

        let (server, display) = start_xvfb(dir.path(), server_args)?;
        Ok(Desktop {
            display,
            dir_path: dir.path().to_path_buf(),
            dir: Some(dir),
            python,
            server,
            clients: Vec::new(),
            windows_started: 0,
            session_bus: None,
            _turn: turn,
        })
    }

    fn start_openbox(&mut self) -> Result<(), String> {
        let log = self.log_file("openbox.log")?;
        let mut cmd = self.command("openbox");
        cmd.arg("--sm-disable")
            .arg("--config-file")
            .arg(self.dir().join("rc.xml"))
            .stdout(
                log.try_clone()
                    .map_err(|e| format!("cannot dup log file: {e}"))?,
            )
            .stderr(log);
        self.spawn_named("openbox", cmd)?;
        self.wait_for_window_manager()
    }

    /// openbox sets `_NET_SUPPORTING_WM_CHECK` on the root window once it has
    /// taken over the screen, but a window mapped in the next ~35 ms is never
    /// managed (it stays unmapped). Its last startup step publishes the (empty)
    /// `_NET_CLIENT_LIST`; only then are new windows managed and focused.
    fn wait_for_window_manager(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let out = self.run(
                "xprop",
                &["-root", "_NET_SUPPORTING_WM_CHECK", "_NET_CLIENT_LIST"],
            )?;
            let props = String::from_utf8_lossy(&out.stdout);
            if props.contains("_NET_SUPPORTING_WM_CHECK(WINDOW): window id #")
                && props.contains("_NET_CLIENT_LIST(WINDOW)")
            {
                return self.wait_until_windows_are_managed(deadline);
            }
            self.check_openbox_alive(deadline)?;
            thread::sleep(POLL);
        }
    }

    /// Even with `_NET_CLIENT_LIST` published, openbox still drops a
    /// MapRequest now and then (a raw X window mapped right after start
    /// stayed unmapped about once in 40 starts; never 300 ms later). So map a
    /// 1x1 probe window, again every [`MAP_RETRY`], until openbox manages it
    /// (reparents it into a frame and maps it), then destroy it and wait until
    /// it has left `_NET_CLIENT_LIST`.
    fn wait_until_windows_are_managed(&mut self, deadline: Instant) -> Result<(), String> {
        let display = self.display.clone();
        let x_error =
            |e: &dyn std::fmt::Display| format!("probing the window manager on {display}: {e}");
        let (conn, screen) =
            RustConnection::connect(Some(&self.display)).map_err(|e| x_error(&e))?;
        let root = conn
            .setup()
            .roots
            .get(screen)
            .ok_or_else(|| x_error(&"no screen"))?
            .root;
        let client_list = conn
            .intern_atom(false, b"_NET_CLIENT_LIST")
            .map_err(|e| x_error(&e))?
            .reply()
            .map_err(|e| x_error(&e))?
            .atom;
        let probe = conn.generate_id().map_err(|e| x_error(&e))?;
        conn.create_window(
            COPY_DEPTH_FROM_PARENT,
            probe,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_OUTPUT,
            COPY_FROM_PARENT,
            &CreateWindowAux::new().event_mask(EventMask::STRUCTURE_NOTIFY),
        )
        .map_err(|e| x_error(&e))?
        .check()
        .map_err(|e| x_error(&e))?;

        let (mut reparented, mut mapped) = (false, false);
        let mut next_map = Instant::now();
        while !(reparented && mapped) {
            if Instant::now() >= next_map {
                conn.map_window(probe).map_err(|e| x_error(&e))?;
                conn.flush().map_err(|e| x_error(&e))?;
                next_map = Instant::now() + MAP_RETRY;
            }
            thread::sleep(POLL);
            while let Some(event) = conn.poll_for_event().map_err(|e| x_error(&e))? {
                match event {
                    Event::ReparentNotify(e) if e.window == probe => reparented = true,
                    Event::MapNotify(e) if e.window == probe => mapped = true,
                    _ => {}
                }
            }
            self.check_openbox_alive(deadline)?;
        }

        conn.destroy_window(probe).map_err(|e| x_error(&e))?;
        conn.flush().map_err(|e| x_error(&e))?;
        loop {
            let clients = conn
                .get_property(false, root, client_list, AtomEnum::WINDOW, 0, 1024)
                .map_err(|e| x_error(&e))?
                .reply()
                .map_err(|e| x_error(&e))?;
            if !clients
                .value32()
                .is_some_and(|mut ids| ids.any(|id| id == probe))
            {
                return Ok(());
            }
            self.check_openbox_alive(deadline)?;
            thread::sleep(POLL);
        }
    }

    fn check_openbox_alive(&mut self, deadline: Instant) -> Result<(), String> {
        if let Some(status) = self.exited("openbox") {
            return Err(format!(
                "openbox exited ({status}) before managing display {}.\n{}",
                self.display,
                self.log_contents("openbox.log")
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "openbox did not manage windows on display {} within {START_TIMEOUT:?}.\n{}",
                self.display,
                self.log_contents("openbox.log")
            ));
        }
        Ok(())
    }
}

/// Starts Xvfb and reads the display number it picked. `-displayfd 1` makes
/// Xvfb write the number to its stdout once it accepts connections (fd 1
/// because std cannot hand a child an extra fd without `unsafe`).
/// `extra_args` follow the harness's own arguments.
fn start_xvfb(dir: &Path, extra_args: &[&str]) -> Result<(Tracked, String), String> {
    let log_path = dir.join("xvfb.log");
    let log = File::create(&log_path).map_err(|e| format!("cannot create {log_path:?}: {e}"))?;
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            SCREEN,
            "-nolisten",
            "tcp",
        ])
        // Without -noreset the server resets whenever its last client leaves,
        // e.g. between two xprop polls before openbox has connected.
        .arg("-noreset")
        .args(extra_args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start Xvfb: {e}"))?;
    let stdout = child.stdout.take().ok_or("Xvfb has no stdout pipe")?;
    let server = Tracked {
        name: "Xvfb".into(),
        child,
    };

    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        // Keep draining so Xvfb never gets SIGPIPE; ends when Xvfb exits.
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_default();
    match line.trim().parse::<u32>() {
        Ok(number) => Ok((server, format!(":{number}"))),
        Err(_) => {
            let mut procs = vec![server];
            stop_all(&mut procs);
            Err(format!(
                "Xvfb did not report a display number within {START_TIMEOUT:?} (got {line:?}).\n\
                 --- xvfb.log ---\n{}",
                fs::read_to_string(&log_path).unwrap_or_default()
            ))
        }
    }
}

// ---------------------------------------------------------------------------
// Processes

impl Desktop {
    /// The X display, e.g. `":1"`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The desktop's temporary directory (removed on drop unless the test
    /// failed); a place for test config and log files.
    pub fn dir(&self) -> &Path {
        &self.dir_path
    }

    /// Grabs `modifiers` + the key producing `keysym` on the root window from
    /// a separate X client, as another hot-key program would. The grab lasts
    /// as long as the returned connection.
    pub fn grab_key_elsewhere(&self, keysym: u32, modifiers: u16) -> RustConnection {
        use x11rb::protocol::xproto::{ConnectionExt as _, GrabMode, ModMask};
        let conn = self.x11_connection();
        let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
        let mapping = conn
            .get_keyboard_mapping(min, max - min + 1)
            .map_err(|e| e.to_string())
            .and_then(|c| c.reply().map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("cannot read the keyboard mapping: {e}"));
        let per = usize::from(mapping.keysyms_per_keycode);
        let index = mapping
            .keysyms
            .iter()
            .position(|&s| s == keysym)
            .unwrap_or_else(|| panic!("no key produces keysym {keysym:#x}"));
        let keycode = min + u8::try_from(index / per).expect("keycode fits in u8");
        let root = conn.setup().roots[0].root;
        conn.grab_key(
            false,
            root,
            ModMask::from(modifiers),
            keycode,
            GrabMode::ASYNC,
            GrabMode::ASYNC,
        )
        .map_err(|e| e.to_string())
        .and_then(|c| c.check().map_err(|e| e.to_string()))
        .unwrap_or_else(|e| panic!("cannot grab the key: {e}"));
        conn
    }

    /// A new x11rb connection to this display, for tests that talk X
    /// directly (selection owners, key grabs, test windows). Panics if the
    /// server does not accept it.
    pub fn x11_connection(&self) -> RustConnection {
        RustConnection::connect(Some(&self.display))
            .unwrap_or_else(|e| panic!("cannot connect to X display {}: {e}", self.display))
            .0
    }

    /// A command that runs on this desktop: `DISPLAY` set, `WAYLAND_DISPLAY`
    /// removed (so nothing picks a Wayland backend), stdin from /dev/null.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DISPLAY", &self.display)
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
        match &self.session_bus {
            Some(address) => cmd.env("DBUS_SESSION_BUS_ADDRESS", address),
            None => cmd.env_remove("DBUS_SESSION_BUS_ADDRESS"),
        };
        cmd
    }

    /// Starts a private D-Bus session bus for this desktop; programs started
    /// afterwards get it as `DBUS_SESSION_BUS_ADDRESS`.
    pub fn start_session_bus(&mut self) {
        tools::assert_present(&[Tool::DbusDaemon]);
        let socket = self.dir().join("session-bus");
        let address = format!("unix:path={}", socket.display());
        let mut cmd = self.command("dbus-daemon");
        cmd.args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={address}"));
        self.spawn(cmd);
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        while !socket.exists() {
            assert!(
                Instant::now() < deadline,
                "the D-Bus session bus did not start"
            );
            thread::sleep(POLL);
        }
        self.session_bus = Some(address);
    }

    /// Starts GNOME Keyring's Secret Service on this desktop's session bus
    /// with a fresh login keyring, unlocked, kept in the desktop's folder —
    /// the OS credential store genvej reads `{ credential = … }` from.
    pub fn start_keyring(&mut self) {
        assert!(
            self.session_bus.is_some(),
            "start_session_bus() before the keyring"
        );
        tools::assert_present(&[Tool::GnomeKeyring]);
        let home = self.dir().join("keyring-home");
        let runtime = home.join("run");
        fs::create_dir_all(&runtime).unwrap_or_else(|e| panic!("{e}"));
        fs::set_permissions(&runtime, fs::Permissions::from_mode(0o700))
            .unwrap_or_else(|e| panic!("{e}"));
        let password = home.join("password");
        write_file(&password, "login-password").unwrap_or_else(|e| panic!("{e}"));
        let stdin = File::open(&password).unwrap_or_else(|e| panic!("{e}"));
        let mut cmd = self.command("gnome-keyring-daemon");
        cmd.args(["--foreground", "--unlock", "--components=secrets"])
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(stdin)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        self.spawn(cmd);
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        while !self.bus_name_has_owner("org.freedesktop.secrets") {
            assert!(Instant::now() < deadline, "the keyring did not start");
            thread::sleep(POLL);
        }
    }

    /// Whether a program owns `name` on this desktop's session bus.
    pub fn bus_name_has_owner(&self, name: &str) -> bool {
        let output = self
            .command("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
            ])
            .arg(format!("string:{name}"))
            .output();
        output.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
    }

    /// Starts the stand-in case-system HTTP server (see case_server.py) on
    /// 127.0.0.1 and returns its port.
    pub fn start_case_server(&mut self) -> u16 {
        self.start_case_server_requiring(None)
    }

    /// [`start_case_server`](Self::start_case_server) answering only
    /// requests with `Authorization: Bearer <token>` when a token is given
    /// (401 otherwise).
    pub fn start_case_server_requiring(&mut self, token: Option<&str>) -> u16 {
        let script = self.dir().join("case_server.py");
        write_file(&script, CASE_SERVER_PY).unwrap_or_else(|e| panic!("{e}"));
        let port_file = self.dir().join("case_server.port");
        let mut cmd = self.command(&self.python.to_string_lossy());
        cmd.arg(&script).arg(&port_file);
        if let Some(token) = token {
            cmd.env("CASE_SERVER_TOKEN", token);
        }
        self.spawn(cmd);
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            let text = fs::read_to_string(&port_file).unwrap_or_default();
            if let Ok(port) = text.trim().parse::<u16>() {
                return port;
            }
            assert!(Instant::now() < deadline, "the case server did not start");
            thread::sleep(POLL);
        }
    }

    /// Starts a stand-in notification service on this desktop's session bus
    /// (see notification_server.py) and returns the file it writes each
    /// notification to, one JSON line each.
    pub fn start_notification_service(&mut self) -> PathBuf {
        assert!(
            self.session_bus.is_some(),
            "start_session_bus() before the notification service"
        );
        tools::assert_present(&[Tool::PythonDbus]);
        let script = self.dir().join("notification_server.py");
        write_file(&script, NOTIFICATION_SERVER_PY).unwrap_or_else(|e| panic!("{e}"));
        let out = self.dir().join("notifications.jsonl");
        let ready = self.dir().join("notifications.ready");
        let mut cmd = self.command(&self.python.to_string_lossy());
        cmd.arg(&script).arg(&out).arg(&ready);
        self.spawn(cmd);
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        while !ready.exists() {
            assert!(
                Instant::now() < deadline,
                "the notification service did not start"
            );
            thread::sleep(POLL);
        }
        out
    }

    /// Spawns `cmd` in its own process group, killed (with everything it
    /// started in that group) when the desktop is dropped. Returns the pid,
    /// which is also the process group id.
    pub fn spawn(&mut self, cmd: Command) -> u32 {
        let name = cmd.get_program().to_string_lossy().into_owned();
        self.spawn_named(&name, cmd)
            .unwrap_or_else(|err| panic!("{err}"))
    }

    fn spawn_named(&mut self, name: &str, mut cmd: Command) -> Result<u32, String> {
        let child = cmd
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {name} on {}: {e}", self.display))?;
        let pid = child.id();
        self.clients.push(Tracked {
            name: name.to_string(),
            child,
        });
        Ok(pid)
    }

    /// Stops a process started with [`spawn`](Self::spawn) (or a case
    /// window, by its `pid`) and its process group now, instead of at drop.
    pub fn stop(&mut self, pid: u32) {
        let Some(index) = self.clients.iter().position(|p| p.child.id() == pid) else {
            panic!("stop({pid}): not a process started by this desktop");
        };
        let mut proc = vec![self.clients.remove(index)];
        stop_all(&mut proc);
    }

    /// Process group ids of everything this desktop started and has not
    /// stopped yet, the X server first (for cleanup checks).
    pub fn process_groups(&self) -> Vec<u32> {
        std::iter::once(&self.server)
            .chain(&self.clients)
            .map(|proc| proc.child.id())
            .collect()
    }

    fn tracked_mut(&mut self, pid: u32) -> &mut Tracked {
        match self.clients.iter_mut().find(|p| p.child.id() == pid) {
            Some(proc) => proc,
            None => panic!("process {pid} was not started by this desktop"),
        }
    }

    /// The stdout pipe of tracked process `pid` (spawned with `Stdio::piped()`).
    fn take_stdout(&mut self, pid: u32) -> ChildStdout {
        let proc = self.tracked_mut(pid);
        match proc.child.stdout.take() {
            Some(stdout) => stdout,
            None => panic!("{} ({pid}) has no stdout pipe", proc.name),
        }
    }

    /// `Some(exit status)` if the tracked process named `name` has exited.
    fn exited(&mut self, name: &str) -> Option<String> {
        let proc = self.clients.iter_mut().find(|p| p.name == name)?;
        match proc.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            _ => None,
        }
    }

    /// Runs a short helper (xdotool, xprop, xclip) on this display with
    /// [`COMMAND_TIMEOUT`]; Err if it cannot start or hangs.
    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let mut cmd = self.command(program);
        cmd.args(args);
        run_with_timeout(cmd, COMMAND_TIMEOUT)
            .map_err(|e| format!("`{program} {}` on {}: {e}", args.join(" "), self.display))
    }

    /// Like [`run`](Self::run) but panics unless the command succeeds.
    fn run_ok(&self, program: &str, args: &[&str]) -> Output {
        let out = self
            .run(program, args)
            .unwrap_or_else(|err| panic!("{err}"));
        if !out.status.success() {
            panic!(
                "`{program} {}` on {} failed ({}): {}",
                args.join(" "),
                self.display,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        out
    }

    fn log_file(&self, name: &str) -> Result<File, String> {
        let path = self.dir().join(name);
        File::create(&path).map_err(|e| format!("cannot create log file {path:?}: {e}"))
    }

    fn log_contents(&self, name: &str) -> String {
        let path = self.dir().join(name);
        let text = fs::read_to_string(&path).unwrap_or_else(|e| format!("(unreadable: {e})"));
        format!("--- {} ---\n{text}", path.display())
    }
}

/// Runs `cmd` to completion, capturing its output, or kills it after
/// `timeout` (X helpers can block forever, e.g. on a selection owner that
/// never answers).
fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Result<Output, String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(timeout) {
        Ok(result) => result.map_err(|e| format!("cannot wait: {e}")),
        Err(_) => {
            signal_group(pid, Signal::KILL);
            let _ = rx.recv(); // reap it
            Err(format!("timed out after {timeout:?}"))
        }
    }
}

/// Sends `signal` to the process group `pgid` (errors such as "no such
/// process" mean it is already gone).
fn signal_group(pgid: u32, signal: Signal) {
    if let Some(pid) = i32::try_from(pgid).ok().and_then(Pid::from_raw) {
        let _ = rustix::process::kill_process_group(pid, signal);
    }
}

/// TERM every process group, give them [`STOP_GRACE`] to exit, then KILL
/// what is left (also stragglers whose group leader already exited) and reap.
fn stop_all(procs: &mut [Tracked]) {
    for proc in procs.iter() {
        signal_group(proc.child.id(), Signal::TERM);
    }
    let deadline = Instant::now() + STOP_GRACE;
    for proc in procs.iter_mut() {
        while Instant::now() < deadline && matches!(proc.child.try_wait(), Ok(None)) {
            thread::sleep(POLL);
        }
    }
    for proc in procs.iter_mut() {
        signal_group(proc.child.id(), Signal::KILL);
        if let Err(e) = proc.child.wait() {
            eprintln!(
                "e2e desktop: cannot reap {} ({}): {e}",
                proc.name,
                proc.child.id()
            );
        }
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        let failed = thread::panicking();
        if failed {
            // Best effort: never panic here, we are already unwinding.
            let shot = self.dir().join("failure.png");
            if self.try_screenshot(&shot).is_ok() {
                eprintln!(
                    "e2e desktop {}: screenshot of the failure: {}",
                    self.display,
                    shot.display()
                );
            }
        }
        stop_all(&mut self.clients);
        stop_all(std::slice::from_mut(&mut self.server));
        if let Some(dir) = self.dir.take() {
            if failed {
                eprintln!(
                    "e2e desktop {}: logs kept in {}",
                    self.display,
                    dir.keep().display()
                );
            } else if let Err(e) = dir.close() {
                eprintln!("e2e desktop {}: cannot remove temp dir: {e}", self.display);
            }
        }
    }
}

fn write_file(path: &Path, contents: &str) -> Result<(), String> {
    fs::write(path, contents).map_err(|e| format!("cannot write {path:?}: {e}"))
}

// ---------------------------------------------------------------------------
// Windows and keys

impl Desktop {
    /// Starts a stand-in case system window titled exactly `title`, with one
    /// multi-line text field that has keyboard focus, and waits until it is
    /// mapped and the active window.
    pub fn case_window(&mut self, title: &str) -> CaseWindow {
        let started = Instant::now();
        self.windows_started += 1;
        let name = format!("case-window-{}", self.windows_started);
        let wm_instance = format!("genvej-{name}");
        let log_name = format!("{name}.log");
        let log = self
            .log_file(&log_name)
            .unwrap_or_else(|err| panic!("{err}"));

        let mut cmd = self.command(&self.python.to_string_lossy());
        cmd.arg(self.dir().join("case_window.py"))
            .arg(title)
            .arg(&wm_instance)
            // Tk decodes keys through the C library locale; never depend on
            // the caller's (CI may have none).
            .env("LC_ALL", "C.UTF-8")
            .stdout(Stdio::piped())
            .stderr(log);
        let pid = self
            .spawn_named(&name, cmd)
            .unwrap_or_else(|err| panic!("{err}"));
        let report = Arc::new(Report::default());
        let stdout = self.take_stdout(pid);
        let reader_report = Arc::clone(&report);
        thread::spawn(move || read_reports(stdout, &reader_report));

        let state = report.wait_while(Instant::now() + START_TIMEOUT, |r| {
            !r.ready && r.ended.is_none()
        });
        if !state.ready {
            panic!(
                "{name} ({title:?}) did not get ready within {START_TIMEOUT:?}: {}\n{}",
                state.ended.as_deref().unwrap_or("no reason given"),
                self.log_contents(&log_name)
            );
        }
        drop(state);

        let id = self.wait_for_window_of_class(&wm_instance, title);
        let window = CaseWindow {
            title: title.to_string(),
            id,
            pid,
            report,
        };
        self.activate(&window);
        eprintln!(
            "e2e desktop {}: case window {title:?} (id {}) ready in {} ms",
            self.display,
            window.id,
            started.elapsed().as_millis()
        );
        window
    }

    /// Path of case_window.py on this desktop, for tests whose case window
    /// is started by the agent under test: run it as `python3 SCRIPT TITLE
    /// WM_INSTANCE TEXT_FILE READY_FILE`; TEXT_FILE then always holds the
    /// field's exact content and READY_FILE appears once it has focus.
    pub fn case_window_script(&self) -> PathBuf {
        self.dir().join("case_window.py")
    }

    /// X id of the case window whose WM_CLASS instance is `wm_instance`
    /// (unique per desktop; Tk sets no `_NET_WM_PID` and titles may repeat).
    fn wait_for_window_of_class(&self, wm_instance: &str, title: &str) -> String {
        let class = search_pattern(wm_instance);
        let search = ["search", "--onlyvisible", "--classname", class.as_str()];
        self.poll_for_window(&search, title, Instant::now() + START_TIMEOUT)
            .unwrap_or_else(|| {
                panic!(
                    "case window {title:?} ({wm_instance}) is not visible on {}",
                    self.display
                )
            })
    }

    /// Waits up to `timeout` for a visible window titled exactly `title`
    /// (e.g. one the agent opens) and returns its X id.
    pub fn wait_for_window(&self, title: &str, timeout: Duration) -> String {
        let name = search_pattern(title);
        let search = ["search", "--onlyvisible", "--name", name.as_str()];
        self.poll_for_window(&search, title, Instant::now() + timeout)
            .unwrap_or_else(|| {
                panic!(
                    "no visible window titled {title:?} on {} within {timeout:?}",
                    self.display
                )
            })
    }

    /// Starts a stand-in StatusNotifier tray (see sni_tray.py) on this
    /// desktop's session bus — started first if need be — and waits until
    /// it owns `org.kde.StatusNotifierWatcher`. Programs started afterwards
    /// find the tray on the bus, as on a KDE, GNOME or XFCE desktop.
    pub fn start_tray_host(&mut self) -> TrayHost {
        tools::assert_present(&[Tool::DbusDaemon, Tool::PythonDbus]);
        if self.session_bus.is_none() {
            self.start_session_bus();
        }
        let script = self.dir().join("sni_tray.py");
        write_file(&script, SNI_TRAY_PY).unwrap_or_else(|e| panic!("{e}"));
        // A tray that starts (again) knows no items yet.
        let items = self.dir().join("tray-items.txt");
        let ready = self.dir().join("tray.ready");
        for stale in [&items, &ready] {
            let _ = fs::remove_file(stale);
        }
        let mut cmd = self.command(&self.python.to_string_lossy());
        cmd.arg(&script).arg("watch").arg(&items).arg(&ready);
        let pid = self.spawn(cmd);
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        while !ready.exists() || !self.bus_name_has_owner("org.kde.StatusNotifierWatcher") {
            assert!(
                Instant::now() < deadline,
                "the stand-in tray did not start (needs python3-dbus and python3-gi)"
            );
            thread::sleep(POLL);
        }
        TrayHost::new(pid, self.python.clone(), script, items)
    }

    /// Waits until window `id` is no longer on screen (closed or unmapped).
    pub fn wait_for_window_gone(&self, id: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let visible = self
                .run("xdotool", &["search", "--onlyvisible", "--name", "."])
                .map(|out| {
                    String::from_utf8_lossy(&out.stdout)
                        .lines()
                        .any(|l| l.trim() == id)
                })
                .unwrap_or(false);
            if !visible {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "window {id} is still on screen after {timeout:?}"
            );
            thread::sleep(POLL);
        }
    }

    /// X id of a visible window titled exactly `title`, if there is one now.
    pub fn find_window(&self, title: &str) -> Option<String> {
        let name = search_pattern(title);
        let search = ["search", "--onlyvisible", "--name", name.as_str()];
        self.poll_for_window(&search, title, Instant::now())
    }

    /// Repeats an `xdotool search` until it lists a window titled exactly
    /// `title` (compared with `_NET_WM_NAME`, see [`search_pattern`]), at
    /// least once, until `deadline`.
    fn poll_for_window(&self, search: &[&str], title: &str, deadline: Instant) -> Option<String> {
        loop {
            let found = self.run("xdotool", search).ok().and_then(|out| {
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .map(str::trim)
                    .find(|id| self.window_name(id).as_deref() == Some(title))
                    .map(str::to_string)
            });
            if found.is_some() || Instant::now() > deadline {
                return found;
            }
            thread::sleep(POLL);
        }
    }

    /// The title (`_NET_WM_NAME`/`WM_NAME`) of window `id`.
    pub fn window_name(&self, id: &str) -> Option<String> {
        let out = self.run("xdotool", &["getwindowname", id]).ok()?;
        out.status.success().then(|| {
            let name = String::from_utf8_lossy(&out.stdout);
            name.strip_suffix('\n').unwrap_or(&name).to_string()
        })
    }

    /// Presses and releases keys with `xdotool key`, e.g. `"ctrl+alt+b"`;
    /// several space-separated chords are pressed one after another.
    /// (xdotool is fine for chords; it is NOT exact for typing text.)
    pub fn key(&self, keys: &str) {
        self.xdotool_keys("key", keys);
    }

    /// Presses (and holds) keys, e.g. `"ctrl+alt"`.
    pub fn key_down(&self, keys: &str) {
        self.xdotool_keys("keydown", keys);
    }

    /// Releases keys pressed with [`key_down`](Self::key_down).
    pub fn key_up(&self, keys: &str) {
        self.xdotool_keys("keyup", keys);
    }

    fn xdotool_keys(&self, action: &str, keys: &str) {
        let mut args = vec![action];
        args.extend(keys.split_whitespace());
        self.run_ok("xdotool", &args);
    }

    /// Runs any xdotool command on this display (e.g. `["mousemove", "10",
    /// "10", "click", "1"]`) and returns its stdout; panics if it fails.
    pub fn xdotool(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.run_ok("xdotool", args).stdout).into_owned()
    }

    /// Gives `window` the focus through the window manager and checks that it
    /// really is the active window afterwards.
    pub fn activate(&self, window: &CaseWindow) {
        self.activate_id(&window.id);
    }

    /// [`activate`](Self::activate) for any X window id.
    pub fn activate_id(&self, id: &str) {
        self.run_ok("xdotool", &["windowactivate", "--sync", id]);
        self.wait_for_active(id, COMMAND_TIMEOUT);
    }

    /// Waits until window `id` is the active window; panics on timeout.
    pub fn wait_for_active(&self, id: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let active = self.active_window();
            if active.as_deref() == Some(id) {
                return;
            }
            if Instant::now() > deadline {
                panic!("window {id} is not active within {timeout:?} (active: {active:?})");
            }
            thread::sleep(POLL);
        }
    }

    /// X id (decimal) of the active window, `None` if there is none.
    pub fn active_window(&self) -> Option<String> {
        let out = self.run("xdotool", &["getactivewindow"]).ok()?;
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !id.is_empty() && id != "0").then_some(id)
    }
}

/// An anchored POSIX regex for `xdotool search` that matches `text`, to be
/// confirmed by comparing the exact title afterwards: xdotool matches the
/// legacy WM_NAME, which Tk fills with mojibake for non-ASCII titles
/// ("–" becomes "â\u{80}\u{93}"), so each run of non-ASCII characters
/// becomes `.*`. ASCII is matched literally (but case-insensitively).
fn search_pattern(text: &str) -> String {
    let mut pattern = String::from("^");
    let mut after_non_ascii = false;
    for c in text.chars() {
        if !c.is_ascii() {
            if !after_non_ascii {
                pattern.push_str(".*");
            }
            after_non_ascii = true;
            continue;
        }
        after_non_ascii = false;
        if "\\^$.|?*+()[]{}".contains(c) {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('$');
    pattern
}

// ---------------------------------------------------------------------------
// Clipboard, logs, screenshots

impl Desktop {
    /// The CLIPBOARD selection as UTF-8 text; `None` if nobody owns it or it
    /// is empty. Panics if the content is not UTF-8.
    pub fn clipboard(&self) -> Option<String> {
        let bytes = self.read_selection("clipboard", None).ok()?;
        if bytes.is_empty() {
            return None;
        }
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => panic!("CLIPBOARD on {} is not UTF-8: {e}", self.display),
        }
    }

    /// The bytes another program gets when it asks the owner of `selection`
    /// (`"clipboard"`, `"primary"`) for `target` (default: UTF8_STRING),
    /// read with `xclip -o`. Err with xclip's message if the selection has
    /// no owner or the owner refuses the target.
    pub fn read_selection(&self, selection: &str, target: Option<&str>) -> Result<Vec<u8>, String> {
        let mut args = vec!["-o", "-selection", selection];
        if let Some(target) = target {
            args.extend(["-t", target]);
        }
        let out = self.run("xclip", &args)?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(format!(
                "`xclip {}` on {} failed ({}): {}",
                args.join(" "),
                self.display,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// Makes a long-lived `xclip` the owner of CLIPBOARD with `text`, and
    /// waits until the selection reads back exactly (the first paste after
    /// taking ownership can otherwise race and deliver nothing).
    pub fn set_clipboard(&mut self, text: &str) {
        let log = self
            .log_file("xclip.log")
            .unwrap_or_else(|err| panic!("{err}"));
        let mut cmd = self.command("xclip");
        // -quiet keeps xclip in the foreground (by default it forks away and
        // would escape our process tracking); it exits when another client
        // takes the selection.
        cmd.args(["-quiet", "-i", "-selection", "clipboard"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(log);
        let pid = self
            .spawn_named("xclip", cmd)
            .unwrap_or_else(|err| panic!("{err}"));
        self.feed_stdin(pid, text.as_bytes());

        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            let current = self.clipboard();
            if current.as_deref() == Some(text) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "CLIPBOARD on {} does not read back what was set ({} chars); it reads {:?}",
                    self.display,
                    text.chars().count(),
                    current.map(|c| c.chars().take(80).collect::<String>())
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Writes `bytes` to the stdin of tracked process `pid` and closes it.
    fn feed_stdin(&mut self, pid: u32, bytes: &[u8]) {
        let proc = self.tracked_mut(pid);
        let Some(mut stdin) = proc.child.stdin.take() else {
            panic!("{} ({pid}) has no stdin pipe", proc.name);
        };
        if let Err(e) = stdin.write_all(bytes) {
            panic!("cannot write to {} ({pid}): {e}", proc.name);
        }
    }

    /// Polls `file` until a line contains `needle` and returns that line.
    /// Panics on timeout with the file's content.
    pub fn wait_for_line(&self, file: &Path, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let content = fs::read_to_string(file).unwrap_or_default();
            if let Some(line) = content.lines().find(|line| line.contains(needle)) {
                return line.to_string();
            }
            if Instant::now() > deadline {
                panic!(
                    "no line containing {needle:?} in {} within {timeout:?}; it contains:\n{content}",
                    file.display()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Saves a PNG of the whole screen with ImageMagick's `import`. Optional
    /// tool: without it this prints a notice and does nothing.
    pub fn screenshot(&self, path: &Path) {
        if let Err(err) = self.try_screenshot(path) {
            eprintln!("e2e desktop {}: no screenshot: {err}", self.display);
        }
    }

    fn try_screenshot(&self, path: &Path) -> Result<(), String> {
        if find_program("import").is_none() {
            return Err("`import` not found (apt-get install -y imagemagick)".into());
        }
        let mut cmd = self.command("import");
        cmd.args(["-window", "root"]).arg(path);
        let out = run_with_timeout(cmd, Duration::from_secs(15))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

// ---------------------------------------------------------------------------
// Reading the case window

impl CaseWindow {
    /// Exactly what the text field contained at most ~5 ms ago (reported by
    /// the window program itself, not read through X). Use the `wait_*`
    /// methods to wait for input to arrive.
    pub fn text(&self) -> String {
        self.report.lock().text.clone()
    }

    /// Waits until the text equals `expected` or `timeout` passes; returns
    /// the last text (the caller asserts). Panics if the window has exited.
    pub fn wait_for_text(&self, expected: &str, timeout: Duration) -> String {
        let state = self.report.wait_while(Instant::now() + timeout, |r| {
            r.text != expected && r.ended.is_none()
        });
        if let (Some(ended), false) = (&state.ended, state.text == expected) {
            panic!(
                "case window {:?} is gone ({ended}); its last text: {:?}",
                self.title, state.text
            );
        }
        state.text.clone()
    }

    /// Returns the text once it has not changed for `quiet`. Panics if it
    /// is still changing after `timeout`.
    pub fn wait_until_stable(&self, quiet: Duration, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let changes = self.report.lock().changes;
            let quiet_end = Instant::now() + quiet;
            let state = self
                .report
                .wait_while(quiet_end.min(deadline), |r| r.changes == changes);
            if state.changes == changes && Instant::now() >= quiet_end {
                return state.text.clone();
            }
            if Instant::now() >= deadline {
                panic!(
                    "text of case window {:?} still changing after {timeout:?} ({} chars so far)",
                    self.title,
                    state.text.chars().count()
                );
            }
        }
    }
}

impl Report {
    fn lock(&self) -> MutexGuard<'_, Reported> {
        // Every update is a plain assignment: a panic elsewhere cannot leave
        // `Reported` half-updated, so a poisoned lock is still good.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, change: impl FnOnce(&mut Reported)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }

    /// Blocks while `pending` holds, until `deadline` at the latest, and
    /// returns the state (locked) for the caller to inspect.
    fn wait_while(
        &self,
        deadline: Instant,
        mut pending: impl FnMut(&Reported) -> bool,
    ) -> MutexGuard<'_, Reported> {
        let mut state = self.lock();
        while pending(&state) {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            state = match self.changed.wait_timeout(state, left) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        state
    }
}

/// One message of the case window protocol (see case_window.py).
enum Message {
    Ready,
    Text(String),
}

/// Runs on its own thread for the life of a case window program.
fn read_reports(stdout: ChildStdout, report: &Report) {
    let mut reader = BufReader::new(stdout);
    let ended = loop {
        match read_message(&mut reader) {
            Ok(Some(Message::Ready)) => report.update(|r| r.ready = true),
            Ok(Some(Message::Text(text))) => report.update(|r| {
                r.text = text;
                r.changes += 1;
            }),
            Ok(None) => break "the window program exited".to_string(),
            Err(e) => break format!("unreadable report from the window program: {e}"),
        }
    };
    report.update(|r| r.ended = Some(ended));
}

/// Reads `ready\n` or `text <N>\n<N bytes>`; `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> io::Result<Option<Message>> {
    let mut header = String::new();
    if reader.read_line(&mut header)? == 0 {
        return Ok(None);
    }
    let invalid = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    match header.trim_end().split_once(' ') {
        None if header.trim_end() == "ready" => Ok(Some(Message::Ready)),
        Some(("text", len)) => {
            let len: usize = len
                .parse()
                .map_err(|_| invalid(format!("bad length in {header:?}")))?;
            let mut bytes = vec![0; len];
            reader.read_exact(&mut bytes)?;
            let text = String::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8: {e}")))?;
            Ok(Some(Message::Text(text)))
        }
        _ => Err(invalid(format!("unexpected line {header:?}"))),
    }
}
