//! The whole program without a desktop: the command line (also `genvej bundle`), the policy checks run as another user, and the fuzzers' findings.

#[path = "../common/mod.rs"]
mod common;
#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod book_dry_runs;
mod bundle_cli;
mod bundles;
mod cli;
mod dry_run_cli;
mod fuzz_regressions;
mod layers;
mod policy;
mod test_cli;
