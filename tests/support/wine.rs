//! Runs the Windows build of genvej under Wine on a test desktop: a fresh
//! Wine prefix per test (in the desktop's folder, removed with it), the
//! test-only `bcryptprimitives.dll` stand-in (Wine 8 lacks `ProcessPrng`,
//! which Rust's std imports) copied into that prefix only, and `wintool.exe`
//! to read back what arrived (the Edit control's text, the clipboard).
//! Both helpers are C, built with mingw from `tests/support/windows/`.
//!
//! Needs [`Tool::Wine`] and [`Tool::WindowsBuild`] (the Debian packages
//! wine wine64 gcc-mingw-w64-x86-64 and the Rust target
//! x86_64-pc-windows-gnu; `.ci/run` installs them): tests name them in
//! `require_desktop!(Tool::Wine, Tool::WindowsBuild)` to skip without them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use super::desktop::Desktop;
use super::tools::{self, Tool, WINDOWS_TARGET as TARGET};

/// One Wine test at a time: each prefix is ~700 MB and boots in ~10 s.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The release `genvej.exe`, cross-compiled once per test run, or the one
/// `GENVEJ_EXE` names (a benchmark of a build made elsewhere).
pub fn genvej_exe() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if let Some(exe) = std::env::var_os("GENVEJ_EXE") {
                return Ok(PathBuf::from(exe));
            }
            tools::assert_present(&[Tool::WindowsBuild]);
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .args(["build", "--release", "--target", TARGET, "--bin", "genvej"])
                .current_dir(root)
                .stdin(Stdio::null())
                .status()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "cargo build --release --target {TARGET} failed (it needs: rustup target add {TARGET}; sudo apt-get install -y gcc-mingw-w64-x86-64)"
                ));
            }
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("target"));
            Ok(target.join(TARGET).join("release/genvej.exe"))
        })
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Builds one of the C helpers in `tests/support/windows/` into `output`
/// (also used by benches/wine.rs for `benchtool.c`).
pub fn build_helper(source: &str, output: &Path, args: &[&str]) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support/windows")
        .join(source);
    let result = Command::new("x86_64-w64-mingw32-gcc")
        .arg("-O2")
        .args(args)
        .arg("-o")
        .arg(output)
        .arg(&source)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run x86_64-w64-mingw32-gcc (sudo apt-get install -y gcc-mingw-w64-x86-64): {e}"
            )
        });
    assert!(
        result.status.success(),
        "building {} failed:\n{}",
        source.display(),
        String::from_utf8_lossy(&result.stderr)
    );
}

pub struct Wine {
    prefix: PathBuf,
    display: String,
    wintool: PathBuf,
    _turn: MutexGuard<'static, ()>,
}

impl Wine {
    /// A booted Wine prefix on `desktop`'s display.
    pub fn start(desktop: &Desktop) -> Wine {
        tools::assert_present(&[Tool::Wine, Tool::WindowsBuild]);
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
        let prefix = desktop.dir().join("wine");
        let wine = Wine {
            prefix,
            display: desktop.display().to_string(),
            wintool: desktop.dir().join("wintool.exe"),
            _turn: turn,
        };
        let started = Instant::now();
        // wineboot failed once in CI (of some hundred prefixes made): try
        // a second, fresh prefix before failing, and say why it failed.
        if let Err(first) = wine.boot() {
            eprintln!("wineboot failed, trying a fresh prefix once more: {first}");
            let _ = std::fs::remove_dir_all(&wine.prefix);
            if let Err(second) = wine.boot() {
                panic!("wineboot failed twice:\n{first}\n{second}");
            }
        }
        let system32 = wine.prefix.join("drive_c/windows/system32");
        build_helper(
            "bcryptprimitives.c",
            &system32.join("bcryptprimitives.dll"),
            &["-shared", "-ladvapi32"],
        );
        build_helper("wintool.c", &wine.wintool, &["-municode"]);
        eprintln!(
            "wine prefix ready in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        wine
    }

    /// A command run with this prefix, on the desktop's display.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env("DISPLAY", &self.display)
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
        command
    }

