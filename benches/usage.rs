//! Benchmarks for usage records. Prints figures; not a pass/fail test.
//! Run with `cargo bench --bench usage`.
//!
//! - the report over 1,000,000 runs (read from SQLite + arithmetic + text
//!   and HTML), target under 1 s; and the comparison of versions over it;
//! - what recording costs a run (building the record and queueing it for
//!   the writer thread), target under 1 ms;
//! - the writer's throughput (runs written per second);
//! - what the CPR detector costs a log line (every log line, notice and
//!   usage record passes it), target well under 10 µs.

use std::time::{Duration, Instant};

use genvej_usage::db::Dataset;
use genvej_usage::release;
use genvej_usage::report::{self, ReportOptions};
use genvej_usage::{
    Outcome, Person, ScriptVersion, Trigger, UsageDb, UsageRecord, UsageWriter, html, text,
};

const RUNS: usize = 1_000_000;

fn record(n: usize, scripts: &[ScriptVersion], people: &[Person], start: i64) -> UsageRecord {
    UsageRecord {
        script: scripts[n % scripts.len()].clone(),
        person: people[(n * 7) % people.len()].clone(),
        // 1,000,000 runs over a year of working hours.
        started_at_ms: start + (n as i64) * 31_536,
        duration_ms: 200 + (n as u64 * 37) % 5000,
        outcome: match n % 53 {
            0 => Outcome::Failed {
                step: 2,
                kind: "fetch".into(),
            },
            1 => Outcome::Cancelled,
            _ => Outcome::Ok,
        },
        trigger: Trigger::Hotkey,
        agent_version: "0.1.0".into(),
        bundle: None,
    }
}

