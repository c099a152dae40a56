//! End-to-end on a real X server: the real agent fetches the organisation's
//! signed bundle (`[bundles]` in its config, no script folder), verifies it,
//! and its hot key types into a stand-in window; bad bundles (one flipped
//! byte, another key, truncated, an older one put back) are refused, the log
//! names the reason and the running library's hot key still works; a
//! restart while the server is down runs the cached bundle; a pilot
//! workstation runs the pilot's bundle while another keeps everyone's.
//!
//! Each agent's cache is its own (`XDG_DATA_HOME` in the agent's folder).
//! A check is asked for by touching the config (the agent checks when its
//! config changes), so nothing waits `check_minutes`.
//!
//! Needs the Debian packages xvfb openbox xdotool xclip x11-utils python3-tk.

#![cfg(unix)]

use crate::require_desktop;
use crate::support;

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use support::agent::{Agent, config};
use support::bundles::{BundleServer, flipped, key, publish, sealed, trusted, wait_for_live};
use support::desktop::Desktop;

const SHORT: Duration = Duration::from_secs(15);
const ALL: &str = "all.genvej-bundle";

fn script(text: &str) -> String {
    format!(
        "id = \"h\"\nname = \"h\"\nhotkey = \"Ctrl+Alt+H\"\nmanual_seconds = 60\n\n[[step]]\nwait_window = {{ title = \"Fasit*\", timeout_ms = 5000 }}\n\n[[step]]\ntype = \"{text}\"\n"
    )
}

fn library(sequence: u64, signer: &genvej_bundle::KeyPair, text: &str) -> Vec<u8> {
    sealed(sequence, signer, &[("Journal/h.toml", &script(text))])
}

/// The config of an agent whose scripts come from bundles at `from`.
fn bundle_config(from: &str, signer: &genvej_bundle::KeyPair, ring: Option<&str>) -> String {
    let ring = ring
        .map(|r| format!("ring = \"{r}\"\n"))
        .unwrap_or_default();
    format!(
        "{}\n[bundles]\nfrom = \"{from}\"\ntrusted_keys = [\"{}\"]\n{ring}",
        config("", "notice_seconds = 0"),
        trusted(signer)
    )
}

/// Starts `genvej run --no-tray` with this config and no `--hotkeys`, its
/// data folder (the bundle cache) inside its own folder; waits for ready.
fn start_agent(desktop: &mut Desktop, name: &str, config_text: &str) -> Agent {
    let folder = desktop.dir().join(name);
    std::fs::create_dir_all(&folder).expect("agent folder");
    let config_path = folder.join("genvej.toml");
    std::fs::write(&config_path, config_text).expect("config");
    let log = folder.join(format!("agent-{}.log", next_run(&folder)));
    let stderr = File::create(&log).expect("log file");
    let mut command = desktop.command(env!("CARGO_BIN_EXE_genvej"));
    command
        .arg("--config")
        .arg(&config_path)
        .args(["run", "--no-tray"])
        .env("GENVEJ_LOG", "debug")
        .env("XDG_DATA_HOME", folder.join("data"))
        .stdout(std::process::Stdio::null())
        .stderr(stderr);
    let pid = desktop.spawn(command);
    let agent = Agent { pid, log, folder };
    agent.wait_for_log(desktop, "genvej ready", Duration::from_secs(20));
    agent
}

/// A number for each start of an agent in the same folder (its own log).
fn next_run(folder: &Path) -> usize {
    (1..)
        .find(|n| !folder.join(format!("agent-{n}.log")).exists())
        .unwrap_or(1)
}

