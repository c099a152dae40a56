//! Every TOML example in the book (`docs/src/**/*.md`) and the README is
//! checked by genvej's own parser and checker, so the documentation cannot
//! drift from the format. A block's info string says what it is:
//!
//! - ` ```toml ` — a whole script: it must check with no error and no warning;
//! - ` ```toml,fragment ` — part of a script (steps, inputs, sources,
//!   hotstrings): it is put under a minimal header (`id`, `name`,
//!   `manual_seconds`) and must then check clean;
//! - ` ```toml,config ` — a config file or part of one: it must parse as a
//!   `genvej.toml` (unknown keys, wrong types and bad chords are errors);
//! - ` ```toml,error ` — a whole script showing a mistake: the check must
//!   FAIL, and every `# error: TEXT` comment line in it names a text the
//!   checker's output must contain;
//! - ` ```toml,warning ` — a whole script the checker warns about: no error,
//!   at least one warning, and every `# warning: TEXT` line is in its output;
//! - ` ```toml,tests ` — a test file (`NAME.tests.toml`, run by `genvej
//!   test`): it must read with no problem; with a `# script: PATH` line
//!   (a bundled script, from the repository's root) its cases must also
//!   fit that script and their fixture files exist beside it.
//!
//! Any other info string starting with `toml` fails the test, so a new kind
//! cannot slip through unchecked. Only the script and config code is used
//! (no desktop), so the test can live with the format.

use std::path::{Path, PathBuf};

use genvej_format::config::Config;

/// The repository's root, seen from this crate (`crates/genvej-format`).
const REPO_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// Where the book's Markdown is, below [`REPO_ROOT`].
const DOCS_SRC: &str = "docs/src";
/// Other Markdown files whose examples are checked too.
const OTHER_FILES: &[&str] = &["README.md"];
/// The config scripts are checked against: the bundled one, which defines
/// the `org` values (`org.fasit_url`, …) and `profile` the examples use.
const BUNDLED_CONFIG: &str = "config/genvej.toml";

fn in_repo(path: &str) -> PathBuf {
    Path::new(REPO_ROOT).join(path)
}

/// The header a fragment is put under.
const FRAGMENT_HEADER: &str =
    "id = \"docs-eksempel\"\nname = \"Eksempel fra dokumentationen\"\nmanual_seconds = 60\n";

/// What a fenced block is, by its info string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Script,
    Fragment,
    Config,
    Error,
    Warning,
    Tests,
}

impl Kind {
    /// `None` for a block that is not TOML; an error for a TOML block whose
    /// kind is unknown.
    fn of(info: &str) -> Option<Result<Kind, String>> {
        let info = info.trim();
        let language = info.split([',', ' ']).next().unwrap_or("");
        if language != "toml" {
            return None;
        }
        Some(match info {
            "toml" => Ok(Kind::Script),
            "toml,fragment" => Ok(Kind::Fragment),
            "toml,config" => Ok(Kind::Config),
            "toml,error" => Ok(Kind::Error),
            "toml,warning" => Ok(Kind::Warning),
            "toml,tests" => Ok(Kind::Tests),
            other => Err(format!(
                "unknown info string ```{other}: use ```toml (a whole script), ```toml,fragment, ```toml,config, ```toml,error, ```toml,warning or ```toml,tests"
            )),
        })
    }
}

/// One fenced TOML block: where it is and what it holds.
#[derive(Debug)]
struct Example {
    file: PathBuf,
    /// The line of the opening fence (1-based).
    line: usize,
    kind: Result<Kind, String>,
    text: String,
}

