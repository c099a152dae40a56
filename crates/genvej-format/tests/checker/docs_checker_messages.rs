//! Every message the checker can give has an entry in the troubleshooting
//! page (docs/src/scripts/troubleshooting.md, its `message` tables), so an
//! author who meets one finds what causes it and the fix.
//!
//! The checker's messages are texts written where a problem is found, not an
//! enum, so this test reads them from the checker's source: every
//! `.error(…)`/`.warning(…)` call of `crates/genvej-format/src` (outside the
//! test modules), its message argument — a text, a `format!`, or a variable
//! whose `let` gives the texts — with each `{…}` turned into `…`. Each must
//! match a pattern on the page (where `…` stands for any text). A message
//! that comes from elsewhere (TOML's own parse errors, the address rules'
//! reasons) is listed in [`FROM_ELSEWHERE`] and documented by hand.

use std::path::{Path, PathBuf};

use crate::troubleshooting;

const SOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
const PAGE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/src/scripts/troubleshooting.md"
);

/// Calls whose message is not written in the call or a `let` before it:
/// (file, the message argument).
const FROM_ELSEWHERE: &[(&str, &str)] = &[
    // The TOML parser's own message for a config file.
    ("config.rs", "e.message().trim()"),
    // The script's TOML, read field by field: serde's messages (`missing
    // field`, `invalid type: …`), listed on the page as such.
    ("script/load.rs", "message.clone()"),
    // The address rules' reasons, in English (`UrlRefusal::for_author`).
    ("script/addresses.rs", "refusal.for_author()"),
    // The constructors themselves, passing on their caller's message.
    ("diagnostic.rs", "message"),
    ("script/file_checker.rs", "message"),
    // A hot key's chord lints (`chord_lint.rs`, its `Display`).
    ("script/set.rs", "message"),
    // A fixture's path problem (`fixture_path_problem` in the same file).
    ("script_tests/check.rs", "problem"),
    // The test-file reader's constructor, passing on its caller's message.
    ("script_tests/parse.rs", "message"),
];

/// `Diagnostic::error(path, span, message)` and the checker's own
/// `self.error(span, message)`: which argument is the message.
const CALLS: &[(&str, usize)] = &[
    ("Diagnostic::error(", 2),
    ("Diagnostic::warning(", 2),
    ("self.error(", 1),
    ("self.warning(", 1),
    ("fc.error(", 1),
    ("fc.warning(", 1),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("source folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level arguments of the call whose `(` ends just before `from`,
/// as source text.
fn arguments(source: &str, from: usize) -> Vec<&str> {
    let mut depth = 0usize;
    let mut args = Vec::new();
    let mut start = from;
    let mut chars = source[from..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                // Skip the string literal, with its escapes.
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                args.push(source[start..from + i].trim());
                break;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(source[start..from + i].trim());
                start = from + i + 1;
            }
            _ => {}
        }
    }
    args.retain(|a| !a.is_empty());
    args
}

/// The string literals written in `code`, unescaped, `{…}` as `…`.
fn literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut text = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => text.push('\n'),
                    Some(other) => text.push(other),
                    None => {}
                },
                '"' => break,
                other => text.push(other),
            }
        }
        out.push(placeholders_as_ellipsis(&text));
    }
    out
}

/// `unknown key `{name}`` → `unknown key `…``; `{{` and `}}` are braces.
fn placeholders_as_ellipsis(format: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                out.push('…');
            }
            other => out.push(other),
        }
    }
    out
}

/// The texts of `let NAME = …;` last before `before` in `source` (without
/// the texts of a `let` nested in it, which are parts of a message).
fn texts_of_let(source: &str, name: &str, before: usize) -> Option<Vec<String>> {
    let at = source[..before].rfind(&format!("let {name} ="))?;
    let rest = &source[at..before];
    let mut body = rest[..statement_end(rest)].to_string();
    while let Some(inner) = body[1..].find("let ").map(|i| i + 1) {
        let end = inner + statement_end(&body[inner..]);
        body.replace_range(inner..(end + 1).min(body.len()), "");
    }
    Some(literals(&body))
}

/// Where the statement `code` starts with ends: its first `;` outside
/// brackets and strings.
fn statement_end(code: &str) -> usize {
    let mut depth = 0i32;
    let mut end = code.len();
    let mut chars = code.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ';' if depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    end
}

/// Every checker message, as (file:line, text with `…`).
fn checker_messages() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(Path::new(SOURCE), &mut files);
    let mut out = Vec::new();
    for file in files {
        let full = std::fs::read_to_string(&file).expect("source");
        let source = full.split("#[cfg(test)]").next().unwrap_or("");
        let name = file
            .strip_prefix(SOURCE)
            .unwrap_or(&file)
            .to_string_lossy()
            .trim_start_matches('/')
            .replace('\\', "/");
        for (call, position) in CALLS {
            for (at, _) in source.match_indices(call) {
                // The definitions of `error`/`warning` themselves.
                if source[..at].ends_with("fn ") {
                    continue;
                }
                let line = source[..at].lines().count();
                let place = format!("{name}:{line}");
                let args = arguments(source, at + call.len());
                let Some(message) = args.get(*position) else {
                    panic!("{place}: a call with fewer arguments than expected: {args:?}");
                };
                let texts = if message.contains('"') {
                    literals(message)
                } else if FROM_ELSEWHERE.contains(&(name.as_str(), *message)) {
                    continue;
                } else {
                    let variable = message.trim_end_matches(".clone()");
                    texts_of_let(source, variable, at).unwrap_or_else(|| {
                        panic!("{place}: the message `{message}` is neither written there nor a `let` before; list it in FROM_ELSEWHERE")
                    })
                };
                if texts.is_empty() {
                    panic!(
                        "{place}: no text found for the message `{message}`; list it in FROM_ELSEWHERE"
                    );
                }
                // The first text of a `format!` is the message; a `let`
                // gives every branch's. An empty text only locates a file.
                let texts = if message.contains('"') {
                    texts.into_iter().take(1).collect()
                } else {
                    texts
                };
                out.extend(
                    texts
                        .into_iter()
                        .filter(|t| !t.is_empty())
                        .map(|t| (place.clone(), t)),
                );
            }
        }
    }
    out
}

