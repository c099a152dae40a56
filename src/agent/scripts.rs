//! Which script a hot key means: several scripts may share a chord when
//! their `only_when` windows differ.

use std::collections::BTreeMap;
use std::sync::Arc;

use genvej_format::chord::Chord;
use genvej_format::hotkey::HotKey;
use genvej_format::script::Script;
#[cfg(any(target_os = "linux", windows))]
use genvej_format::window_match::WindowInfo;

/// The loaded scripts, indexed by chord, and a sequence's scripts by their
/// leader and the key after it.
#[derive(Debug, Default)]
pub struct HotkeyTable {
    /// Shared with the runs they start: a hot key hands its script to the
    /// run worker without copying it.
    pub scripts: Vec<Arc<Script>>,
    by_chord: BTreeMap<Chord, Vec<usize>>,
    by_leader: BTreeMap<Chord, BTreeMap<Chord, Vec<usize>>>,
}

impl HotkeyTable {
    pub fn new(scripts: Vec<Script>) -> HotkeyTable {
        let scripts: Vec<Arc<Script>> = scripts.into_iter().map(Arc::new).collect();
        let mut by_chord: BTreeMap<Chord, Vec<usize>> = BTreeMap::new();
        let mut by_leader: BTreeMap<Chord, BTreeMap<Chord, Vec<usize>>> = BTreeMap::new();
        for (index, script) in scripts.iter().enumerate() {
            match script.hotkey {
                Some(HotKey {
                    chord,
                    then: Some(then),
                }) => by_leader
                    .entry(chord)
                    .or_default()
                    .entry(then)
                    .or_default()
                    .push(index),
                Some(HotKey { chord, then: None }) => {
                    by_chord.entry(chord).or_default().push(index)
                }
                None => {}
            }
        }
        HotkeyTable {
            scripts,
            by_chord,
            by_leader,
        }
    }

    /// Every chord to register: the hot keys and the sequences' leaders.
    pub fn chords(&self) -> Vec<Chord> {
        let mut chords: Vec<Chord> = self.by_chord.keys().copied().collect();
        chords.extend(
            self.by_leader
                .keys()
                .filter(|c| !self.by_chord.contains_key(c)),
        );
        chords
    }

    /// The scripts that use `chord` (a plain hot key).
    pub fn scripts_for(&self, chord: Chord) -> Vec<&Arc<Script>> {
        self.by_chord
            .get(&chord)
            .map(|indices| indices.iter().map(|&i| &self.scripts[i]).collect())
            .unwrap_or_default()
    }

    /// Every script as the tray, the palette and the cheat sheet list it.
    #[cfg(any(target_os = "linux", windows))]
    pub fn entries(&self) -> Vec<genvej_ui::tray::TrayEntry> {
        self.scripts
            .iter()
            .map(|script| genvej_ui::tray::TrayEntry::of(script))
            .collect()
    }

    /// Whether `chord` leads sequences.
    pub fn is_leader(&self, chord: Chord) -> bool {
        self.by_leader.contains_key(&chord)
    }

