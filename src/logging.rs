//! Logs: tracing to stderr, every line passed through CPR redaction, so a
//! number in a window title or an error message never reaches a log.

use std::io::{self, Write};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Starts logging at `level` (`GENVEJ_LOG` overrides, e.g. `GENVEJ_LOG=debug`).
pub fn init(level: &str) {
    let filter = EnvFilter::try_from_env("GENVEJ_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(false)
        .with_writer(RedactedStderr)
        .try_init();
}

/// Makes writers that redact CPR numbers before the text reaches stderr.
struct RedactedStderr;

impl<'a> MakeWriter<'a> for RedactedStderr {
    type Writer = Redacted<io::Stderr>;
    fn make_writer(&'a self) -> Self::Writer {
        Redacted(io::stderr())
    }
}

/// A writer that masks CPR numbers. tracing writes one whole event per call.
pub struct Redacted<W: Write>(pub W);

impl<W: Write> Write for Redacted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(crate::cpr::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_is_redacted() {
        let mut out = Redacted(Vec::new());
        write!(out, "window «Fasit – 070761-4285» focused").expect("write");
        assert_eq!(
            String::from_utf8(out.0).expect("utf-8"),
            "window «Fasit – 070761-XXXX» focused"
        );
    }
}
