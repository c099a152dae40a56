//! The fake desktop's side of each port: what it records and how it
//! answers (virtual time, scripted answers, stand-in windows).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDateTime;

use super::{Answers, FakeDesktop, FakeEvent};
use crate::ports::{
    Clipboard, Clock, CredentialError, Credentials, Documents, Form, Http, HttpError, HttpRequest,
    Keyboard, Launcher, PortError, PortResult, Prompter, TypingInput, Windows,
};
use genvej_format::chord::{Chord, Key, Modifiers};
use genvej_format::window_match::{TextPattern, WindowId, WindowInfo, WindowMatch};

/// A title that a dry run's stand-in window shows for a window match.
fn stand_in_title(window: &WindowMatch) -> String {
    match &window.title {
        Some(TextPattern::Glob { written, .. }) => {
            written.replace(['*', '?'], "").trim().to_string()
        }
        Some(TextPattern::Regex(r)) => r.as_str().to_string(),
        None => window.to_string(),
    }
}

impl FakeDesktop {
    /// Lets the fake clock run until `until` (true) or for `timeout`,
    /// whichever is first (false): a wait on the desktop that ends when
    /// the caseworker lets go of a key.
    fn wait_until(&mut self, until: Duration, timeout: Duration) -> bool {
        let left = until.saturating_sub(self.clock);
        if left <= timeout {
            self.clock += left;
            self.advance();
            true
        } else {
            self.clock += timeout;
            false
        }
    }
}

impl Keyboard for FakeDesktop {
    fn wait_modifiers_released(&mut self, timeout: Duration) -> PortResult<bool> {
        Ok(self.wait_until(self.modifiers_held_until, timeout))
    }

    fn wait_ready_for_keys(&mut self, into: WindowId, timeout: Duration) -> PortResult<bool> {
        let title = self
            .windows
            .iter()
            .find(|w| w.info.id == into)
            .map_or_else(|| "intet vindue".to_string(), |w| w.info.title.clone());
        self.ready_waits.push((self.events.len(), title));
        Ok(self.wait_until(self.keyboard_grabbed_until, timeout))
    }

    fn type_text(
        &mut self,
        text: &str,
        key_delay: Duration,
        input: TypingInput,
        into: WindowId,
    ) -> PortResult<()> {
        self.record_input(input);
        for c in text.chars() {
            if let Some((at, thief)) = self.focus_race {
                if self.typed_chars == at {
                    self.focused = Some(thief);
                    self.focus_race = None;
                }
            }
            if self.focused != Some(into) {
                return Err(PortError::FocusMoved);
            }
            if self.clock < self.keyboard_grabbed_until {
                self.lost_keys += 1; // the hot key's grab took it
            } else {
                self.record_typed(&c.to_string());
            }
            self.typed_chars += 1;
            self.clock += key_delay;
            // Interruptions happen after the n-th key, as a click or a panic
            // key press would between two keystrokes.
            if let Some((after, thief)) = self.focus_thief {
                if self.typed_chars == after {
                    self.focused = Some(thief);
                    self.focus_thief = None;
                }
            }
            if let Some((after, token)) = &self.panic_key {
                if self.typed_chars == *after {
                    token.cancel();
                }
            }
        }
        self.advance();
        Ok(())
    }

    fn press(&mut self, chord: &Chord, into: WindowId) -> PortResult<()> {
        if self.focused != Some(into) {
            return Err(PortError::FocusMoved);
        }
        if self.clock < self.keyboard_grabbed_until {
            self.lost_keys += 1; // the hot key's grab took it
            return Ok(());
        }
        let window = self.focused_title();
        let paste = Chord {
            modifiers: Modifiers {
                ctrl: true,
                ..Modifiers::default()
            },
            key: Key::Letter('V'),
        };
        if *chord == paste {
            if let Some(text) = self.clipboard.clone() {
                self.pasted_since_write = true;
                self.events.push(FakeEvent::Pasted { window, text });
                return Ok(());
            }
        }
        self.events.push(FakeEvent::Pressed {
            window,
            chord: chord.to_string(),
        });
        Ok(())
    }

