//! The cookbook's dry runs that do not depend on the day, run by the real
//! `genvej exec --dry-run`: its scripts and fixture files written to a
//! folder, each command run as a reader would run it there, and the output
//! compared with the book. (Every dry run of the book, dated ones too, is
//! also run on a fixed day by the engine's `simulation` group,
//! `docs_dry_runs`; this proves that group prints what the program prints.)

use crate::common;

use std::process::Command;

/// The scripts whose dry runs give the same output on any day.
const UNDATED: &[&str] = &[
    "faste-vendinger",
    "aabn-seneste-dokument",
    "aktiviteter-i-jobplan",
];

/// (info string, body) of each fenced block of `markdown`.
fn blocks(markdown: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in markdown.lines() {
        match open.take() {
            None => {
                if let Some(info) = line.trim().strip_prefix("```") {
                    open = Some((info.trim().to_string(), String::new()));
                }
            }
            Some((info, mut body)) => {
                if line.trim() == "```" {
                    out.push((info, body));
                } else {
                    body.push_str(line);
                    body.push('\n');
                    open = Some((info, body));
                }
            }
        }
    }
    out
}

#[test]
fn the_cookbooks_undated_dry_runs_are_what_genvej_exec_prints() {
    let repo = common::repo();
    let page = std::fs::read_to_string(repo.join("docs/src/scripts/cookbook.md")).expect("page");
    let blocks = blocks(&page);
    let dir = tempfile::tempdir().expect("temp dir");
    let hotkeys = dir.path().join("hotkeys");
    std::fs::create_dir(&hotkeys).expect("folder");
    for (index, (info, body)) in blocks.iter().enumerate() {
        if info == "toml" {
            std::fs::write(hotkeys.join(format!("opskrift{index}.toml")), body).expect("script");
        } else if let Some(file) = info.strip_prefix("json,file=") {
            std::fs::write(dir.path().join(file), body).expect("fixture");
        }
    }
    let mut checked = 0;
    for (_, body) in blocks.iter().filter(|(info, _)| info == "console,dry-run") {
        let (command, shown) = body.split_once('\n').expect("a command and its output");
        let args = common::command_words(command.trim_start_matches('$').trim());
        assert_eq!(args[..2], ["genvej", "exec"], "{command}");
        if !UNDATED.contains(&args[2].as_str()) {
            continue;
        }
        checked += 1;
        let output = Command::new(env!("CARGO_BIN_EXE_genvej"))
            .arg("--config")
            .arg(repo.join("config/genvej.toml"))
            .arg("--hotkeys")
            .arg(&hotkeys)
            .args(&args[1..])
            .current_dir(dir.path())
            .output()
            .expect("genvej runs");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            shown,
            "`{command}` (stderr: {})",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(checked, 4, "the cookbook's undated dry runs");
}
