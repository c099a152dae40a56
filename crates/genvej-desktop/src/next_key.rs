//! What a key means while a sequence waits for its second key on Windows
//! (`J` of `Ctrl+Alt+Space J`), as its low-level keyboard hook sees it.
//!
//! The rules match X11's keyboard grab: the first key that is not a
//! modifier is the next key — one of the sequence's keys, or any other key,
//! which cancels — and no program sees it, its release included. Modifiers
//! pass (the leader's Ctrl and Alt go up meanwhile). A key already down when
//! the wait began (the leader's own key, auto-repeating while held) is no
//! next key: it is swallowed until it comes up, so its repeats type nothing.
//! Keys sent with SendInput (another program's macro) pass untouched.
//!
//! Plain data, compiled on every OS, so the rules are tested on Linux too;
//! `windows/hotkeys` runs them in its hook.

use std::collections::{HashMap, HashSet};

use crate::key_events::{MODIFIER_VKS, vk};
use crate::listener::HotkeyEvent;
use genvej_format::chord::{Chord, Key, Modifiers};

/// A key going down or up, as the hook reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HookKey {
    pub vk: u16,
    pub down: bool,
    /// Sent with SendInput.
    pub injected: bool,
    /// Shift was held as the key went down.
    pub shift: bool,
}

/// What to do with a key: take it from the programs or not, and what to
/// tell the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub swallow: bool,
    pub event: Option<HotkeyEvent>,
}

impl Decision {
    fn pass() -> Decision {
        Decision {
            swallow: false,
            event: None,
        }
    }

    fn swallow(event: Option<HotkeyEvent>) -> Decision {
        Decision {
            swallow: true,
            event,
        }
    }
}

/// The state of one wait.
#[derive(Debug, Clone)]
pub struct NextKeyWait {
    /// The virtual keys of the sequence's keys (Escape included).
    keys: HashMap<u16, Key>,
    /// Keys that were down when the wait began and have not come up since.
    held_at_start: HashSet<u16>,
    /// Keys whose press was taken: their release is taken too.
    taken: HashSet<u16>,
    /// The next key has been reported; later keys are taken until the
    /// agent ends the wait.
    answered: bool,
}

impl NextKeyWait {
    /// A wait for one of `keys` (with their virtual keys); `held` are the
    /// virtual keys down right now.
    pub fn new(
        keys: impl IntoIterator<Item = (u16, Key)>,
        held: impl IntoIterator<Item = u16>,
    ) -> Self {
        NextKeyWait {
            keys: keys.into_iter().collect(),
            held_at_start: held.into_iter().filter(|&k| !is_modifier(k)).collect(),
            taken: HashSet::new(),
            answered: false,
        }
    }

    /// What the hook does with `key`.
    pub fn on_key(&mut self, key: HookKey) -> Decision {
        if key.injected || is_modifier(key.vk) {
            return Decision::pass();
        }
        if !key.down {
            if self.held_at_start.remove(&key.vk) {
                return Decision::pass();
            }
            return if self.taken.remove(&key.vk) {
                Decision::swallow(None)
            } else {
                Decision::pass()
            };
        }
        if self.held_at_start.contains(&key.vk) {
            return Decision::swallow(None);
        }
        self.taken.insert(key.vk);
        if std::mem::replace(&mut self.answered, true) {
            return Decision::swallow(None);
        }
        let key = self.keys.get(&key.vk).map(|&k| Chord {
            modifiers: Modifiers {
                shift: key.shift,
                ..Modifiers::default()
            },
            key: k,
        });
        Decision::swallow(Some(HotkeyEvent::Next { key }))
    }
}

