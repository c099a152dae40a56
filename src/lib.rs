//! genvej: hot keys for caseworkers. This package is the top of the
//! workspace: the agent a caseworker has running all day and the `genvej`
//! command line. The layers below it:
//!
//! `genvej_format` (parse → check) → `genvej_engine` (runs steps through
//! the ports it owns; the recording fake) → `genvej_desktop` (the OS
//! adapters) → `genvej_ui` (tray and dialogs); `genvej_usage` keeps the
//! usage records.

pub mod agent;
pub mod cli;
pub mod logging;
