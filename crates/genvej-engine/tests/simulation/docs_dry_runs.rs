//! Every dry run the book shows as a ` ```console,dry-run ` block is run
//! here, against the recording desktop, and must print exactly what the book
//! says — so the quick start and the cookbook cannot drift from genvej.
//!
//! A block's first line is the command (`$ genvej exec ID --dry-run …`,
//! with `--set`, `--selection`, `--hotstring` and `--fixture NAME=FILE`);
//! the rest is the output. The script is the whole-script ` ```toml ` block
//! with that `id` on the same page; a fixture `FILE` is the page's
//! ` ```json,file=FILE ` block. Every run is on Monday 23 November 2026 at
//! 09:30, with the bundled `config/genvej.toml`. The output is printed as
//! `genvej exec --dry-run` prints it (src/cli/commands.rs): a header, one
//! indented line per action with CPR numbers masked, and the outcome.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use genvej_engine::Engine;
use genvej_engine::Status;
use genvej_engine::fake::{DryRunData, FakeDesktop};
use genvej_engine::ports::CancelToken;
use genvej_format::config::Config;
use genvej_format::template::Renderer;

use crate::common;

/// The day every dry run of the book is run on: Monday 23 November 2026.
const TODAY: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2026, 11, 23) {
    Some(day) => day,
    None => panic!("a date"),
};

const REPO_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One fenced block: its info string, first line and body.
struct Block {
    info: String,
    line: usize,
    body: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        match open.take() {
            None => {
                if let Some(info) = line.trim().strip_prefix("```") {
                    open = Some(Block {
                        info: info.trim().to_string(),
                        line: index + 1,
                        body: String::new(),
                    });
                }
            }
            Some(mut block) => {
                if line.trim() == "```" {
                    out.push(block);
                } else {
                    block.body.push_str(line);
                    block.body.push('\n');
                    open = Some(block);
                }
            }
        }
    }
    out
}

fn pages() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("docs folder")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&Path::new(REPO_ROOT).join("docs/src"), &mut files);
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("page");
            (f, text)
        })
        .collect()
}

