//! `genvej test [PATH…]`: runs the test cases a script folder carries
//! (`NAME.tests.toml` beside `NAME.toml`) against the recording desktop,
//! as `genvej exec --dry-run` would with the case's inputs, selection,
//! fixtures, hotstring and clock, and compares the actions (or the failure)
//! with what the case expects. One line per case, a line diff on a
//! mismatch, a summary; exit 0 all passed, 1 a case failed or a test file
//! is broken, 2 a usage error. Every line printed has CPR numbers masked.

mod bless;
mod diff;
mod junit;
pub(crate) mod prepare;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;

use super::Setup;
use genvej_format::cpr::redact;
use genvej_format::diagnostic::Diagnostic;
use genvej_format::script::{self, CheckMode, ScriptFolders, ScriptSet};
use prepare::{Case, Checked, Ready};

/// What `genvej test` was asked.
pub(crate) struct TestArgs {
    pub paths: Vec<PathBuf>,
    pub filter: Option<String>,
    pub bless: bool,
    pub junit: Option<PathBuf>,
}

/// How one case ended.
pub(crate) enum Verdict {
    Passed,
    /// What differs, as lines to print below the case.
    Failed(Vec<String>),
}

/// One case's result, for the summary and the JUnit report.
pub(crate) struct CaseResult {
    pub file: PathBuf,
    pub label: String,
    pub verdict: Verdict,
}

/// The folders or files to test, named or configured; a name that does not
/// exist is a usage error.
fn targets(setup: &Setup, paths: Vec<PathBuf>) -> anyhow::Result<Vec<PathBuf>> {
    if paths.is_empty() {
        if setup.bundles.is_some() && setup.hotkey_folders.central.is_empty() {
            bail!(
                "the organisation's scripts come from signed bundles, which carry no test cases; name the library folder: genvej test DIR"
            );
        }
        let mut all = setup.hotkey_folders.central.clone();
        all.extend(
            setup
                .hotkey_folders
                .personal
                .iter()
                .filter(|p| p.exists())
                .cloned(),
        );
        if all.is_empty() {
            bail!(
                "no script folders found; name one: genvej test DIR (or set agent.hotkey_folders in the config)"
            );
        }
        return Ok(all);
    }
    for path in &paths {
        if !path.exists() {
            bail!(
                "{} does not exist; name a folder of scripts, a script or a test file",
                path.display()
            );
        }
    }
    Ok(paths)
}

/// The scripts the test files need: a test file named alone brings its
/// script (when there is one).
pub(crate) fn scripts_for(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| {
            if genvej_format::script_tests::is_test_file(p) {
                genvej_format::script_tests::script_path_of(p).filter(|s| s.is_file())
            } else {
                Some(p.clone())
            }
        })
        .collect()
}

/// Every test file for `paths`, read and checked against the scripts of
/// `set` (also used by `genvej check`).
pub(crate) fn check_files(
    paths: &[PathBuf],
    set: &ScriptSet,
    config: &genvej_format::config::Config,
) -> Vec<Checked> {
    script::find_test_files(paths)
        .iter()
        .map(|file| prepare::read(file, set, config))
        .collect()
}

/// For `genvej check`: the test files of the checked folders (or of the
/// scripts and test files `named`) checked, their problems added to `set`,
/// and with `--release` a warning for each script without test cases.
/// None when the scripts come from a signed bundle. How many were checked.
pub(crate) fn check_into(
    setup: &Setup,
    folders: &ScriptFolders,
    named: &[PathBuf],
    set: &mut ScriptSet,
    mode: CheckMode,
) -> usize {
    if setup.bundles.is_some() && folders == &setup.hotkey_folders {
        return 0;
    }
    let mut paths = if named.is_empty() {
        folders.central.clone()
    } else {
        named.to_vec()
    };
    paths.extend(folders.personal.iter().filter(|p| p.exists()).cloned());
    let tests = check_files(&paths, set, &setup.config);
    for file in &tests {
        set.diagnostics.extend(file.problems().cloned());
        set.texts.insert(file.path.clone(), file.text.clone());
    }
    if mode == CheckMode::Release {
        let untested = untested_warnings(set, &tests);
        set.diagnostics.extend(untested);
    }
    set.diagnostics
        .sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
    tests.len()
}