    fn release_modifiers(&mut self) -> PortResult<()> {
        self.modifiers_released += 1;
        Ok(())
    }
}

impl Clipboard for FakeDesktop {
    fn read_text(&mut self) -> PortResult<Option<String>> {
        Ok(self.clipboard.clone())
    }

    fn write_text(&mut self, text: &str) -> PortResult<()> {
        self.clipboard = Some(text.into());
        self.pasted_since_write = false;
        Ok(())
    }

    fn clear(&mut self) -> PortResult<()> {
        self.clipboard = None;
        Ok(())
    }

    fn wait_until_pasted(&mut self, timeout: Duration) -> PortResult<bool> {
        if let Some(message) = self.crash_when_pasting.take() {
            panic!("{message}");
        }
        if !self.pasted_since_write {
            self.clock += timeout;
        }
        Ok(self.pasted_since_write)
    }

    fn selected_text(&mut self, _timeout: Duration) -> PortResult<Option<String>> {
        Ok(self.selection.clone())
    }

    fn paste_chord_for(&mut self, _window: &WindowInfo) -> Chord {
        Chord {
            modifiers: Modifiers {
                ctrl: true,
                ..Modifiers::default()
            },
            key: Key::Letter('V'),
        }
    }
}

impl Windows for FakeDesktop {
    fn list(&mut self) -> PortResult<Vec<WindowInfo>> {
        self.advance();
        Ok(self
            .windows
            .iter()
            .filter(|w| w.visible_from <= self.clock)
            .map(|w| w.info.clone())
            .collect())
    }

    fn focused(&mut self) -> PortResult<Option<WindowInfo>> {
        self.advance();
        self.descriptions += 1;
        Ok(self
            .focused
            .and_then(|id| self.windows.iter().find(|w| w.info.id == id))
            .map(|w| w.info.clone()))
    }

    fn focused_id(&mut self) -> PortResult<Option<WindowId>> {
        self.advance();
        self.focus_queries += 1;
        Ok(self
            .focused
            .filter(|id| self.windows.iter().any(|w| w.info.id == *id)))
    }

    fn focus(&mut self, id: WindowId) -> PortResult<()> {
        let title = self
            .windows
            .iter()
            .find(|w| w.info.id == id)
            .map(|w| w.info.title.clone())
            .ok_or(PortError::WindowGone)?;
        if !self.refuse_focus && self.focused != Some(id) {
            self.focused = Some(id);
            self.events.push(FakeEvent::Focused(title));
        }
        Ok(())
    }

    fn matching(&mut self, window: &WindowMatch) -> PortResult<Vec<WindowInfo>> {
        let found: Vec<WindowInfo> = self
            .list()?
            .into_iter()
            .filter(|w| window.matches(w))
            .collect();
        if found.is_empty() && self.obliging {
            let id = self.push_window(&stand_in_title(window), "", self.clock, false);
            return Ok(self
                .windows
                .iter()
                .filter(|w| w.info.id == id)
                .map(|w| w.info.clone())
                .collect());
        }
        Ok(found)
    }
}

impl Launcher for FakeDesktop {
    fn launch(&mut self, program: &str, args: &[String]) -> PortResult<()> {
        self.events.push(FakeEvent::Launched {
            program: program.into(),
            args: args.to_vec(),
        });
        let all = std::iter::once(program.to_string())
            .chain(args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        self.apply_launch_rules(&all);
        Ok(())
    }

    fn open_url(&mut self, url: &str) -> PortResult<()> {
        self.events.push(FakeEvent::OpenedUrl(url.into()));
        self.apply_launch_rules(url);
        Ok(())
    }
}

impl Http for FakeDesktop {
    fn fetch(&mut self, request: &HttpRequest) -> Result<serde_json::Value, HttpError> {
        let mut line = format!("{} {}", request.method.name(), request.url);
        if let Some(body) = &request.body {
            line.push_str(&format!(" {body}"));
        }
        let fixture = self.fixtures.get(&request.source).cloned();
        if fixture.is_some() {
            line.push_str(&format!(" ← fixture «{}»", request.source));
        }
        self.events.push(FakeEvent::Fetched { request: line });
        self.requests.push(request.clone());
        if let Some(answer) = fixture {
            return Ok(answer);
        }
        self.responses
            .iter()
            .find(|(prefix, _)| request.url.starts_with(prefix.as_str()))
            .map(|(_, answer)| answer.clone())
            .unwrap_or_else(|| {
                Err(if self.obliging {
                    HttpError::DryRun
                } else {
                    HttpError::NotConfigured {
                        host: request.host().to_string(),
                    }
                })
            })
    }

