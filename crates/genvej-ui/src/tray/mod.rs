//! The tray icon: what it shows (hot keys by category, state in the tooltip
//! and the icon's colour) and what its menu asks for. This part is plain
//! data, the same on every OS; `menu` lays out the menu's lines, and the
//! desktop layer (`genvej_desktop::tray`) puts them on screen the way each
//! OS does. A click reaches the caller as a [`TrayAction`] through the
//! [`OnAction`] it gave, so the tray knows nothing of the agent.

mod icon;
mod menu;

use genvej_desktop::tray::TrayView;
#[cfg(any(target_os = "linux", windows))]
pub use genvej_desktop::tray::missing_host;

use std::collections::BTreeMap;

use genvej_format::script::Script;

/// One script as the menu and the cheat sheet show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrayEntry {
    pub id: String,
    pub name: String,
    /// The chord as written, e.g. `Ctrl+Alt+B`; empty for scripts run only
    /// from the menu or by hotstrings.
    pub chord: String,
    pub category: String,
    pub description: String,
    /// Abbreviations that expand, e.g. `;navn`.
    pub hotstrings: Vec<String>,
    /// The script's `version`; empty when it has none.
    #[serde(default)]
    pub version: String,
}

impl TrayEntry {
    pub fn of(script: &Script) -> TrayEntry {
        TrayEntry {
            id: script.id.clone(),
            name: script.name.clone(),
            chord: script.hotkey.map(|c| c.to_string()).unwrap_or_default(),
            category: script.category.clone(),
            description: script.description.clone(),
            hotstrings: script
                .hotstrings
                .iter()
                .map(|h| h.abbreviation.clone())
                .collect(),
            version: script.release.version.clone().unwrap_or_default(),
        }
    }

    /// "version 1.2", shown small beside the name in the cheat sheet;
    /// `None` for a script without a version.
    pub fn version_label(&self) -> Option<String> {
        (!self.version.is_empty()).then(|| crate::texts::version(&self.version))
    }

    /// The entries a cheat-sheet search shows: every word of `filter` must
    /// occur in the name, chord, hotstrings, category or description (any
    /// case, Danish letters and accents folded); name matches first, then
    /// by category and name (see [`crate::search`]).
    pub fn matching<'e>(entries: &'e [TrayEntry], filter: &str) -> Vec<&'e TrayEntry> {
        crate::search::ranked(entries, filter)
    }

    /// The menu's label: the name, and the chord when there is one.
    pub fn label(&self) -> String {
        if self.chord.is_empty() {
            self.name.clone()
        } else {
            format!("{}    {}", self.name, self.chord)
        }
    }
}

/// Everything the tray shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrayState {
    pub entries: Vec<TrayEntry>,
    pub paused: bool,
    /// Scripts left out (at start) or a reload refused, because of errors.
    pub script_errors: usize,
    /// The script whose manual time the stopwatch is measuring.
    pub measuring: Option<String>,
}

impl TrayState {
    pub fn new<'s>(
        scripts: impl IntoIterator<Item = &'s Script>,
        script_errors: usize,
        paused: bool,
    ) -> TrayState {
        TrayState {
            entries: scripts.into_iter().map(TrayEntry::of).collect(),
            paused,
            script_errors,
            measuring: None,
        }
    }

    /// "genvej — 23 genveje aktive", "genvej — pauset", "… fejl i 1 script".
    pub fn tooltip(&self) -> String {
        crate::texts::tray_status(
            self.paused,
            self.entries.len(),
            self.script_errors,
            self.measuring.as_deref(),
        )
    }

    /// The entries by category, categories in alphabetical order and the
    /// scripts in each by name.
    pub fn groups(&self) -> BTreeMap<&str, Vec<&TrayEntry>> {
        let mut groups: BTreeMap<&str, Vec<&TrayEntry>> = BTreeMap::new();
        for entry in &self.entries {
            groups
                .entry(entry.category.as_str())
                .or_default()
                .push(entry);
        }
        for entries in groups.values_mut() {
            entries.sort_by(|a, b| a.name.cmp(&b.name));
        }
        groups
    }

    /// The icon's look for this state.
    pub fn look(&self) -> IconLook {
        if self.paused {
            IconLook::Paused
        } else if self.script_errors > 0 {
            IconLook::Errors
        } else {
            IconLook::Active
        }
    }
}

