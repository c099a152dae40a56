//! The `genvej` program: see `genvej --help`.
//!
//! On Windows it is a GUI-subsystem program, so starting the agent from the
//! Start Menu or at logon opens no console window; commands run from a
//! console (`genvej.exe check`, `report`, …) attach to it and print there.
#![cfg_attr(windows, windows_subsystem = "windows")]

// crypt32 and opengl32 load on their first call, not at start (see
// build.rs): linked whole here, ahead of the crates' ordinary imports of
// the same functions, with mingw's delay-load helper after them.
#[cfg(delay_load)]
#[allow(unsafe_code)]
#[link(name = "crypt32_delay", kind = "static", modifiers = "+whole-archive")]
unsafe extern "C" {}
#[cfg(delay_load)]
#[allow(unsafe_code)]
#[link(name = "opengl32_delay", kind = "static", modifiers = "+whole-archive")]
unsafe extern "C" {}
#[cfg(delay_load)]
#[allow(unsafe_code)]
#[link(name = "delayimp", kind = "static")]
unsafe extern "C" {}

fn main() -> std::process::ExitCode {
    #[cfg(windows)]
    genvej_desktop::windows::attach_parent_console();
    genvej::cli::main()
}