impl Example {
    fn place(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// An open fenced block: where it started, its fence (three or more
/// backticks) and, for a TOML block, its kind.
struct OpenFence {
    line: usize,
    marker: String,
    kind: Option<Result<Kind, String>>,
    body: String,
}

/// The TOML blocks of one Markdown text, with the line each starts at.
/// Other fenced blocks are skipped whole (a ```` ```toml ```` line inside
/// one is text).
fn examples_in(file: &Path, markdown: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut open: Option<OpenFence> = None;
    let mut close = |fence: OpenFence, kind: Result<Kind, String>| {
        examples.push(Example {
            file: file.to_path_buf(),
            line: fence.line,
            kind,
            text: fence.body,
        });
    };
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let extra: String = info.chars().take_while(|c| *c == '`').collect();
                    open = Some(OpenFence {
                        line: index + 1,
                        marker: format!("```{extra}"),
                        kind: Kind::of(info.trim_start_matches('`')),
                        body: String::new(),
                    });
                }
            }
            Some(mut fence) => {
                if trimmed == fence.marker {
                    if let Some(kind) = fence.kind.clone() {
                        close(fence, kind);
                    }
                } else {
                    fence.body.push_str(line);
                    fence.body.push('\n');
                    open = Some(fence);
                }
            }
        }
    }
    if let Some(fence) = open.filter(|f| f.kind.is_some()) {
        close(fence, Err("the block is never closed".into()));
    }
    examples
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries.map(|e| e.expect("a folder entry").path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn all_examples() -> Vec<Example> {
    let mut files = Vec::new();
    markdown_files(&in_repo(DOCS_SRC), &mut files);
    files.extend(OTHER_FILES.iter().map(|f| in_repo(f)));
    files
        .iter()
        .flat_map(|file| {
            let text =
                std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            // Named from the repository's root, as a reader finds them.
            examples_in(file.strip_prefix(REPO_ROOT).unwrap_or(file), &text)
        })
        .collect()
}

fn bundled_config() -> Config {
    Config::load(&in_repo(BUNDLED_CONFIG)).expect("the bundled config loads")
}

/// The checker's verdict on a script text: (errors, warnings, rendered).
fn check_script(name: &str, text: &str, config: &Config) -> (usize, usize, String) {
    let path = PathBuf::from(format!("{name}.toml"));
    let set = genvej_format::script::check_texts(&[(path, text.to_string())], config);
    (
        set.error_count(),
        set.warning_count(),
        set.render_diagnostics(),
    )
}

/// Checks one example; `Err` says what is wrong with it.
fn verify(example: &Example, config: &Config) -> Result<(), String> {
    let kind = example.kind.clone()?;
    let text = &example.text;
    match kind {
        Kind::Script | Kind::Fragment => {
            let script = match kind {
                Kind::Fragment => format!("{FRAGMENT_HEADER}{text}"),
                _ => text.clone(),
            };
            let (errors, warnings, rendered) = check_script("eksempel", &script, config);
            if errors + warnings > 0 {
                let lines = match kind {
                    Kind::Fragment => {
                        "the checker's lines count from the 3-line header put above the block"
                    }
                    _ => "the checker's lines count from the block's first line",
                };
                return Err(format!(
                    "{errors} errors, {warnings} warnings ({lines}):\n{rendered}"
                ));
            }
        }
        Kind::Config => {
            let path = Path::new("/etc/genvej/genvej.toml");
            if let Err(e) = Config::parse(path, text) {
                return Err(format!("not a valid genvej.toml:\n{e}"));
            }
        }
        Kind::Error => {
            let (errors, _, rendered) = check_script("eksempel", text, config);
            if errors == 0 {
                return Err("shows a mistake, but the checker found no error".into());
            }
            says_all(text, "# error:", &rendered)?;
        }
        Kind::Warning => {
            let (errors, warnings, rendered) = check_script("eksempel", text, config);
            if errors > 0 || warnings == 0 {
                return Err(format!(
                    "shows a warning, but the checker found {errors} errors and {warnings} warnings:\n{rendered}"
                ));
            }
            says_all(text, "# warning:", &rendered)?;
        }
        Kind::Tests => verify_tests(text, config)?,
    }
    Ok(())
}

/// A test file example: read clean, and fit to the script its
/// `# script: PATH` line names, if any.
fn verify_tests(text: &str, config: &Config) -> Result<(), String> {
    use genvej_format::script_tests;
    let (file, problems) = script_tests::parse(Path::new("eksempel.tests.toml"), text);
    let render = |problems: &[genvej_format::diagnostic::Diagnostic]| {
        problems
            .iter()
            .map(|d| d.render(text))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if !problems.is_empty() {
        return Err(format!("not a valid test file:\n{}", render(&problems)));
    }
    let Some(script_path) = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("# script:"))
        .map(str::trim)
    else {
        return Ok(());
    };
    let script_text = std::fs::read_to_string(in_repo(script_path))
        .map_err(|e| format!("`# script: {script_path}`: {e}"))?;
    let set =
        genvej_format::script::check_texts(&[(PathBuf::from(script_path), script_text)], config);
    let script = set
        .scripts
        .first()
        .ok_or_else(|| format!("`# script: {script_path}` does not check clean"))?;
    let problems: Vec<_> = script_tests::check(&file, script)
        .into_iter()
        .flatten()
        .collect();
    if !problems.is_empty() {
        return Err(format!(
            "the cases do not fit {script_path}:\n{}",
            render(&problems)
        ));
    }
    let folder = in_repo(script_path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for fixture in file.cases.iter().flat_map(|c| &c.fixtures) {
        if !folder.join(&fixture.file.value).is_file() {
            return Err(format!(
                "the fixture file `{}` is not beside {script_path}",
                fixture.file.value
            ));
        }
    }
    Ok(())
}

/// Every text the block's `marker` comment lines name is in the checker's
/// output.
fn says_all(text: &str, marker: &str, rendered: &str) -> Result<(), String> {
    for expected in text
        .lines()
        .filter_map(|l| l.trim().strip_prefix(marker))
        .map(str::trim)
    {
        if !rendered.contains(expected) {
            return Err(format!(
                "the checker does not say «{expected}»; it says:\n{rendered}"
            ));
        }
    }
    Ok(())
}

#[test]
fn every_toml_example_in_the_docs_checks_as_its_info_string_says() {
    let config = bundled_config();
    let examples = all_examples();
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|e| {
            verify(e, &config)
                .err()
                .map(|why| format!("{}: {why}", e.place()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} TOML examples are wrong:\n\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_book_has_examples_of_every_kind() {
    let examples = all_examples();
    for kind in [
        Kind::Script,
        Kind::Fragment,
        Kind::Config,
        Kind::Error,
        Kind::Warning,
        Kind::Tests,
    ] {
        assert!(
            examples.iter().any(|e| e.kind == Ok(kind)),
            "no ```{kind:?} example found under {DOCS_SRC}: is the docs path right?"
        );
    }
}

#[test]
fn a_broken_example_is_caught_and_named_by_file_and_line() {
    let config = bundled_config();
    let markdown = "# Eksempel\n\nTekst.\n\n```toml,fragment\n[[step]]\ntyp = \"hej\"\n```\n\n```toml,config\n[agent]\npanic_key = \"Ctrl+Alt+Nope\"\n```\n\n```toml,error\nid = \"fin\"\nname = \"Fin\"\nmanual_seconds = 5\n```\n\n```tomll\n```\n\n```toml,mistake\n```\n";
    let examples = examples_in(Path::new("bog.md"), markdown);
    assert_eq!(examples.len(), 4, "tomll is not TOML: {examples:?}");
    let verdicts: Vec<String> = examples
        .iter()
        .map(|e| match verify(e, &config) {
            Ok(()) => format!("{}: ok", e.place()),
            Err(why) => format!("{}: {why}", e.place()),
        })
        .collect();
    assert!(
        verdicts[0].starts_with("bog.md:5: 2 errors") && verdicts[0].contains("unknown step `typ`"),
        "{verdicts:#?}"
    );
    assert!(
        verdicts[1].starts_with("bog.md:10: not a valid genvej.toml")
            && verdicts[1].contains("panic_key"),
        "{verdicts:#?}"
    );
    assert!(
        verdicts[2].starts_with("bog.md:15: shows a mistake, but the checker found no error"),
        "{verdicts:#?}"
    );
    assert!(
        verdicts[3].starts_with("bog.md:24: unknown info string ```toml,mistake"),
        "{verdicts:#?}"
    );
}

#[test]
fn an_error_example_must_say_what_the_checker_says() {
    let config = bundled_config();
    let markdown = "```toml,error\nid = \"x\"\nname = \"X\"\nmanual_seconds = 5\n[[step]]\ntyp = \"hej\"\n# error: unknown step `typ`\n# error: something else entirely\n```\n";
    let examples = examples_in(Path::new("bog.md"), markdown);
    let why = verify(&examples[0], &config).expect_err("the second text is not said");
    assert!(
        why.contains("does not say «something else entirely»"),
        "{why}"
    );
}

#[test]
fn a_toml_block_that_is_never_closed_is_an_error() {
    let examples = examples_in(Path::new("bog.md"), "Tekst\n\n```toml\nid = \"x\"\n");
    assert_eq!(examples.len(), 1, "{examples:?}");
    assert_eq!(examples[0].line, 3);
    assert_eq!(
        examples[0].kind,
        Err("the block is never closed".to_string())
    );
}

#[test]
fn a_tests_example_must_read_clean_and_fit_its_script() {
    let config = bundled_config();
    let markdown = "```toml,tests\n[[case]]\nname = \"a\"\nexpekt = []\n```\n\n```toml,tests\n# script: hotkeys/Journal/signatur.toml\n[[case]]\nname = \"b\"\nhotstring = \";nav\"\nexpect = []\n```\n\n```toml,tests\n# script: hotkeys/Journal/signatur.toml\n[[case]]\nname = \"c\"\nhotstring = \";navn\"\nexpect = []\n```\n";
    let examples = examples_in(Path::new("bog.md"), markdown);
    let verdicts: Vec<Result<(), String>> = examples.iter().map(|e| verify(e, &config)).collect();
    assert!(
        verdicts[0]
            .as_ref()
            .is_err_and(|why| why.contains("unknown key `expekt` in [[case]]")),
        "{verdicts:#?}"
    );
    assert!(
        verdicts[1]
            .as_ref()
            .is_err_and(|why| why.contains("has no hotstring `;nav`")),
        "{verdicts:#?}"
    );
    assert_eq!(verdicts[2], Ok(()));
}
