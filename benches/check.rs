//! Benchmark: `genvej check` over 80 scripts (the planned size of a
//! municipality's set), and over one generated script of 10,000 and 50,000
//! steps (checking must stay linear: goal under 1 s for 50,000). Prints
//! figures; it is not a pass/fail test.
//! Run with `cargo bench --bench check`.

use std::path::Path;
use std::time::{Duration, Instant};

use genvej_format::config::Config;

mod common;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config::load(&repo.join("config/genvej.toml")).expect("shipped config");
    // The renumbered scripts use every Ctrl+Alt letter, the stopwatch's too.
    config.usage.stopwatch_hotkey = None;
    let dir = tempfile::tempdir().expect("temp dir");
    let count = write_80_scripts(dir.path());

    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let started = Instant::now();
            let set = genvej_format::script::load(&[dir.path().to_path_buf()], &config);
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

    for steps in [10_000, 50_000] {
        let (elapsed, bytes) = check_generated(&config, steps);
        println!(
            "check of one script with {steps} steps ({:.1} MB): {:.0} ms (goal for 50,000: under 1 s)",
            bytes as f64 / 1_048_576.0,
            ms(elapsed)
        );
    }
}

/// Checks one generated script of `steps` steps (typing with templates,
/// keys, pauses) three times; the fastest time and the file's size.
fn check_generated(config: &Config, steps: usize) -> (Duration, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from(
        "id = \"stor\"\nname = \"Stor\"\nmanual_seconds = 60\nhotkey = \"Ctrl+Alt+F9\"\n",
    );
    for n in 0..steps {
        text.push_str(match n % 3 {
            0 => "\n[[step]]\ntype = \"Linje {{ today | date_long }} – {{ profile.name }}\"\n",
            1 => "\n[[step]]\nkey = \"Enter\"\n",
            _ => "\n[[step]]\npause_ms = 10\n",
        });
    }
    std::fs::write(dir.path().join("stor.toml"), &text).expect("write script");
    let mut config = config.clone();
    config.limits.max_script_kb = 8 * 1024;
    let fastest = (0..3)
        .map(|_| {
            let started = Instant::now();
            let set = genvej_format::script::load(&[dir.path().to_path_buf()], &config);
            let elapsed = started.elapsed();
            assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
            elapsed
        })
        .min()
        .expect("three runs");
    (fastest, text.len())
}

/// Writes the 80 scripts into `to`.
fn write_80_scripts(to: &Path) -> usize {
    let scripts = common::eighty_scripts();
    for (name, text) in &scripts {
        std::fs::write(to.join(name), text).expect("write script");
    }
    scripts.len()
}