    /// `wine PROGRAM ARGS…`.
    pub fn wine(&self, program: &Path, args: &[&str]) -> Command {
        let mut command = self.command("wine");
        command.arg(program).args(args);
        command
    }

    /// The prefix's `C:\`.
    pub fn drive_c(&self) -> PathBuf {
        self.prefix.join("drive_c")
    }

    /// Makes the prefix (`wineboot -i`) and waits until its wineserver is
    /// done; `Err` with wineboot's exit status and last lines of output.
    fn boot(&self) -> Result<(), String> {
        let log = self.prefix.with_file_name("wineboot.log");
        let output = std::fs::File::create(&log).expect("wineboot log");
        let booted = self
            .command("wineboot")
            .arg("-i")
            .stdout(output.try_clone().expect("wineboot log"))
            .stderr(output)
            .status()
            .expect("wineboot runs");
        self.wait_for_wineserver();
        if booted.success() {
            return Ok(());
        }
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(15).collect();
        Err(format!(
            "wineboot -i: {booted}; its last output:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ))
    }

    fn wait_for_wineserver(&self) {
        let _ = self.command("wineserver").arg("-w").status();
    }

    /// `wine wintool.exe ARGS…` (see tests/support/windows/wintool.c).
    pub fn wintool(&self, args: &[&str]) -> Command {
        self.wine(&self.wintool, args)
    }

    fn tool(&self, args: &[&str]) -> Output {
        self.wine(&self.wintool, args)
            .output()
            .expect("wintool runs under wine")
    }

    /// The text of the Edit control in the window whose title contains
    /// `title`, line breaks as `\n`; `None` while there is no such window.
    pub fn edit_text(&self, title: &str) -> Option<String> {
        self.edit_text_as_is(title)
            .map(|text| text.replace("\r\n", "\n"))
    }

    /// The same with line breaks as the control holds them (`\r\n`).
    pub fn edit_text_as_is(&self, title: &str) -> Option<String> {
        let output = self.tool(&["text", title]);
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Waits until the Edit control's text is `expected` (or stops
    /// changing), and returns it.
    pub fn wait_for_edit_text(&self, title: &str, expected: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        loop {
            if let Some(text) = self.edit_text(title) {
                if text == expected {
                    return text;
                }
                last = text;
            }
            if Instant::now() > deadline {
                return last;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn set_clipboard(&self, text: &str) {
        assert!(self.tool(&["set-clipboard", text]).status.success());
    }

    pub fn clipboard(&self) -> Option<String> {
        let output = self.tool(&["get-clipboard"]);
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Waits until Windows (Wine) names the window titled `title` as the
    /// foreground window: Wine follows the X focus a moment later.
    pub fn wait_for_foreground(&self, title: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let output = self.tool(&["foreground"]);
            let now = String::from_utf8_lossy(&output.stdout).into_owned();
            if output.status.success() && now == title {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{title:?} is not Wine's foreground window within {timeout:?} (it is {now:?})"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Posts WM_CLOSE to the top-level window titled exactly `title`
    /// (hidden ones too); false when there is none.
    pub fn close_window(&self, title: &str) -> bool {
        self.tool(&["close", title]).status.success()
    }

    /// Starts notepad (optionally on a new file in `C:\`), waits for its
    /// window and returns its title.
    pub fn notepad(&self, desktop: &mut Desktop, file: Option<&str>) -> String {
        let mut command = self.wine(Path::new("notepad"), &[]);
        let title = match file {
            Some(name) => {
                std::fs::write(self.drive_c().join(name), "").expect("file");
                command.arg(format!("C:\\{name}"));
                format!("{name} - Notepad")
            }
            None => "Untitled - Notepad".to_string(),
        };
        command.stdout(Stdio::null()).stderr(Stdio::null());
        desktop.spawn(command);
        desktop.wait_for_window(&title, Duration::from_secs(60));
        title
    }
}

/// A Windows path for a file on the Linux side (Wine's `Z:` drive).
pub fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// The Windows agent (`genvej.exe run`) under Wine, logging at debug level
/// to `agent.log` in its folder.
pub struct WineAgent {
    pub log: PathBuf,
    pid: u32,
}

/// The hidden window the Windows agent closes on (WM_CLOSE).
pub const AGENT_WINDOW: &str = "genvej-agent";

impl WineAgent {
    /// Writes `scripts` and `config` into `folder` and starts the agent
    /// (`extra` after `run`, e.g. `--no-tray`); returns once it is ready.
    pub fn start(
        desktop: &mut Desktop,
        wine: &Wine,
        folder: &Path,
        scripts: &[(&str, &str)],
        config: &str,
        extra: &[&str],
    ) -> WineAgent {
        let hotkeys = folder.join("hotkeys");
        std::fs::create_dir_all(&hotkeys).expect("folder");
        for (file, text) in scripts {
            std::fs::write(hotkeys.join(file), text).expect("script");
        }
        let config_file = folder.join("genvej.toml");
        std::fs::write(&config_file, config).expect("config");
        let agent = WineAgent::start_exe(desktop, wine, &genvej_exe(), folder, &{
            let mut args = vec![
                "--config".to_string(),
                windows_path(&config_file),
                "--hotkeys".to_string(),
                windows_path(&hotkeys),
                "run".to_string(),
            ];
            args.extend(extra.iter().map(|a| a.to_string()));
            args
        });
        agent.wait_for_log(desktop, "genvej ready");
        agent
    }

    /// Starts `exe ARGS…` with its output in `folder/agent.log` (a file,
    /// not a pipe: Wine's children keep pipes open); does not wait.
    pub fn start_exe(
        desktop: &mut Desktop,
        wine: &Wine,
        exe: &Path,
        folder: &Path,
        args: &[String],
    ) -> WineAgent {
        std::fs::create_dir_all(folder).expect("folder");
        let log = folder.join("agent.log");
        let file = std::fs::File::create(&log).expect("log file");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut command = wine.wine(exe, &args);
        command
            .env("GENVEJ_LOG", "debug")
            .stdout(file.try_clone().expect("file"))
            .stderr(file);
        let pid = desktop.spawn(command);
        WineAgent { log, pid }
    }

    pub fn wait_for_log(&self, desktop: &Desktop, needle: &str) -> String {
        desktop.wait_for_line(&self.log, needle, Duration::from_secs(60))
    }

    /// The folder it runs in (its config, scripts, log and usage records).
    pub fn folder(&self) -> &Path {
        self.log.parent().unwrap_or(Path::new("."))
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Closes the agent as `taskkill` (without /f) would, and waits until
    /// it has stopped and its process has ended.
    pub fn close(&self, desktop: &mut Desktop, wine: &Wine) {
        assert!(
            wine.close_window(AGENT_WINDOW),
            "the agent's hidden window is not there; log:\n{}",
            self.log_text()
        );
        self.wait_for_log(desktop, "genvej stopped");
        desktop.stop(self.pid);
        self.assert_no_cpr_logged();
    }

    /// Searches everything the agent logged (its output and the log files
    /// in `logs/` next to it) for CPR numbers.
    pub fn assert_no_cpr_logged(&self) {
        let mut files = vec![self.log.clone()];
        if let Some(folder) = self.log.parent() {
            if let Ok(entries) = std::fs::read_dir(folder.join("logs")) {
                files.extend(entries.flatten().map(|e| e.path()));
            }
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for line in text.lines() {
                assert!(
                    !genvej_format::cpr::contains_cpr(line),
                    "a CPR number reached {}:\n{line}",
                    file.display()
                );
            }
        }
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        let _ = self.command("wineserver").arg("-k").status();
        self.wait_for_wineserver();
        let _ = std::fs::remove_dir_all(&self.prefix);
    }
}
