//! All scripts of the configured folders, with the checks that need more
//! than one file: duplicate ids, hot keys and abbreviations.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::file_checker::FileChecker;
use super::files;
use super::model::Script;
use super::release::CheckMode;
use crate::chord::Chord;
use crate::chord_lint::lint;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::hotkey::HotKey;
use crate::template::Renderer;

/// The result of loading scripts: the good ones, every problem, and the
/// texts of the files the problems point into.
#[derive(Debug, Default)]
pub struct ScriptSet {
    pub scripts: Vec<Script>,
    pub diagnostics: Vec<Diagnostic>,
    /// The files' texts by path (script and config files), for rendering
    /// the problems with their lines.
    pub texts: BTreeMap<PathBuf, String>,
    pub files_checked: usize,
    /// Problems found but not listed (past [`MAX_DIAGNOSTICS_PER_FILE`]),
    /// beyond the one "… and N more" that stands for them: errors, warnings.
    pub unlisted: (usize, usize),
    /// What the organisation's policy refused or ignored (also among
    /// `diagnostics`): personal scripts not loaded, personal settings dropped.
    pub policy_notes: Vec<Diagnostic>,
}

impl ScriptSet {
    /// Every error found, listed or not.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count() + self.unlisted.0
    }

    /// Every warning found, listed or not.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| !d.is_error()).count() + self.unlisted.1
    }

    /// Every problem rendered with the line it points at, in file order.
    pub fn render_diagnostics(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| d.render(self.texts.get(&d.path).map_or("", String::as_str)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Adds what the policy dropped from personal config files.
    pub fn add_config_notes(&mut self, layered: &crate::config::LayeredConfig) {
        for note in &layered.policy_notes {
            self.diagnostics.push(note.clone());
            self.policy_notes.push(note.clone());
        }
        for (path, text) in &layered.texts {
            self.texts
                .entry(path.clone())
                .or_insert_with(|| text.clone());
        }
    }

    /// The policy's notes rendered with the lines they point at.
    pub fn policy_diagnostics(&self) -> String {
        self.policy_notes
            .iter()
            .map(|d| d.render(self.texts.get(&d.path).map_or("", String::as_str)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn find(&self, id: &str) -> Option<&Script> {
        self.scripts.iter().find(|s| s.id == id)
    }
}

/// At most this many problems are listed per file; the rest are counted
/// in one last "… and N more" (a generated file can have thousands).
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 50;

/// Loads every `*.toml` below the given folders or files, all of them the
/// organisation's. Never fails as a whole: a file or folder that cannot be
/// used is a diagnostic, and the other scripts load (see
/// [`files`](super::files)).
pub fn load(paths: &[PathBuf], config: &Config) -> ScriptSet {
    let folders = ScriptFolders {
        central: paths.to_vec(),
        personal: Vec::new(),
    };
    load_folders(&folders, config)
}

/// Where scripts come from: the organisation's folders, and the
/// caseworker's own, whose scripts the policy (`policy.personal_scripts`)
/// may limit or refuse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptFolders {
    pub central: Vec<PathBuf>,
    pub personal: Vec<PathBuf>,
}

impl ScriptFolders {
    pub fn is_empty(&self) -> bool {
        self.central.is_empty() && self.personal.is_empty()
    }
}

/// Loads the organisation's scripts, then the caseworker's own (a personal
/// script cannot take a central script's id, hot key or abbreviation: the
/// first one loaded keeps it).
pub fn load_folders(folders: &ScriptFolders, config: &Config) -> ScriptSet {
    load_folders_in(folders, config, CheckMode::Normal)
}

/// The release check of a library: [`load`] in [`CheckMode::Release`].
/// Every script under `paths` (the organisation's) must check clean AND
/// have `owner`, `version`, `approved.professional` and `approved.legal`;
/// each one missing is an error at the script's `id` line. A library is
/// fit to release (bundle, deploy) when `error_count()` is 0. This is what
/// `genvej check --release PATHS` runs.
pub fn load_release(paths: &[PathBuf], config: &Config) -> ScriptSet {
    let folders = ScriptFolders {
        central: paths.to_vec(),
        personal: Vec::new(),
    };
    load_folders_in(&folders, config, CheckMode::Release)
}

/// [`load_folders`] in a given mode; in [`CheckMode::Release`] the
/// organisation's scripts must have release metadata, personal ones never.
pub fn load_folders_in(folders: &ScriptFolders, config: &Config, mode: CheckMode) -> ScriptSet {
    let mut set = ScriptSet::default();
    let renderer = Renderer::new();
    let central = files::find(&folders.central, &mut set.diagnostics);
    set.check_files(central, false, mode, &renderer, config);
    set.add_personal(&folders.personal, &renderer, config);
    set.finish(config);
    set
}

/// Loads the scripts of a verified signed bundle as the organisation's
/// (`files`: each script's path inside the bundle and its text; the menu
/// group is the path's first folder), then the caseworker's own folders as
/// [`load_folders`] does. Every script of the bundle gets
/// `file.bundle = Some(sequence)`, and its problems point at
/// `bundle SEQUENCE/PATH`.
pub fn load_bundle(
    files: &[(PathBuf, String)],
    sequence: u64,
    personal: &[PathBuf],
    config: &Config,
) -> ScriptSet {
    let mut set = ScriptSet::default();
    let renderer = Renderer::new();
    let shown_in = PathBuf::from(format!("bundle {sequence}"));
    let max_bytes = config.limits.script_bytes();
    for (path, text) in files {
        // `bundle build` packs no test file; one in a bundle is never a hot key.
        if crate::script_tests::is_test_file(path) {
            continue;
        }
        set.files_checked += 1;
        let shown = shown_in.join(path);
        if text.len() as u64 > max_bytes {
            set.diagnostics.push(
                Diagnostic::error(
                    &shown,
                    0..0,
                    format!(
                        "the script is {} bytes; at most {max_bytes} are read",
                        text.len()
                    ),
                )
                .with_help(
                    "raise limits.script_bytes in the machine-wide config, or split the script",
                ),
            );
            continue;
        }
        let category = match path.parent().and_then(|p| p.iter().next()) {
            Some(folder) => folder.to_string_lossy().into_owned(),
            None => "Genveje".to_string(),
        };
        let origin = Origin {
            category: &category,
            personal: false,
            mode: CheckMode::Normal,
        };
        let before = set.scripts.len();
        set.check_file(shown, text.clone(), origin, &renderer, config);
        for script in &mut set.scripts[before..] {
            script.file.bundle = Some(sequence);
        }
    }
    set.add_personal(personal, &renderer, config);
    set.finish(config);
    set
}

/// Checks scripts given as texts, as [`load`] checks files, without reading
/// anything: for the fuzzers and the property test, which feed thousands of
/// hostile texts a second. Each script's menu group is "Genveje".
pub fn check_texts(files: &[(PathBuf, String)], config: &Config) -> ScriptSet {
    check_texts_in(files, config, CheckMode::Normal)
}

/// [`check_texts`] in a given mode (the texts are the organisation's).
pub fn check_texts_in(files: &[(PathBuf, String)], config: &Config, mode: CheckMode) -> ScriptSet {
    let renderer = Renderer::new();
    let mut set = ScriptSet::default();
    for (path, text) in files {
        set.files_checked += 1;
        let origin = Origin {
            category: "Genveje",
            personal: false,
            mode,
        };
        set.check_file(path.clone(), text.clone(), origin, &renderer, config);
    }
    set.finish(config);
    set
}

/// Where a script file was found: its default menu group, whether it is
/// the caseworker's own, and how strictly it is checked.
struct Origin<'a> {
    category: &'a str,
    personal: bool,
    mode: CheckMode,
}

impl ScriptSet {
    /// Reads and checks files found in folders.
    fn check_files(
        &mut self,
        found: Vec<files::FoundFile>,
        personal: bool,
        mode: CheckMode,
        renderer: &Renderer,
        config: &Config,
    ) {
        let max_bytes = config.limits.script_bytes();
        for file in found {
            self.files_checked += 1;
            let text = match files::read(&file.path, max_bytes) {
                Ok(text) => text,
                Err(unusable) => {
                    self.diagnostics.push(unusable.diagnostic);
                    self.texts.insert(file.path, unusable.shown_text);
                    continue;
                }
            };
            let origin = Origin {
                category: &file.category,
                personal,
                mode,
            };
            self.check_file(file.path, text, origin, renderer, config);
        }
    }

    /// The caseworker's own folders (those that exist), after the
    /// organisation's scripts.
    fn add_personal(&mut self, folders: &[PathBuf], renderer: &Renderer, config: &Config) {
        let existing: Vec<PathBuf> = folders.iter().filter(|p| p.exists()).cloned().collect();
        let found = files::find(&existing, &mut self.diagnostics);
        // Personal scripts never need release metadata.
        self.check_files(found, true, CheckMode::Normal, renderer, config);
    }

    /// Checks one file's text and adds the script (if it has no errors and
    /// the policy lets it in) and its problems (at most
    /// [`MAX_DIAGNOSTICS_PER_FILE`] listed) — the same for files read from
    /// folders and for texts given directly.
    fn check_file(
        &mut self,
        path: PathBuf,
        text: String,
        origin: Origin<'_>,
        renderer: &Renderer,
        config: &Config,
    ) {
        let mut checker = FileChecker::new(&path, &text, renderer, config);
        // A caseworker's own script is never released: it needs no metadata.
        checker.mode = if origin.personal {
            CheckMode::Normal
        } else {
            origin.mode
        };
        let mut script = checker.check(origin.category);
        let (listed, (errors, warnings)) = capped(checker.diagnostics);
        self.diagnostics.extend(listed);
        self.unlisted.0 += errors;
        self.unlisted.1 += warnings;
        if origin.personal {
            if let Some(s) = script.as_mut() {
                s.file.personal = true;
            }
            let policy = config.policy.personal_scripts;
            let refused = super::personal::refusals(script.as_ref(), policy, &path, &text);
            if !refused.is_empty() {
                script = None;
                self.policy_notes.extend(refused.iter().cloned());
                self.diagnostics.extend(refused);
            }
        }
        self.scripts.extend(script);
        self.texts.insert(path, text);
    }

    /// The checks across files, then every problem in file order.
    fn finish(&mut self, config: &Config) {
        check_across_files(self, config);
        self.diagnostics
            .sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
    }
}

/// One file's problems in file order, the first [`MAX_DIAGNOSTICS_PER_FILE`]
/// of them and then one that counts the rest (an error if any of them is);
/// and how many errors and warnings that one stands for besides itself.
fn capped(mut diagnostics: Vec<Diagnostic>) -> (Vec<Diagnostic>, (usize, usize)) {
    if diagnostics.len() <= MAX_DIAGNOSTICS_PER_FILE {
        return (diagnostics, (0, 0));
    }
    diagnostics.sort_by_key(|d| d.span.start);
    let rest = diagnostics.split_off(MAX_DIAGNOSTICS_PER_FILE);
    let errors = rest.iter().filter(|d| d.is_error()).count();
    let warnings = rest.len() - errors;
    let at = rest[0].span.start;
    let path = rest[0].path.clone();
    let message = format!(
        "… and {} more problems in this file ({errors} errors), not listed",
        rest.len()
    );
    let more = if errors > 0 {
        Diagnostic::error(&path, at..at, message)
    } else {
        Diagnostic::warning(&path, at..at, message)
    };
    diagnostics.push(more.with_help(format!(
        "fix the first {MAX_DIAGNOSTICS_PER_FILE} and check again"
    )));
    // The last one listed stands for one of them.
    let unlisted = if errors > 0 {
        (errors - 1, warnings)
    } else {
        (0, warnings - 1)
    };
    (diagnostics, unlisted)
}

/// Finds where in a file a top-level key's value starts, for cross-file messages.
pub(super) fn span_of_key(text: &str, key: &str) -> std::ops::Range<usize> {
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
    // Warnings keep the script; errors drop its file from the set.
    let mut warnings = Vec::new();
    let location = |script: &Script, key: &str| {
        let text = set.texts.get(&script.file.path).map_or("", String::as_str);
        Diagnostic::error(&script.file.path, span_of_key(text, key), "").location(text)
    };
    let context_of = |s: &Script| s.only_when.as_ref().map(ToString::to_string);

    let mut first_by_id: BTreeMap<&str, &Script> = BTreeMap::new();
    let mut first_by_key: BTreeMap<(HotKey, Option<String>), &Script> = BTreeMap::new();
    let mut first_by_abbreviation: BTreeMap<(&str, Option<String>), &Script> = BTreeMap::new();
    let panic_key = Chord::parse_hotkey(&config.agent.panic_key).ok();
    let stopwatch_key = config
        .usage
        .stopwatch_hotkey
        .as_deref()
        .and_then(|k| Chord::parse_hotkey(k).ok());
    let palette_key = config
        .agent
        .palette_hotkey
        .as_deref()
        .and_then(|k| Chord::parse_hotkey(k).ok());

    for script in &set.scripts {
        let text = set.texts.get(&script.file.path).map_or("", String::as_str);
        if let Some(first) = first_by_id.insert(&script.id, script) {
            first_by_id.insert(&first.id, first);
            problems.push(
                Diagnostic::error(
                    &script.file.path,
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
        if let Some(hotkey) = script.hotkey {
            let chord = hotkey.chord;
            // What the panic key or the stopwatch would collide with.
            let what = match hotkey.then {
                None => format!("hot key {chord}"),
                Some(_) => format!("the leader {chord} of hot key {hotkey}"),
            };
            for problem in lint(chord, &config.agent.keyboard_layouts) {
                let span = span_of_key(text, "hotkey");
                let help = problem.help();
                let message = problem.to_string();
                let diagnostic = if problem.is_error() {
                    Diagnostic::error(&script.file.path, span, message)
                } else {
                    Diagnostic::warning(&script.file.path, span, message)
                };
                let diagnostic = diagnostic.with_help(help);
                if problem.is_error() {
                    problems.push(diagnostic);
                } else {
                    warnings.push(diagnostic);
                }
            }
            if Some(chord) == panic_key {
                problems.push(
                    Diagnostic::error(
                        &script.file.path,
                        span_of_key(text, "hotkey"),
                        format!("{what} is the panic key"),
                    )
                    .with_help("choose another hot key, or change agent.panic_key in genvej.toml"),
                );
            }
            if stopwatch_key.is_some() && Some(chord) == stopwatch_key {
                problems.push(
                    Diagnostic::error(
                        &script.file.path,
                        span_of_key(text, "hotkey"),
                        format!("{what} is the manual-time stopwatch's"),
                    )
                    .with_help(
                        "choose another hot key, or change usage.stopwatch_hotkey in genvej.toml",
                    ),
                );
            }
            if palette_key.is_some() && Some(chord) == palette_key {
                problems.push(
                    Diagnostic::error(
                        &script.file.path,
                        span_of_key(text, "hotkey"),
                        format!("{what} opens the command palette"),
                    )
                    .with_help(
                        "choose another hot key, or change agent.palette_hotkey in genvej.toml",
                    ),
                );
            }
            if let Some(first) = first_by_key.insert((hotkey, context_of(script)), script) {
                first_by_key.insert((hotkey, context_of(first)), first);
                let choose = match hotkey.then {
                    None => "choose another chord".to_string(),
                    Some(_) => format!("choose another key after {chord}"),
                };
                problems.push(
                    Diagnostic::error(&script.file.path, span_of_key(text, "hotkey"), format!("hot key {hotkey} is used twice"))
                        .with_help(format!("{} (\"{}\") already uses it; {choose}, or make both context-sensitive with different `only_when`", location(first, "hotkey"), first.name)),
                );
            }
        }
        for hotstring in &script.hotstrings {
            let key = (hotstring.abbreviation.as_str(), context_of(script));
            if let Some(first) = first_by_abbreviation.insert(key.clone(), script) {
                first_by_abbreviation.insert(key, first);
                problems.push(
                    Diagnostic::error(
                        &script.file.path,
                        span_of_literal(text, &hotstring.abbreviation),
                        format!(
                            "the abbreviation `{}` is used twice",
                            hotstring.abbreviation
                        ),
                    )
                    .with_help(format!(
                        "\"{}\" in {} already declares it",
                        first.name,
                        first.file.path.display()
                    )),
                );
            }
        }
    }
    problems.extend(super::sequences::leaders_that_are_hot_keys(
        &set.scripts,
        &set.texts,
    ));
    let bad: Vec<PathBuf> = problems.iter().map(|d| d.path.clone()).collect();
    set.scripts.retain(|s| !bad.contains(&s.file.path));
    set.diagnostics.extend(problems);
    set.diagnostics.extend(warnings);
}
