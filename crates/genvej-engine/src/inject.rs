//! The safety rules of everything a run sends to the desktop: typing in
//! chunks with the focus checked before each (as Unicode or scan codes, as
//! the window's typing profile says), paste with the caseworker's
//! clipboard put back, key chords, waiting for and focusing windows, the
//! modifier-release wait, and cancellable sleeps.

use std::time::Duration;

use super::{NamedWindow, Run, RunError, Stop};
use crate::ports::{Desktop, PortError, TypingInput};
use genvej_format::config::{profile_for, uses_scan_codes};
use genvej_format::script::Step;
use genvej_format::window_match::{WindowInfo, WindowMatch};

impl<D: Desktop + ?Sized> Run<'_, '_, D> {
    /// The typing profile's delay for the step's window, if one matches and
    /// sets one.
    pub(super) fn window_key_delay(&self, step: &Step) -> Option<Duration> {
        let window = self.expected_window(step)?;
        profile_for(&self.engine.config.agent.typing_profiles, window)?
            .key_delay_ms
            .map(|ms| Duration::from_millis(u64::from(ms)))
    }

    /// How characters go to `window`: its typing profile's `input`, `auto`
    /// (scan codes for Citrix and Remote Desktop clients) without one.
    fn window_input(&self, window: &WindowInfo) -> TypingInput {
        if uses_scan_codes(&self.engine.config.agent.typing_profiles, window) {
            TypingInput::ScanCodes
        } else {
            TypingInput::Unicode
        }
    }

    /// The window a typing step must go to.
    fn expected_window(&self, step: &Step) -> Option<&WindowInfo> {
        match &step.target {
            Some(name) => self.named.get(name),
            None => self.target.as_ref(),
        }
    }

    /// Before any key goes out: not cancelled, the user's modifiers are up,
    /// and the focused window is the one the script means (returned). The
    /// desktop checks focus once more as it sends each key.
    pub(super) fn before_injecting(&mut self, step: &Step) -> Result<WindowInfo, Stop> {
        self.settle_before_keys(step)?;
        let window = self.check_focus(step)?;
        // Last, so that as little time as possible passes between this check
        // and the key: a chord the caseworker presses in that gap would
        // combine with our key.
        self.wait_for_modifiers()?;
        Ok(window)
    }

    /// Before a batch of typed keys: as [`Self::before_injecting`], but the
    /// focus is left to the desktop, which checks it as it sends the batch
    /// (the port's `into`) — later than a check here could, and under
    /// Wine a round trip to the wineserver fewer before each batch. A wrong
    /// window gets the same message ([`Self::injected`]).
    fn before_typing(&mut self, step: &Step) -> Result<WindowInfo, Stop> {
        self.settle_before_keys(step)?;
        let window = self
            .expected_window(step)
            .cloned()
            .ok_or(RunError::NoFocusedWindow)?;
        self.wait_for_modifiers()?;
        Ok(window)
    }

    /// Not cancelled; after the hot key or a focus change, the modifiers
    /// are up and the window is ready for keys.
    fn settle_before_keys(&mut self, step: &Step) -> Result<(), Stop> {
        self.check_cancel()?;
        if !self.settled || self.engine.cancel.take_grab() {
            self.wait_for_modifiers()?;
            self.settled = true;
            self.wait_ready_for_keys(step)?;
            // A window the script just waited for or focused may not yet have
            // put its own text field in focus (a freshly launched Tk window
            // lost a CPR number typed at once): `settle_ms`. Never after the
            // hot key alone, where the wait above is all that is needed.
            if std::mem::take(&mut self.window_changed) && !self.engine.settings.settle.is_zero() {
                self.sleep(self.engine.settings.settle)?;
            }
        }
        Ok(())
    }

