//! Templates in scripts, rendered with MiniJinja.
//!
//! Undefined values are errors (strict mode): a template never types an empty
//! string in place of a missing value. Values inserted into an `open_url`
//! template are URL-encoded; the literal parts of the URL are left alone.
//! Every render is bounded in work and memory and stops at the panic key
//! ([`limits`]).

pub mod anatomy;
pub mod danish;
mod fill_in;
pub mod filter_list;
mod filters;
pub mod limits;
pub mod workdays;

pub use filters::MAX_URL_BYTES;

use std::collections::BTreeSet;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Value};
use minijinja::{AutoEscape, Environment, Error, UndefinedBehavior};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::cancel::CancelToken;
use crate::cpr::Cpr;

/// How a template's output is used, which decides how inserted values are escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateUse {
    /// Typed or pasted text: values inserted as they are.
    Text,
    /// A URL: inserted values are percent-encoded.
    Url,
    /// A JSON document: inserted values are JSON-encoded (text is quoted).
    Json,
}

impl TemplateUse {
    fn name(self) -> &'static str {
        match self {
            TemplateUse::Text => "text",
            TemplateUse::Url => "url",
            TemplateUse::Json => "json",
        }
    }
}

/// Characters left as they are in URL values: RFC 3986 "unreserved".
const URL_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a value for a URL (everything but RFC 3986 "unreserved").
pub fn url_encode(value: &str) -> String {
    utf8_percent_encode(value, URL_VALUE).to_string()
}

/// The attributes a CPR value offers in templates.
pub const CPR_ATTRIBUTES: &[&str] = &["digits", "formatted", "masked", "birth_date"];

/// Names every template may use besides the script's own variables.
pub const GLOBALS: &[&str] = &["profile", "org", "today", "now", "script"];

/// MiniJinja's built-in functions, which the checker must not call undefined.
/// Only those the renderer has (`cycler` and `joiner` are in
/// minijinja-contrib, not in MiniJinja): a name listed here checks clean, so
/// a name the renderer lacks would fail only at run time. The filter
/// reference's test renders an example of each.
pub const BUILTIN_FUNCTIONS: &[&str] = &["range", "dict", "namespace", "debug"];

/// How genvej's templates are written: MiniJinja's delimiters; the newline
/// after a block tag (`{% endif %}`) is dropped and a block tag's
/// indentation too (`trim_blocks`, `lstrip_blocks`); a final newline is kept.
fn syntax() -> minijinja::syntax::SyntaxConfig {
    minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .expect("default delimiters are valid")
}

/// The MiniJinja environment with genvej's filters.
pub struct Renderer {
    watchdog: limits::Watchdog,
    cancel: CancelToken,
}

impl Default for Renderer {
    fn default() -> Self {
        Renderer::new()
    }
}

impl Renderer {
    /// A renderer no panic key can stop (the checker, dry runs).
    pub fn new() -> Renderer {
        Renderer::with_cancel(CancelToken::new())
    }

