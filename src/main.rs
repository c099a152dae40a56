//! The `genvej` program: see `genvej --help`.
//!
//! On Windows it is a GUI-subsystem program, so starting the agent from the
//! Start Menu or at logon opens no console window; commands run from a
//! console (`genvej.exe check`, `report`, …) attach to it and print there.
#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    #[cfg(windows)]
    genvej_desktop::windows::attach_parent_console();
    genvej::cli::main()
}
