//! The organisation's rule for the caseworker's own scripts
//! (`policy.personal_scripts`): all of them, text only, or none.
//!
//! A personal script runs as the caseworker, like a central one, but nobody
//! at the IT office has read it. `text-only` keeps what caseworkers make for
//! themselves (a signature, phrases) and refuses what reaches beyond the
//! keyboard: starting programs, opening addresses, sending requests to the
//! case systems, saving documents.

use std::ops::Range;
use std::path::Path;

use super::model::{Action, Script};
use crate::diagnostic::Diagnostic;
use crate::policy::PersonalScripts;

/// Why a personal script is not loaded under `policy`; empty when it may be.
/// Warnings, not errors: the policy's decision is not a mistake in a file,
/// and must not hold up a reload of the organisation's scripts.
pub(super) fn refusals(
    script: Option<&Script>,
    policy: PersonalScripts,
    path: &Path,
    text: &str,
) -> Vec<Diagnostic> {
    let rule = format!(
        "the organisation's policy is personal_scripts = \"{}\"",
        policy.as_str()
    );
    match (policy, script) {
        (PersonalScripts::Allow, _) | (PersonalScripts::TextOnly, None) => Vec::new(),
        (PersonalScripts::Deny, _) => vec![
            Diagnostic::warning(path, 0..0, "personal scripts are not loaded").with_help(format!(
                "{rule}; ask the IT office to add the script to the central folder"
            )),
        ],
        (PersonalScripts::TextOnly, Some(script)) => {
            let help = format!(
                "{rule}: personal scripts may type, paste, press keys, use windows and show messages; ask the IT office to add the script to the central folder"
            );
            let inner = script.steps.iter().flat_map(|step| match &step.action {
                Action::ForEach { steps, .. } => steps.as_slice(),
                _ => &[],
            });
            let steps = script.steps.iter().chain(inner).filter_map(|step| {
                let action = beyond_the_keyboard(&step.action)?;
                Some(
                    Diagnostic::warning(
                        path,
                        line_span(text, step.line),
                        format!("`{action}` is not allowed in a personal script; it is not loaded"),
                    )
                    .with_help(help.clone()),
                )
            });
            let sources = (!script.sources.is_empty()).then(|| {
                let at = text.find("[[source]]").map_or(0..0, |at| at..at + 10);
                Diagnostic::warning(
                    path,
                    at,
                    "`[[source]]` is not allowed in a personal script; it is not loaded",
                )
                .with_help(help.clone())
            });
            steps.chain(sources).collect()
        }
    }
}

/// The step's action name when it reaches beyond typing into windows.
fn beyond_the_keyboard(action: &Action) -> Option<&'static str> {
    match action {
        Action::Launch { .. } => Some("launch"),
        Action::OpenUrl { .. } => Some("open_url"),
        Action::Fetch { .. } => Some("fetch"),
        Action::MergePdf { .. } => Some("merge_pdf"),
        _ => None,
    }
}

/// The bytes of 1-based `line` in `text`, for pointing at a step header.
fn line_span(text: &str, line: usize) -> Range<usize> {
    let mut start = 0;
    for (number, content) in text.split_inclusive('\n').enumerate() {
        if number + 1 == line {
            return start..start + content.trim_end().len();
        }
        start += content.len();
    }
    0..0
}
