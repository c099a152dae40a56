//! What `genvej exec --dry-run` is given on the command line: fixture files
//! for sources (read here, bounded, then checked by the engine's
//! [`DryRunData`] like a real answer), PDFs for `merge_pdf` downloads (a
//! fixture named by an http(s) address prefix), a selected text, and which
//! hotstring to preview. Messages are for the script's author (English).

use std::io::Read;
use std::path::Path;

use super::Setup;
use genvej_engine::fake::{DryRunData, source_named};
use genvej_format::script::Script;

/// Reads every `--fixture NAME=FILE` for `script` (NAME a source, or the
/// start of a document address) and takes `selection`.
pub(super) fn data(
    setup: &Setup,
    script: &Script,
    fixtures: &[(String, String)],
    selection: Option<String>,
) -> Result<DryRunData, String> {
    let limit = setup.config.limits.answer_bytes();
    let mut data = DryRunData {
        selection,
        ..DryRunData::default()
    };
    for (name, file) in fixtures {
        if name.starts_with("https://") || name.starts_with("http://") {
            let limit = setup.config.limits.pdf_bytes();
            let bytes = read_bounded(Path::new(file), limit)
                .map_err(|e| format!("--fixture {name}=…: cannot read `{file}`: {e}"))?;
            data.add_document(name, bytes, limit)
                .map_err(|e| format!("--fixture {name}=…: {e}"))?;
            continue;
        }
        source_named(script, name).map_err(|e| format!("--fixture {name}=…: {e}"))?;
        let bytes = read_bounded(Path::new(file), limit)
            .map_err(|e| format!("--fixture {name}=…: cannot read `{file}`: {e}"))?;
        data.add_fixture(script, name, &bytes, limit)
            .map_err(|e| format!("--fixture {name}=…: {e}"))?;
    }
    Ok(data)
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

/// At most `limit + 1` bytes of `path`: enough to tell a file over the
/// limit without reading all of it.
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
