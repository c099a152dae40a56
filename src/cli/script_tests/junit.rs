//! `genvej test --junit FILE`: the results as JUnit XML, which most CI
//! systems show as a test report — one `<testsuite>` per test file, one
//! `<testcase>` per case, a `<failure>` with the diff for a failed one (and
//! for a test file with errors). CPR numbers are masked.

use std::path::Path;

use super::prepare::Checked;
use super::{CaseResult, Verdict};
use genvej_format::cpr::redact;

/// Writes the report to `path`.
pub(crate) fn write(path: &Path, results: &[CaseResult], files: &[Checked]) -> anyhow::Result<()> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"genvej test\">\n",
    );
    for file in files {
        let name = escape(&file.path.display().to_string());
        let cases: Vec<&CaseResult> = results.iter().filter(|r| r.file == file.path).collect();
        let broken = !file.file_problems.is_empty();
        let failures = cases
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Failed(_)))
            .count()
            + usize::from(broken);
        xml.push_str(&format!(
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failures}\">\n",
            cases.len() + usize::from(broken)
        ));
        if broken {
            xml.push_str(&format!(
                "    <testcase classname=\"{name}\" name=\"the test file\">\n      <failure message=\"this test file has errors\">{}</failure>\n    </testcase>\n",
                escape(&file.render_problems())
            ));
        }
        for case in cases {
            xml.push_str(&format!(
                "    <testcase classname=\"{name}\" name=\"{}\"",
                escape(&redact(&case.label))
            ));
            match &case.verdict {
                Verdict::Passed => xml.push_str("/>\n"),
                Verdict::Failed(why) => {
                    let first = why.first().map(String::as_str).unwrap_or("failed");
                    xml.push_str(&format!(
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        escape(&redact(first)),
                        escape(&redact(&why.join("\n")))
                    ));
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    std::fs::write(path, xml).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// Text safe inside XML (also in attributes); control characters other
/// than newline and tab, which XML 1.0 cannot hold, become `?`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}
