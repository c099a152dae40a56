//! Whole scripts run against the recording fake desktop: the steps, the safety rules, sources and URLs; and the book's dry runs and run-time messages (`docs_dry_runs`, `docs_messages`).

#[path = "../../../../tests/common/mod.rs"]
mod common;
#[path = "../../../../tests/common/troubleshooting.rs"]
mod troubleshooting;

mod bundled;
mod desktop;
mod docs_dry_runs;
mod docs_messages;
mod dry_run;
mod first_key;
mod first_key_path;
mod groups;
mod safety;
mod scripts;
mod sources;
mod typing_input;
mod urls;
