//! Dry runs, shared by `genvej exec --dry-run` and `genvej test`: the data a
//! run is given (fixture files for sources, read here, bounded, then checked
//! by the engine's [`DryRunData`] like a real answer; PDFs for `merge_pdf`
//! downloads, a fixture named by an http(s) address prefix; a selected
//! text), which hotstring to run, and the run itself on the recording
//! desktop at a given clock. Messages are for the script's author (English).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use chrono::NaiveDateTime;
use genvej_engine::fake::{DryRunData, FakeDesktop, source_named};
use genvej_engine::ports::CancelToken;
use genvej_engine::{Engine, Status};
use genvej_format::config::Config;
use genvej_format::script::Script;
use genvej_format::template::Renderer;

/// Reads every `--fixture NAME=FILE` for `script` (NAME a source, or the
/// start of a document address) and takes `selection`.
pub(super) fn data(
    config: &Config,
    script: &Script,
    fixtures: &[(String, String)],
    selection: Option<String>,
) -> Result<DryRunData, String> {
    let mut data = DryRunData {
        selection,
        ..DryRunData::default()
    };
    for (name, file) in fixtures {
        add_fixture(&mut data, config, script, name, Path::new(file))
            .map_err(|e| format!("--fixture {name}=…: {e}"))?;
    }
    Ok(data)
}

/// Reads `file` as the fixture `name` of `script` (a source's answer, or
/// the PDF for downloads from an address starting with `name`) and checks
/// it as a real answer would be.
pub(super) fn add_fixture(
    data: &mut DryRunData,
    config: &Config,
    script: &Script,
    name: &str,
    file: &Path,
) -> Result<(), String> {
    let cannot_read = |e: std::io::Error| format!("cannot read `{}`: {e}", file.display());
    if name.starts_with("https://") || name.starts_with("http://") {
        let limit = config.limits.pdf_bytes();
        let bytes = read_bounded(file, limit).map_err(cannot_read)?;
        return data
            .add_document(name, bytes, limit)
            .map_err(|e| e.to_string());
    }
    let limit = config.limits.answer_bytes();
    source_named(script, name).map_err(|e| e.to_string())?;
    let bytes = read_bounded(file, limit).map_err(cannot_read)?;
    data.add_fixture(script, name, &bytes, limit)
        .map_err(|e| e.to_string())
}

/// The steps `script`'s hotstring `abbreviation` runs (erase it, type the
/// text, the ending space).
pub(super) fn hotstring(script: &Script, abbreviation: &str) -> Result<Script, String> {
    let known: Vec<&str> = script
        .hotstrings
        .iter()
        .map(|h| h.abbreviation.as_str())
        .collect();
    let Some(index) = known.iter().position(|a| *a == abbreviation) else {
        if known.is_empty() {
            return Err(format!("`{}` has no hotstrings", script.id));
        }
        let hint = genvej_format::suggest::did_you_mean(abbreviation, known.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return Err(format!(
            "`{}` has no hotstring `{abbreviation}`{hint}; its hotstrings are: {}",
            script.id,
            genvej_format::suggest::list(&known)
        ));
    };
    script
        .hotstring_expansion(index, false)
        .ok_or_else(|| format!("`{}` has no hotstring `{abbreviation}`", script.id))
}

/// What one dry run did (texts not yet masked).
pub(super) struct Ran {
    /// «name» (id) of what ran (a hotstring's expansion has its own name).
    pub title: String,
    /// One line per recorded action.
    pub lines: Vec<String>,
    pub completed: bool,
    /// `completed N steps`, `failed: …`, `cancelled` or `not run: …`.
    pub summary: String,
    /// Failed before any step (an input was missing).
    pub before_steps: bool,
}

/// Runs `script` (or its hotstring `hotstring`) on the recording desktop
/// whose clock reads `now`, with `data` and the `preset` input values
/// (already checked). `Err`: the hotstring does not exist.
pub(super) fn run(
    config: &Config,
    script: &Script,
    preset: &BTreeMap<String, String>,
    data: &DryRunData,
    hotstring_abbreviation: Option<&str>,
    now: NaiveDateTime,
) -> Result<Ran, String> {
    let expansion;
    let script = match hotstring_abbreviation {
        None => script,
        Some(abbreviation) => {
            expansion = hotstring(script, abbreviation)?;
            &expansion
        }
    };
    let renderer = Renderer::new();
    let engine = Engine::new(&renderer, config, CancelToken::new());
    let mut desktop = FakeDesktop::obliging(now);
    data.apply_to(&mut desktop);
    let outcome = engine.run(&mut desktop, script, preset);
    let (completed, summary) = match &outcome.status {
        Status::Completed => (
            true,
            format!(
                "completed {} step{}",
                outcome.steps_completed,
                if outcome.steps_completed == 1 {
                    ""
                } else {
                    "s"
                }
            ),
        ),
        Status::Failed(failure) => (false, format!("failed: {failure}")),
        Status::Cancelled { .. } => (false, "cancelled".to_string()),
        Status::Rejected { reason } => (false, format!("not run: {reason}")),
    };
    let before_steps = matches!(&outcome.status, Status::Failed(f) if f.step.is_none());
    Ok(Ran {
        title: format!("«{}» ({})", script.name, script.id),
        lines: desktop.lines(),
        completed,
        summary,
        before_steps,
    })
}

/// At most `limit + 1` bytes of `path`: enough to tell a file over the
/// limit without reading all of it.
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    // Asked before opening: opening a named pipe waits for a writer forever.
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
