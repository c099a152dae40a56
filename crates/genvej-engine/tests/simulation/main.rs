//! Whole scripts run against the recording fake desktop: the steps, the safety rules, sources and URLs.

#[path = "../../../../tests/common/mod.rs"]
mod common;

mod dry_run;
mod groups;
mod safety;
mod scripts;
mod sources;
mod urls;
