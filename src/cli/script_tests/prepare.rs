//! Reading a test file and making each case ready to run: the checks of
//! the format (`genvej_format::script_tests`), then every fixture file read
//! and checked like a real answer (the dry run's own code). Shared by
//! `genvej test` and `genvej check`, so both find the same problems.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use genvej_engine::fake::DryRunData;
use genvej_format::config::Config;
use genvej_format::diagnostic::Diagnostic;
use genvej_format::script::{Script, ScriptSet};
use genvej_format::script_tests::{self, TestCase, TestFile};

/// One test file, read and checked.
pub(crate) struct Checked {
    pub path: PathBuf,
    /// The file's text (for rendering its problems and for `--bless`).
    pub text: String,
    /// The script's id, when the script loaded.
    pub script: Option<Script>,
    /// Problems of the file as a whole (it cannot be read, no script, …):
    /// its cases do not run.
    pub file_problems: Vec<Diagnostic>,
    pub cases: Vec<Case>,
}

/// One case and what it runs with, or why it cannot run.
pub(crate) struct Case {
    pub case: TestCase,
    pub ready: Result<Ready, Vec<Diagnostic>>,
}

/// A case ready to run.
pub(crate) struct Ready {
    pub preset: BTreeMap<String, String>,
    pub data: DryRunData,
}

/// Reads and checks the test file `path` against the scripts of `set`.
pub(crate) fn read(path: &Path, set: &ScriptSet, config: &Config) -> Checked {
    let mut checked = Checked {
        path: path.to_path_buf(),
        text: String::new(),
        script: None,
        file_problems: Vec::new(),
        cases: Vec::new(),
    };
    let text = match read_text(path, config.limits.script_bytes()) {
        Ok(text) => text,
        Err(problem) => {
            checked
                .file_problems
                .push(Diagnostic::error(path, 0..0, problem));
            return checked;
        }
    };
    checked.text = text;
    let (file, problems) = script_tests::parse(path, &checked.text);
    checked.file_problems.extend(problems);
    let script_path = script_tests::script_path_of(path).unwrap_or_default();
    let Some(script) = set.scripts.iter().find(|s| s.file.path == script_path) else {
        let broken = set.diagnostics.iter().any(|d| d.path == script_path);
        let name = script_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let diagnostic = if broken {
            Diagnostic::error(
                path,
                0..0,
                format!("the script `{name}` has errors, so its cases cannot run"),
            )
            .with_help(format!("run `genvej check {}`", script_path.display()))
        } else {
            Diagnostic::error(path, 0..0, format!("there is no script `{name}` beside this test file"))
                .with_help("a test file is named after the script it tests: `NAME.tests.toml` beside `NAME.toml`")
        };
        checked.file_problems.push(diagnostic);
        return checked;
    };
    let problems = script_tests::check(&file, script);
    for (case, problems) in file.cases.iter().zip(problems) {
        let ready = if problems.is_empty() {
            ready(&file, case, script, config)
        } else {
            Err(problems)
        };
        checked.cases.push(Case {
            case: case.clone(),
            ready,
        });
    }
    checked.script = Some(script.clone());
    checked
}

/// The case's inputs and its fixtures read and checked; a fixture that
/// cannot stand in for a real answer is a problem at its file's name.
fn ready(
    file: &TestFile,
    case: &TestCase,
    script: &Script,
    config: &Config,
) -> Result<Ready, Vec<Diagnostic>> {
    let mut data = DryRunData {
        selection: case.selection.clone(),
        ..DryRunData::default()
    };
    let folder = file.folder();
    let mut problems = Vec::new();
    for fixture in &case.fixtures {
        let at = folder.join(&fixture.file.value);
        if let Err(problem) =
            crate::cli::dry_run::add_fixture(&mut data, config, script, &fixture.name.value, &at)
        {
            problems.push(Diagnostic::error(
                &file.path,
                fixture.file.span.clone(),
                problem,
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let preset = case
        .set
        .iter()
        .map(|(name, value)| (name.value.clone(), value.value.clone()))
        .collect();
    Ok(Ready { preset, data })
}

/// A test file as UTF-8 text, at most `max_bytes` (the script limit).
fn read_text(path: &Path, max_bytes: u64) -> Result<String, String> {
    use std::io::Read;
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("cannot read this test file: {e}"))?;
    if !metadata.is_file() {
        return Err("this is not a regular file, so it is not read".into());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read this test file: {e}"))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max_bytes {
        return Err(format!(
            "this test file is larger than {} (limits.max_script_kb)",
            genvej_format::limits::human_size(max_bytes)
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec())
        .map_err(|_| "this test file is not UTF-8 text; save it as UTF-8".to_string())
}

impl Checked {
    /// Every problem of the file and its cases.
    pub fn problems(&self) -> impl Iterator<Item = &Diagnostic> {
        self.file_problems.iter().chain(
            self.cases
                .iter()
                .filter_map(|c| c.ready.as_ref().err())
                .flatten(),
        )
    }

    /// The problems rendered with their lines, CPR numbers masked.
    pub fn render_problems(&self) -> String {
        let rendered: Vec<String> = self.problems().map(|d| d.render(&self.text)).collect();
        genvej_format::cpr::redact(&rendered.join("\n"))
    }
}
