//! Which script a hot key means: several scripts may share a chord when
//! their `only_when` windows differ.

use std::collections::BTreeMap;

use genvej_format::chord::Chord;
use genvej_format::script::Script;
#[cfg(any(target_os = "linux", windows))]
use genvej_format::window_match::WindowInfo;

/// The loaded scripts, indexed by chord.
#[derive(Debug, Default)]
pub struct HotkeyTable {
    pub scripts: Vec<Script>,
    by_chord: BTreeMap<Chord, Vec<usize>>,
}

impl HotkeyTable {
    pub fn new(scripts: Vec<Script>) -> HotkeyTable {
        let mut by_chord: BTreeMap<Chord, Vec<usize>> = BTreeMap::new();
        for (index, script) in scripts.iter().enumerate() {
            if let Some(chord) = script.hotkey {
                by_chord.entry(chord).or_default().push(index);
            }
        }
        HotkeyTable { scripts, by_chord }
    }

    /// Every chord to register.
    pub fn chords(&self) -> Vec<Chord> {
        self.by_chord.keys().copied().collect()
    }

    /// The scripts that use `chord`.
    pub fn scripts_for(&self, chord: Chord) -> Vec<&Script> {
        self.by_chord
            .get(&chord)
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
            .flat_map(|s| (0..s.hotstrings.len()).map(move |h| (s, h)))
            .nth(index)
    }
}

/// Of the scripts sharing a chord: the one whose `only_when` matches the
/// focused window, else the one without `only_when`, else the first (which
/// the engine then rejects with a notice saying where it works).
#[cfg(any(target_os = "linux", windows))]
pub fn pick<'s>(candidates: &[&'s Script], focused: Option<&WindowInfo>) -> Option<&'s Script> {
    candidates
        .iter()
        .find(|s| {
            s.only_when
                .as_ref()
                .is_some_and(|w| focused.is_some_and(|f| w.matches(f)))
        })
        .or_else(|| candidates.iter().find(|s| s.only_when.is_none()))
        .or_else(|| candidates.first())
        .copied()
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
}
