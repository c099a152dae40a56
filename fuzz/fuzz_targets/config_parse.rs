//! Fuzz target: config text → `Config::parse`, and two layers (the text
//! split at a NUL byte) → `Config::load_layers`, as the machine-wide and the
//! caseworker's own config are merged. Nothing may panic.

#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use genvej_format::config::{Config, ConfigLayer};
use genvej_format::window_match::{WindowId, WindowInfo};
use libfuzzer_sys::fuzz_target;

/// Where the layers are written for `load_layers`, which reads files.
static FOLDER: LazyLock<PathBuf> = LazyLock::new(|| {
    let folder = std::env::temp_dir().join(format!("genvej-fuzz-config-{}", std::process::id()));
    std::fs::create_dir_all(folder.join("sub")).expect("temp folder");
    folder
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (first, second) = text.split_once('\0').unwrap_or((&text, ""));
    let machine = FOLDER.join("genvej.toml");
    if let Ok(config) = Config::parse(&machine, first) {
        use_config(&config);
    }
    if second.is_empty() {
        return;
    }
    let own = FOLDER.join("sub/genvej.toml");
    std::fs::write(&machine, first).expect("write layer");
    std::fs::write(&own, second).expect("write layer");
    let layers = [ConfigLayer::machine(machine), ConfigLayer::personal(own)];
    if let Ok(layered) = Config::load_layers(&layers) {
        use_config(&layered.config);
    }
});

/// What the agent does with a config's patterns and policy.
fn use_config(config: &Config) {
    let window = WindowInfo {
        id: WindowId(1),
        title: "Fasit – Borger 070761-XXXX: Plan ✓".to_string(),
        class: "Wfica_Seamless".to_string(),
        executable: Some("wfica32.exe".to_string()),
    };
    for profile in &config.agent.typing_profiles {
        let _ = profile.matches(&window);
    }
    let policy = &config.policy;
    let _ = policy.rule_locking("agent.ca_file");
    let _ = policy.allows_url_scheme("vitas");
    let _ = policy.allows_plain_http_secrets_to("[::1]");
}
