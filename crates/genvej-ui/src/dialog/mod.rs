//! Dialogs: the form that asks a script's inputs, a script's message, the
//! small notice shown when a run fails, and the lists of scripts (the cheat
//! sheet, the command palette).
//!
//! Each dialog is drawn by a short-lived child process (`genvej dialog`,
//! hidden from the help) that reads a [`Request`] as JSON on stdin and writes
//! a [`Reply`] on stdout. Why a process and not a window in the agent:
//! winit allows one event loop per process, and the agent's main thread
//! belongs to the tray; a GL context and egui's fonts would also stay in the
//! agent's memory all day for a dialog shown a few times an hour; and a
//! dialog that fails to start (no GL, no display) cannot take the agent down.
//! The CPR number crosses only the pipe between the two processes.
//!
//! The command palette is the exception to "short-lived": it must be on
//! screen at once, so its process (`genvej dialog --palette`) is started
//! with the agent, draws it out of sight, and is kept, hidden, between
//! chords ([`PaletteProcess`], `agent.palette_ready`).

mod client;
mod form;
mod list;
mod overlay;
mod palette_child;
mod palette_process;
mod view;

use std::collections::BTreeMap;
use std::io::{Read, Write};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use client::DialogProcess;
pub use form::{FieldNote, FieldState, FormState, Submit};
pub use overlay::Overlay;
pub use palette_child::serve as serve_palette;
pub use palette_process::PaletteProcess;

use genvej_engine::ports::Form;

/// What the agent asks the dialog process to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "show", rename_all = "snake_case")]
pub enum Request {
    /// A form; answered or cancelled.
    Form { form: Form, today: NaiveDate },
    /// A script's `message` step: text and an OK button.
    Message { title: String, text: String },
    /// Every hot key, filtered as you type (the tray's "Vis alle genveje").
    CheatSheet {
        entries: Vec<crate::tray::TrayEntry>,
    },
    /// The command palette: the same list, to run one script from
    /// (`agent.palette_hotkey`); answered with [`Reply::Chosen`] or closed.
    Palette {
        entries: Vec<crate::tray::TrayEntry>,
    },
    /// A notice that closes by itself after `seconds` (failures, refusals).
    Notice {
        title: String,
        text: String,
        seconds: u64,
    },
}

impl Request {
    /// A notice; its title and text are redacted, so a CPR number in an
    /// error message never reaches the screen.
    pub fn notice(title: &str, text: &str, seconds: u64) -> Request {
        Request::Notice {
            title: genvej_format::cpr::redact(title),
            text: genvej_format::cpr::redact(text),
            seconds,
        }
    }
}

/// What the dialog process answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Reply {
    Answered {
        answers: BTreeMap<String, String>,
    },
    /// The script chosen in the palette, by id.
    Chosen {
        id: String,
    },
    Cancelled,
    Closed,
}

/// `genvej dialog`: reads one request from stdin, shows it, writes the reply.
pub fn serve_stdin() -> anyhow::Result<()> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let request: Request = serde_json::from_str(&input)
        .map_err(|e| anyhow::anyhow!("the dialog request is not valid: {e}"))?;
    let reply = view::show(request)?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &reply)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_never_carries_a_cpr_number() {
        let request = Request::notice(
            "Åbn borger: fejl",
            "Fasit – 070761-4285 kom ikke frem inden for 10 s",
            8,
        );
        let json = serde_json::to_string(&request).expect("serialises");
        assert!(!json.contains("4285"), "{json}");
        assert!(json.contains("070761-XXXX"), "{json}");
    }

    #[test]
    fn requests_and_replies_survive_the_pipe() {
        let reply = Reply::Answered {
            answers: BTreeMap::from([("cpr".to_string(), "070761-4285".to_string())]),
        };
        let back: Reply =
            serde_json::from_str(&serde_json::to_string(&reply).expect("json")).expect("parse");
        assert_eq!(back, reply);
    }
}
