//! Shared support code for genvej's integration tests. Each test crate
//! (`tests/*.rs`) includes it with `mod support;` and uses only some of it.
#![allow(dead_code)]

pub mod agent;
pub mod desktop;
pub mod texts;
