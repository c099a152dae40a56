//! Benchmark: `genvej check` over 80 scripts (the planned size of a
//! municipality's set). Prints figures; it is not a pass/fail test.
//! Run with `cargo bench --bench check`.

use std::path::Path;
use std::time::{Duration, Instant};

use genvej::config::Config;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(&repo.join("config/genvej.toml")).expect("shipped config");
    let dir = tempfile::tempdir().expect("temp dir");
    let count = write_80_scripts(&repo.join("hotkeys"), dir.path());

    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let started = Instant::now();
            let set = genvej::script::load(&[dir.path().to_path_buf()], &config).expect("readable");
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

/// Copies the shipped scripts until there are 80, each with its own id and
/// hot key, as a municipality's full set would have.
fn write_80_scripts(shipped: &Path, to: &Path) -> usize {
    let mut sources = Vec::new();
    collect(shipped, &mut sources);
    sources.sort();
    let letters: Vec<char> = ('A'..='Z').collect();
    for n in 0..80 {
        let text = std::fs::read_to_string(&sources[n % sources.len()]).expect("read script");
        let hotkey = format!(
            "Ctrl+{}+{}",
            ["Alt", "Shift+Alt", "Super", "Alt+Super"][n / 26],
            letters[n % 26]
        );
        let text: String = text
            .lines()
            .map(|line| {
                if line.starts_with("id = ") {
                    format!("id = \"script-{n}\"")
                } else if line.starts_with("hotkey = ") {
                    format!("hotkey = \"{hotkey}\"")
                } else if line.starts_with("abbreviation = ") {
                    format!("abbreviation = \";a{n}{}\"", line.len())
                } else {
                    line.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(to.join(format!("script-{n}.toml")), text).expect("write script");
    }
    80
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}