/// Waits until `needle` is in `count` log lines; returns the last one.
fn wait_for_count(agent: &Agent, needle: &str, count: usize) -> String {
    let deadline = Instant::now() + SHORT;
    loop {
        let log = agent.log_text();
        let lines: Vec<&str> = log.lines().filter(|l| l.contains(needle)).collect();
        if lines.len() >= count {
            return lines[count - 1].to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no {count}. log line with «{needle}»:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Asks the agent to check now: its config changes (same text, new time).
fn ask_to_check(agent: &Agent) {
    let path = agent.folder.join("genvej.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    std::fs::write(&path, text).expect("touch the config");
}

/// Presses the hot key in the window and waits for `expected` there.
fn hot_key_types(desktop: &Desktop, fasit: &support::desktop::CaseWindow, expected: &str) {
    desktop.activate(fasit);
    desktop.key("ctrl+alt+h");
    fasit.wait_for_text(expected, SHORT);
}

#[test]
fn a_signed_bundle_runs_and_bad_ones_are_refused_while_the_running_library_keeps_working() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let served = desktop.dir().join("udgivet");
    let signer = key();
    let v1 = library(1, &signer, "v1 ");
    publish(&served, ALL, &v1);
    let server = BundleServer::start(desktop.dir(), &served);
    let agent = start_agent(
        &mut desktop,
        "agent",
        &bundle_config(&server.url(), &signer, None),
    );

    let taken = agent.wait_for_log(&desktop, "verified: sequence 1", SHORT);
    assert!(
        taken.contains(&format!("bundle {}{ALL} verified", server.url())),
        "{taken}"
    );
    wait_for_live(|| agent.log_text(), 1, SHORT);
    hot_key_types(&desktop, &fasit, "v1 ");

    publish(&served, ALL, &library(2, &signer, "v2 "));
    ask_to_check(&agent);
    agent.wait_for_log(&desktop, "verified: sequence 2", SHORT);
    wait_for_live(|| agent.log_text(), 2, SHORT);
    hot_key_types(&desktop, &fasit, "v1 v2 ");

    let v3 = library(3, &signer, "v3 ");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "one flipped byte",
            flipped(&v3),
            "the signature does not match",
        ),
        (
            "another key",
            library(3, &key(), "v3 "),
            "which is not a trusted key",
        ),
        (
            "truncated (a half-copied file)",
            v3[..v3.len() - 40].to_vec(),
            "the signature does not match",
        ),
        (
            "an older bundle put back",
            v1.clone(),
            "sequence 1 is older than the running sequence 2",
        ),
    ];
    let mut typed = "v1 v2 ".to_string();
    for (n, (what, bytes, reason)) in cases.into_iter().enumerate() {
        publish(&served, ALL, &bytes);
        ask_to_check(&agent);
        let line = wait_for_count(&agent, "bundle refused: ", n + 1);
        assert!(line.contains(reason), "{what}: {line}");
        assert!(
            line.contains("the running library stays (sequence 2)"),
            "{what}: {line}"
        );
        typed.push_str("v2 ");
        hot_key_types(&desktop, &fasit, &typed);
    }
    assert_eq!(agent.count_in_log("verified: sequence 3"), 0);
    let log = agent.stop(&mut desktop);
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn a_workstation_that_starts_while_the_server_is_down_runs_the_cached_bundle() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let served = desktop.dir().join("udgivet");
    let signer = key();
    publish(&served, ALL, &library(5, &signer, "gemt "));
    let server = BundleServer::start(desktop.dir(), &served);
    let config_text = bundle_config(&server.url(), &signer, None);
    let agent = start_agent(&mut desktop, "agent", &config_text);
    agent.wait_for_log(&desktop, "verified: sequence 5", SHORT);
    agent.stop(&mut desktop);
    drop(server);

    let agent = start_agent(&mut desktop, "agent", &config_text);
    let cached = agent.wait_for_log(&desktop, "cached library: sequence 5", SHORT);
    assert!(cached.contains("signed by key"), "{cached}");
    let down = agent.wait_for_log(&desktop, "bundles cannot be fetched", SHORT);
    assert!(
        down.contains("running the cached library (sequence 5"),
        "{down}"
    );
    let ready = agent.wait_for_log(&desktop, "genvej ready", SHORT);
    assert!(ready.contains("genvej ready: 1 scripts"), "{ready}");
    hot_key_types(&desktop, &fasit, "gemt ");
    agent.stop(&mut desktop);
}

#[test]
fn a_pilot_workstation_runs_the_pilot_bundle_while_another_keeps_everyones() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let share = desktop.dir().join("share");
    let signer = key();
    publish(&share, ALL, &library(1, &signer, "alle "));
    publish(
        &share,
        "pilot.genvej-bundle",
        &library(2, &signer, "pilot "),
    );
    let from = share.display().to_string();

    let other = start_agent(&mut desktop, "other", &bundle_config(&from, &signer, None));
    other.wait_for_log(&desktop, "verified: sequence 1", SHORT);
    wait_for_live(|| other.log_text(), 1, SHORT);
    hot_key_types(&desktop, &fasit, "alle ");
    let log = other.stop(&mut desktop);
    assert!(!log.contains("sequence 2"), "{log}");

    let pilot = start_agent(
        &mut desktop,
        "pilot",
        &bundle_config(&from, &signer, Some("pilot")),
    );
    let taken = pilot.wait_for_log(&desktop, "verified: sequence 2", SHORT);
    assert!(taken.contains("pilot.genvej-bundle"), "{taken}");
    wait_for_live(|| pilot.log_text(), 2, SHORT);
    hot_key_types(&desktop, &fasit, "alle pilot ");
    let log = pilot.stop(&mut desktop);
    assert!(!log.contains("bundle refused"), "{log}");
}