fn main() {
    let scripts: Vec<ScriptVersion> = (0..80)
        .map(|i| ScriptVersion {
            id: format!("script-{i:02}"),
            version: "0123456789ab".into(),
            name: format!("Genvej nummer {i}"),
            manual_seconds: 60 + i * 30,
            author_version: None,
        })
        .collect();
    let people: Vec<Person> = (0..400)
        .map(|i| Person {
            user_id: format!("p-{i:04}"),
            team: format!("Team {}", i % 12),
        })
        .collect();
    let start = chrono::Utc::now().timestamp_millis() - 365 * 86_400_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("usage.sqlite");

    let mut db = UsageDb::open(&path).expect("database");
    let written = Instant::now();
    let records: Vec<UsageRecord> = (0..RUNS)
        .map(|n| record(n, &scripts, &people, start))
        .collect();
    for chunk in records.chunks(50_000) {
        db.insert(chunk).expect("written");
    }
    let write_s = written.elapsed().as_secs_f64();
    drop(db);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {RUNS} runs in {write_s:.2} s ({:.0} runs/s in batches of 50,000); database {:.1} MB ({:.0} bytes per run)",
        RUNS as f64 / write_s,
        size as f64 / 1e6,
        size as f64 / RUNS as f64
    );

    let mut totals = Vec::new();
    let mut reads = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let mut data = Dataset::default();
        UsageDb::open_to_read(&path)
            .and_then(|db| db.read_into(&mut data))
            .expect("readable");
        let read = started.elapsed();
        let report = report::build(&data, &ReportOptions::default());
        let table = text::render(&report);
        let page = html::render(&report);
        let total = started.elapsed();
        assert_eq!(report.runs, RUNS);
        assert!(!table.is_empty() && !page.is_empty());
        reads.push(read);
        totals.push(total);
    }
    totals.sort();
    reads.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "report over {RUNS} runs (80 scripts, 400 people, 12 teams): median {:.0} ms (min {:.0}, max {:.0}; of it reading SQLite median {:.0} ms), 5 runs; target < 1000 ms",
        ms(totals[2]),
        ms(totals[0]),
        ms(totals[4]),
        ms(reads[2])
    );

    // The comparison of versions over the same runs: half the scripts'
    // runs came in one bundle, half in the next.
    let mut data = Dataset::default();
    UsageDb::open_to_read(&path)
        .and_then(|db| db.read_into(&mut data))
        .expect("readable");
    for (n, run) in data.runs.iter_mut().enumerate() {
        run.bundle = Some(if n < RUNS / 2 { 11 } else { 12 });
    }
    let mut comparisons = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let versions = release::by_version(&data, &ReportOptions::default());
        let table = text::render_versions(&versions);
        comparisons.push(started.elapsed());
        assert_eq!(versions.scripts.len(), 80);
        assert!(!table.is_empty());
    }
    comparisons.sort();
    println!(
        "report --by-version over {RUNS} runs read (80 scripts, 2 bundles each): median {:.0} ms (min {:.0}, max {:.0}), 5 runs",
        ms(comparisons[2]),
        ms(comparisons[0]),
        ms(comparisons[4])
    );

    // What a run pays: build the record and hand it to the writer.
    let live = dir.path().join("live.sqlite");
    let (writer, thread) = UsageWriter::start(live.clone());
    let script = scripts[0].clone();
    let person = people[0].clone();
    let mut costs: Vec<Duration> = Vec::with_capacity(2000);
    for n in 0..2000 {
        let started = Instant::now();
        writer.record(UsageRecord {
            script: script.clone(),
            person: person.clone(),
            started_at_ms: start + n,
            duration_ms: 1234,
            outcome: Outcome::Ok,
            trigger: Trigger::Hotkey,
            agent_version: "0.1.0".into(),
            bundle: None,
        });
        costs.push(started.elapsed());
        if n % 100 == 0 {
            // Runs are seconds apart in life; let the writer keep up.
            writer.flush();
        }
    }
    writer.flush();
    costs.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "recording one run (build + queue): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs over 2000 runs; target < 1000 µs",
        us(costs[1000]),
        us(costs[1980]),
        us(costs[1999])
    );

    let burst = Instant::now();
    for n in 0..4000 {
        writer.record(record(n, &scripts, &people, start));
    }
    writer.flush();
    let burst_s = burst.elapsed().as_secs_f64();
    println!(
        "writer: 4000 queued runs written in {:.0} ms ({:.0} runs/s)",
        burst_s * 1000.0,
        4000.0 / burst_s
    );
    drop(writer);
    drop(thread);
    let mut data = Dataset::default();
    UsageDb::open_to_read(&live)
        .and_then(|db| db.read_into(&mut data))
        .expect("readable");
    println!("writer kept {} of 6000 runs", data.runs.len());
    cpr_masking();
}

/// Nanoseconds per line through `cpr::redact`, for typical log lines.
fn cpr_masking() {
    let lines = [
        (
            "a line with few digits",
            "INFO genvej::agent: hot keys grabbed: 12 chords",
        ),
        (
            "a timestamped line, no CPR",
            "2026-12-06T23:13:10.123456Z  INFO genvej::agent: script=aabn-borger ms=1234 run finished ok",
        ),
        (
            "a line with a CPR number",
            "2026-12-06T23:13:10.123456Z  INFO genvej_engine: window «Fasit – borger 070761-4285» focused",
        ),
        (
            "a URL-encoded one",
            "2026-12-06T23:13:10.123456Z  INFO genvej::http: GET /borgere?cpr=070761%2D4285&felt=navn → 200 in 87 ms",
        ),
    ];
    const ROUNDS: u32 = 200_000;
    for (what, line) in lines {
        let started = Instant::now();
        let mut kept = 0;
        for _ in 0..ROUNDS {
            kept +=
                std::hint::black_box(genvej_format::cpr::redact(std::hint::black_box(line))).len();
        }
        let ns = started.elapsed().as_secs_f64() * 1e9 / f64::from(ROUNDS);
        assert!(kept > 0);
        println!(
            "CPR masking, {what} ({} bytes): {ns:.0} ns per line",
            line.len()
        );
    }
}
