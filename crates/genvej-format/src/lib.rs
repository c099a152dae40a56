//! The genvej script language, with no desktop in it: the script model and
//! its checker ([`script`]), templates, the agent's config and the
//! organisation's policy, CPR numbers, chords and window matching.
//!
//! The lowest layer of the workspace: every other genvej crate builds on
//! this one, and it depends on none of them (nor on GTK, egui, reqwest or
//! SQLite), so the checker's tests build and run on their own.

pub mod cancel;
pub mod chord;
pub mod chord_lint;
pub mod config;
pub mod cpr;
pub mod diagnostic;
pub mod hotkey;
pub mod hotstring;
pub mod input_value;
pub mod limits;
pub mod policy;
pub mod private_files;
pub mod schema;
pub mod script;
pub mod script_tests;
pub mod secret;
pub mod suggest;
pub mod template;
pub mod url_rules;
pub mod window_match;
