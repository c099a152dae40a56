//! Desktop adapters that implement the engine's ports: the recording `fake`
//! (tests and dry runs) and the real desktops, chosen at compile time.

pub mod credentials;
pub mod fake;
pub mod http;
pub mod system;
#[cfg(windows)]
pub mod windows;
#[cfg(target_os = "linux")]
pub mod x11;

use crate::chord::{Chord, Key, Modifiers, NamedKey};
use crate::window_match::{TextPattern, WindowInfo};

/// How the agent pastes into a window; terminals want Shift+Insert.
#[derive(Debug, Clone, Default)]
pub struct PasteRules {
    /// Window classes (globs) that paste with Shift+Insert instead of Ctrl+V.
    pub shift_insert_classes: Vec<String>,
}

impl PasteRules {
    /// Ctrl+V, or Shift+Insert for the configured window classes.
    pub fn chord_for(&self, window: &WindowInfo) -> Chord {
        let shift_insert = self
            .shift_insert_classes
            .iter()
            .any(|class| TextPattern::glob(class).is_match(&window.class));
        if shift_insert {
            Chord {
                modifiers: Modifiers {
                    shift: true,
                    ..Modifiers::default()
                },
                key: Key::Named(NamedKey::Insert),
            }
        } else {
            Chord {
                modifiers: Modifiers {
                    ctrl: true,
                    ..Modifiers::default()
                },
                key: Key::Letter('V'),
            }
        }
    }
}
