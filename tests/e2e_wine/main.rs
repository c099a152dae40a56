//! The Windows build under Wine: genvej.exe and the MSI, and the agent's hot keys and typing.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod agent;
mod bundles;
mod first_key;
mod footprint;
mod remote;
mod sequences;
mod windows;