    /// Turns the desktop's "focus moved" at the moment of sending into the
    /// wrong-window message naming both windows.
    pub(super) fn injected(
        &mut self,
        sent: Result<(), PortError>,
        into: &WindowInfo,
    ) -> Result<(), Stop> {
        match sent {
            Err(PortError::FocusMoved) => {
                let actual = self.desktop.focused()?.map(|now| self.named_window(&now));
                Err(RunError::WrongWindow {
                    expected: self.named_window(into),
                    actual,
                }
                .into())
            }
            other => Ok(other?),
        }
    }

    fn wait_for_modifiers(&mut self) -> Result<(), Stop> {
        let timeout = self.engine.settings.modifier_release_timeout;
        if self.desktop.wait_modifiers_released(timeout)? {
            Ok(())
        } else {
            Err(RunError::ModifiersHeld { timeout }.into())
        }
    }

    /// After the hot key or a focus change: waits until keys sent reach the
    /// step's window (the desktop says when, event-driven). Still held after
    /// the modifier timeout: the caseworker holds the hot key's own key.
    fn wait_ready_for_keys(&mut self, step: &Step) -> Result<(), Stop> {
        let Some(window) = self.expected_window(step).map(|w| w.id) else {
            return Ok(()); // the focus check says that no window has focus
        };
        let timeout = self.engine.settings.modifier_release_timeout;
        if self.desktop.wait_ready_for_keys(window, timeout)? {
            Ok(())
        } else {
            Err(RunError::ModifiersHeld { timeout }.into())
        }
    }

    /// The focused window must be the one the step means. Only its id is
    /// asked for; a wrong window is described for the message.
    fn check_focus(&mut self, step: &Step) -> Result<WindowInfo, Stop> {
        let expected = self
            .expected_window(step)
            .cloned()
            .ok_or(RunError::NoFocusedWindow)?;
        if self.desktop.focused_id()? == Some(expected.id) {
            return Ok(expected);
        }
        let actual = match self.desktop.focused()? {
            // Back in the meantime: it is the expected window.
            Some(now) if now.id == expected.id => return Ok(expected),
            now => now.map(|now| self.named_window(&now)),
        };
        Err(RunError::WrongWindow {
            expected: self.named_window(&expected),
            actual,
        }
        .into())
    }

    pub(super) fn type_text(
        &mut self,
        step: &Step,
        text: &str,
        delay: Duration,
    ) -> Result<(), Stop> {
        let chars: Vec<char> = text.chars().collect();
        self.desktop.prepare_typing(text)?;
        // Paced typing (a key delay, e.g. for Citrix) goes key by key; without
        // one the desktop sends a batch at a time, checking focus atomically
        // for each batch.
        let chunk_chars = if delay.is_zero() {
            self.engine.settings.batch_chars
        } else {
            self.engine.settings.chunk_chars
        };
        for chunk in chars.chunks(chunk_chars.max(1)) {
            let into = self.before_typing(step)?;
            let chunk: String = chunk.iter().collect();
            let input = self.window_input(&into);
            let sent = self.desktop.type_text(&chunk, delay, input, into.id);
            self.injected(sent, &into)?;
        }
        Ok(())
    }

