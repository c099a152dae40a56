//! A line diff of expected and actual actions, for a failed case: the
//! longest common run of lines kept (`  `), what was expected and did not
//! happen (`- `), what happened and was not expected (`+ `).

/// The diff of `expected` and `actual`, one line each.
pub(crate) fn lines(expected: &[String], actual: &[String]) -> Vec<String> {
    let (n, m) = (expected.len(), actual.len());
    // lcs[i][j]: the longest common subsequence of expected[i..], actual[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if expected[i] == actual[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            out.push(format!("  {}", expected[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j]) {
            out.push(format!("+ {}", actual[j]));
            j += 1;
        } else {
            out.push(format!("- {}", expected[i]));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_changed_line_is_shown_removed_then_added_between_kept_lines() {
        let diff = lines(
            &strings(&["focus «plan»", "type «plan» \"a\"", "key «plan» Tab"]),
            &strings(&[
                "focus «plan»",
                "type «plan» \"b\"",
                "key «plan» Tab",
                "key «plan» Enter",
            ]),
        );
        assert_eq!(
            diff,
            strings(&[
                "  focus «plan»",
                "- type «plan» \"a\"",
                "+ type «plan» \"b\"",
                "  key «plan» Tab",
                "+ key «plan» Enter",
            ])
        );
    }
}
