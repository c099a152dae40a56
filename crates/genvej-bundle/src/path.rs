//! A script's place in a bundle: a relative path such as
//! `Borger/aabn-borger.toml`. It comes from a file the agent fetched, so it
//! is checked before it is used anywhere: no absolute path, no `..`, no
//! backslash or drive letter, no hidden or odd names, and it ends `.toml`.

use std::fmt;

/// The longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 200;

/// How many folders deep a script may stand in a bundle.
pub const MAX_DEPTH: usize = 4;

/// A checked path of a script inside a bundle (`/`-separated).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LibraryPath(String);

/// Why a path cannot stand in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{shown}: {problem}")]
pub struct PathError {
    /// The path as given, shortened and with odd characters escaped.
    pub shown: String,
    pub problem: &'static str,
}

impl LibraryPath {
    pub fn parse(path: &str) -> Result<LibraryPath, PathError> {
        let refuse = |problem| {
            Err(PathError {
                shown: path.chars().take(80).flat_map(char::escape_debug).collect(),
                problem,
            })
        };
        if path.is_empty() {
            return refuse("an empty path");
        }
        if path.len() > MAX_PATH_BYTES {
            return refuse("longer than 200 bytes");
        }
        if !path.ends_with(".toml") {
            return refuse("not a .toml file");
        }
        let segments: Vec<&str> = path.split('/').collect();
        if segments.len() > MAX_DEPTH + 1 {
            return refuse("more than 4 folders deep");
        }
        for segment in segments {
            if segment.is_empty() {
                return refuse("an absolute path or an empty folder name");
            }
            if segment == "." || segment == ".." {
                return refuse("`.` or `..` in the path");
            }
            if segment.starts_with('.') {
                return refuse("a hidden file or folder");
            }
            if segment.ends_with(['.', ' ']) || segment.starts_with(' ') {
                return refuse("a name that starts or ends with a space or a dot");
            }
            if !segment.chars().all(allowed) {
                return refuse("a character other than letters, digits, space, `-`, `_` and `.`");
            }
        }
        Ok(LibraryPath(path.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The menu group a script gets by its folder (as in a script folder).
    pub fn category(&self) -> Option<&str> {
        self.0.split_once('/').map(|(folder, _)| folder)
    }
}

/// Letters (also æøå and other alphabets), digits, space, `-`, `_`, `.`;
/// no `:` (a drive or a Windows stream), no `\`, no control characters.
fn allowed(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')
}

impl fmt::Display for LibraryPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_paths_of_a_library_are_accepted() {
        for good in [
            "aabn-borger.toml",
            "Borger/aabn-borger.toml",
            "Blanketter/transportgodtgørelse.toml",
            "Plan/Ny plan 2.toml",
        ] {
            assert!(LibraryPath::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn paths_that_could_leave_the_library_are_refused() {
        for bad in [
            "/etc/passwd.toml",
            "../x.toml",
            "Borger/../../x.toml",
            "C:/x.toml",
            "C:\\x.toml",
            "Borger\\x.toml",
            "Borger//x.toml",
            ".hidden/x.toml",
            "x.toml ",
            "Borger/x.txt",
            "",
            "a/b/c/d/e/f.toml",
            "x\u{0}.toml",
            "con:.toml",
        ] {
            assert!(LibraryPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_refused_path_is_shown_escaped_and_short() {
        let long = format!("{}\n.toml", "a".repeat(300));
        let error = LibraryPath::parse(&long).expect_err("too long");
        assert!(error.shown.chars().count() <= 80);
        let error = LibraryPath::parse("x\n/y.toml").expect_err("newline");
        assert!(error.to_string().starts_with("x\\n/y.toml:"), "{error}");
    }

    #[test]
    fn the_category_is_the_first_folder() {
        let path = LibraryPath::parse("Borger/aabn.toml").expect("valid");
        assert_eq!(path.category(), Some("Borger"));
        let path = LibraryPath::parse("aabn.toml").expect("valid");
        assert_eq!(path.category(), None);
    }
}