    /// A renderer whose renders stop when `cancel` is cancelled (the panic
    /// key): at the next value written out or `range` item.
    pub fn with_cancel(cancel: CancelToken) -> Renderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(syntax());
        env.set_auto_escape_callback(|name| {
            if name == TemplateUse::Url.name() {
                AutoEscape::Custom("url".into())
            } else if name == TemplateUse::Json.name() {
                AutoEscape::Json
            } else {
                AutoEscape::None
            }
        });
        let stop = cancel.clone();
        env.set_formatter(move |out, state, value| {
            limits::check_written(&stop, value)?;
            if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "url")
                && !value.is_safe()
            {
                let text = value.to_string();
                write!(out, "{}", utf8_percent_encode(&text, URL_VALUE)).map_err(Error::from)
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        filters::add(&mut env);
        limits::apply(&mut env, &cancel);
        Renderer {
            watchdog: limits::Watchdog::new(env),
            cancel,
        }
    }

    /// A text template (`type`, `paste`, …) filled in from `value_of`
    /// without making a context: `None` unless every tag only names a
    /// value (see [`Renderer::render`]) and `value_of` answers each name
    /// (given its whole path, `org.kontor`) with text or a CPR number. The
    /// result is the one [`Renderer::render`] gives with a context holding
    /// those values; the engine answers the names it can look up directly
    /// and leaves the rest to a render.
    pub fn fill_in(
        &self,
        source: &str,
        usage: TemplateUse,
        value_of: impl Fn(&str) -> Option<Value>,
    ) -> Option<Result<String, Error>> {
        if usage != TemplateUse::Text {
            return None;
        }
        let filled = fill_in::fill_in_names(source, value_of)?;
        Some(if self.cancel.is_cancelled() {
            Err(limits::stopped())
        } else {
            Ok(filled)
        })
    }

    /// Renders a template against the run's variables. A text with no `{`
    /// has no tag, so it is its own result; a text whose tags name values
    /// of text is filled in without MiniJinja ([`fill_in`]); a template
    /// whose tags only name variables (`{{ cpr }}`, `{{ org.kontor }}`)
    /// cannot run away, so it is rendered here. All three skip the render
    /// thread: two thread hops before the first key of a `type` step.
    pub fn render(
        &self,
        source: &str,
        usage: TemplateUse,
        context: &Value,
    ) -> Result<String, Error> {
        if !source.contains('{') {
            if self.cancel.is_cancelled() {
                return Err(limits::stopped());
            }
            return Ok(source.to_string());
        }
        if let Some(filled) = self.fill_in(source, usage, |path| fill_in::look_up(context, path)) {
            return filled;
        }
        if limits::only_names_variables(source) {
            return self
                .watchdog
                .env()
                .render_named_str(usage.name(), source, context);
        }
        let source = source.to_string();
        let context = context.clone();
        self.watchdog.run(&self.cancel, move |env| {
            env.render_named_str(usage.name(), &source, &context)
        })
    }

    /// Evaluates a condition such as `km > 0` against the run's variables.
    pub fn is_true(&self, expression: &str, context: &Value) -> Result<bool, Error> {
        self.eval(expression, context).map(|value| value.is_true())
    }

    /// Evaluates an expression and keeps the value's type.
    pub fn eval(&self, expression: &str, context: &Value) -> Result<Value, Error> {
        let expression = expression.to_string();
        let context = context.clone();
        self.watchdog.run(&self.cancel, move |env| {
            env.compile_expression(&expression)?.eval(&context)
        })
    }

    /// Compiles a template and returns the variables it reads, with attribute
    /// paths (`cpr.digits`, `profile.name`). Loop and `set` variables inside
    /// the template are not included.
    ///
    /// Compiling is watched like rendering: MiniJinja works out constant
    /// parts such as `2 in [1] * 100000000` while it compiles, without fuel.
    pub fn variables_of(&self, source: &str) -> Result<BTreeSet<String>, Error> {
        let variables = |env: &Environment<'static>, source: &str| {
            let template = env.template_from_str(source)?;
            Ok(template.undeclared_variables(true).into_iter().collect())
        };
        if !limits::may_fold_slowly(source) {
            return variables(self.watchdog.env(), source);
        }
        let source = source.to_string();
        self.watchdog
            .run(&self.cancel, move |env| variables(env, &source))
    }

    /// Whether the renderer has a filter called `name` — the one answer the
    /// checker trusts ([`filter_list`] suggests names and argument shapes).
    pub fn has_filter(&self, name: &str) -> bool {
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if !plain {
            return false;
        }
        // A listed filter is one (a test checks every listed name below), so
        // only other names — misspellings, mostly — need asking.
        if filter_list::find(name).is_some() {
            return true;
        }
        // The filter is looked up when it is called; `none` makes any
        // filter return (or fail) at once.
        match self
            .watchdog
            .env()
            .render_str(&format!("{{{{ none | {name} }}}}"), ())
        {
            Ok(_) => true,
            Err(e) => e.kind() != minijinja::ErrorKind::UnknownFilter,
        }
    }

    /// The filters a template calls and the value it starts with
    /// ([`anatomy`]); an error when it does not parse.
    pub fn anatomy(&self, source: &str) -> Result<anatomy::Anatomy, Error> {
        let tree = minijinja::machinery::parse(source, "<template>", syntax())?;
        Ok(anatomy::Anatomy::of_template(&tree))
    }

