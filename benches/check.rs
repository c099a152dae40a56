//! Benchmark: `genvej check` over 80 scripts (the planned size of a
//! municipality's set). Prints figures; it is not a pass/fail test.
//! Run with `cargo bench --bench check`.

use std::path::Path;
use std::time::{Duration, Instant};

use genvej::config::Config;

mod common;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(&repo.join("config/genvej.toml")).expect("shipped config");
    let dir = tempfile::tempdir().expect("temp dir");
    let count = write_80_scripts(dir.path());

    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let started = Instant::now();
            let set = genvej::script::load(&[dir.path().to_path_buf()], &config);
            let elapsed = started.elapsed();
            assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
            assert_eq!(set.scripts.len(), count);
            elapsed
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "check of {count} scripts: median {:.2} ms, min {:.2} ms, max {:.2} ms (30 runs; target: well under 50 ms)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
    );
}

/// Writes the 80 scripts into `to`.
fn write_80_scripts(to: &Path) -> usize {
    let scripts = common::eighty_scripts();
    for (name, text) in &scripts {
        std::fs::write(to.join(name), text).expect("write script");
    }
    scripts.len()
}
