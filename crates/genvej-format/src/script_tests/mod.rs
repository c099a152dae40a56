//! Test cases a script folder carries: `NAME.tests.toml` beside `NAME.toml`
//! holds `[[case]]` tables — the inputs, selection, fixtures, hotstring and
//! clock of one dry run, and the exact actions (or the failure) expected.
//! `genvej test` runs them on the recording desktop; `genvej check` checks
//! them. This module reads and checks the file ([`parse`], [`check`]); the
//! runner is above the engine (it reads the fixture files).
//!
//! A test file is never a script: the folder walker leaves every
//! `*.tests.toml` out of what the agent, `check`, `list` and `bundle build`
//! load (see [`is_test_file`]).

mod check;
mod parse;
mod schema;

use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

pub use check::check;
pub use parse::parse;
pub use schema::schema;

/// How a test file's name ends; the script it tests is `NAME.toml`.
pub const SUFFIX: &str = ".tests.toml";

/// The clock of a case that names none (nor does its file): a Monday
/// morning, so date templates are the same on every run.
pub fn default_now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 5)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default()
}

/// Whether `path` is a test file (`*.tests.toml`), never to be loaded as a
/// script.
pub fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.len() > SUFFIX.len() && n.ends_with(SUFFIX))
}

/// The script a test file tests: `NAME.toml` beside `NAME.tests.toml`.
pub fn script_path_of(test_file: &Path) -> Option<PathBuf> {
    let name = test_file.file_name()?.to_str()?;
    let stem = name.strip_suffix(SUFFIX)?;
    Some(test_file.with_file_name(format!("{stem}.toml")))
}

/// The test file of a script: `NAME.tests.toml` beside `NAME.toml`.
pub fn test_path_of(script_file: &Path) -> Option<PathBuf> {
    let name = script_file.file_name()?.to_str()?;
    let stem = name.strip_suffix(".toml")?;
    Some(script_file.with_file_name(format!("{stem}{SUFFIX}")))
}

/// A value with where it stands in the test file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// One test file, read: its cases in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFile {
    pub path: PathBuf,
    pub cases: Vec<TestCase>,
}

/// What a case expects of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The dry run's action lines, exactly (CPR numbers masked); `None`:
    /// not compared (a failure case may leave them out).
    pub actions: Option<Placed<Vec<String>>>,
    /// The run must fail with a message containing this text; `None`: it
    /// must complete.
    pub failure: Option<Placed<String>>,
}

/// A fixture of a case: a source's answer (`name` a source) or the PDF of
/// `merge_pdf` downloads (`name` an http(s) address prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    pub name: Placed<String>,
    /// As written (relative to the test file's folder).
    pub file: Placed<String>,
}

impl Fixture {
    /// Whether this fixture stands in for `merge_pdf` downloads.
    pub fn is_document(&self) -> bool {
        self.name.value.starts_with("https://") || self.name.value.starts_with("http://")
    }
}

/// One `[[case]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    pub name: Placed<String>,
    /// Where the `[[case]]` table starts.
    pub span: Range<usize>,
    pub now: NaiveDateTime,
    /// `set = { input = "value" }`, in file order.
    pub set: Vec<(Placed<String>, Placed<String>)>,
    pub selection: Option<String>,
    pub fixtures: Vec<Fixture>,
    pub hotstring: Option<Placed<String>>,
    pub expect: Expectation,
}

impl TestFile {
    /// The folder fixture files are named from.
    pub fn folder(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}