    /// Like [`Renderer::anatomy`] for a condition expression.
    pub fn anatomy_of_expression(&self, expression: &str) -> Result<anatomy::Anatomy, Error> {
        let tree = minijinja::machinery::parse_expr(expression)?;
        Ok(anatomy::Anatomy::of_expression(&tree))
    }

    /// Like [`Renderer::variables_of`] for a condition expression.
    pub fn variables_of_expression(&self, expression: &str) -> Result<BTreeSet<String>, Error> {
        let variables = |env: &Environment<'static>, expression: &str| {
            let expr = env.compile_expression(expression)?;
            Ok(expr.undeclared_variables(true).into_iter().collect())
        };
        if !limits::may_fold_slowly(expression) {
            return variables(self.watchdog.env(), expression);
        }
        let expression = expression.to_string();
        self.watchdog
            .run(&self.cancel, move |env| variables(env, &expression))
    }
}

/// The organisation's config values. Their text is marked safe: it is
/// written by the IT office like the script itself, so a base URL such as
/// `{{ org.fasit_url }}/borger` is inserted as written, not URL-encoded.
pub fn org_value(org: &std::collections::BTreeMap<String, toml::Value>) -> Value {
    let values: std::collections::BTreeMap<String, Value> = org
        .iter()
        .map(|(name, value)| {
            let value = match value {
                toml::Value::String(text) => Value::from_safe_string(text.clone()),
                other => Value::from(minijinja::value::Serde(other)),
            };
            (name.clone(), value)
        })
        .collect();
    Value::from(values)
}

/// `org.<name>` as [`org_value`] gives it, for a value that is text; `None`
/// for other kinds and missing names (a render then answers them).
pub fn org_text(
    org: &std::collections::BTreeMap<String, toml::Value>,
    name: &str,
) -> Option<Value> {
    match org.get(name)? {
        toml::Value::String(text) => Some(Value::from_safe_string(text.clone())),
        _ => None,
    }
}

/// `a.b` in `value` (`None` when a part is missing), as a template's
/// `{{ value.a.b }}` reads it.
pub fn attribute_path(value: &Value, path: &str) -> Option<Value> {
    fill_in::look_up(value, path)
}

/// A CPR number in a template. `{{ cpr }}` is the full number with a dash,
/// because that is what gets typed into case systems.
#[derive(Debug)]
pub struct CprValue(pub Cpr);

impl Object for CprValue {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let cpr = &self.0;
        Some(match key.as_str()? {
            "digits" => Value::from(cpr.expose_digits()),
            "formatted" => Value::from(cpr.expose()),
            "masked" => Value::from(cpr.masked()),
            "birth_date" => Value::from(danish::iso(cpr.birth_date())),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(CPR_ATTRIBUTES)
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.expose())
    }
}

