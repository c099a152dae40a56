//! The commonest template, text with plain `{{ name }}` or
//! `{{ org.kontor }}` tags whose values are text or a CPR number, filled in
//! without MiniJinja's compiler and engine. The result is the one a render
//! gives; what it saves is time before a `type` step's first key: when a
//! hot key is pressed that code has long left the processor's caches, and
//! compiling and running even `{{ org.x }}` took some 55 µs of a first key
//! under Wine (a few µs when warm). Anything else in a template, or a
//! value of another kind, and [`fill_in_names`] declines: the template is
//! rendered the usual way, with the usual errors.

use minijinja::value::Value;

use super::CprValue;

/// A piece of a template made only of text and tags that name a variable.
pub(super) enum Piece<'s> {
    Text(&'s str),
    /// `{{ path }}`; `trims` when the tag has a whitespace-control sign
    /// (`{{-`, `{{+`, `-}}`), which changes the text around it.
    Name {
        path: &'s str,
        trims: bool,
    },
}

/// `source` as text and tags that only name a variable (`{{ cpr }}`,
/// `{{- org.kontor -}}`), or `None` when it holds a statement, a comment,
/// an unclosed tag or a tag that is more than a name (a filter, an
/// operator, a call, a literal).
pub(super) fn name_tags(source: &str) -> Option<Vec<Piece<'_>>> {
    if source.contains("{%") || source.contains("{#") {
        return None;
    }
    let mut pieces = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        pieces.push(Piece::Text(&rest[..start]));
        let end = start + rest[start..].find("}}")?;
        let inside = &rest[start + 2..end];
        let bare = inside.strip_prefix(['-', '+']).unwrap_or(inside);
        let bare = bare.strip_suffix('-').unwrap_or(bare);
        let path = bare.trim();
        if !is_variable_path(path) {
            return None;
        }
        pieces.push(Piece::Name {
            path,
            trims: bare.len() != inside.len(),
        });
        rest = &rest[end + 2..];
    }
    pieces.push(Piece::Text(rest));
    Some(pieces)
}

/// `name` or `name.attribute…`, each part an identifier.
fn is_variable_path(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// `source` with each tag replaced by its value from `value_of` (given the
/// tag's whole path, e.g. `org.kontor`, so that a caller can answer the
/// names without making a whole context), or `None` when a tag is more
/// than a name or controls whitespace (`{{-` …), a statement or comment is
/// in it, or `value_of` has no value for a name or one that is neither text
/// nor a CPR number. For text only: URL and JSON uses escape their values.
pub(super) fn fill_in_names(
    source: &str,
    value_of: impl Fn(&str) -> Option<Value>,
) -> Option<String> {
    let mut filled = String::with_capacity(source.len());
    for piece in name_tags(source)? {
        match piece {
            Piece::Text(text) => filled.push_str(text),
            Piece::Name { trims: true, .. } => return None,
            Piece::Name { path, .. } => append_value(&mut filled, &value_of(path)?)?,
        }
    }
    Some(filled)
}

/// `a.b.c` in `context`; `None` when any part is missing.
pub(super) fn look_up(context: &Value, path: &str) -> Option<Value> {
    path.split('.').try_fold(context.clone(), |value, part| {
        value
            .get_attr(part)
            .ok()
            .filter(|found| !found.is_undefined())
    })
}

/// Writes a value as a text render writes it; `None` for kinds other than
/// text and a CPR number.
fn append_value(out: &mut String, value: &Value) -> Option<()> {
    if let Some(text) = value.as_str() {
        out.push_str(text);
    } else {
        out.push_str(&value.downcast_object_ref::<CprValue>()?.0.expose());
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpr::Cpr;
    use crate::template::{Renderer, TemplateUse, cpr_value};
    use minijinja::context;

    fn context() -> Value {
        let cpr = Cpr::parse("070761-4285").expect("a valid CPR number");
        context! {
            navn => "Åse Ærø",
            tom => "",
            tal => 42,
            intet => (),
            org => context! { kontor => Value::from_safe_string("Jobcenter <Syd>".into()), tal => 1.5 },
            cpr => cpr_value(cpr),
            liste => vec!["a", "b"],
            // Hostile values: template syntax is text, never run; a huge
            // value is written as a render writes it.
            ondsindet => "{{ cpr }}{% for x in range(99999999) %}x{% endfor %}{{",
            stor => "ø".repeat(1_000_000),
        }
    }

    #[test]
    fn plain_names_give_what_a_render_gives() {
        let renderer = Renderer::new();
        let context = context();
        for source in [
            "{{ navn }}",
            "{{navn}}",
            "{{ org.kontor }}/borger",
            "Kære {{ navn }},\n\nDit CPR-nummer er {{ cpr }}.\n",
            "{{ tom }}{{ tom }}x",
            "tekst uden tags\n\n",
            "}} {{ navn }} }}",
            "{ navn } {{\n  navn\n}}",
            "{{ ondsindet }}",
            "[{{ stor }}]",
        ] {
            let rendered = renderer.render(source, TemplateUse::Text, &context);
            assert_eq!(
                fill_in_names(source, |path| look_up(&context, path)),
                Some(rendered.expect("renders")),
                "{source:?}"
            );
        }
    }

    #[test]
    fn anything_more_than_a_name_of_text_is_left_to_minijinja() {
        let context = context();
        for source in [
            "{{ tal }}",
            "{{ org.tal }}",
            "{{ intet }}",
            "{{ liste }}",
            "{{ mangler }}",
            "{{ navn.mangler }}",
            "{{ cpr.digits }}x{{ navn | upper }}",
            "{{- navn }}",
            "{{ navn -}}",
            "{% if navn %}{{ navn }}{% endif %}",
            "{# note #}{{ navn }}",
            "{{ navn ~ navn }}",
            "{{ navn",
        ] {
            assert_eq!(
                fill_in_names(source, |path| look_up(&context, path)),
                None,
                "{source:?}"
            );
        }
    }
}
