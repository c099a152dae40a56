//! What a dry run is given instead of the case systems and the caseworker's
//! screen: fixture answers for sources and a selected text. The command line
//! (`genvej exec --dry-run`, and `genvej test` for the cases of a
//! `NAME.tests.toml`) reads the files and fills [`DryRunData`]; the engine
//! itself never reads a file. A fixture is checked like a real answer
//! (size limit, JSON, the source's `expect` fields), so a dry run cannot
//! pass on data that a case system's answer could never be.

use std::collections::BTreeMap;

use genvej_format::script::{Script, Source};

use super::FakeDesktop;

/// Data for one dry run: answers by source name, and the selected text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DryRunData {
    /// Source name → the JSON its `fetch` answers with.
    pub fixtures: BTreeMap<String, serde_json::Value>,
    /// The text selected when the run starts (`from = ["selection", …]`).
    pub selection: Option<String>,
    /// Address prefix → the PDF a `merge_pdf` download from there gets
    /// (other downloads get a one-page stand-in).
    pub documents: Vec<(String, Vec<u8>)>,
}

/// Why a fixture cannot stand in for a source's answer (author-facing, English).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FixtureError {
    #[error("`{script}` has no source `{name}`{hint}; its sources are: {known}")]
    UnknownSource {
        script: String,
        name: String,
        hint: String,
        known: String,
    },
    #[error(
        "the fixture for `{name}` is larger than {} (`max_answer_mb` under [limits]); a real answer this big would be refused",
        genvej_format::limits::human_size(*.limit)
    )]
    TooBig { name: String, limit: u64 },
    #[error(
        "the document fixture for `{prefix}` is larger than {} (`max_pdf_mb` under [limits]); a real download this big would be refused",
        genvej_format::limits::human_size(*.limit)
    )]
    DocumentTooBig { prefix: String, limit: u64 },
    #[error("the document fixture for `{prefix}` is not a PDF")]
    NotPdf { prefix: String },
    #[error("the fixture for `{name}` is not JSON: {reason}")]
    NotJson { name: String, reason: String },
    #[error(
        "the fixture for `{name}` lacks the field `{field}` that the source expects (`expect`); a real answer without it would fail"
    )]
    MissingField { name: String, field: String },
}

impl DryRunData {
    /// Checks `bytes` as the answer of `script`'s source `name` (at most
    /// `limit` bytes, JSON, every `expect` field there) and keeps it.
    pub fn add_fixture(
        &mut self,
        script: &Script,
        name: &str,
        bytes: &[u8],
        limit: u64,
    ) -> Result<(), FixtureError> {
        let source = source_named(script, name)?;
        let name = name.to_string();
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
            return Err(FixtureError::TooBig { name, limit });
        }
        let answer: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| FixtureError::NotJson {
                name: name.clone(),
                reason: e.to_string(),
            })?;
        if let Some(field) = source.expect.iter().find_map(|p| p.missing_in(&answer)) {
            return Err(FixtureError::MissingField { name, field });
        }
        self.fixtures.insert(name, answer);
        Ok(())
    }

    /// Keeps `bytes` (at most `limit`, a PDF) as the document every
    /// `merge_pdf` download whose address starts with `prefix` gets.
    pub fn add_document(
        &mut self,
        prefix: &str,
        bytes: Vec<u8>,
        limit: u64,
    ) -> Result<(), FixtureError> {
        let prefix = prefix.to_string();
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
            return Err(FixtureError::DocumentTooBig { prefix, limit });
        }
        if lopdf::Document::load_mem(&bytes).is_err() {
            return Err(FixtureError::NotPdf { prefix });
        }
        self.documents.push((prefix, bytes));
        Ok(())
    }

    /// Gives `desktop` the fixtures, the documents and the selection.
    pub fn apply_to(&self, desktop: &mut FakeDesktop) {
        for (prefix, bytes) in &self.documents {
            desktop.respond_bytes(prefix, Ok(bytes.clone()));
        }
        for (name, answer) in &self.fixtures {
            desktop.answer_source(name, answer.clone());
        }
        if let Some(text) = &self.selection {
            desktop.select_text(text);
        }
    }
}

/// The source of `script` called `name`, or which names it has (with a
/// "did you mean" for a typo).
pub fn source_named<'s>(script: &'s Script, name: &str) -> Result<&'s Source, FixtureError> {
    if let Some(source) = script.sources.iter().find(|s| s.name == name) {
        return Ok(source);
    }
    let known: Vec<&str> = script.sources.iter().map(|s| s.name.as_str()).collect();
    let hint = genvej_format::suggest::did_you_mean(name, known.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    Err(FixtureError::UnknownSource {
        script: script.id.clone(),
        name: name.to_string(),
        hint,
        known: if known.is_empty() {
            "none".to_string()
        } else {
            genvej_format::suggest::list(&known)
        },
    })
}
