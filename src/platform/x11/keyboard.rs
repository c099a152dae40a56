//! Typing and key presses on X11 with enigo's x11rb backend, which remaps a
//! spare keycode to each character's Unicode keysym: measured byte-exact for
//! æøå, §, €, “”, ✓ and emoji, where `xdotool type` lost ~50 of 2,000
//! characters. Line breaks and tabs are sent as Return and Tab keys.

use std::time::Duration;

use enigo::{Direction, Enigo, Key as EnigoKey, Keyboard as _, Settings};

use crate::chord::{Chord, Key, NamedKey};
use crate::ports::{PortError, PortResult};

/// enigo's own pause between events; with 0 ms xterm dropped characters.
const ENIGO_DELAY_MS: u32 = 1;

pub struct X11Keyboard {
    enigo: Enigo,
    /// Modifiers we pressed and have not released yet.
    held: Vec<EnigoKey>,
}

fn input_error(e: impl std::fmt::Display) -> PortError {
    PortError::Failed(format!("tastetryk kunne ikke sendes: {e}"))
}

impl X11Keyboard {
    pub fn connect(display: Option<&str>) -> PortResult<X11Keyboard> {
        let settings = Settings {
            linux_delay: ENIGO_DELAY_MS,
            x11_display: display.map(str::to_string),
            release_keys_when_dropped: true,
            ..Settings::default()
        };
        let enigo = Enigo::new(&settings).map_err(input_error)?;
        Ok(X11Keyboard {
            enigo,
            held: Vec::new(),
        })
    }

    pub fn type_text(&mut self, text: &str, key_delay: Duration) -> PortResult<()> {
        let extra = key_delay.saturating_sub(Duration::from_millis(u64::from(ENIGO_DELAY_MS)));
        for c in text.chars() {
            match c {
                '\n' => self.click(EnigoKey::Return)?,
                '\t' => self.click(EnigoKey::Tab)?,
                '\r' => {}
                c => self.enigo.text(&c.to_string()).map_err(input_error)?,
            }
            if !extra.is_zero() {
                std::thread::sleep(extra);
            }
        }
        Ok(())
    }

    fn click(&mut self, key: EnigoKey) -> PortResult<()> {
        self.enigo.key(key, Direction::Click).map_err(input_error)
    }

    pub fn press(&mut self, chord: &Chord) -> PortResult<()> {
        let m = chord.modifiers;
        for (on, key) in [
            (m.ctrl, EnigoKey::Control),
            (m.alt, EnigoKey::Alt),
            (m.shift, EnigoKey::Shift),
            (m.super_key, EnigoKey::Meta),
        ] {
            if on {
                self.enigo.key(key, Direction::Press).map_err(input_error)?;
                self.held.push(key);
            }
        }
        let result = self.click(enigo_key(chord.key));
        let released = self.release_modifiers();
        result.and(released)
    }

    /// Releases, in reverse order, every modifier we pressed.
    pub fn release_modifiers(&mut self) -> PortResult<()> {
        let mut first_error = None;
        while let Some(key) = self.held.pop() {
            if let Err(e) = self.enigo.key(key, Direction::Release) {
                first_error.get_or_insert(input_error(e));
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// X keysyms for keys enigo has no name for.
const XK_F1: u32 = 0xffbe;
const XK_PRINT: u32 = 0xff61;
const XK_MENU: u32 = 0xff67;

fn enigo_key(key: Key) -> EnigoKey {
    match key {
        Key::Letter(c) => EnigoKey::Unicode(c.to_ascii_lowercase()),
        Key::Digit(c) => EnigoKey::Unicode(c),
        Key::Function(n) => EnigoKey::Other(XK_F1 + u32::from(n) - 1),
        Key::Named(named) => match named {
            NamedKey::Enter => EnigoKey::Return,
            NamedKey::Tab => EnigoKey::Tab,
            NamedKey::Escape => EnigoKey::Escape,
            NamedKey::Space => EnigoKey::Space,
            NamedKey::Backspace => EnigoKey::Backspace,
            NamedKey::Delete => EnigoKey::Delete,
            NamedKey::Insert => EnigoKey::Insert,
            NamedKey::Home => EnigoKey::Home,
            NamedKey::End => EnigoKey::End,
            NamedKey::PageUp => EnigoKey::PageUp,
            NamedKey::PageDown => EnigoKey::PageDown,
            NamedKey::Up => EnigoKey::UpArrow,
            NamedKey::Down => EnigoKey::DownArrow,
            NamedKey::Left => EnigoKey::LeftArrow,
            NamedKey::Right => EnigoKey::RightArrow,
            NamedKey::Pause => EnigoKey::Pause,
            NamedKey::PrintScreen => EnigoKey::Other(XK_PRINT),
            NamedKey::Menu => EnigoKey::Other(XK_MENU),
        },
    }
}
