//! End-to-end on a real X server: a reload that hangs (a config file on a
//! network share that does not answer, played by a named pipe nobody writes
//! to) leaves the agent answering hot keys and the panic key with the last
//! good set; when the reload finally reads, the new set takes over.
//!
//! Needs the Debian packages xvfb openbox xdotool xclip x11-utils python3-tk.

#![cfg(unix)]

use crate::require_desktop;
use crate::support;

use std::io::Write;
use std::time::Duration;

use support::agent::{Agent, config};

const SHORT: Duration = Duration::from_secs(10);

fn script(text: &str) -> String {
    format!(
        "id = \"h\"\nname = \"h\"\nhotkey = \"Ctrl+Alt+H\"\nmanual_seconds = 60\n\n[[step]]\nwait_window = {{ title = \"Fasit*\", timeout_ms = 5000 }}\n\n[[step]]\ntype = \"{text}\"\n"
    )
}

#[test]
fn a_reload_that_hangs_does_not_block_hot_keys_and_the_new_set_takes_over_when_it_arrives() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – borger");
    let config_text = config("", "");
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("h.toml", &script("før "))],
        &config_text,
    );
    let config_path = agent.folder.join("genvej.toml");

    // The config becomes a pipe without a writer (in one step, so one
    // reload sees it): reading it never ends.
    let pipe_path = agent.folder.join("genvej.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe_path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::fs::rename(&pipe_path, &config_path).expect("replace the config");
    agent.wait_for_log(&desktop, "reading the scripts and the config", SHORT);

    // The hot key still runs the last good set, at once.
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+h");
    fasit.wait_for_text("før ", SHORT);
    agent.wait_for_log(&desktop, "«h» completed", SHORT);
    assert_eq!(
        agent.count_in_log("genvej reloaded"),
        0,
        "{}",
        agent.log_text()
    );

    // An edit while the reload hangs is read after it.
    std::fs::write(agent.folder.join("hotkeys/h.toml"), script("efter ")).expect("edit");
    // The share answers: the waiting reader gets the config, and the file
    // is an ordinary file again for the reload the edit asked for.
    let mut pipe = std::fs::OpenOptions::new()
        .write(true)
        .open(&config_path)
        .expect("open the pipe (the agent is reading it)");
    std::fs::remove_file(&config_path).expect("remove pipe");
    std::fs::write(&config_path, &config_text).expect("write config");
    pipe.write_all(config_text.as_bytes()).expect("answer");
    drop(pipe);

    agent.wait_for_log(&desktop, "genvej reloaded", SHORT);
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+h");
    fasit.wait_for_text("før efter ", SHORT);
    let log = agent.stop(&mut desktop);
    assert!(!log.contains("keeping the last good set"), "{log}");
}
