//! Windows and keys on the test desktop: finding and activating windows,
//! pressing keys with xdotool, the tray host.

use std::fs;
use std::thread;
use std::time::{Duration, Instant};

use super::super::tools::{self, Tool};
use super::super::tray_host::TrayHost;
use super::{COMMAND_TIMEOUT, CaseWindow, Desktop, POLL, SNI_TRAY_PY, START_TIMEOUT, write_file};

impl Desktop {
    /// X id of the case window whose WM_CLASS instance is `wm_instance`
    /// (unique per desktop; Tk sets no `_NET_WM_PID` and titles may repeat).
    pub(super) fn wait_for_window_of_class(&self, wm_instance: &str, title: &str) -> String {
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
