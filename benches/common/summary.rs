//! The rows a benchmark adds to the side-by-side summary that
//! `bash benches/compare` prints: when `GENVEJ_BENCH_SUMMARY` names a file,
//! each row is appended to it as a Markdown table row; the benchmark prints
//! the same row itself either way.

use std::io::Write;

/// One figure measured for genvej and for the tool it is compared with in
/// the same run. `ratio` is genvej's figure over the other's, said in words
/// (e.g. "0.8× the time").
pub struct Row<'a> {
    pub platform: &'a str,
    pub what: &'a str,
    pub genvej: String,
    pub other: String,
    pub ratio: String,
}

/// Prints `row` and appends it to the summary file, if one is set.
pub fn add(row: &Row) {
    let line = format!(
        "| {} | {} | {} | {} | {} |",
        row.platform, row.what, row.genvej, row.other, row.ratio
    );
    println!("summary {line}");
    let Some(path) = std::env::var_os("GENVEJ_BENCH_SUMMARY") else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| writeln!(file, "{line}"));
    if let Err(e) = written {
        eprintln!(
            "cannot append to the summary {}: {e}",
            path.to_string_lossy()
        );
    }
}

/// `genvej / other` as "N.NN× the time" (`of` = "the time"); "–" when
/// `other` is 0.
pub fn ratio(genvej: f64, other: f64, of: &str) -> String {
    if other == 0.0 {
        return "–".to_string();
    }
    format!("{:.2}× {of}", genvej / other)
}
