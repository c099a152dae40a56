//! What the tests need from the machine beyond Rust (Xvfb, Wine, openssl,
//! Chromium, …) and the one place that decides what happens when it is
//! missing. A developer on a fresh Debian/Ubuntu machine gets a skipped test
//! and a loud notice naming the missing tool with the exact
//! `sudo apt-get install …` (and `rustup target add …`) line; in CI
//! (`CI` or `GENVEJ_E2E` set) the same text is a failure, so CI can never
//! skip silently.
//!
//! Tests call [`require_tools!`] (or [`require_desktop!`] with the extra
//! tools, which checks the desktop's own tools in the same notice) as their
//! first line. Helpers that start a tool call [`assert_present`], so a test
//! that forgot to name a tool fails with the same install line.
//!
//! Std only, so a test binary without the desktop harness can include it
//! alone: `mod support { pub mod tools; }`.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Returns from the calling test (which then passes as skipped) unless every
/// tool named is there; outside CI only, see [`require`].
/// `require_tools!(Tool::Openssl, Tool::Python3);`
#[macro_export]
macro_rules! require_tools {
    ($($tool:expr),+ $(,)?) => {
        if !$crate::support::tools::require(&[$($tool),+]) {
            return;
        }
    };
}

/// Something a test needs from the machine, with the Debian package(s) that
/// provide it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// The virtual X server.
    Xvfb,
    /// The window manager of the test desktop.
    Openbox,
    /// Presses keys and finds windows.
    Xdotool,
    /// Reads and sets the X selections.
    Xclip,
    /// xprop and xmessage.
    X11Utils,
    /// setxkbmap, to change the keyboard layout.
    Setxkbmap,
    /// Python's tkinter, for the stand-in case windows.
    PythonTk,
    /// The libraries genvej's dialogs (egui on X11) load at run time.
    DialogLibraries,
    /// A private D-Bus session bus (dbus-daemon, dbus-send).
    DbusDaemon,
    /// python3-dbus and python3-gi, for the stand-in notification service.
    PythonDbus,
    /// GNOME Keyring, the Secret Service the credential tests use.
    GnomeKeyring,
    /// Plain python3 (test servers started from PATH).
    Python3,
    /// pip, for the Wine benchmark's AutoHotkey download.
    Pip,
    /// openssl, to make test certificates.
    Openssl,
    /// Headless Chromium, to render the HTML report.
    Chromium,
    /// ImageMagick's `identify`, to look at screenshots.
    ImageMagick,
    /// 64-bit Wine, to run genvej.exe.
    Wine,
    /// The Windows build: mingw-w64's gcc and Rust's x86_64-pc-windows-gnu.
    WindowsBuild,
    /// wixl and msitools, to build and read the MSI.
    Msitools,
    /// dpkg and dpkg-deb, to build and install the .deb.
    Dpkg,
    /// strip (binutils).
    Binutils,
}

/// Everything [`Desktop::start`](super::desktop::Desktop::start) needs.
pub const DESKTOP: &[Tool] = &[
    Tool::Xvfb,
    Tool::Openbox,
    Tool::Xdotool,
    Tool::Xclip,
    Tool::X11Utils,
    Tool::PythonTk,
    Tool::DialogLibraries,
];

/// The Rust target of the Windows build.
pub const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";

/// How to tell whether a tool is there.
enum Probe {
    /// Every one of these programs (a name on PATH or an absolute path).
    Programs(&'static [&'static str]),
    /// At least one of these programs.
    AnyProgram(&'static [&'static str]),
    /// This Python code runs with [`python_interpreter`].
    Python(&'static str, &'static str),
    /// These shared libraries are in a library folder.
    Libraries(&'static [&'static str]),
    /// Rust's standard library for this target is installed.
    RustTarget(&'static str),
}

/// A tool's human name, its probes and how to install it.
struct Need {
    name: &'static str,
    probes: &'static [Probe],
    apt: &'static [&'static str],
    rustup: Option<&'static str>,
}

