//! Sequences: after a leader chord (`Ctrl+Alt+Space` of `Ctrl+Alt+Space J`)
//! the agent shows which keys may follow, takes the next key from every
//! program (X11's keyboard grab, a keyboard hook on Windows), and waits
//! `agent.sequence_timeout_ms`.
//! The next key runs its script into the focused window, like a hot key;
//! Escape, another key or the time-out cancels. Whatever ends the wait also
//! lets the keyboard go and closes the window ([`Agent::end_sequence`]).

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::Duration;

use genvej_format::chord::{Chord, Key, Modifiers, NamedKey};
use genvej_format::script::Script;
use genvej_ui::dialog::Overlay;

use super::AgentEvent;
use super::state::{Agent, Job};

/// A sequence waiting for its next key.
pub(super) struct Waiting {
    leader: Chord,
    /// Tells this wait's time-out from an earlier one's.
    id: u64,
    /// The window listing the keys; closed when dropped.
    _overlay: Option<Overlay>,
}

const ESCAPE: Chord = Chord {
    modifiers: Modifiers {
        ctrl: false,
        alt: false,
        shift: false,
        super_key: false,
    },
    key: Key::Named(NamedKey::Escape),
};

impl Agent {
    /// The leader was pressed: wait for the next key.
    pub(super) fn start_sequence(&mut self, leader: Chord) {
        self.end_sequence();
        if self.paused {
            return;
        }
        if let Some(busy) = &self.running {
            self.cancel.note_grab();
            tracing::info!("sequence {leader} ignored: «{busy}» is still running");
            return;
        }
        let keys = self.table.keys_after(leader);
        let mut wanted: Vec<Chord> = keys.iter().map(|(key, _)| *key).collect();
        wanted.push(ESCAPE);
        match self.listener.await_next_key(leader, &wanted) {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!("sequence {leader} cancelled: another program holds the keyboard");
                return;
            }
            Err(e) => {
                tracing::warn!("sequence {leader} cancelled: {e:#}");
                self.listener.stop_waiting();
                return;
            }
        }
        // The next key is not typing: keep it from the hotstring watcher.
        super::keys::pause(&self.hotstrings);
        let timeout = Duration::from_millis(self.config.agent.sequence_timeout_ms);
        self.sequence_count += 1;
        let id = self.sequence_count;
        let listed: Vec<(String, &str)> = keys
            .iter()
            .map(|(key, name)| (key.to_string(), *name))
            .collect();
        let overlay = self.notices.overlay(
            &leader.to_string(),
            &super::texts::sequence_keys(&listed),
            timeout.as_secs().max(1) + 1,
        );
        if !time_out_after(timeout, id, self.events.clone()) {
            // Never leave the keyboard taken without an end in sight.
            self.listener.stop_waiting();
            if let Some(h) = &self.hotstrings {
                h.resume();
            }
            return;
        }
        tracing::info!(
            "sequence {leader}: waiting for the next key ({} keys, {} ms)",
            keys.len(),
            timeout.as_millis()
        );
        self.sequence = Some(Waiting {
            leader,
            id,
            _overlay: overlay,
        });
    }

    /// The next key while a sequence waits (`None`: a key that is none of
    /// its keys). On Windows the keys arrive as hot keys, possibly with the
    /// leader's modifiers still held: only Shift counts.
    pub(super) fn next_key(&mut self, key: Option<Chord>) -> anyhow::Result<()> {
        let Some(leader) = self.end_sequence() else {
            return Ok(());
        };
        let key = key.map(|k| Chord {
            modifiers: Modifiers {
                shift: k.modifiers.shift,
                ..Modifiers::default()
            },
            key: k.key,
        });
        let Some(key) = key else {
            tracing::info!("sequence {leader} cancelled: a key that is none of its keys");
            return Ok(());
        };
        if key.key == ESCAPE.key {
            tracing::info!("sequence {leader} cancelled with Escape");
            return Ok(());
        }
        let candidates: Vec<Arc<Script>> = self
            .table
            .scripts_after(leader, key)
            .into_iter()
            .cloned()
            .collect();
        let Some(first) = candidates.first() else {
            tracing::info!("sequence {leader} cancelled: {key} is none of its keys");
            return Ok(());
        };
        tracing::debug!("sequence {leader} {key} pressed");
        let name = first.name.clone();
        self.start(name, Job::Hotkey(candidates, Arc::clone(&self.config)))
    }

    /// The time for the sequence `id` ran out.
    pub(super) fn sequence_timed_out(&mut self, id: u64) {
        if self.sequence.as_ref().is_some_and(|w| w.id == id) {
            if let Some(leader) = self.end_sequence() {
                tracing::info!(
                    "sequence {leader} cancelled: no key within {} ms",
                    self.config.agent.sequence_timeout_ms
                );
            }
        }
    }

    /// Ends a waiting sequence, if any: lets the keyboard go and closes the
    /// window. Returns its leader.
    pub(super) fn end_sequence(&mut self) -> Option<Chord> {
        let waiting = self.sequence.take()?;
        self.listener.stop_waiting();
        if self.running.is_none() && !self.paused {
            if let Some(h) = &self.hotstrings {
                h.resume();
            }
        }
        Some(waiting.leader)
    }
}

/// Sends [`AgentEvent::SequenceTimedOut`] after `timeout`; `false` when
/// the timer cannot start.
fn time_out_after(timeout: Duration, id: u64, events: Sender<AgentEvent>) -> bool {
    let spawned = std::thread::Builder::new()
        .name("genvej-sequence".into())
        .spawn(move || {
            std::thread::sleep(timeout);
            let _ = events.send(AgentEvent::SequenceTimedOut(id));
        });
    match spawned {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!("sequence cancelled: cannot start its timer: {e}");
            false
        }
    }
}
