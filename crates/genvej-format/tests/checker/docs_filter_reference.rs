//! The filter reference (docs/src/scripts/filters.md) is checked against
//! genvej's renderer: every row of a table with `example` and `output`
//! columns is rendered with the values the page lists (its
//! ` ```json,template-values ` block, plus today = 2026-11-23, now = 09:30
//! and the bundled config's `profile` and `org`), and must give exactly the
//! output the row states. And every filter and function a template may use
//! (`filter_list::all()`, `template::BUILTIN_FUNCTIONS`) has a row, so the
//! page cannot fall behind a new filter.

use std::collections::BTreeSet;

use genvej_format::template::{BUILTIN_FUNCTIONS, Renderer, TemplateUse, filter_list, org_value};
use minijinja::Value;

const PAGE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/src/scripts/filters.md"
);
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/genvej.toml");

/// The day and time the page's examples are rendered on.
const TODAY: &str = "2026-11-23";
const NOW: &str = "09:30";

/// One example row: the names in its first column, the template and the
/// output it states, and the page line.
#[derive(Debug)]
struct Row {
    line: usize,
    names: Vec<String>,
    example: String,
    output: String,
}

/// The cells of a table row, split at `|` but not at `\|` (a pipe inside a
/// code span), with `\|` turned back into `|`.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                out.last_mut().expect("a cell").push('|');
            }
            '|' => out.push(String::new()),
            other => out.last_mut().expect("a cell").push(other),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The text of a cell that is one code span: `` `x` `` → `x`.
fn code(cell: &str) -> Option<String> {
    cell.strip_prefix('`')?
        .strip_suffix('`')
        .map(|inner| inner.to_string())
}

/// Every example row of every table with `example` and `output` columns.
fn rows(page: &str) -> Vec<Row> {
    let names = regex::Regex::new(r"`([a-z_]+)").expect("regex");
    let mut rows = Vec::new();
    let mut columns: Option<(usize, usize)> = None;
    for (index, line) in page.lines().enumerate() {
        if !line.trim_start().starts_with('|') {
            columns = None;
            continue;
        }
        let cells = cells(line);
        if cells.iter().all(|c| c.chars().all(|ch| "-: ".contains(ch))) {
            continue;
        }
        let Some((example, output)) = columns else {
            let find = |name: &str| cells.iter().position(|c| c == name);
            columns = find("example").zip(find("output"));
            continue;
        };
        let (Some(example), Some(output)) = (
            cells.get(example).and_then(|c| code(c)),
            cells.get(output).and_then(|c| code(c)),
        ) else {
            panic!(
                "filters.md:{}: the example and the output must each be one `code span`: {line}",
                index + 1
            );
        };
        rows.push(Row {
            line: index + 1,
            names: names
                .captures_iter(&cells[0])
                .map(|c| c[1].to_string())
                .collect(),
            example,
            output,
        });
    }
    rows
}

/// The values the examples are rendered with.
fn context(page: &str) -> Value {
    let fence = "```json,template-values\n";
    let start = page.find(fence).expect("the page lists its values") + fence.len();
    let end = start + page[start..].find("\n```").expect("the block's end");
    let mut values: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&page[start..end]).expect("the values are a JSON object");
    let config: toml::Value =
        toml::from_str(&std::fs::read_to_string(CONFIG).expect("config")).expect("config TOML");
    values.insert("today".into(), TODAY.into());
    values.insert("now".into(), NOW.into());
    let mut context: std::collections::BTreeMap<String, Value> = values
        .into_iter()
        .map(|(k, v)| (k, Value::from(minijinja::value::Serde(&v))))
        .collect();
    context.insert(
        "profile".into(),
        Value::from(minijinja::value::Serde(&config["profile"])),
    );
    let org: std::collections::BTreeMap<String, toml::Value> = config["org"]
        .as_table()
        .expect("[org]")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    context.insert("org".into(), org_value(&org));
    Value::from(context)
}

#[test]
fn every_example_in_the_filter_reference_renders_what_the_page_says() {
    let page = std::fs::read_to_string(PAGE).expect("the filter reference");
    let context = context(&page);
    let renderer = Renderer::new();
    let rows = rows(&page);
    assert!(rows.len() > 50, "only {} example rows found", rows.len());
    let wrong: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let got = renderer.render(&row.example, TemplateUse::Text, &context);
            match got {
                Ok(text) if text == row.output => None,
                Ok(text) => Some(format!(
                    "filters.md:{}: `{}` gives `{text}`, the page says `{}`",
                    row.line, row.example, row.output
                )),
                Err(e) => Some(format!(
                    "filters.md:{}: `{}` fails: {e:#}",
                    row.line, row.example
                )),
            }
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_filter_and_function_has_an_entry_in_the_filter_reference() {
    let page = std::fs::read_to_string(PAGE).expect("the filter reference");
    let documented: BTreeSet<String> = rows(&page).into_iter().flat_map(|r| r.names).collect();
    let missing: Vec<&str> = filter_list::all()
        .map(|f| f.name)
        .chain(BUILTIN_FUNCTIONS.iter().copied())
        .filter(|name| !documented.contains(*name))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/src/scripts/filters.md has no example row for: {missing:?}"
    );
}

#[test]
fn a_wrong_output_in_a_table_is_found() {
    let page = "| filter | example | output |\n|---|---|---|\n| `upper` | `{{ 'a' \\| upper }}` | `b` |\n\nText.\n";
    let rows = rows(page);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].example, "{{ 'a' | upper }}");
    assert_eq!(rows[0].names, ["upper"]);
    let got = Renderer::new()
        .render(&rows[0].example, TemplateUse::Text, &Value::from(()))
        .expect("renders");
    assert_ne!(got, rows[0].output);
}
