//! The book's example of what `trim_blocks` does (docs/src/scripts/
//! templates.md, "The newline after a block tag") is rendered by genvej's
//! renderer and must type exactly the text the book shows under it.

use genvej_format::template::{Renderer, TemplateUse};
use minijinja::Value;

const PAGE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/src/scripts/templates.md"
);
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/genvej.toml");

/// The body of the first fenced block with `info` after `from` in `text`.
fn block_after<'a>(text: &'a str, from: usize, info: &str) -> (&'a str, usize) {
    let fence = format!("```{info}\n");
    let start = from + text[from..].find(&fence).expect("the block") + fence.len();
    let end = start + text[start..].find("\n```").expect("the block's end");
    (&text[start..end], end)
}

#[test]
fn the_trim_blocks_example_types_what_the_book_says() {
    let page = std::fs::read_to_string(PAGE).expect("the templates page");
    let section = page
        .find("## The newline after a block tag")
        .expect("the section");
    let (fragment, end) = block_after(&page, section, "toml,fragment");
    let (shown, _) = block_after(&page, end, "text");
    let step: toml::Value = toml::from_str(fragment).expect("the fragment is TOML");
    let template = step["step"][0]["type"].as_str().expect("a type step");
    let config: toml::Value =
        toml::from_str(&std::fs::read_to_string(CONFIG).expect("config")).expect("config TOML");
    let context =
        minijinja::context! { profile => Value::from(minijinja::value::Serde(&config["profile"])) };
    let typed = Renderer::new()
        .render(template, TemplateUse::Text, &context)
        .expect("renders");
    assert_eq!(typed, shown);
}