pub(crate) fn run(setup: &Setup, args: TestArgs) -> anyhow::Result<ExitCode> {
    let paths = targets(setup, args.paths)?;
    let set = script::load(&scripts_for(&paths), &setup.config);
    let files = check_files(&paths, &set, &setup.config);
    let mut out = std::io::stdout().lock();
    let mut results = Vec::new();
    let mut broken_files = 0;
    let mut blessed = 0;
    for file in &files {
        let shown = redact(&file.path.display().to_string());
        if !file.file_problems.is_empty() {
            broken_files += 1;
            writeln!(out, "FAILED  {shown}: this test file has errors")?;
        }
        let mut edits = Vec::new();
        for case in &file.cases {
            let label = format!(
                "{}: {}",
                file.script.as_ref().map_or("?", |s| s.id.as_str()),
                case.case.name.value
            );
            if args
                .filter
                .as_deref()
                .is_some_and(|f| !label.contains(f) && !shown.contains(f))
            {
                continue;
            }
            let verdict = match &case.ready {
                Err(_) => Verdict::Failed(vec!["the case has errors (below)".into()]),
                Ok(ready) => {
                    let (verdict, actual) = judge(setup, file, case, ready);
                    if args.bless {
                        if let (Some(expected), Some(actual)) = (&case.case.expect.actions, actual)
                        {
                            if expected.value != actual {
                                edits.push((expected.span.clone(), actual));
                            }
                        }
                    }
                    verdict
                }
            };
            match &verdict {
                Verdict::Passed => writeln!(out, "ok      {}", redact(&label))?,
                Verdict::Failed(why) => {
                    writeln!(out, "FAILED  {}", redact(&label))?;
                    for line in why {
                        writeln!(out, "    {}", redact(line))?;
                    }
                }
            }
            results.push(CaseResult {
                file: file.path.clone(),
                label,
                verdict,
            });
        }
        let problems = file.render_problems();
        if !problems.is_empty() {
            writeln!(out, "{problems}")?;
        }
        if args.bless && !edits.is_empty() {
            blessed += edits.len();
            let text = bless::rewrite(&file.text, edits);
            std::fs::write(&file.path, text)
                .map_err(|e| anyhow::anyhow!("cannot write {shown}: {e}"))?;
        }
    }
    let failed = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Failed(_)))
        .count();
    let passed = results.len() - failed;
    let untested = untested(&set, &files);
    if !untested.is_empty() {
        writeln!(out, "scripts without test cases: {}", untested.join(", "))?;
    }
    if blessed > 0 {
        writeln!(
            out,
            "--bless wrote the actual actions into the `expect` of {blessed} case{}; review the change before you commit it",
            plural(blessed)
        )?;
    }
    let broken = if broken_files > 0 {
        format!(
            "; {broken_files} test file{} with errors",
            plural(broken_files)
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} case{} in {} test file{}: {passed} passed, {failed} failed{broken}",
        results.len(),
        plural(results.len()),
        files.len(),
        plural(files.len()),
    )?;
    if let Some(path) = &args.junit {
        junit::write(path, &results, &files)?;
    }
    Ok(if failed > 0 || broken_files > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The ids of the scripts no test file tests.
fn untested(set: &ScriptSet, files: &[Checked]) -> Vec<String> {
    set.scripts
        .iter()
        .filter(|s| {
            !files.iter().any(|f| {
                f.script
                    .as_ref()
                    .is_some_and(|t| t.file.path == s.file.path)
            })
        })
        .map(|s| s.id.clone())
        .collect()
}

/// For `check --release`: a warning at the `id` line of every central
/// script that no test file tests.
fn untested_warnings(set: &ScriptSet, files: &[Checked]) -> Vec<Diagnostic> {
    let ids = untested(set, files);
    set.scripts
        .iter()
        .filter(|s| !s.file.personal && ids.contains(&s.id))
        .map(|s| {
            let text = set.texts.get(&s.file.path).map_or("", String::as_str);
            let name = s
                .file
                .path
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Diagnostic::warning(&s.file.path, id_line(text), format!("`{}` has no test cases", s.id))
                .with_help(format!(
                    "add {name}.tests.toml beside it with [[case]] tables; `genvej test` runs them (see \"Testing a script\")"
                ))
        })
        .collect()
}

/// Where the `id = …` line of a script's text is (the start of the file if
/// none is found).
fn id_line(text: &str) -> std::ops::Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line
            .strip_prefix("id")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return offset..offset + 2;
        }
        offset += line.len();
    }
    0..0
}

/// Runs one case and says whether it did what it expects; with the actual
/// (masked) action lines, for `--bless`.
fn judge(
    setup: &Setup,
    file: &Checked,
    case: &Case,
    ready: &Ready,
) -> (Verdict, Option<Vec<String>>) {
    let Some(script) = &file.script else {
        return (Verdict::Failed(vec!["no script".into()]), None);
    };
    let expect = &case.case.expect;
    let ran = match super::dry_run::run(
        &setup.config,
        script,
        &ready.preset,
        &ready.data,
        case.case.hotstring.as_ref().map(|h| h.value.as_str()),
        case.case.now,
    ) {
        Ok(ran) => ran,
        Err(message) => return (Verdict::Failed(vec![message]), None),
    };
    let actual: Vec<String> = ran.lines.iter().map(|l| redact(l)).collect();
    // Said after "but it …".
    let summary = match redact(&ran.summary) {
        s if s.starts_with("not run: ") => format!("was {s}"),
        s if s == "cancelled" => "was cancelled".into(),
        s => s,
    };
    let mut why = Vec::new();
    match (&expect.failure, ran.completed) {
        (None, false) => why.push(format!("expected the run to complete, but it {summary}")),
        (Some(failure), true) => why.push(format!(
            "expected the run to fail with «{}», but it {summary}",
            failure.value
        )),
        (Some(failure), false) if !summary.contains(&failure.value) => why.push(format!(
            "expected the run to fail with «{}», but it {summary}",
            failure.value
        )),
        _ => {}
    }
    if let Some(expected) = &expect.actions {
        if expected.value != actual {
            why.push("expected (-) and actual (+) actions differ:".into());
            why.extend(diff::lines(&expected.value, &actual));
        }
    }
    let verdict = if why.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed(why)
    };
    (verdict, Some(actual))
}