/// What the dry run in `command` prints, with `page`'s scripts and files.
fn dry_run(command: &str, page: &[Block], config: &Config) -> Result<String, String> {
    let mut args = common::command_words(command.trim().trim_start_matches('$').trim());
    // `--hotkeys DIR` and `--config FILE` say where genvej finds the
    // script and the config; here they are the page and the bundled config.
    while args
        .get(1)
        .is_some_and(|a| a == "--hotkeys" || a == "--config")
    {
        args.drain(1..3.min(args.len()));
    }
    let [genvej, exec, id, rest @ ..] = args.as_slice() else {
        return Err(format!(
            "not a `genvej exec ID --dry-run` command: {command}"
        ));
    };
    if genvej != "genvej" || exec != "exec" {
        return Err(format!("not a `genvej exec` command: {command}"));
    }
    let scripts: Vec<(PathBuf, String)> = page
        .iter()
        .filter(|b| b.info == "toml")
        .enumerate()
        .map(|(i, b)| (PathBuf::from(format!("script{i}.toml")), b.body.clone()))
        .collect();
    let set = genvej_format::script::check_texts(&scripts, config);
    let script = set
        .find(id)
        .ok_or_else(|| format!("no ```toml script with id `{id}` on the page"))?;
    let mut preset = BTreeMap::new();
    let mut data = DryRunData::default();
    let mut hotstring = None;
    let mut dry = false;
    let mut rest = rest.iter();
    while let Some(option) = rest.next() {
        let mut value = || {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{option} needs a value"))
        };
        match option.as_str() {
            "--dry-run" => dry = true,
            "--set" => {
                let pair = value()?;
                let (name, value) = pair.split_once('=').ok_or("--set NAME=VALUE")?;
                preset.insert(name.to_string(), value.to_string());
            }
            "--selection" => data.selection = Some(value()?),
            "--hotstring" => hotstring = Some(value()?),
            "--fixture" => {
                let pair = value()?;
                let (name, file) = pair.split_once('=').ok_or("--fixture NAME=FILE")?;
                let info = format!("json,file={file}");
                let json = page
                    .iter()
                    .find(|b| b.info == info)
                    .ok_or_else(|| format!("no ```{info} block on the page"))?;
                data.add_fixture(script, name, json.body.as_bytes(), 10 << 20)
                    .map_err(|e| e.to_string())?;
            }
            other => return Err(format!("an option this test does not know: {other}")),
        }
    }
    if !dry {
        return Err("only dry runs can be checked".into());
    }
    // As `genvej exec` does: a `--set` value is checked first, and a wrong
    // one is named for the author (src/cli/commands.rs).
    for input in &script.inputs {
        if let Some(raw) = preset.get(&input.name) {
            if let Err(reason) = input.parse_value(raw, TODAY) {
                return Ok(format!(
                    "not run: --set {}=…: {} (the input «{}»)\n",
                    input.name,
                    reason.for_author(),
                    input.label
                ));
            }
        }
    }
    let expansion;
    let script = match hotstring {
        None => script,
        Some(abbreviation) => {
            let index = script
                .hotstrings
                .iter()
                .position(|h| h.abbreviation == abbreviation)
                .ok_or_else(|| format!("no hotstring {abbreviation}"))?;
            expansion = script
                .hotstring_expansion(index, false)
                .ok_or("no expansion")?;
            &expansion
        }
    };
    let start = TODAY.and_hms_opt(9, 30, 0).expect("a time");
    let mut desktop = FakeDesktop::obliging(start);
    data.apply_to(&mut desktop);
    let renderer = Renderer::new();
    let engine = Engine::new(&renderer, config, CancelToken::new());
    let outcome = engine.run(&mut desktop, script, &preset);
    let mut out = format!(
        "dry run of «{}» ({}) — nothing was sent to the desktop\n",
        script.name, script.id
    );
    for line in desktop.lines() {
        out.push_str(&format!("  {}\n", genvej_format::cpr::redact(&line)));
    }
    let steps = outcome.steps_completed;
    let summary = match &outcome.status {
        Status::Completed => {
            format!(
                "completed {steps} step{}",
                if steps == 1 { "" } else { "s" }
            )
        }
        Status::Failed(failure) => format!("failed: {failure}"),
        Status::Cancelled { .. } => "cancelled".into(),
        Status::Rejected { reason } => format!("not run: {reason}"),
    };
    out.push_str(&genvej_format::cpr::redact(&summary));
    out.push('\n');
    if matches!(&outcome.status, Status::Failed(f) if f.step.is_none()) {
        out.push_str("hint: give inputs with --set NAME=VALUE\n");
    }
    Ok(out)
}

#[test]
fn every_dry_run_in_the_book_prints_what_the_book_shows() {
    let config =
        Config::load(&Path::new(REPO_ROOT).join("config/genvej.toml")).expect("the config");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (file, text) in pages() {
        let page = blocks(&text);
        for block in page.iter().filter(|b| b.info == "console,dry-run") {
            checked += 1;
            let place = format!(
                "{}:{}",
                file.strip_prefix(REPO_ROOT).unwrap_or(&file).display(),
                block.line
            );
            let (command, shown) = block.body.split_once('\n').unwrap_or((&block.body, ""));
            match dry_run(command, &page, &config) {
                Ok(printed) if printed == shown => {}
                Ok(printed) => wrong.push(format!(
                    "{place}: `{command}` prints:\n{printed}\nbut the book shows:\n{shown}"
                )),
                Err(why) => wrong.push(format!("{place}: {why}")),
            }
        }
    }
    assert!(checked >= 5, "only {checked} dry runs found in docs/src");
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn a_command_is_split_into_words_with_quotes() {
    assert_eq!(
        common::command_words(r#"genvej exec a --selection "Sagen om x" --set n=1"#),
        [
            "genvej",
            "exec",
            "a",
            "--selection",
            "Sagen om x",
            "--set",
            "n=1"
        ]
    );
}