pub fn cpr_value(cpr: Cpr) -> Value {
    Value::from_object(CprValue(cpr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::{ErrorKind, context};

    fn render(source: &str, ctx: Value) -> Result<String, Error> {
        Renderer::new().render(source, TemplateUse::Text, &ctx)
    }

    #[test]
    fn a_text_without_tags_comes_out_as_minijinja_would_render_it() {
        let env = {
            let mut env = Environment::new();
            env.set_syntax(syntax());
            env
        };
        for text in [
            "x",
            "Hej Jens,\n\nMed venlig hilsen\n",
            "tab\tline\r\nend\n\n",
            "  indented\n    # not a statement\n",
            "æøå ÆØÅ – “citat” 🙂 %} }} #}",
            "",
        ] {
            let by_minijinja = env.render_str(text, ()).expect(text);
            assert_eq!(
                render(text, Value::UNDEFINED).expect(text),
                by_minijinja,
                "{text:?}"
            );
        }
        let stopped = CancelToken::new();
        stopped.cancel();
        let renderer = Renderer::with_cancel(stopped);
        assert!(
            renderer
                .render("x", TemplateUse::Text, &Value::UNDEFINED)
                .is_err()
        );
    }

    #[test]
    fn danish_date_filters() {
        let ctx = context! { today => "2026-11-23" };
        assert_eq!(
            render(
                "{{ today | date_long }} / {{ today | date_short }} / {{ today | weekday_name }}",
                ctx.clone()
            )
            .expect("renders"),
            "23. november 2026 / 23-11-2026 / mandag"
        );
        assert_eq!(
            render("{{ today | add_days(14) | date_long }}", ctx.clone()).expect("renders"),
            "7. december 2026"
        );
        assert_eq!(
            render(
                "{{ '2026-11-27' | next_weekday | date_short }}",
                ctx.clone()
            )
            .expect("renders"),
            "30-11-2026"
        );
        assert_eq!(
            render("{{ today | add_weekdays(5) }}", ctx).expect("renders"),
            "2026-11-30"
        );
    }

    #[test]
    fn cpr_parts() {
        let cpr = Cpr::parse("070761-4285").expect("valid");
        let ctx = context! { cpr => cpr_value(cpr) };
        assert_eq!(
            render(
                "{{ cpr }}|{{ cpr.digits }}|{{ cpr.masked }}|{{ cpr.birth_date | date_long }}",
                ctx
            )
            .expect("renders"),
            "070761-4285|0707614285|070761-XXXX|7. juli 1961"
        );
    }

    #[test]
    fn undefined_variables_are_errors_not_empty_text() {
        let err = render("Hej {{ nmae }}", context! { name => "Mette" }).expect_err("strict");
        assert_eq!(err.kind(), ErrorKind::UndefinedError);
        let err = render(
            "{{ profile.nmae }}",
            context! { profile => context! { name => "M" } },
        )
        .expect_err("strict");
        assert_eq!(err.kind(), ErrorKind::UndefinedError);
    }

    #[test]
    fn url_values_are_encoded_but_the_url_is_not() {
        let out = Renderer::new()
            .render(
                "https://x.invalid/s?q={{ q }}&n={{ n }}",
                TemplateUse::Url,
                &context! { q => "Søren & Co/1", n => 5 },
            )
            .expect("renders");
        assert_eq!(out, "https://x.invalid/s?q=S%C3%B8ren%20%26%20Co%2F1&n=5");
    }

    #[test]
    fn org_values_in_urls_are_inserted_as_written() {
        let org = std::collections::BTreeMap::from([(
            "fasit_url".to_string(),
            toml::Value::from("https://f.invalid/a b"),
        )]);
        let out = Renderer::new()
            .render(
                "{{ org.fasit_url }}/s?q={{ q }}",
                TemplateUse::Url,
                &context! { org => org_value(&org), q => "æ ø" },
            )
            .expect("renders");
        assert_eq!(out, "https://f.invalid/a b/s?q=%C3%A6%20%C3%B8");
    }

    #[test]
    fn numbers_and_money() {
        assert_eq!(
            render(
                "{{ 1234.5 | number }} {{ 3 | number(0) }} {{ 12.345 | kr }}",
                context! {}
            )
            .expect("renders"),
            "1.234,50 3 12,35 kr."
        );
    }

    /// The checker lets these names through as defined: each must be a
    /// function the renderer has (MiniJinja's `cycler` and `joiner` are not).
    #[test]
    fn every_listed_builtin_function_is_one_of_the_renderer() {
        for name in BUILTIN_FUNCTIONS {
            let defined =
                render(&format!("{{{{ {name} is defined }}}}"), context! {}).expect("renders");
            assert_eq!(defined, "True", "{name}");
        }
        assert_eq!(
            render("{{ joiner is defined }}", context! {}).expect("renders"),
            "False"
        );
    }

    #[test]
    fn reports_the_variables_a_template_reads() {
        let vars = Renderer::new()
            .variables_of(
                "{{ cpr.digits }} {% for a in items %}{{ a.x }}{% endfor %} {{ profile.name }}",
            )
            .expect("compiles");
        assert_eq!(
            vars.into_iter().collect::<Vec<_>>(),
            ["cpr.digits", "items", "profile.name"]
        );
    }
}