    fn download(&mut self, request: &HttpRequest) -> Result<Vec<u8>, HttpError> {
        let canned = self
            .downloads
            .iter()
            .find(|(prefix, _)| request.url.starts_with(prefix.as_str()))
            .map(|(_, answer)| answer.clone());
        // A dry run downloads nothing: a one-page stand-in document is
        // merged instead, and the line says so.
        let stand_in = canned.is_none() && self.obliging;
        let mut line = format!("{} {}", request.method.name(), request.url);
        if stand_in {
            line.push_str(" ← stand-in PDF");
        } else if self.obliging {
            line.push_str(" ← fixture PDF");
        }
        self.events.push(FakeEvent::Fetched { request: line });
        self.requests.push(request.clone());
        match canned {
            Some(answer) => answer,
            None if stand_in => Ok(crate::documents::text_pdf(&["stand-in document"])),
            None => Err(HttpError::NotConfigured {
                host: request.host().to_string(),
            }),
        }
    }
}

impl Credentials for FakeDesktop {
    fn credential(&mut self, name: &str) -> Result<String, CredentialError> {
        match self.credentials.get(name) {
            Some(secret) => Ok(secret.clone()),
            None if self.obliging => Ok(String::new()),
            None => Err(CredentialError::NotSaved { name: name.into() }),
        }
    }
}

impl Documents for FakeDesktop {
    fn save_document(&mut self, file_name: &str, bytes: &[u8]) -> PortResult<String> {
        self.events.push(FakeEvent::Saved {
            file: file_name.to_string(),
            bytes: bytes.len(),
        });
        self.documents.push((file_name.to_string(), bytes.to_vec()));
        Ok(format!("/dokumenter/{file_name}"))
    }
}

impl Prompter for FakeDesktop {
    fn ask(&mut self, form: &Form) -> PortResult<Option<BTreeMap<String, String>>> {
        self.events.push(FakeEvent::Asked {
            title: form.title.clone(),
            fields: form.fields.iter().map(|f| f.name.clone()).collect(),
        });
        // Like a real dialog: it took the focus, and when it closes no
        // window is guaranteed to get it back.
        self.focused = None;
        let prefilled = || -> BTreeMap<String, String> {
            form.fields
                .iter()
                .filter_map(|f| f.value.clone().map(|v| (f.name.clone(), v)))
                .collect()
        };
        Ok(match &self.answers {
            Answers::Cancel => None,
            Answers::Prefilled => Some(prefilled()),
            Answers::Given(given) => {
                let mut answers = prefilled();
                answers.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
                Some(answers)
            }
        })
    }

    fn show_message(&mut self, title: &str, text: &str) -> PortResult<()> {
        self.events.push(FakeEvent::Message {
            title: title.into(),
            text: text.into(),
        });
        self.focused = None;
        Ok(())
    }
}

impl Clock for FakeDesktop {
    fn now(&self) -> NaiveDateTime {
        self.clock_reads.set(self.clock_reads.get() + 1);
        self.start + self.clock
    }

    fn monotonic(&self) -> Duration {
        self.clock
    }

    fn sleep(&mut self, duration: Duration) {
        self.clock += duration;
        self.advance();
    }
}
