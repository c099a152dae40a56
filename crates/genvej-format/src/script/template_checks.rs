//! What the checker sees in a template beyond its variables: each filter it
//! calls exists (else "did you mean …?") and is given the arguments it
//! takes; a URL template does not start with a value that would be
//! URL-encoded whole. Problems are reported at their own line and column in
//! the file.

use std::ops::Range;

use super::file_checker::FileChecker;
use super::raw::At;
use super::string_position::{file_offset, is_written_at};
use crate::suggest::{did_you_mean, list};
use crate::template::anatomy::{Anatomy, Arg, FilterCall};
use crate::template::filter_list::{self, Origin, Param, Params};

impl FileChecker<'_> {
    /// The file range of a range of the template written at `at`.
    pub(crate) fn template_span(&self, at: &At<String>, range: Range<usize>) -> Range<usize> {
        if !is_written_at(self.text, at.span(), at.get()) {
            return at.span();
        }
        let start = file_offset(self.text, at.span(), at.get(), range.start);
        let end = file_offset(self.text, at.span(), at.get(), range.end);
        start..end.max(start)
    }

    /// Checks the filters of a template that compiled.
    pub(crate) fn template_filters(&mut self, at: &At<String>, anatomy: &Anatomy, what: &str) {
        for call in &anatomy.filters {
            if !self.renderer.has_filter(&call.name) {
                self.unknown_filter(at, call, what);
                continue;
            }
            let Some(filter) = filter_list::find(&call.name) else {
                continue;
            };
            if let Params::WholeNumbers { params, required } = filter.params {
                if let Some(problem) = wrong_arguments(call, params, required) {
                    let span = self.template_span(at, call.span.clone());
                    self.error(
                        span,
                        format!("the filter `{}` {problem} (in {what})", call.name),
                    )
                    .help(format!(
                        "`{}` {}, e.g. `{{{{ {} }}}}`",
                        call.name,
                        takes(params, required),
                        filter.example
                    ));
                }
            }
        }
    }

    fn unknown_filter(&mut self, at: &At<String>, call: &FilterCall, what: &str) {
        let span = self.template_span(at, call.span.start..call.span.start + call.name.len());
        let help = match did_you_mean(&call.name, filter_list::all().map(|f| f.name)) {
            Some(name) => format!("did you mean `{name}`?"),
            None => {
                let own: Vec<&str> = filter_list::GENVEJ_FILTERS
                    .iter()
                    .filter(|f| f.origin == Origin::Genvej && !f.example.is_empty())
                    .map(|f| f.name)
                    .collect();
                format!(
                    "genvej's filters are {}; MiniJinja's built-in filters such as `upper`, `default` and `join` work too",
                    list(&own)
                )
            }
        };
        self.error(span, format!("unknown filter `{}` (in {what})", call.name))
            .help(help);
    }

    /// Warns when an address template starts with a value that would be
    /// URL-encoded whole (`{{ sag.url }}/x` becomes `https%3A%2F%2F…`).
    pub(crate) fn url_starting_with_value(
        &mut self,
        at: &At<String>,
        anatomy: &Anatomy,
        what: &str,
    ) {
        let Some(leading) = &anatomy.leading_value else {
            return;
        };
        if leading.inserted_whole {
            return;
        }
        let span = self.template_span(at, leading.span.clone());
        self.warning(
            span,
            format!(
                "the address in {what} starts with a value, which is URL-encoded: an address in it would be broken (`https://` becomes `https%3A%2F%2F`)"
            ),
        )
        .help("to insert a whole address from data, use the `url` filter: `{{ sag.dokument_url | url }}` (it accepts only http:// and https:// addresses); for a value that is not an address, start with the literal address");
    }
}

/// What is wrong with the arguments of `call`, if anything.
fn wrong_arguments(call: &FilterCall, params: &[Param], required: usize) -> Option<String> {
    if call.splat {
        return None;
    }
    let given = call.positional.len() + call.keywords.len();
    if given > params.len() || call.positional.len() + call.keywords.len() < required {
        return Some(format!(
            "is given {}",
            match given {
                0 => "no arguments".to_string(),
                1 => "1 argument".to_string(),
                n => format!("{n} arguments"),
            }
        ));
    }
    let mut values: Vec<(&Param, &Arg)> = params.iter().zip(&call.positional).collect();
    for (name, arg) in &call.keywords {
        let Some(param) = params.iter().find(|p| p.keyword && p.name == name) else {
            return Some(format!("has no argument `{name}`"));
        };
        if params[..call.positional.len().min(params.len())].contains(param) {
            return Some(format!("is given `{name}` twice"));
        }
        values.push((param, arg));
    }
    if params[..required]
        .iter()
        .any(|p| !values.iter().any(|(given, _)| given == &p))
    {
        return Some("is missing an argument".to_string());
    }
    values.into_iter().find_map(|(param, arg)| match arg {
        Arg::WholeNumber(n) if *n < param.min => Some(format!(
            "is given {n}; the {} cannot be below {}",
            param.name, param.min
        )),
        Arg::OtherLiteral(kind) => Some(format!(
            "is given {kind} where the {} must be a whole number",
            param.name
        )),
        _ => None,
    })
}

/// "takes no arguments", "takes one whole number (the days)", …
fn takes(params: &[Param], required: usize) -> String {
    match (params, required) {
        ([], _) => "takes no arguments".to_string(),
        ([one], 1) => format!("takes one whole number (the {})", one.name),
        ([one], _) if one.keyword => format!(
            "takes at most one whole number (the {0}), by position or as `{0}=`",
            one.name
        ),
        ([one], _) => format!("takes at most one whole number (the {})", one.name),
        (many, _) => format!("takes {} whole numbers", many.len()),
    }
}
