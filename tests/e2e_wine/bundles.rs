//! Signed bundles under Wine: the Windows agent (`genvej.exe run`, no
//! script folder) takes the organisation's library from a bundle on a
//! folder share (`[bundles] from` a `Z:\…` path), verifies it, and its hot
//! key types into notepad; an altered bundle put on the share is refused,
//! the log says why, and the running library's hot key still types.
//!
//! The agent checks the share again when asked to reload, which a second
//! start of genvej does; nothing waits `check_minutes`.

use crate::require_desktop;
use crate::support;

use std::time::Duration;

use support::agent::{config, toml_string};
use support::bundles::{flipped, key, publish, sealed, trusted, wait_for_live};
use support::tools::Tool;
use support::wine::{Wine, WineAgent, genvej_exe, windows_path};

const LONG: Duration = Duration::from_secs(60);
const ALL: &str = "all.genvej-bundle";

/// A library of one script whose hot key types `text` into notepad.
fn library(sequence: u64, signer: &genvej_bundle::KeyPair, text: &str) -> Vec<u8> {
    let script = format!(
        "id = \"bundt\"\nname = \"bundt\"\nhotkey = \"Ctrl+Alt+T\"\nmanual_seconds = 60\n\n[[step]]\nwait_window = {{ title = \"*Notepad\", timeout_ms = 20000 }}\n\n[[step]]\ntype = \"{text}\"\n"
    );
    sealed(sequence, signer, &[("Journal/bundt.toml", &script)])
}

#[test]
fn a_signed_bundle_on_a_share_runs_under_wine_and_an_altered_one_is_refused() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let title = wine.notepad(&mut desktop, None);
    let signer = key();
    let share = desktop.dir().join("share");
    publish(&share, ALL, &library(1, &signer, "fra bundt 1"));

    let folder = desktop.dir().join("agent");
    std::fs::create_dir_all(&folder).expect("agent folder");
    let config_file = folder.join("genvej.toml");
    let config_text = format!(
        "{}\n[bundles]\nfrom = {}\ntrusted_keys = [\"{}\"]\n",
        config("", "notice_seconds = 0"),
        toml_string(&windows_path(&share)),
        trusted(&signer)
    );
    std::fs::write(&config_file, config_text).expect("config");
    let agent = WineAgent::start_exe(
        &mut desktop,
        &wine,
        &genvej_exe(),
        &folder,
        &[
            "--config".to_string(),
            windows_path(&config_file),
            "run".to_string(),
            "--no-tray".to_string(),
        ],
    );
    agent.wait_for_log(&desktop, "genvej ready");
    let verified = agent.wait_for_log(&desktop, "verified: sequence 1");
    assert!(verified.contains("1 scripts"), "{verified}");
    wait_for_live(|| agent.log_text(), 1, LONG);

    desktop.key("ctrl+alt+t");
    let typed = wine.wait_for_edit_text(&title, "fra bundt 1", LONG);
    assert_eq!(typed, "fra bundt 1");
    agent.wait_for_log(&desktop, "«bundt» completed");

    // One flipped byte on the share; a second start asks for a reload,
    // which checks the share again.
    publish(&share, ALL, &flipped(&library(2, &signer, "fra bundt 2")));
    let second_folder = desktop.dir().join("second");
    let second = WineAgent::start_exe(
        &mut desktop,
        &wine,
        &genvej_exe(),
        &second_folder,
        &["run".to_string(), "--no-tray".to_string()],
    );
    second.wait_for_log(&desktop, "already running");
    let refused = agent.wait_for_log(&desktop, "bundle refused");
    assert!(
        refused.contains("altered or is incomplete") && refused.contains("sequence 1"),
        "{refused}"
    );

    desktop.key("ctrl+alt+t");
    let typed = wine.wait_for_edit_text(&title, "fra bundt 1fra bundt 1", LONG);
    assert_eq!(
        typed, "fra bundt 1fra bundt 1",
        "the running library's hot key"
    );
    agent.close(&mut desktop, &wine);
    assert!(
        !agent.log_text().contains("sequence 2"),
        "{}",
        agent.log_text()
    );
}
