//! genvej: hot keys for caseworkers.
//!
//! The path of data: [`script`] (parse → check) → [`engine`] (runs steps) →
//! [`ports`] (small traits the engine owns) → [`platform`] adapters (the
//! recording `fake`, and the real desktops).

pub mod agent;
pub mod chord;
pub mod cli;
pub mod config;
pub mod cpr;
pub mod diagnostic;
pub mod dialog;
pub mod documents;
pub mod engine;
pub mod hotstring;
pub mod input_value;
pub mod limits;
pub mod logging;
pub mod paths;
pub mod platform;
pub mod policy;
pub mod ports;
pub mod private_files;
pub mod schema;
pub mod script;
pub mod suggest;
pub mod template;
pub mod tray;
pub mod trust;
pub mod usage;
pub mod window_match;
