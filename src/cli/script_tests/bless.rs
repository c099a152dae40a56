//! `genvej test --bless`: writes each run case's actual actions into its
//! `expect` list, in place (the rest of the file, comments included, is
//! kept byte for byte). Lines are written as the test compares them: CPR
//! numbers masked, so a blessed file holds none from a run.

use std::ops::Range;

/// `text` with each `(span of an expect list, new lines)` replaced.
pub(crate) fn rewrite(text: &str, mut edits: Vec<(Range<usize>, Vec<String>)>) -> String {
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut out = text.to_string();
    for (span, lines) in edits {
        if span.end <= out.len()
            && out.is_char_boundary(span.start)
            && out.is_char_boundary(span.end)
        {
            out.replace_range(span, &list(&lines));
        }
    }
    out
}

/// A TOML list of the lines, one per line.
fn list(lines: &[String]) -> String {
    if lines.is_empty() {
        return "[]".into();
    }
    let mut out = String::from("[\n");
    for line in lines {
        out.push_str("    ");
        out.push_str(&quoted(line));
        out.push_str(",\n");
    }
    out.push(']');
    out
}

/// A TOML string: a literal one ('…') when it can be, so the quotes of
/// typed text need no escaping; else a basic one with escapes.
fn quoted(line: &str) -> String {
    if !line.contains('\'') && !line.chars().any(char::is_control) {
        return format!("'{line}'");
    }
    let mut out = String::from("\"");
    for c in line.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expect_list_is_replaced_and_everything_else_kept() {
        let text = "# mine\n[[case]]\nname = \"a\"\nexpect = [\"old\"] # kept\n";
        let at = text.find("[\"old\"]").expect("list");
        let new = rewrite(
            text,
            vec![(at..at + 7, vec!["type «x» \"hej\"".into(), "it's".into()])],
        );
        assert_eq!(
            new,
            "# mine\n[[case]]\nname = \"a\"\nexpect = [\n    'type «x» \"hej\"',\n    \"it's\",\n] # kept\n"
        );
        let parsed: toml::Table = toml::from_str(&new).expect("still TOML");
        assert_eq!(parsed["case"][0]["expect"][1].as_str(), Some("it's"));
    }
}
