//! End to end on a real X server (Xvfb + openbox): the real agent, stand-in case-system windows, keys pressed with xdotool.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod agent;
mod before_after;
mod bundles;
mod clipboard;
mod credentials;
mod dialogs;
mod first_key;
mod handovers;
mod hotkeys;
mod hotstrings;
mod open_url;
mod palette;
mod policy;
mod reload;
mod run_safety;
mod sequences;
mod sources;
mod tray;
mod unix_safety;
mod usage;
