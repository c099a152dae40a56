//! Helpers shared by the integration tests that need no display.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use genvej_format::config::Config;
use genvej_format::script::{self, ScriptSet};

/// The repository's own folder (the workspace's root, which holds the
/// bundled config and scripts), from whichever crate's tests use this.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("config/genvej.toml").is_file())
        .expect("the tests run inside the genvej repository")
        .to_path_buf()
}

/// The shipped default config.
pub fn shipped_config() -> Config {
    Config::load(&repo().join("config/genvej.toml")).expect("shipped config loads")
}

/// Loads script files given as (relative path, text) from a scratch folder.
pub fn load_files(files: &[(&str, &str)]) -> (ScriptSet, tempfile::TempDir) {
    load_files_with(files, &shipped_config())
}

/// [`load_files`] against another config.
pub fn load_files_with(files: &[(&str, &str)], config: &Config) -> (ScriptSet, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write script");
    }
    let set = script::load(&[dir.path().join("hotkeys")], config);
    (set, dir)
}

/// Checks one script saved as `hotkeys/test.toml` and returns the rendered
/// problems, with paths relative to the scratch folder.
pub fn check_source(source: &str) -> String {
    check_files(&[("hotkeys/test.toml", source)])
}

pub fn check_files(files: &[(&str, &str)]) -> String {
    let (set, dir) = load_files(files);
    relative(&set.render_diagnostics(), dir.path())
}

fn relative(text: &str, dir: &Path) -> String {
    text.replace(&format!("{}/", dir.display()), "")
}

/// Loads one valid script from text.
pub fn script_from(source: &str) -> genvej_format::script::Script {
    script_from_with(source, &shipped_config())
}

/// [`script_from`] against another config.
pub fn script_from_with(source: &str, config: &Config) -> genvej_format::script::Script {
    let (set, _dir) = load_files_with(&[("hotkeys/test.toml", source)], config);
    assert!(
        set.diagnostics.iter().all(|d| !d.is_error()),
        "{}",
        set.render_diagnostics()
    );
    set.scripts.into_iter().next().expect("one script")
}

/// Splits a command line from the book as a shell would for the simple
/// cases the book uses: words, and "…" quoted words.
pub fn command_words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in command.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            other => {
                word.push(other);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}
