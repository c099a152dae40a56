//! Benchmark: what an agent does with a new bundle of 80 scripts (the
//! planned size of a municipality's library) — verify the signature and
//! every hash, then check and load the scripts (`load_bundle`) — and the
//! bundle's size. Target: well under 100 ms. Prints figures; it is not a
//! pass/fail test. Run with `cargo bench --bench bundle`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use genvej_bundle::{ApprovalEntry, KeyPair, LibraryFile, LibraryPath, ScriptInfo};
use genvej_format::config::Config;

mod common;

const ROUNDS: usize = 50;

fn main() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config::load(&repo.join("config/genvej.toml")).expect("shipped config");
    // The renumbered scripts use every Ctrl+Alt letter, the stopwatch's too.
    config.usage.stopwatch_hotkey = None;
    let key = KeyPair::generate(None).expect("key");
    let trusted = [key.secret.public().clone()];

    let started = Instant::now();
    let bundle =
        genvej_bundle::seal(42, chrono::Utc::now(), library(), &key.secret).expect("sealed");
    let sealing = started.elapsed();

    let mut verify_times = Vec::with_capacity(ROUNDS);
    let mut load_times = Vec::with_capacity(ROUNDS);
    let mut both_times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let library = genvej_bundle::verify(&bundle, &trusted).expect("verifies");
        let verified = started.elapsed();
        let files: Vec<(PathBuf, String)> = library
            .files
            .into_iter()
            .map(|f| (PathBuf::from(f.path.as_str()), f.text))
            .collect();
        let set =
            genvej_format::script::load_bundle(&files, library.manifest.sequence, &[], &config);
        let total = started.elapsed();
        assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
        assert_eq!(set.scripts.len(), common::SCRIPT_COUNT);
        verify_times.push(verified);
        load_times.push(total - verified);
        both_times.push(total);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let figures = |times: &mut Vec<Duration>| {
        times.sort();
        let p95 = times[(times.len() * 95).div_ceil(100) - 1];
        format!(
            "median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            ms(times[times.len() / 2]),
            ms(p95),
            ms(times[times.len() - 1])
        )
    };
    println!(
        "bundle of {} scripts: {} bytes ({:.1} KB); sealing took {:.1} ms",
        common::SCRIPT_COUNT,
        bundle.len(),
        bundle.len() as f64 / 1024.0,
        ms(sealing)
    );
    println!(
        "verify (signature + hashes): {}",
        figures(&mut verify_times)
    );
    println!(
        "load_bundle (check 80 scripts): {}",
        figures(&mut load_times)
    );
    println!(
        "verify + load_bundle: {} ({ROUNDS} rounds; target: well under 100 ms)",
        figures(&mut both_times)
    );
}

/// The 80 scripts in five menu folders, each with a version, an owner and
/// both approvals, as a released library has.
fn library() -> Vec<(LibraryFile, ScriptInfo)> {
    let folders = ["Borger", "Journal", "Plan", "Breve", "Blanketter"];
    let approval = |by: &str| ApprovalEntry {
        by: by.to_string(),
        on: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
    };
    common::eighty_scripts()
        .into_iter()
        .enumerate()
        .map(|(n, (name, text))| {
            let path = format!("{}/{name}", folders[n % folders.len()]);
            let info = ScriptInfo {
                id: name.trim_end_matches(".toml").to_string(),
                name: format!("Genvej nummer {n}"),
                version: Some(format!("1.{n}")),
                owner: Some("IT-kontoret, Anne Holm".to_string()),
                professional: Some(approval("Faglig koordinator Bo Jensen")),
                legal: Some(approval("Jurist Karen Madsen")),
            };
            let file = LibraryFile {
                path: LibraryPath::parse(&path).expect("library path"),
                text,
            };
            (file, info)
        })
        .collect()
}
