//! The idle Windows agent's footprint under Wine: DLLs only a later step
//! needs are not loaded at start. crypt32 (and through it Wine's bcrypt
//! with GnuTLS, some 3 MB) is wanted at the first HTTPS request, opengl32
//! only in a dialog's own process; build.rs makes both delay-loaded, and a
//! new import of one of their functions would undo that silently.

use crate::require_desktop;
use crate::support;

use support::agent::config;
use support::tools::Tool;
use support::wine::{Wine, WineAgent};

/// The Linux processes running the agent (`genvej.exe … run`), not its
/// dialog children.
fn agent_processes() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|line| {
                let line = String::from_utf8_lossy(&line).to_lowercase();
                line.contains("genvej.exe") && line.split('\0').any(|arg| arg == "run")
            })
        })
        .collect()
}

#[test]
fn the_idle_agent_has_loaded_neither_crypt32_nor_opengl32() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let script = "id = \"x\"\nname = \"x\"\nhotkey = \"Ctrl+Alt+Q\"\nmanual_seconds = 5\n\n[[step]]\ntype = \"x\"\n";
    let folder = desktop.dir().join("agent");
    let agent = WineAgent::start(
        &mut desktop,
        &wine,
        &folder,
        &[("x.toml", script)],
        &config("", "notice_seconds = 0"),
        &["--no-tray"],
    );
    let processes = agent_processes();
    assert!(!processes.is_empty(), "no process runs genvej.exe run");
    for pid in processes {
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
        let loaded: std::collections::BTreeSet<&str> = maps
            .lines()
            .filter_map(|line| line.split_whitespace().nth(5))
            .filter(|path| {
                let path = path.to_lowercase();
                ["crypt32.dll", "opengl32.dll", "libgnutls"]
                    .iter()
                    .any(|name| path.contains(name))
            })
            .collect();
        assert!(
            loaded.is_empty(),
            "the idle agent (pid {pid}) loaded {loaded:?}; is a function of crypt32 or opengl32 missing from build.rs's DELAYED list?"
        );
    }
    agent.close(&mut desktop, &wine);
}
