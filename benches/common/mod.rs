//! What both benchmarks need: a municipality-sized set of scripts.

use std::path::{Path, PathBuf};

/// The planned number of hot keys in a municipality (15 + 65).
pub const SCRIPT_COUNT: usize = 80;

/// The shipped scripts copied until there are [`SCRIPT_COUNT`], each with its
/// own id, hot key and abbreviations: (file name, text).
pub fn eighty_scripts() -> Vec<(String, String)> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    collect_scripts(&repo.join("hotkeys"), &mut sources);
    sources.sort();
    (0..SCRIPT_COUNT)
        .map(|n| {
            let path = &sources[n % sources.len()];
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {path:?}: {e}"));
            (format!("script-{n}.toml"), renumber_script(&text, n))
        })
        .collect()
}

fn renumber_script(text: &str, n: usize) -> String {
    let letters: Vec<char> = ('A'..='Z').collect();
    let hotkey = format!(
        "Ctrl+{}+{}",
        ["Alt", "Shift+Alt", "Super", "Alt+Super"][n / 26],
        letters[n % 26]
    );
    text.lines()
        .map(|line| {
            if line.starts_with("id = ") {
                format!("id = \"script-{n}\"")
            } else if line.starts_with("hotkey = ") {
                format!("hotkey = \"{hotkey}\"")
            } else if line.starts_with("abbreviation = ") {
                format!("abbreviation = \";a{n}{}\"", line.len())
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn collect_scripts(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {dir:?}: {e}"));
    for path in entries.flatten().map(|entry| entry.path()) {
        if path.is_dir() {
            collect_scripts(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml")
            && !genvej_format::script_tests::is_test_file(&path)
        {
            out.push(path);
        }
    }
}