/// Shift, Ctrl, Alt (left, right or either), the Windows keys and the lock
/// keys: never the next key.
fn is_modifier(key: u16) -> bool {
    const NUMLOCK: u16 = 0x90;
    const SCROLL: u16 = 0x91;
    MODIFIER_VKS.contains(&key) || [vk::CAPITAL, NUMLOCK, SCROLL].contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use genvej_format::chord::NamedKey;

    const J: u16 = 0x4A;
    const SPACE: u16 = 0x20;
    const ESCAPE: u16 = 0x1B;
    const LEFT: u16 = 0x25;
    const COMMA: u16 = 0xBC;

    fn wait(held: &[u16]) -> NextKeyWait {
        NextKeyWait::new(
            [
                (J, Key::Letter('J')),
                (ESCAPE, Key::Named(NamedKey::Escape)),
            ],
            held.iter().copied(),
        )
    }

    fn down(vk: u16) -> HookKey {
        HookKey {
            vk,
            down: true,
            injected: false,
            shift: false,
        }
    }

    fn up(vk: u16) -> HookKey {
        HookKey {
            down: false,
            ..down(vk)
        }
    }

    fn next(text: Option<&str>) -> Decision {
        Decision::swallow(Some(HotkeyEvent::Next {
            key: text.map(|t| Chord::parse(t).expect(t)),
        }))
    }

    #[test]
    fn a_key_of_the_sequence_is_taken_with_its_release_and_shift_is_kept() {
        let mut waiting = wait(&[]);
        assert_eq!(waiting.on_key(down(J)), next(Some("J")));
        assert_eq!(waiting.on_key(up(J)), Decision::swallow(None));

        let mut waiting = wait(&[]);
        let shifted = HookKey {
            shift: true,
            ..down(J)
        };
        assert_eq!(waiting.on_key(shifted), next(Some("Shift+J")));
    }

    #[test]
    fn any_other_key_cancels_and_reaches_no_program_arrows_and_punctuation_too() {
        for other in [LEFT, COMMA, SPACE] {
            let mut waiting = wait(&[]);
            assert_eq!(waiting.on_key(down(other)), next(None), "{other:#x}");
            assert_eq!(waiting.on_key(up(other)), Decision::swallow(None));
        }
        let mut waiting = wait(&[]);
        assert_eq!(waiting.on_key(down(ESCAPE)), next(Some("Escape")));
    }

    #[test]
    fn modifiers_and_other_programs_keys_pass_and_are_no_next_key() {
        let mut waiting = wait(&[]);
        for modifier in [vk::LCONTROL, vk::LMENU, vk::RMENU, vk::LSHIFT, vk::LWIN] {
            assert_eq!(waiting.on_key(down(modifier)), Decision::pass());
            assert_eq!(waiting.on_key(up(modifier)), Decision::pass());
        }
        let injected = HookKey {
            injected: true,
            ..down(J)
        };
        assert_eq!(waiting.on_key(injected), Decision::pass());
        assert_eq!(waiting.on_key(down(J)), next(Some("J")));
    }

    #[test]
    fn the_leaders_own_key_repeating_while_held_is_swallowed_until_it_comes_up() {
        // Ctrl+Alt+Space: Space (and the modifiers) are down as the wait begins.
        let mut waiting = wait(&[vk::LCONTROL, vk::LMENU, SPACE]);
        assert_eq!(waiting.on_key(down(SPACE)), Decision::swallow(None));
        assert_eq!(waiting.on_key(down(SPACE)), Decision::swallow(None));
        assert_eq!(waiting.on_key(up(SPACE)), Decision::pass());
        // Once up, Space is a key like any other.
        assert_eq!(waiting.on_key(down(SPACE)), next(None));
    }

    #[test]
    fn keys_after_the_answer_are_taken_until_the_wait_ends() {
        let mut waiting = wait(&[]);
        assert_eq!(waiting.on_key(down(J)), next(Some("J")));
        assert_eq!(waiting.on_key(down(COMMA)), Decision::swallow(None));
        assert_eq!(waiting.on_key(up(COMMA)), Decision::swallow(None));
        assert_eq!(waiting.on_key(up(J)), Decision::swallow(None));
        // A release whose press came before the wait passes.
        assert_eq!(waiting.on_key(up(LEFT)), Decision::pass());
    }
}
