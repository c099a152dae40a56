//! What the caseworker sees of genvej besides the typing: the tray icon with
//! its menu, and the dialogs (a script's form and messages, notices, the
//! cheat sheet and the command palette), drawn by a child process (short-lived;
//! the palette's is kept ready between chords).
//!
//! Above the desktop adapters: the dialogs reach the engine through the
//! desktop's [`genvej_desktop::Dialogs`], which [`dialog::DialogProcess`]
//! implements.

pub mod dialog;
pub mod search;
mod texts;
pub mod tray;
