//! A line diff of expected and actual actions, for a failed case: the
//! longest common run of lines kept (`  `), what was expected and did not
//! happen (`- `), what happened and was not expected (`+ `).

/// The most cells of the comparison table a diff may fill (8 MB of
/// counts): beyond it only the common start and end are kept and the middle
/// is shown whole as removed and added lines, so a huge test file cannot
/// exhaust memory.
const MAX_CELLS: usize = 1_000_000;

/// The diff of `expected` and `actual`, one line each.
pub(crate) fn lines(expected: &[String], actual: &[String]) -> Vec<String> {
    let (n, m) = (expected.len(), actual.len());
    if (n + 1).saturating_mul(m + 1) > MAX_CELLS {
        return plain(expected, actual);
    }
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

/// A diff without the table: the common first and last lines, and
/// everything between as removed, then added.
fn plain(expected: &[String], actual: &[String]) -> Vec<String> {
    let start = expected
        .iter()
        .zip(actual)
        .take_while(|(e, a)| e == a)
        .count();
    let end = expected[start..]
        .iter()
        .rev()
        .zip(actual[start..].iter().rev())
        .take_while(|(e, a)| e == a)
        .count();
    let mut out: Vec<String> = expected[..start].iter().map(|l| format!("  {l}")).collect();
    out.extend(
        expected[start..expected.len() - end]
            .iter()
            .map(|l| format!("- {l}")),
    );
    out.extend(
        actual[start..actual.len() - end]
            .iter()
            .map(|l| format!("+ {l}")),
    );
    out.extend(
        expected[expected.len() - end..]
            .iter()
            .map(|l| format!("  {l}")),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_diff_is_shown_without_the_table() {
        let expected: Vec<String> = (0..2_000).map(|i| format!("type {i}")).collect();
        let mut actual = expected.clone();
        actual[1_000] = "type x".into();
        let out = lines(&expected, &actual);
        assert_eq!(out.len(), 2_001);
        assert_eq!(out[1_000], "- type 1000");
        assert_eq!(out[1_001], "+ type x");
        assert_eq!(out[1_002], "  type 1001");
    }

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
