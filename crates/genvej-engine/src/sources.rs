//! The steps that reach the case systems: `fetch` (HTTP sources bound to
//! variables) and `merge_pdf` (downloads merged into one document), and
//! naming a field an answer lacks when a template needs it.

use std::time::Duration;

use minijinja::Value;

use super::url_rules::plain_http_host_refused;
use super::{MergeFailure, Run, RunError, Stop};
use crate::documents::{self, NamedPdf};
use crate::ports::{Desktop, HttpError, HttpRequest};
use genvej_format::script::{HeaderValue, ITEM_VARIABLE, MERGED_PDF_VARIABLE, Template};
use genvej_format::template::TemplateUse;

impl<D: Desktop + ?Sized> Run<'_, '_, D> {
    /// Gets one source and binds its JSON to the source's name. An optional
    /// source that fails gets its fallback (or nothing) and the run goes on.
    pub(super) fn fetch(&mut self, name: &str) -> Result<(), Stop> {
        let script = self.script;
        let Some(source) = script.sources.iter().find(|s| s.name == name) else {
            return Err(RunError::UnknownSource(name.to_string()).into());
        };
        let request = self.request_for(source)?;
        self.check_cancel()?;
        // An answer without a field the script expects counts as a failed
        // fetch: an optional source then gets its fallback.
        let answer = self.desktop.fetch(&request).and_then(|json| {
            match source.expect.iter().find_map(|p| p.missing_in(&json)) {
                Some(field) => Err(HttpError::MissingField { field }),
                None => Ok(json),
            }
        });
        let value = match answer {
            Ok(json) => json,
            Err(error) if source.optional => {
                tracing::warn!(script = %script.id, "optional source «{name}» not fetched, using its fallback: {error}");
                source.fallback.clone().unwrap_or(serde_json::Value::Null)
            }
            Err(error) => {
                return Err(RunError::SourceFailed {
                    source_name: name.to_string(),
                    error,
                }
                .into());
            }
        };
        self.vars.insert(
            name.to_string(),
            Value::from(minijinja::value::Serde(value)),
        );
        Ok(())
    }

