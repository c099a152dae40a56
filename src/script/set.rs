//! All scripts of the configured folders, with the checks that need more
//! than one file: duplicate ids, hot keys and abbreviations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::load::FileChecker;
use super::model::Script;
use crate::chord::Chord;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::template::Renderer;

/// The result of loading scripts: the good ones, every problem, and the
/// source texts the problems point into.
#[derive(Debug, Default)]
pub struct ScriptSet {
    pub scripts: Vec<Script>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: BTreeMap<PathBuf, String>,
    pub files_checked: usize,
}

impl ScriptSet {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// Every problem rendered with its source line, in file order.
    pub fn render_diagnostics(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| d.render(self.sources.get(&d.path).map_or("", String::as_str)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn find(&self, id: &str) -> Option<&Script> {
        self.scripts.iter().find(|s| s.id == id)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct ReadError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Loads every `*.toml` below the given folders or files.
pub fn load(paths: &[PathBuf], config: &Config) -> Result<ScriptSet, ReadError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_toml_files(path, path, &mut files)?;
        } else {
            let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
            files.push((path.clone(), folder_category(&folder, &folder)));
        }
    }
    let renderer = Renderer::new();
    let mut set = ScriptSet::default();
    for (path, category) in files {
        let text = std::fs::read_to_string(&path).map_err(|source| ReadError {
            path: path.clone(),
            source,
        })?;
        let mut checker = FileChecker::new(&path, &text, &renderer, config);
        let script = checker.check(&category);
        set.diagnostics.append(&mut checker.diagnostics);
        set.scripts.extend(script);
        set.sources.insert(path, text);
        set.files_checked += 1;
    }
    check_across_files(&mut set, config);
    set.diagnostics
        .sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
    Ok(set)
}

/// Checks scripts given as texts, as [`load`] checks files, without reading
/// anything: for the fuzzers and the property test, which feed thousands of
/// hostile texts a second. Each script's menu group is "Genveje".
pub fn check_texts(files: &[(PathBuf, String)], config: &Config) -> ScriptSet {
    let renderer = Renderer::new();
    let mut set = ScriptSet::default();
    for (path, text) in files {
        let mut checker = FileChecker::new(path, text, &renderer, config);
        let script = checker.check("Genveje");
        set.diagnostics.append(&mut checker.diagnostics);
        set.scripts.extend(script);
        set.sources.insert(path.clone(), text.clone());
        set.files_checked += 1;
    }
    check_across_files(&mut set, config);
    set.diagnostics
        .sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
    set
}

fn collect_toml_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(PathBuf, String)>,
) -> Result<(), ReadError> {
    let read_error = |source| ReadError {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_error)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(read_error)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_toml_files(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push((path, folder_category(root, dir)));
        }
    }
    Ok(())
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

/// Finds where in a file a top-level key's value starts, for cross-file messages.
fn span_of_key(text: &str, key: &str) -> std::ops::Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            break;
        }
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                let value_at = line.len() - rest.trim_start()[1..].trim_start().len();
                let value_len = rest.trim_start()[1..].trim().len();
                return offset + value_at..offset + value_at + value_len;
            }
        }
        offset += line.len();
    }
    0..0
}

/// Where a quoted string value first stands in a file.
fn span_of_literal(text: &str, value: &str) -> std::ops::Range<usize> {
    let quoted = format!("\"{value}\"");
    text.find(&quoted).map_or(0..0, |at| at..at + quoted.len())
}

fn check_across_files(set: &mut ScriptSet, config: &Config) {
    let mut problems = Vec::new();
    let location = |script: &Script, key: &str| {
        let text = set
            .sources
            .get(&script.source.path)
            .map_or("", String::as_str);
        Diagnostic::error(&script.source.path, span_of_key(text, key), "").location(text)
    };
    let context_of = |s: &Script| s.only_when.as_ref().map(ToString::to_string);

    let mut first_by_id: BTreeMap<&str, &Script> = BTreeMap::new();
    let mut first_by_key: BTreeMap<(Chord, Option<String>), &Script> = BTreeMap::new();
    let mut first_by_abbreviation: BTreeMap<(&str, Option<String>), &Script> = BTreeMap::new();
    let panic_key = Chord::parse_hotkey(&config.agent.panic_key).ok();
    let stopwatch_key = config
        .usage
        .stopwatch_hotkey
        .as_deref()
        .and_then(|k| Chord::parse_hotkey(k).ok());

    for script in &set.scripts {
        let text = set
            .sources
            .get(&script.source.path)
            .map_or("", String::as_str);
        if let Some(first) = first_by_id.insert(&script.id, script) {
            first_by_id.insert(&first.id, first);
            problems.push(
                Diagnostic::error(
                    &script.source.path,
                    span_of_key(text, "id"),
                    format!("duplicate id `{}`", script.id),
                )
                .with_help(format!(
                    "`{}` is already the id of {}; ids must be unique",
                    script.id,
                    location(first, "id")
                )),
            );
        }
        if let Some(chord) = script.hotkey {
            if Some(chord) == panic_key {
                problems.push(
                    Diagnostic::error(
                        &script.source.path,
                        span_of_key(text, "hotkey"),
                        format!("hot key {chord} is the panic key"),
                    )
                    .with_help("choose another hot key, or change agent.panic_key in genvej.toml"),
                );
            }
            if stopwatch_key.is_some() && Some(chord) == stopwatch_key {
                problems.push(
                    Diagnostic::error(
                        &script.source.path,
                        span_of_key(text, "hotkey"),
                        format!("hot key {chord} is the manual-time stopwatch's"),
                    )
                    .with_help(
                        "choose another hot key, or change usage.stopwatch_hotkey in genvej.toml",
                    ),
                );
            }
            if let Some(first) = first_by_key.insert((chord, context_of(script)), script) {
                first_by_key.insert((chord, context_of(first)), first);
                problems.push(
                    Diagnostic::error(&script.source.path, span_of_key(text, "hotkey"), format!("hot key {chord} is used twice"))
                        .with_help(format!("{} (\"{}\") already uses it; choose another chord, or make both context-sensitive with different `only_when`", location(first, "hotkey"), first.name)),
                );
            }
        }
        for hotstring in &script.hotstrings {
            let key = (hotstring.abbreviation.as_str(), context_of(script));
            if let Some(first) = first_by_abbreviation.insert(key.clone(), script) {
                first_by_abbreviation.insert(key, first);
                problems.push(
                    Diagnostic::error(
                        &script.source.path,
                        span_of_literal(text, &hotstring.abbreviation),
                        format!(
                            "the abbreviation `{}` is used twice",
                            hotstring.abbreviation
                        ),
                    )
                    .with_help(format!(
                        "\"{}\" in {} already declares it",
                        first.name,
                        first.source.path.display()
                    )),
                );
            }
        }
    }
    let bad: Vec<PathBuf> = problems.iter().map(|d| d.path.clone()).collect();
    set.scripts.retain(|s| !bad.contains(&s.source.path));
    set.diagnostics.extend(problems);
}
