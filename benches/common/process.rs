//! What the benchmarks read about a running process from /proc.

use std::time::Duration;

/// User + system CPU time of process `pid`, all its threads.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = read(&format!("/proc/{pid}/stat"));
    // The command name (field 2) may contain spaces; fields after it are plain.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12th and 13th after the name.
    let ticks: u64 = fields[11..=12]
        .iter()
        .map(|f| f.parse::<u64>().expect("clock ticks"))
        .sum();
    Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second())
}

pub fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// A "kB" field of `/proc/PID/status`, e.g. `VmRSS`.
pub fn status_field_kb(pid: u32, field: &str) -> u64 {
    let status = read(&format!("/proc/{pid}/status"));
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}
