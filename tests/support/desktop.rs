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
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;

use rustix::process::{Pid, Signal};
use tempfile::TempDir;
use x11rb::connection::Connection;
use x11rb::rust_connection::RustConnection;

pub use super::tools::find_program;
use super::tools::{self, Tool};

mod case_window;
mod readback;
mod start;
mod windows;

pub use case_window::CaseWindow;

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
