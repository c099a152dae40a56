//! `[limits]` in genvej.toml: how much the agent reads from places it does
//! not control (script folders on a share, HTTP answers, downloaded PDFs),
//! so a careless or hostile file or server cannot fill its memory. Reading
//! stops at the limit; nothing bigger is buffered first.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `[limits]`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The largest script file, in KB (default 1024 = 1 MB; a script is
    /// usually a few KB). A bigger file is reported and not loaded.
    #[serde(default = "default_script_kb")]
    pub max_script_kb: u64,
    /// The largest answer a `fetch` source may send, in MB (default 10).
    #[serde(default = "default_answer_mb")]
    pub max_answer_mb: u64,
    /// The largest PDF a `merge_pdf` step may download, in MB (default 50).
    #[serde(default = "default_pdf_mb")]
    pub max_pdf_mb: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_script_kb: default_script_kb(),
            max_answer_mb: default_answer_mb(),
            max_pdf_mb: default_pdf_mb(),
        }
    }
}

impl Limits {
    pub fn script_bytes(&self) -> u64 {
        self.max_script_kb.saturating_mul(1024)
    }

    pub fn answer_bytes(&self) -> u64 {
        self.max_answer_mb.saturating_mul(1024 * 1024)
    }

    pub fn pdf_bytes(&self) -> u64 {
        self.max_pdf_mb.saturating_mul(1024 * 1024)
    }
}

fn default_script_kb() -> u64 {
    1024
}
fn default_answer_mb() -> u64 {
    10
}
fn default_pdf_mb() -> u64 {
    50
}

/// A byte count the way a caseworker or author reads it: "3.2 MB", "800 KB".
pub fn human_size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    const MB: f64 = 1024.0 * 1024.0;
    // Display only; precision does not matter here.
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if b >= MB {
        format!("{:.1} MB", b / MB).replace(".0 MB", " MB")
    } else if b >= KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(10 * 1024 * 1024), "10 MB");
        assert_eq!(human_size(2_200_000), "2.1 MB");
        assert_eq!(human_size(800 * 1024), "800 KB");
        assert_eq!(human_size(12), "12 bytes");
    }
}
