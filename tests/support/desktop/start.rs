//! Starting a desktop: Xvfb on a free display, openbox with an rc.xml
//! that binds no keys, and the checks that windows are managed before a
//! test goes on.

use std::fs::{self, File};
use std::io::{BufRead as _, BufReader};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{MutexGuard, PoisonError, mpsc};
use std::thread;
use std::time::Instant;

use x11rb::connection::Connection as _;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, CreateWindowAux, EventMask, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::{COPY_DEPTH_FROM_PARENT, COPY_FROM_PARENT};

use super::super::tools::{self, Tool, python_interpreter};
use super::{
    CASE_WINDOW_PY, Desktop, MAP_RETRY, OPENBOX_RC, POLL, SCREEN, START_TIMEOUT, TURN, Tracked,
    stop_all, write_file,
};

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
