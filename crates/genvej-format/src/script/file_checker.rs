//! The checker of one script file: where its problems are collected, with
//! the file's text, the config it is checked against and the template
//! renderer. The checks themselves are `impl FileChecker` blocks in the
//! modules named after what they check (`load` for the file and its header,
//! `steps`, `inputs`, `sources`, `addresses`, `scope`), which all use this
//! one and none of each other's internals.

use std::ops::Range;
use std::path::Path;

use super::model::Template;
use super::raw::At;
use super::release::CheckMode;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::template::Renderer;

/// Checks one file, collecting problems in `diagnostics`.
pub(crate) struct FileChecker<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub renderer: &'a Renderer,
    pub config: &'a Config,
    /// Whether release metadata is required.
    pub mode: CheckMode,
    pub diagnostics: Vec<Diagnostic>,
    /// Keys dropped for a bad value (so they are not also called missing).
    pub(super) dropped_keys: Vec<String>,
    /// Sources declared with an error already reported (so a `fetch` of
    /// them is not also called unknown).
    pub broken_sources: std::collections::BTreeSet<String>,
    /// Where the lines of `text` start (templates carry their line).
    lines: LineIndex,
}

impl<'a> FileChecker<'a> {
    pub fn new(path: &'a Path, text: &'a str, renderer: &'a Renderer, config: &'a Config) -> Self {
        FileChecker {
            path,
            text,
            renderer,
            config,
            mode: CheckMode::Normal,
            diagnostics: Vec::new(),
            dropped_keys: Vec::new(),
            broken_sources: Default::default(),
            lines: LineIndex::new(text),
        }
    }

    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::error(self.path, span, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    pub fn warning(&mut self, span: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::warning(self.path, span, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    pub fn line_of(&self, offset: usize) -> usize {
        self.lines.line_of(offset)
    }

    pub fn template(&self, at: &At<String>) -> Template {
        Template {
            text: at.get().clone(),
            // The line of the template's first character: a multi-line
            // string's first line is the one after its opening `"""`.
            line: self.line_of(self.template_span(at, 0..0).start),
        }
    }
}