/// Called with the action of each menu click, on the tray's own thread: it
/// should only pass the action on (e.g. into a channel), never block.
pub type OnAction = Box<dyn Fn(TrayAction) + Send + Sync>;

/// What a click in the menu asks the agent to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayAction {
    Run(String),
    CheatSheet,
    Pause,
    Resume,
    Reload,
    OpenLogFolder,
    OpenReport,
    /// Start the manual-time stopwatch for this script.
    Measure(String),
    StopMeasuring,
    CancelMeasuring,
    About,
    Quit,
}

impl TrayAction {
    /// The menu item id that stands for this action.
    pub fn menu_id(&self) -> String {
        match self {
            TrayAction::Run(id) => format!("run:{id}"),
            TrayAction::CheatSheet => "cheat-sheet".into(),
            TrayAction::Pause => "pause".into(),
            TrayAction::Resume => "resume".into(),
            TrayAction::Reload => "reload".into(),
            TrayAction::OpenLogFolder => "logs".into(),
            TrayAction::OpenReport => "report".into(),
            TrayAction::Measure(id) => format!("measure:{id}"),
            TrayAction::StopMeasuring => "measure-stop".into(),
            TrayAction::CancelMeasuring => "measure-cancel".into(),
            TrayAction::About => "about".into(),
            TrayAction::Quit => "quit".into(),
        }
    }

    pub fn from_menu_id(id: &str) -> Option<TrayAction> {
        if let Some(script) = id.strip_prefix("run:") {
            return Some(TrayAction::Run(script.to_string()));
        }
        if let Some(script) = id.strip_prefix("measure:") {
            return Some(TrayAction::Measure(script.to_string()));
        }
        Some(match id {
            "cheat-sheet" => TrayAction::CheatSheet,
            "pause" => TrayAction::Pause,
            "resume" => TrayAction::Resume,
            "reload" => TrayAction::Reload,
            "logs" => TrayAction::OpenLogFolder,
            "report" => TrayAction::OpenReport,
            "measure-stop" => TrayAction::StopMeasuring,
            "measure-cancel" => TrayAction::CancelMeasuring,
            "about" => TrayAction::About,
            "quit" => TrayAction::Quit,
            _ => return None,
        })
    }
}

/// The icon says the state at a glance, by colour and by shape (see `icon`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconLook {
    Active,
    Paused,
    Errors,
}

/// What the icon shows for `state`.
pub fn view(state: &TrayState) -> TrayView {
    TrayView {
        tooltip: state.tooltip(),
        icon_rgba: state.look().rgba(),
        menu: menu::lines(state),
    }
}

/// The running tray icon; dropping it takes the icon away.
#[cfg(any(target_os = "linux", windows))]
pub struct Tray(genvej_desktop::tray::Tray);

#[cfg(any(target_os = "linux", windows))]
impl Tray {
    /// Shows the icon for `state`; `Err` says why there is none (the agent
    /// runs on without it).
    pub fn start(
        state: TrayState,
        on_action: OnAction,
    ) -> Result<Tray, genvej_desktop::tray::TrayError> {
        let on_click = Box::new(move |id: &str| {
            if let Some(action) = TrayAction::from_menu_id(id) {
                on_action(action);
            }
        });
        genvej_desktop::tray::Tray::start(view(&state), on_click).map(Tray)
    }

    /// Shows a new state: menu, icon colour and tooltip.
    pub fn update(&self, state: TrayState) {
        self.0.update(view(&state));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, chord: &str, category: &str) -> TrayEntry {
        TrayEntry {
            id: name.to_lowercase(),
            name: name.into(),
            chord: chord.into(),
            category: category.into(),
            description: String::new(),
            hotstrings: vec![],
            version: String::new(),
        }
    }