impl Tool {
    fn need(self) -> Need {
        use Probe::*;
        let (name, probes, apt, rustup): (_, &'static [Probe], &'static [&'static str], _) =
            match self {
                Tool::Xvfb => ("Xvfb", &[Programs(&["Xvfb"])], &["xvfb"], None),
                Tool::Openbox => ("openbox", &[Programs(&["openbox"])], &["openbox"], None),
                Tool::Xdotool => ("xdotool", &[Programs(&["xdotool"])], &["xdotool"], None),
                Tool::Xclip => ("xclip", &[Programs(&["xclip"])], &["xclip"], None),
                Tool::X11Utils => (
                    "X11 utilities",
                    &[Programs(&["xprop", "xmessage"])],
                    &["x11-utils"],
                    None,
                ),
                Tool::Setxkbmap => (
                    "setxkbmap",
                    &[Programs(&["setxkbmap"])],
                    &["x11-xkb-utils"],
                    None,
                ),
                Tool::PythonTk => (
                    "Python's tkinter",
                    &[Python("import tkinter", "tkinter")],
                    &["python3-tk"],
                    None,
                ),
                Tool::DialogLibraries => (
                    "the dialog libraries",
                    &[Libraries(&["libxkbcommon-x11.so.0", "libEGL.so.1"])],
                    &["libxkbcommon-x11-0", "libegl1", "libgl1-mesa-dri"],
                    None,
                ),
                Tool::DbusDaemon => (
                    "a D-Bus session bus",
                    &[Programs(&["dbus-daemon", "dbus-send"])],
                    &["dbus-daemon"],
                    None,
                ),
                Tool::PythonDbus => (
                    "Python's D-Bus and GLib",
                    &[Python(
                        "import dbus.service; from dbus.mainloop.glib import DBusGMainLoop; \
                         from gi.repository import GLib",
                        "dbus, gi",
                    )],
                    &["python3-dbus", "python3-gi"],
                    None,
                ),
                Tool::GnomeKeyring => (
                    "GNOME Keyring",
                    &[Programs(&["gnome-keyring-daemon"])],
                    &["gnome-keyring"],
                    None,
                ),
                Tool::Python3 => ("python3", &[Programs(&["python3"])], &["python3"], None),
                Tool::Pip => (
                    "pip",
                    &[Python("import pip", "pip")],
                    &["python3-pip"],
                    None,
                ),
                Tool::Openssl => ("openssl", &[Programs(&["openssl"])], &["openssl"], None),
                Tool::Chromium => (
                    "Chromium",
                    &[AnyProgram(&[
                        "chromium",
                        "chromium-browser",
                        "google-chrome",
                    ])],
                    &["chromium"],
                    None,
                ),
                Tool::ImageMagick => (
                    "ImageMagick",
                    &[Programs(&["identify"])],
                    &["imagemagick"],
                    None,
                ),
                Tool::Wine => (
                    "64-bit Wine",
                    &[
                        Programs(&["wine", "wineserver", "wineboot"]),
                        AnyProgram(&["wine64", "/usr/lib/wine/wine64"]),
                    ],
                    &["wine", "wine64"],
                    None,
                ),
                Tool::WindowsBuild => (
                    "the Windows build",
                    &[
                        Programs(&["x86_64-w64-mingw32-gcc"]),
                        RustTarget(WINDOWS_TARGET),
                    ],
                    &["gcc-mingw-w64-x86-64"],
                    Some(WINDOWS_TARGET),
                ),
                Tool::Msitools => (
                    "the MSI tools",
                    &[Programs(&["wixl", "msiinfo", "msibuild"])],
                    &["wixl", "msitools"],
                    None,
                ),
                Tool::Dpkg => ("dpkg", &[Programs(&["dpkg", "dpkg-deb"])], &["dpkg"], None),
                Tool::Binutils => ("strip", &[Programs(&["strip"])], &["binutils"], None),
            };
        Need {
            name,
            probes,
            apt,
            rustup,
        }
    }

    /// What of this tool is missing (program names, modules, …); empty when
    /// it is all there.
    pub fn missing_parts(self) -> Vec<String> {
        self.need()
            .probes
            .iter()
            .filter_map(|probe| probe.missing())
            .collect()
    }
}

impl Probe {
    fn missing(&self) -> Option<String> {
        match self {
            Probe::Programs(programs) => {
                let gone: Vec<&str> = programs
                    .iter()
                    .copied()
                    .filter(|p| find_program(p).is_none())
                    .collect();
                (!gone.is_empty()).then(|| gone.join(", "))
            }
            Probe::AnyProgram(programs) => programs
                .iter()
                .all(|p| find_program(p).is_none())
                .then(|| programs.join(" or ")),
            Probe::Python(code, modules) => {
                let ran = Command::new(python_interpreter())
                    .args(["-c", code])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                (!ran).then(|| format!("python3 module {modules}"))
            }
            Probe::Libraries(libraries) => {
                let gone: Vec<&str> = libraries
                    .iter()
                    .copied()
                    .filter(|l| !has_library(l))
                    .collect();
                (!gone.is_empty()).then(|| gone.join(", "))
            }
            Probe::RustTarget(target) => {
                (!has_rust_target(target)).then(|| format!("Rust target {target}"))
            }
        }
    }
}

/// Whether every tool is there. If not: panics in CI (`CI` or `GENVEJ_E2E`
/// set and not `0`/`false`) with the install line, and otherwise prints a
/// loud skip notice with the same line and returns false.
#[track_caller]
pub fn require(tools: &[Tool]) -> bool {
    let Some(text) = missing_text(tools) else {
        return true;
    };
    if strict() {
        panic!("{text}\n(CI or GENVEJ_E2E is set: a missing tool is a failure, not a skip)");
    }
    // Straight to the process's stderr: eprintln! would be captured by the
    // test runner and hidden, since a skipped test passes.
    let bar = "*".repeat(76);
    let body: String = text.lines().map(|line| format!("* {line}\n")).collect();
    let _ = writeln!(
        std::io::stderr(),
        "\n{bar}\n* SKIPPED {}\n{body}* (set CI=true or GENVEJ_E2E=1 to make this a failure instead)\n{bar}\n",
        test_name()
    );
    false
}

/// Panics with the install line unless every tool is there: for helpers
/// that start a tool, as a backstop for a test that did not name it in
/// [`require_tools!`]/[`require_desktop!`].
#[track_caller]
pub fn assert_present(tools: &[Tool]) {
    if let Some(text) = missing_text(tools) {
        panic!(
            "{text}\n(name it in the test's require_desktop!(…)/require_tools!(…) to skip without it)"
        );
    }
}

/// "needs …, missing here: …" plus the install lines; `None` when nothing
/// is missing.
fn missing_text(tools: &[Tool]) -> Option<String> {
    let mut seen = Vec::new();
    let mut parts = Vec::new();
    let mut apt: Vec<&str> = Vec::new();
    let mut rustup: Vec<&str> = Vec::new();
    for &tool in tools {
        if seen.contains(&tool) {
            continue;
        }
        seen.push(tool);
        let missing = tool.missing_parts();
        if missing.is_empty() {
            continue;
        }
        let need = tool.need();
        parts.push(if missing == [need.name] {
            need.name.to_string()
        } else {
            format!("{} ({})", need.name, missing.join("; "))
        });
        for package in need.apt {
            if !apt.contains(package) {
                apt.push(package);
            }
        }
        if let Some(target) = need.rustup {
            if !rustup.contains(&target) {
                rustup.push(target);
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    let mut text = format!(
        "this test needs tools missing here: {}\nInstall with:  sudo apt-get install -y {}",
        parts.join(", "),
        apt.join(" ")
    );
    for target in rustup {
        text.push_str(&format!("\n         and:  rustup target add {target}"));
    }
    Some(text)
}

/// Whether a missing tool is a failure (CI) rather than a skip.
pub fn strict() -> bool {
    ["CI", "GENVEJ_E2E"]
        .iter()
        .any(|var| std::env::var(var).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false"))
}

/// The test's name (libtest names each test's thread after it).
fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => "this run".to_string(),
    }
}

/// Looks a program up on PATH (no dependency on `which`); a name with a
/// `/` is taken as a path.
pub fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let path = PathBuf::from(program);
        return path.is_file().then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Debian's python3 is where `python3-tk` and friends install their
/// modules; another python3 on PATH (pyenv, venv) may lack them.
pub fn python_interpreter() -> PathBuf {
    let debian = PathBuf::from("/usr/bin/python3");
    if debian.exists() {
        debian
    } else {
        PathBuf::from("python3")
    }
}

/// Whether a shared library is in one of the usual library folders (those
/// of `LD_LIBRARY_PATH` first).
fn has_library(name: &str) -> bool {
    let multiarch = format!("{}-linux-gnu", std::env::consts::ARCH);
    let mut dirs: Vec<PathBuf> = std::env::var_os("LD_LIBRARY_PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for dir in ["/usr/lib", "/lib"] {
        dirs.push(Path::new(dir).join(&multiarch));
    }
    dirs.extend(["/usr/lib64", "/lib64", "/usr/lib", "/lib"].map(PathBuf::from));
    dirs.iter().any(|dir| dir.join(name).exists())
}

/// Whether rustup (or the toolchain) has the standard library for `target`:
/// `rustc --print target-libdir` names the folder whether or not it exists.
fn has_rust_target(target: &str) -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .args(["--print", "target-libdir", "--target", target])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        .is_some_and(|dir| has_rlib(&dir, "libstd-"))
}

fn has_rlib(dir: &Path, prefix: &str) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(prefix))
    })
}