    /// The keys that may follow `leader`, each with the name of its (first)
    /// script, in key order.
    pub fn keys_after(&self, leader: Chord) -> Vec<(Chord, &str)> {
        self.by_leader
            .get(&leader)
            .map(|keys| {
                keys.iter()
                    .filter_map(|(key, indices)| {
                        let first = indices.first().map(|&i| self.scripts[i].name.as_str())?;
                        Some((*key, first))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The scripts of the sequence `leader` `key`.
    pub fn scripts_after(&self, leader: Chord, key: Chord) -> Vec<&Arc<Script>> {
        self.by_leader
            .get(&leader)
            .and_then(|keys| keys.get(&key))
            .map(|indices| indices.iter().map(|&i| &self.scripts[i]).collect())
            .unwrap_or_default()
    }

    pub fn hotstring_count(&self) -> usize {
        self.scripts.iter().map(|s| s.hotstrings.len()).sum()
    }

    /// Every script's abbreviations in one list, script by script: what the
    /// hotstring watcher is given; [`HotkeyTable::hotstring`] says whose the
    /// `index`-th is.
    pub fn abbreviations(&self) -> Vec<String> {
        self.scripts
            .iter()
            .flat_map(|s| s.hotstrings.iter().map(|h| h.abbreviation.clone()))
            .collect()
    }

    /// The script of the `index`-th of [`HotkeyTable::abbreviations`], and
    /// which of its hotstrings it is.
    pub fn hotstring(&self, index: usize) -> Option<(&Script, usize)> {
        self.scripts
            .iter()
            .flat_map(|s| (0..s.hotstrings.len()).map(move |h| (&**s, h)))
            .nth(index)
    }
}

/// Of the scripts sharing a chord: the one whose `only_when` matches the
/// focused window, else the one without `only_when`, else the first (which
/// the engine then rejects with a notice saying where it works).
#[cfg(any(target_os = "linux", windows))]
pub fn pick<'s, S: std::ops::Deref<Target = Script>>(
    candidates: &'s [S],
    focused: Option<&WindowInfo>,
) -> Option<&'s S> {
    candidates
        .iter()
        .find(|s| {
            s.only_when
                .as_ref()
                .is_some_and(|w| focused.is_some_and(|f| w.matches(f)))
        })
        .or_else(|| candidates.iter().find(|s| s.only_when.is_none()))
        .or_else(|| candidates.first())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use genvej_format::config::Config;

    fn script(id: &str, abbreviations: &[&str]) -> (PathBuf, String) {
        let hotstrings: String = abbreviations
            .iter()
            .map(|a| format!("\n[[hotstring]]\nabbreviation = \"{a}\"\ntext = \"x\"\n"))
            .collect();
        let text = format!("id = \"{id}\"\nname = \"{id}\"\nmanual_seconds = 5\n{hotstrings}");
        (PathBuf::from(format!("{id}.toml")), text)
    }

    #[test]
    fn each_abbreviation_in_the_list_leads_back_to_its_script_and_hotstring() {
        let files = [
            script("a", &[";a1", ";a2"]),
            script("b", &[]),
            script("c", &[";c1"]),
        ];
        let set = genvej_format::script::check_texts(&files, &Config::default());
        assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
        let table = HotkeyTable::new(set.scripts);

        assert_eq!(table.abbreviations(), [";a1", ";a2", ";c1"]);
        let owner = |index| table.hotstring(index).map(|(s, h)| (s.id.as_str(), h));
        assert_eq!(owner(0), Some(("a", 0)));
        assert_eq!(owner(1), Some(("a", 1)));
        assert_eq!(owner(2), Some(("c", 0)));
        assert_eq!(owner(3), None);
    }

    fn with_hotkey(id: &str, hotkey: &str) -> (PathBuf, String) {
        let text = format!(
            "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"{hotkey}\"\nmanual_seconds = 5\n[[step]]\ntype = \"x\"\n"
        );
        (PathBuf::from(format!("{id}.toml")), text)
    }

    #[test]
    fn a_leader_is_registered_once_and_leads_to_its_keys() {
        let files = [
            with_hotkey("journal", "Ctrl+Alt+Space J"),
            with_hotkey("plan", "Ctrl+Alt+Space P"),
            with_hotkey("plan-stor", "Ctrl+Alt+Space Shift+P"),
            with_hotkey("borger", "Ctrl+Alt+B"),
        ];
        let set = genvej_format::script::check_texts(&files, &Config::default());
        assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
        let table = HotkeyTable::new(set.scripts);
        let chord = |text: &str| Chord::parse(text).expect(text);

        let chords: Vec<String> = table.chords().iter().map(ToString::to_string).collect();
        assert_eq!(chords, ["Ctrl+Alt+B", "Ctrl+Alt+Space"]);
        let leader = chord("Ctrl+Alt+Space");
        assert!(table.is_leader(leader));
        assert!(!table.is_leader(chord("Ctrl+Alt+B")));
        assert!(
            table.scripts_for(leader).is_empty(),
            "a leader runs nothing itself"
        );

        let keys: Vec<(String, &str)> = table
            .keys_after(leader)
            .into_iter()
            .map(|(k, name)| (k.to_string(), name))
            .collect();
        assert_eq!(
            keys,
            [
                ("J".to_string(), "journal"),
                ("P".to_string(), "plan"),
                ("Shift+P".to_string(), "plan-stor")
            ]
        );
        let after = |key: &str| -> Vec<String> {
            table
                .scripts_after(leader, chord(key))
                .iter()
                .map(|s| s.id.clone())
                .collect()
        };
        assert_eq!(after("P"), ["plan"]);
        assert_eq!(after("Shift+P"), ["plan-stor"]);
        assert!(after("K").is_empty());
    }
}