/// The page's message patterns as regexes, where `…` is any text.
fn page_patterns(page: &str) -> Vec<regex::Regex> {
    troubleshooting::message_patterns(page)
        .iter()
        .map(|(_, pattern)| troubleshooting::compiled(pattern))
        .collect()
}

#[test]
fn every_checker_message_has_an_entry_in_troubleshooting() {
    let messages = checker_messages();
    assert!(
        messages.len() > 90,
        "only {} checker messages found in {SOURCE}",
        messages.len()
    );
    let page = std::fs::read_to_string(PAGE).expect("the troubleshooting page");
    let patterns = page_patterns(&page);
    let missing: Vec<String> = messages
        .iter()
        .filter(|(_, text)| !patterns.iter().any(|p| p.is_match(text)))
        .map(|(place, text)| format!("{place}: {text}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/src/scripts/troubleshooting.md has no entry for these checker messages (from crates/genvej-format/src):\n{}",
        missing.join("\n")
    );
}

#[test]
fn messages_are_read_from_calls_formats_and_lets() {
    let source = r#"
        fn a(&mut self) {
            self.error(span, format!("unknown key `{name}` in [[{what}]]")).help("x");
            let problem = if x { format!("`{what}` is empty") } else { "too long".to_string() };
            self.error(at.span(), problem).help(help);
            Diagnostic::warning(path, 0..0, "not loaded, \"really\"");
        }
    "#;
    let call = "self.error(";
    let at = source.find(call).expect("a call");
    let args = arguments(source, at + call.len());
    assert_eq!(
        args,
        ["span", "format!(\"unknown key `{name}` in [[{what}]]\")"]
    );
    assert_eq!(literals(args[1]), ["unknown key `…` in [[…]]"]);
    let second = source.rfind(call).expect("a call");
    assert_eq!(
        texts_of_let(source, "problem", second).expect("the let"),
        ["`…` is empty", "too long"]
    );
    assert_eq!(
        literals("\"not loaded, \\\"really\\\"\""),
        ["not loaded, \"really\""]
    );
}

/// Texts that only put a start before a message listed elsewhere (a
/// fixture's error, a hotstring's).
const WRAPPERS: &[&str] = &["not run: …", "--fixture …=…: …"];

/// The command line's own messages for `check` and `exec` (src/cli), each
/// as the first text of a `bail!`, an `Err(format!(…))` or a printed
/// `not run:`/`hint:` line. A dry run's data errors are printed after
/// `not run: `, so a page pattern may include that start.
fn cli_messages() -> Vec<(String, String)> {
    const FILES: &[&str] = &[
        "src/cli/commands.rs",
        "src/cli/dry_run.rs",
        "src/cli/mod.rs",
    ];
    const CALLS: &[&str] = &[
        "bail!(",
        "Err(format!(",
        "ok_or_else(|| format!(",
        "map_err(|e| format!(",
        "println!(",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for file in FILES {
        let full = std::fs::read_to_string(root.join(file)).expect("a CLI source");
        let source = full.split("#[cfg(test)]").next().unwrap_or("");
        for call in CALLS {
            for (at, _) in source.match_indices(call) {
                let args = arguments(source, at + call.len());
                let Some(text) = args.first().and_then(|a| literals(a).into_iter().next()) else {
                    continue;
                };
                if WRAPPERS.contains(&text.as_str()) {
                    continue;
                }
                let printed = *call != "println!(";
                if printed || text.starts_with("not run:") || text.starts_with("hint:") {
                    let line = source[..at].lines().count();
                    out.push((format!("{file}:{line}"), text));
                }
            }
        }
    }
    out
}

#[test]
fn every_check_and_exec_message_of_the_command_line_has_an_entry_in_troubleshooting() {
    let messages = cli_messages();
    assert!(messages.len() >= 8, "only {messages:?} found in src/cli");
    let page = std::fs::read_to_string(PAGE).expect("the troubleshooting page");
    let patterns = page_patterns(&page);
    let missing: Vec<String> = messages
        .iter()
        .filter(|(_, text)| {
            let after_not_run = format!("not run: {text}");
            !patterns
                .iter()
                .any(|p| p.is_match(text) || p.is_match(&after_not_run))
        })
        .map(|(place, text)| format!("{place}: {text}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/src/scripts/troubleshooting.md has no entry for these messages of the command line:\n{}",
        missing.join("\n")
    );
}