    #[test]
    fn the_cheat_sheet_shows_a_version_only_when_the_script_has_one() {
        let mut entry = entry("Journalnotat", "Ctrl+Alt+J", "Journal");
        assert_eq!(entry.version_label(), None);
        entry.version = "1.2".into();
        assert_eq!(entry.version_label().as_deref(), Some("version 1.2"));
        // An older dialog request without the field still reads.
        let json =
            r#"{"id":"a","name":"A","chord":"","category":"c","description":"","hotstrings":[]}"#;
        let old: TrayEntry = serde_json::from_str(json).expect("reads");
        assert_eq!(old.version, "");
    }

    #[test]
    fn the_tooltip_says_how_many_are_active_paused_or_broken() {
        let mut state = TrayState {
            entries: vec![entry("A", "Ctrl+Alt+A", "x"), entry("B", "", "x")],
            paused: false,
            script_errors: 0,
            measuring: None,
        };
        assert_eq!(state.tooltip(), "genvej — 2 genveje aktive");
        state.script_errors = 1;
        assert_eq!(
            state.tooltip(),
            "genvej — 2 genveje aktive, fejl i 1 script"
        );
        assert_eq!(state.look(), IconLook::Errors);
        state.paused = true;
        assert_eq!(state.tooltip(), "genvej — pauset, fejl i 1 script");
        assert_eq!(state.look(), IconLook::Paused);
    }

    #[test]
    fn menu_ids_round_trip() {
        for action in [
            TrayAction::Run("aabn-borger".into()),
            TrayAction::CheatSheet,
            TrayAction::Pause,
            TrayAction::Resume,
            TrayAction::Reload,
            TrayAction::OpenLogFolder,
            TrayAction::OpenReport,
            TrayAction::Measure("forberedende-plan".into()),
            TrayAction::StopMeasuring,
            TrayAction::CancelMeasuring,
            TrayAction::About,
            TrayAction::Quit,
        ] {
            assert_eq!(TrayAction::from_menu_id(&action.menu_id()), Some(action));
        }
        assert_eq!(TrayAction::from_menu_id("nonsense"), None);
    }

    #[test]
    fn entries_are_grouped_by_category_and_sorted_by_name() {
        let state = TrayState {
            entries: vec![
                entry("Underskrift", "Ctrl+Alt+U", "Tekster"),
                entry("Åbn borger", "Ctrl+Alt+B", "Borger"),
                entry("Adresse", "", "Tekster"),
            ],
            ..TrayState::default()
        };
        let groups = state.groups();
        let names: Vec<(&str, Vec<String>)> = groups
            .iter()
            .map(|(g, e)| (*g, e.iter().map(|e| e.label()).collect()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Borger", vec!["Åbn borger    Ctrl+Alt+B".to_string()]),
                (
                    "Tekster",
                    vec![
                        "Adresse".to_string(),
                        "Underskrift    Ctrl+Alt+U".to_string()
                    ]
                ),
            ]
        );
    }

    #[test]
    fn the_cheat_sheet_filter_matches_every_word_anywhere() {
        let mut journal = entry("Journalnotat", "Ctrl+Alt+J", "Journal");
        journal.description = "Notat efter samtale med borgeren".into();
        let mut name = entry("Underskrift", "", "Tekster");
        name.hotstrings = vec![";navn".into()];
        let entries = vec![journal, name, entry("Åbn borger", "Ctrl+Alt+B", "Borger")];
        let names = |filter: &str| -> Vec<String> {
            TrayEntry::matching(&entries, filter)
                .iter()
                .map(|e| e.name.clone())
                .collect()
        };
        assert_eq!(names(""), ["Åbn borger", "Journalnotat", "Underskrift"]);
        assert_eq!(names("BORGER"), ["Åbn borger", "Journalnotat"]);
        assert_eq!(names("samtale ctrl"), ["Journalnotat"]);
        assert_eq!(names(";navn"), ["Underskrift"]);
        assert!(names("fasit").is_empty());
    }

    #[test]
    fn each_state_has_its_own_icon() {
        let active = IconLook::Active.rgba();
        assert_eq!(active.len(), 32 * 32 * 4);
        assert_ne!(active, IconLook::Paused.rgba());
        assert_ne!(active, IconLook::Errors.rgba());
    }
}
