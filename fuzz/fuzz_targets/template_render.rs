//! Fuzz target: a template (or a condition) with genvej's filters, rendered
//! as typed text, as a URL and as JSON against a run's variables, and
//! compiled as the checker does. The first byte picks what is done.
//! Nothing may panic.

#![no_main]

use std::sync::LazyLock;

use genvej_format::script::MAX_TEMPLATE_LINE_CHARS;
use genvej_format::template::{Renderer, TemplateUse};
use libfuzzer_sys::fuzz_target;
use minijinja::Value;

static RENDERER: LazyLock<Renderer> = LazyLock::new(Renderer::new);
static CONTEXT: LazyLock<Value> = LazyLock::new(genvej_fuzz::template_context);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let source = String::from_utf8_lossy(rest);
    // The checker refuses longer lines (MiniJinja counts columns in 16
    // bits), and only checked templates are ever rendered.
    if source
        .split('\n')
        .any(|line| line.chars().count() > MAX_TEMPLATE_LINE_CHARS)
    {
        return;
    }
    genvej_fuzz::run_tolerating(genvej_fuzz::KNOWN_TEMPLATE, || {
        let renderer = &*RENDERER;
        let context = &*CONTEXT;
        match mode % 5 {
            0 => drop(renderer.render(&source, TemplateUse::Text, context)),
            1 => drop(renderer.render(&source, TemplateUse::Url, context)),
            2 => drop(renderer.render(&source, TemplateUse::Json, context)),
            3 => {
                let _ = renderer.is_true(&source, context);
                let _ = renderer.eval(&source, context);
                let _ = renderer.variables_of_expression(&source);
            }
            _ => drop(renderer.variables_of(&source)),
        }
    });
});