    /// Downloads one PDF per item of the list `each`, merges them and saves
    /// the result; `merged_pdf` is then its path.
    pub(super) fn merge_pdf(
        &mut self,
        each: &str,
        url: &Template,
        name: Option<&Template>,
        file: &Template,
        timeout: Duration,
    ) -> Result<(), Stop> {
        let document_error = |failure: MergeFailure| Stop::from(RunError::Document(failure));
        let list = self
            .engine
            .renderer
            .eval(each, &self.context(each))
            .map_err(|e| {
                document_error(MergeFailure::ListUnreadable {
                    each: each.to_string(),
                    detail: e.to_string(),
                })
            })?;
        let items: Vec<Value> = list
            .try_iter()
            .map_err(|_| {
                document_error(MergeFailure::NotAList {
                    each: each.to_string(),
                })
            })?
            .collect();
        let shadowed = self.vars.get(ITEM_VARIABLE).cloned();
        let mut parts = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            self.check_cancel()?;
            self.vars.insert(ITEM_VARIABLE.to_string(), item);
            let address = self.render(url, TemplateUse::Url)?;
            let title = match name {
                Some(t) => self.render(t, TemplateUse::Text)?,
                None => crate::messages::nameless_document(index),
            };
            let request = HttpRequest {
                source: each.to_string(),
                method: genvej_format::script::HttpMethod::Get,
                url: address,
                headers: Vec::new(),
                carries_secret: false,
                body: None,
                timeout,
                retries: 1,
                max_bytes: self.engine.config.limits.pdf_bytes(),
            };
            let bytes = match self.desktop.download(&request) {
                Ok(bytes) => bytes,
                Err(error) => {
                    return Err(document_error(MergeFailure::Download { title, error }));
                }
            };
            parts.push(NamedPdf { name: title, bytes });
        }
        match shadowed {
            Some(value) => self.vars.insert(ITEM_VARIABLE.to_string(), value),
            None => self.vars.remove(ITEM_VARIABLE),
        };
        if parts.is_empty() {
            tracing::info!(script = %self.script.id, "no documents in «{each}» to merge");
            self.vars
                .insert(MERGED_PDF_VARIABLE.to_string(), Value::from(""));
            return Ok(());
        }
        let (merged, pages) = documents::merge(&parts).map_err(|e| document_error(e.into()))?;
        let rendered = self.render(file, TemplateUse::Text)?;
        let file_name = safe_file_name(&rendered);
        if !self.engine.settings.allow_cpr_in_file_names
            && (genvej_format::cpr::contains_cpr(&rendered)
                || genvej_format::cpr::contains_cpr(&file_name))
        {
            return Err(document_error(MergeFailure::CprInFileName));
        }
        let path = self.desktop.save_document(&file_name, &merged)?;
        tracing::info!(script = %self.script.id, "{} PDFs ({pages} pages) merged and saved", parts.len());
        self.vars
            .insert(MERGED_PDF_VARIABLE.to_string(), Value::from(path));
        Ok(())
    }

    /// Renders a source's address, query, headers and body for this run.
    fn request_for(
        &mut self,
        source: &genvej_format::script::Source,
    ) -> Result<HttpRequest, RunError> {
        let mut url = self.render(&source.url, TemplateUse::Url)?;
        for (key, template) in &source.query {
            let value = self.render(template, TemplateUse::Text)?;
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&genvej_format::template::url_encode(key));
            url.push('=');
            url.push_str(&genvej_format::template::url_encode(&value));
        }
        // A secret goes unencrypted only where the organisation allows it;
        // checked before the secret is read.
        let secret_header = source.headers.iter().find(|(_, value)| {
            matches!(
                value,
                HeaderValue::Env { .. } | HeaderValue::Credential { .. }
            )
        });
        if let Some((header, _)) = secret_header {
            if let Some(host) = plain_http_host_refused(&url, &self.engine.config.policy) {
                return Err(source_error(
                    source,
                    HttpError::SecretOverPlainHttp {
                        header: header.clone(),
                        host,
                    },
                ));
            }
        }
        let mut headers = Vec::new();
        for (header, value) in &source.headers {
            let value = match value {
                HeaderValue::Template(t) => self.render(t, TemplateUse::Text)?,
                HeaderValue::Env { var, prefix } => match std::env::var(var) {
                    Ok(secret) => format!("{prefix}{secret}"),
                    Err(_) => {
                        return Err(source_error(
                            source,
                            HttpError::EnvNotSet {
                                var: var.clone(),
                                header: header.clone(),
                            },
                        ));
                    }
                },
                HeaderValue::Credential { name, prefix } => match self.desktop.credential(name) {
                    Ok(secret) => format!("{prefix}{secret}"),
                    Err(error) => {
                        return Err(source_error(
                            source,
                            HttpError::Credential {
                                name: name.clone(),
                                header: header.clone(),
                                error,
                            },
                        ));
                    }
                },
            };
            headers.push((header.clone(), value));
        }
        let body = match &source.json {
            Some(t) => Some(self.render(t, TemplateUse::Json)?),
            None => None,
        };
        Ok(HttpRequest {
            source: source.name.clone(),
            method: source.method,
            url,
            headers,
            carries_secret: secret_header.is_some(),
            body,
            timeout: source.timeout,
            retries: source.retries,
            max_bytes: self.engine.config.limits.answer_bytes(),
        })
    }

    /// When a template reads a field that a fetched answer lacks, which one
    /// and from which source ("feltet «email» mangler i svaret fra kilden
    /// «borger»"), so the IT office knows whether the script or the case
    /// system is wrong.
    pub(super) fn missing_source_field(
        &self,
        template: &Template,
        context: &Value,
    ) -> Option<String> {
        let renderer = &self.engine.renderer;
        let paths = renderer.variables_of(&template.text).ok()?;
        paths.iter().find_map(|path| {
            let (source, field) = path.split_once('.')?;
            self.script.sources.iter().find(|s| s.name == source)?;
            let missing = match renderer.eval(path, context) {
                Ok(value) => value.is_undefined(),
                Err(e) => e.kind() == minijinja::ErrorKind::UndefinedError,
            };
            missing.then(|| crate::messages::field_missing_from(field, source))
        })
    }
}

/// A file name without folder separators or characters Windows refuses,
/// ending in `.pdf`.
fn safe_file_name(name: &str) -> String {
    let mut clean: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    if !clean.to_lowercase().ends_with(".pdf") {
        clean.push_str(".pdf");
    }
    clean
}

/// A header's secret could not be had or may not go where the source
/// points: the run stops at this source.
fn source_error(source: &genvej_format::script::Source, error: HttpError) -> RunError {
    RunError::SourceFailed {
        source_name: source.name.clone(),
        error,
    }
}
