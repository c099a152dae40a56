//! The checker and the script files: messages, files on disk, hostile edits, and every TOML example in the book. Needs no desktop.

#[path = "../../../../tests/common/mod.rs"]
mod common;
mod hostile;
#[path = "../../../../tests/common/troubleshooting.rs"]
mod troubleshooting;

mod docs_checker_messages;
mod docs_examples;
mod docs_filter_reference;
mod docs_template_output;
mod group_messages;
mod hostile_input;
mod messages;
mod release;
mod script_files;
mod sequences;
mod template_messages;
