//! Checking a test file's cases against the script they test: every input
//! `set` names exists and its value passes the form's check (on the case's
//! own date), the hotstring exists, every fixture names a source of the
//! script or an http(s) address prefix, and fixture files lie in the test
//! file's folder. Reading the fixture files (size, JSON, `expect` fields)
//! is the runner's (above the engine, which checks them as real answers).

use std::path::{Component, Path};

use super::{Placed, TestCase, TestFile};
use crate::diagnostic::Diagnostic;
use crate::script::Script;
use crate::suggest::{did_you_mean, list};

/// The problems of each case (in the order of `file.cases`) against `script`.
pub fn check(file: &TestFile, script: &Script) -> Vec<Vec<Diagnostic>> {
    file.cases
        .iter()
        .map(|case| check_case(&file.path, case, script))
        .collect()
}

fn hint(wrong: &str, known: &[&str]) -> String {
    did_you_mean(wrong, known.iter().copied())
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default()
}

fn known_list(known: &[&str]) -> String {
    if known.is_empty() {
        "none".into()
    } else {
        list(known)
    }
}

fn check_case(path: &Path, case: &TestCase, script: &Script) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let inputs: Vec<&str> = script.inputs.iter().map(|i| i.name.as_str()).collect();
    for (name, value) in &case.set {
        let Some(input) = script.inputs.iter().find(|i| i.name == name.value) else {
            problems.push(
                Diagnostic::error(
                    path,
                    name.span.clone(),
                    format!("`{}` has no input `{}`", script.id, name.value),
                )
                .with_help(format!(
                    "{}its inputs are: {}",
                    hint(&name.value, &inputs),
                    known_list(&inputs)
                )),
            );
            continue;
        };
        // A case that expects a failure may give a value the form refuses
        // (the run then fails as the caseworker's form would).
        if case.expect.failure.is_some() {
            continue;
        }
        if let Err(reason) = input.parse_value(&value.value, case.now.date()) {
            let mut d = Diagnostic::error(
                path,
                value.span.clone(),
                format!(
                    "the value for `{}` {} (the input «{}»)",
                    input.name,
                    reason.for_author(),
                    input.label
                ),
            );
            if let Some(help) = &input.help {
                d = d.with_help(format!("the input's help says: {help}"));
            }
            problems.push(d);
        }
    }
    if let Some(abbreviation) = &case.hotstring {
        let known: Vec<&str> = script
            .hotstrings
            .iter()
            .map(|h| h.abbreviation.as_str())
            .collect();
        if !known.contains(&abbreviation.value.as_str()) {
            problems.push(
                Diagnostic::error(
                    path,
                    abbreviation.span.clone(),
                    format!("`{}` has no hotstring `{}`", script.id, abbreviation.value),
                )
                .with_help(format!(
                    "{}its hotstrings are: {}",
                    hint(&abbreviation.value, &known),
                    known_list(&known)
                )),
            );
        }
    }
    let sources: Vec<&str> = script.sources.iter().map(|s| s.name.as_str()).collect();
    for fixture in &case.fixtures {
        if !fixture.is_document() && !sources.contains(&fixture.name.value.as_str()) {
            problems.push(
                Diagnostic::error(
                    path,
                    fixture.name.span.clone(),
                    format!("`{}` has no source `{}`", script.id, fixture.name.value),
                )
                .with_help(format!(
                    "{}its sources are: {}; a fixture for `merge_pdf` downloads is named by the start of their address (https://…)",
                    hint(&fixture.name.value, &sources),
                    known_list(&sources)
                )),
            );
        }
        if let Some(problem) = outside_folder(&fixture.file) {
            problems.push(Diagnostic::error(path, fixture.file.span.clone(), problem).with_help(
                "name the file from the test file's folder, e.g. \"testdata/borger.json\", so the folder can be moved as a whole",
            ));
        }
    }
    problems
}

/// Why a fixture file's name leaves the test file's folder, if it does.
fn outside_folder(file: &Placed<String>) -> Option<String> {
    let path = Path::new(&file.value);
    if file.value.trim().is_empty() {
        return Some("the fixture names no file".into());
    }
    let leaves = path.components().any(|c| {
        matches!(
            c,
            Component::ParentDir | Component::RootDir | Component::Prefix(_)
        )
    }) || file.value.starts_with('\\')
        || file.value.contains(":\\");
    leaves.then(|| "this fixture file is outside the test file's folder".to_string())
}