    /// Clipboard paste that puts the caseworker's clipboard back afterwards,
    /// unless they copied something new meanwhile.
    pub(super) fn paste(&mut self, step: &Step, text: &str) -> Result<(), Stop> {
        let window = self.before_injecting(step)?;
        let saved = self.desktop.read_text()?;
        let timeout = self.engine.settings.paste_timeout;
        // Even a panic in the desktop while our text is on the clipboard
        // puts the caseworker's clipboard back before the run ends.
        let pasted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.desktop.offer_for_paste(text, window.id)?;
            let chord = self.desktop.paste_chord_for(&window);
            self.desktop.press(&chord, window.id)?;
            self.desktop.wait_until_pasted(timeout)
        }));
        let restored = self.restore_clipboard(text, saved);
        let pasted = pasted.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let delivered = match pasted {
            Ok(delivered) => delivered,
            Err(e) => return self.injected(Err(e), &window),
        };
        restored?;
        if !delivered {
            return Err(RunError::PasteNotFetched {
                window: self.named_window(&window),
                timeout: self.engine.settings.paste_timeout,
            }
            .into());
        }
        Ok(())
    }

    fn restore_clipboard(&mut self, ours: &str, saved: Option<String>) -> Result<(), PortError> {
        let still_ours = self
            .desktop
            .read_text()?
            .is_some_and(|now| same_apart_from_line_breaks(&now, ours));
        if !still_ours {
            return Ok(()); // the caseworker copied something else meanwhile: keep it
        }
        match saved {
            Some(previous) => self.desktop.write_text(&previous),
            None => self.desktop.clear(),
        }
    }

    pub(super) fn wait_for_window(
        &mut self,
        window: &WindowMatch,
        timeout: Duration,
    ) -> Result<WindowInfo, Stop> {
        let deadline = self.desktop.monotonic() + timeout;
        loop {
            self.check_cancel()?;
            if let Some(found) = self.desktop.matching(window)?.pop() {
                return Ok(found);
            }
            if self.desktop.monotonic() >= deadline {
                return Err(RunError::WindowTimeout {
                    window: crate::messages::window_described(window),
                    timeout,
                }
                .into());
            }
            self.desktop.sleep(self.engine.settings.poll_interval);
        }
    }

    /// Focuses a window and checks that it really has focus.
    pub(super) fn focus(&mut self, window: &WindowInfo) -> Result<(), Stop> {
        let deadline = self.desktop.monotonic() + self.engine.settings.focus_timeout;
        self.desktop.focus(window.id)?;
        loop {
            self.check_cancel()?;
            let focused = self.desktop.focused()?;
            if focused.as_ref().is_some_and(|f| f.id == window.id) {
                return Ok(());
            }
            if self.desktop.monotonic() >= deadline {
                return Err(RunError::FocusRefused {
                    window: self.named_window(window),
                    focused: focused.map(|f| self.named_window(&f)),
                }
                .into());
            }
            self.desktop.sleep(self.engine.settings.poll_interval);
            self.desktop.focus(window.id)?;
        }
    }

    /// A window as a failure names it: its title for the caseworker, its
    /// program and the script's pattern for the log.
    fn named_window(&self, window: &WindowInfo) -> Box<NamedWindow> {
        Box::new(NamedWindow {
            title: window.title.clone(),
            program: window.executable.clone(),
            class: window.class.clone(),
            found_by: self.found_by.get(&window.id).cloned(),
        })
    }

    pub(super) fn sleep(&mut self, duration: Duration) -> Result<(), Stop> {
        let end = self.desktop.monotonic() + duration;
        loop {
            self.check_cancel()?;
            let left = end.saturating_sub(self.desktop.monotonic());
            if left.is_zero() {
                return Ok(());
            }
            self.desktop.sleep(left.min(Duration::from_millis(10)));
        }
    }
}

/// Whether two texts are the same but for how line breaks are written: the
/// Windows clipboard holds our text with `\r\n`.
fn same_apart_from_line_breaks(a: &str, b: &str) -> bool {
    a.replace("\r\n", "\n") == b.replace("\r\n", "\n")
}

#[cfg(test)]
mod tests {
    use super::same_apart_from_line_breaks;

    #[test]
    fn clipboard_text_with_windows_line_breaks_is_still_ours() {
        assert!(same_apart_from_line_breaks(
            "Kære Jens\r\nVenlig hilsen",
            "Kære Jens\nVenlig hilsen"
        ));
        assert!(!same_apart_from_line_breaks(
            "Kære Jens Venlig hilsen",
            "Kære Jens\nVenlig hilsen"
        ));
        assert!(!same_apart_from_line_breaks("noget andet", "Kære Jens"));
    }
}
