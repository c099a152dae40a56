//! Finding and reading the script files of the configured folders. A folder
//! is often a network share that others write to, so nothing here may stop
//! the other scripts from loading: a file that cannot be read, is not UTF-8
//! (Notepad's "ANSI"), is too big or is not a regular file (a named pipe
//! would block the reader forever) becomes one diagnostic and the rest load.
//!
//! Symbolic links are followed, also out of the folder (an IT office may
//! link a central folder in), but every folder is read once: a link back to
//! a folder already read (a cycle) is reported as a warning and not
//! followed, and folders nest at most [`MAX_DEPTH`] deep.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::limits::human_size;

/// How deep sub-folders are searched; deeper ones are reported, not read.
pub const MAX_DEPTH: usize = 16;

/// A script file found in a folder, to check, and the menu group it gets by
/// its folder.
#[derive(Debug)]
pub(super) struct FoundFile {
    pub path: PathBuf,
    pub category: String,
}

/// Every `*.toml` below the given folders (or the files themselves), in a
/// stable order, and the problems met on the way. Test files
/// (`*.tests.toml`, see [`crate::script_tests`]) are never among them, not
/// even when named.
pub(super) fn find(paths: &[PathBuf], problems: &mut Vec<Diagnostic>) -> Vec<FoundFile> {
    walk_all(paths, problems).0
}

/// The test files that go with the given folders or files: every
/// `*.tests.toml` below a folder, a test file named itself, and the test
/// file beside a script named, if there is one.
pub fn find_test_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut problems = Vec::new();
    let mut tests = walk_all(paths, &mut problems).1;
    for path in paths.iter().filter(|p| !p.is_dir()) {
        if let Some(beside) = crate::script_tests::test_path_of(path) {
            if beside.is_file() && !tests.contains(&beside) {
                tests.push(beside);
            }
        }
    }
    tests
}

/// The scripts and the test files found.
fn walk_all(paths: &[PathBuf], problems: &mut Vec<Diagnostic>) -> (Vec<FoundFile>, Vec<PathBuf>) {
    let mut found = Vec::new();
    let mut tests = Vec::new();
    let mut seen = BTreeSet::new();
    for path in paths {
        if crate::script_tests::is_test_file(path) {
            tests.push(path.clone());
        } else if path.is_dir() {
            let mut walk = Walk {
                root: path,
                seen: &mut seen,
                found: &mut found,
                tests: &mut tests,
                problems,
            };
            walk.folder(path, 0);
        } else {
            let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
            found.push(FoundFile {
                path: path.clone(),
                category: folder_category(&folder, &folder),
            });
        }
    }
    (found, tests)
}

struct Walk<'a> {
    root: &'a Path,
    /// The real (canonical) folders read so far.
    seen: &'a mut BTreeSet<PathBuf>,
    found: &'a mut Vec<FoundFile>,
    /// Test files (`*.tests.toml`): never scripts.
    tests: &'a mut Vec<PathBuf>,
    problems: &'a mut Vec<Diagnostic>,
}

impl Walk<'_> {
    fn folder(&mut self, dir: &Path, depth: usize) {
        if depth > MAX_DEPTH {
            self.problems.push(
                Diagnostic::warning(
                    dir,
                    0..0,
                    format!("folder nested more than {MAX_DEPTH} deep; its scripts are not read"),
                )
                .with_help("move the scripts to a folder nearer the top"),
            );
            return;
        }
        let real = match dir.canonicalize() {
            Ok(real) => real,
            Err(e) => return self.unreadable_folder(dir, &e),
        };
        if !self.seen.insert(real.clone()) {
            self.problems.push(
                Diagnostic::warning(
                    dir,
                    0..0,
                    format!(
                        "this folder is {} again (a symbolic link loop or a folder named twice); it is read once",
                        real.display()
                    ),
                )
                .with_help("remove the link, or name the folder once in agent.hotkey_folders"),
            );
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => return self.unreadable_folder(dir, &e),
        };
        let mut paths = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => paths.push(entry.path()),
                Err(e) => return self.unreadable_folder(dir, &e),
            }
        }
        paths.sort();
        for path in paths {
            // `is_dir` follows links; a dangling link is neither and is
            // reported when it is read, if it is named `*.toml`.
            if path.is_dir() {
                self.folder(&path, depth + 1);
            } else if crate::script_tests::is_test_file(&path) {
                self.tests.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                self.found.push(FoundFile {
                    category: folder_category(self.root, dir),
                    path,
                });
            }
        }
    }

    fn unreadable_folder(&mut self, dir: &Path, e: &std::io::Error) {
        self.problems.push(
            Diagnostic::error(dir, 0..0, format!("cannot read this folder: {e}"))
                .with_help("check that the folder exists and that you may read it; the other folders are loaded"),
        );
    }
}

