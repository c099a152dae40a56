//! The agent's own keys and watchers, as the config sets them: the panic
//! key, the stopwatch's and the palette's chords, and the hotstring watcher
//! (started, paused).

use std::sync::mpsc::Sender;

use anyhow::anyhow;
use genvej_desktop::os::Hotstrings;
use genvej_format::chord::Chord;
use genvej_format::config::Config;

use super::AgentEvent;
use super::scripts::HotkeyTable;

/// `agent.panic_key` as a chord.
pub(super) fn panic_key_of(config: &Config) -> anyhow::Result<Chord> {
    Chord::parse_hotkey(&config.agent.panic_key).map_err(|e| anyhow!("agent.panic_key: {e}"))
}

/// `usage.stopwatch_hotkey` as a chord, when set.
pub(super) fn stopwatch_key_of(config: &Config) -> anyhow::Result<Option<Chord>> {
    config
        .usage
        .stopwatch_hotkey
        .as_deref()
        .map(Chord::parse_hotkey)
        .transpose()
        .map_err(|e| anyhow!("usage.stopwatch_hotkey: {e}"))
}

/// `agent.palette_hotkey` as a chord, when set.
pub(super) fn palette_key_of(config: &Config) -> anyhow::Result<Option<Chord>> {
    config
        .agent
        .palette_hotkey
        .as_deref()
        .map(Chord::parse_hotkey)
        .transpose()
        .map_err(|e| anyhow!("agent.palette_hotkey: {e}"))
}

/// Starts watching typed text for the scripts' abbreviations. Without a
/// way to watch (no X RECORD extension, no keyboard hook) the agent runs on
/// without hotstrings and says so.
pub(super) fn start_hotstrings(
    table: &HotkeyTable,
    events: Sender<AgentEvent>,
) -> Option<Hotstrings> {
    let abbreviations = table.abbreviations();
    if abbreviations.is_empty() {
        return None;
    }
    match Hotstrings::start(abbreviations, events) {
        Ok(monitor) => Some(monitor),
        Err(e) => {
            tracing::warn!("hotstrings are off: {e}");
            None
        }
    }
}

/// Our own typing must never feed or trigger a hotstring.
pub(super) fn pause(hotstrings: &Option<Hotstrings>) {
    if let Some(h) = hotstrings {
        h.pause();
    }
}
