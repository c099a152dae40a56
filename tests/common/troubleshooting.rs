//! The message tables of the book's troubleshooting page, read as patterns
//! for the tests that keep every checker and run-time message documented
//! (genvej-format's `docs_checker_messages`, genvej-engine's `docs_messages`).

/// The message patterns of `page` with their line numbers: the code spans in
/// the first cell of every table whose first column is `message` (`\|`
/// read as `|`). Each must be sound (see [`assert_sound`]).
pub fn message_patterns(page: &str) -> Vec<(usize, String)> {
    // `text`, or `` text with `backticks` `` (a double-backtick span).
    let code = regex::Regex::new(r"``\s?(.+?)\s?``|`([^`]+)`").expect("regex");
    let mut out = Vec::new();
    let mut in_table = false;
    for (index, line) in page.lines().enumerate() {
        let line = line.trim();
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        let first = line
            .trim_start_matches('|')
            .split(" | ")
            .next()
            .unwrap_or("")
            .trim();
        if first == "message" {
            in_table = true;
            continue;
        }
        if !in_table || first.starts_with("---") {
            continue;
        }
        for c in code.captures_iter(first) {
            let Some(text) = c.get(1).or_else(|| c.get(2)) else {
                continue;
            };
            assert_sound(line, text.as_str(), c.get(2).is_some());
            out.push((index + 1, text.as_str().replace("\\|", "|")));
        }
    }
    out
}

/// `pattern` as a regex, where each `…` stands for any text.
pub fn compiled(pattern: &str) -> regex::Regex {
    let parts: Vec<String> = pattern.split('…').map(regex::escape).collect();
    regex::Regex::new(&format!("(?s)^{}$", parts.join(".*"))).expect("an escaped pattern")
}

/// A code span the page means as a message pattern: not cut short by a
/// backtick inside a single-backtick span (which leaves a space at its end
/// or start: `` `unknown key `…`` `` reads as `unknown key `), and not so
/// short that it matches almost anything.
fn assert_sound(line: &str, pattern: &str, single: bool) {
    assert!(
        !(single && (pattern.starts_with(' ') || pattern.ends_with(' '))),
        "troubleshooting.md: `{pattern}` looks cut short: write a message with backticks as `` … `` in: {line}"
    );
    let literal: String = pattern.chars().filter(|c| *c != '…').collect();
    assert!(
        literal.trim().chars().count() >= 6,
        "troubleshooting.md: `{pattern}` matches almost anything, in: {line}"
    );
}