/// The menu group of a script without `category`: its sub-folder, e.g.
/// `hotkeys/Breve/x.toml` → "Breve"; scripts at the top are "Genveje".
fn folder_category(root: &Path, dir: &Path) -> String {
    dir.strip_prefix(root)
        .ok()
        .and_then(|rel| rel.iter().next())
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Genveje".to_string())
}

/// A script file that could not be used as text, with the text to show
/// around its diagnostic (what could be read, else nothing).
#[derive(Debug)]
pub(super) struct Unusable {
    pub diagnostic: Diagnostic,
    pub shown_text: String,
}

/// Reads a script file as UTF-8 text (a leading byte-order mark is
/// dropped), at most `max_bytes` long.
pub(super) fn read(path: &Path, max_bytes: u64) -> Result<String, Box<Unusable>> {
    let unusable = |diagnostic: Diagnostic, shown_text: String| {
        Box::new(Unusable {
            diagnostic,
            shown_text,
        })
    };
    let cannot_read = |e: std::io::Error| {
        unusable(
            Diagnostic::error(path, 0..0, format!("cannot read this script: {e}")).with_help(
                "check that the file exists and that you may read it; the other scripts are loaded",
            ),
            String::new(),
        )
    };
    // Asked before opening: opening a named pipe waits for a writer forever.
    let metadata = std::fs::metadata(path).map_err(cannot_read)?;
    if !metadata.is_file() {
        return Err(unusable(
            Diagnostic::error(path, 0..0, "this is not a regular file (a named pipe, a device or a socket), so it is not read")
                .with_help("scripts are ordinary text files; remove it or give it another name than `*.toml`"),
            String::new(),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| {
            file.take(max_bytes.saturating_add(1))
                .read_to_end(&mut bytes)
        })
        .map_err(cannot_read)?;
    if bytes.len() as u64 > max_bytes {
        let size = metadata.len().max(bytes.len() as u64);
        return Err(unusable(
            Diagnostic::error(
                path,
                0..0,
                format!(
                    "this script is {}; a script may be at most {} (limits.max_script_kb)",
                    human_size(size),
                    human_size(max_bytes)
                ),
            )
            .with_help(
                "split it into several scripts, or raise limits.max_script_kb in genvej.toml",
            ),
            String::new(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let shown = String::from_utf8_lossy(bytes).into_owned();
            Err(unusable(
                not_utf8(path, bytes, e.valid_up_to(), &shown),
                shown,
            ))
        }
    }
}

/// The one diagnostic for a file in another encoding, at 1:1 (the whole file
/// is unusable), naming where the first bad byte is and what it probably is.
fn not_utf8(path: &Path, bytes: &[u8], bad_at: usize, shown: &str) -> Diagnostic {
    let at = crate::diagnostic::Position::of(shown, bad_at);
    let byte = bytes.get(bad_at).copied().unwrap_or_default();
    let meaning = windows_1252(byte)
        .map(|c| format!(", `{c}` in Windows-1252 (\"ANSI\")"))
        .unwrap_or_default();
    Diagnostic::error(
        path,
        0..0,
        format!(
            "this script is not UTF-8 text: the first byte that is not, 0x{byte:02X}{meaning}, is at line {}, column {}",
            at.line, at.column
        ),
    )
    .with_help("save it as UTF-8 (in Notepad: File → Save as → Encoding: UTF-8); the other scripts are loaded")
}

/// What a byte means in Windows-1252 ("ANSI"), for the bytes that are not
/// ASCII and that Danish text often has: from 0xA0 the Latin-1 letters
/// (æ ø å …), below that the typographic marks (– “ ” € …).
fn windows_1252(byte: u8) -> Option<char> {
    const MARKS: [(u8, char); 11] = [
        (0x80, '€'),
        (0x82, '‚'),
        (0x84, '„'),
        (0x85, '…'),
        (0x91, '‘'),
        (0x92, '’'),
        (0x93, '“'),
        (0x94, '”'),
        (0x96, '–'),
        (0x97, '—'),
        (0x99, '™'),
    ];
    if byte >= 0xA0 {
        return Some(char::from(byte));
    }
    MARKS.iter().find(|(b, _)| *b == byte).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_bytes_are_named_by_what_notepad_meant() {
        assert_eq!(windows_1252(0xF8), Some('ø'));
        assert_eq!(windows_1252(0xC5), Some('Å'));
        assert_eq!(windows_1252(0x96), Some('–'));
        assert_eq!(windows_1252(0x81), None);
    }
}
