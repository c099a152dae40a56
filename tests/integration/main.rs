//! The whole program without a desktop: the command line, the policy checks run as another user, and the fuzzers' findings.

#[path = "../common/mod.rs"]
mod common;
#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod bundles;
mod cli;
mod fuzz_regressions;
mod layers;
mod policy;
