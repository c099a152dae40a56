//! The tray menu as plain data, the same on every OS: a status line, the hot
//! keys (in submenus when there are several categories), then the agent's
//! own commands. The desktop layer turns them into a StatusNotifier (D-Bus)
//! menu on Linux and a tray-icon menu on Windows, so both show exactly these
//! lines; each line's id is its [`TrayAction::menu_id`].

use genvej_desktop::tray::MenuLine;

use super::{TrayAction, TrayEntry, TrayState};
use crate::texts;

fn item(action: TrayAction, label: impl Into<String>, enabled: bool) -> MenuLine {
    MenuLine::Item {
        id: Some(action.menu_id()),
        label: label.into(),
        enabled,
    }
}

/// The menu for this state.
pub fn lines(state: &TrayState) -> Vec<MenuLine> {
    let mut menu = vec![
        MenuLine::Item {
            id: None,
            label: state.tooltip(),
            enabled: false,
        },
        MenuLine::Separator,
    ];
    let groups = state.groups();
    let run = |entry: &TrayEntry| {
        item(
            TrayAction::Run(entry.id.clone()),
            entry.label(),
            !state.paused,
        )
    };
    if groups.len() == 1 {
        menu.extend(groups.values().flatten().map(|e| run(e)));
    } else {
        for (category, entries) in &groups {
            let title = if category.is_empty() {
                texts::OTHER_CATEGORY
            } else {
                category
            };
            menu.push(MenuLine::Submenu {
                label: title.to_string(),
                enabled: true,
                lines: entries.iter().map(|e| run(e)).collect(),
            });
        }
    }
    menu.push(MenuLine::Separator);
    let (toggle, toggle_text) = if state.paused {
        (TrayAction::Resume, texts::RESUME)
    } else {
        (TrayAction::Pause, texts::PAUSE)
    };
    let commands = [
        (TrayAction::CheatSheet, texts::CHEAT_SHEET),
        (toggle, toggle_text),
        (TrayAction::Reload, texts::RELOAD),
        (TrayAction::OpenLogFolder, texts::OPEN_LOG_FOLDER),
        (TrayAction::OpenReport, texts::OPEN_REPORT),
    ];
    menu.extend(
        commands
            .into_iter()
            .map(|(action, text)| item(action, text, true)),
    );
    // The stopwatch: stop or cancel a measurement, else choose what to measure.
    match &state.measuring {
        Some(name) => {
            menu.push(item(
                TrayAction::StopMeasuring,
                texts::stop_measuring(name),
                true,
            ));
            menu.push(item(
                TrayAction::CancelMeasuring,
                texts::CANCEL_MEASURING,
                true,
            ));
        }
        None => {
            let mut entries: Vec<&TrayEntry> = state.entries.iter().collect();
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            menu.push(MenuLine::Submenu {
                label: texts::MEASURE.into(),
                enabled: !state.entries.is_empty(),
                lines: entries
                    .into_iter()
                    .map(|e| item(TrayAction::Measure(e.id.clone()), &e.name, true))
                    .collect(),
            });
        }
    }
    menu.push(item(TrayAction::About, texts::ABOUT, true));
    menu.push(MenuLine::Separator);
    menu.push(item(TrayAction::Quit, texts::QUIT, true));
    menu
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, category: &str) -> TrayEntry {
        TrayEntry {
            id: name.to_lowercase(),
            name: name.into(),
            chord: String::new(),
            category: category.into(),
            description: String::new(),
            hotstrings: vec![],
            version: String::new(),
        }
    }

    /// The labels, submenus as `label > child | child`, separators as `-`.
    fn outline(lines: &[MenuLine]) -> Vec<String> {
        lines
            .iter()
            .map(|line| match line {
                MenuLine::Item { label, enabled, .. } => {
                    format!("{label}{}", if *enabled { "" } else { " (grey)" })
                }
                MenuLine::Submenu { label, lines, .. } => {
                    format!("{label} > {}", outline(lines).join(" | "))
                }
                MenuLine::Separator => "-".into(),
            })
            .collect()
    }

    #[test]
    fn one_category_lists_the_hot_keys_directly_and_pausing_greys_them() {
        let mut state = TrayState {
            entries: vec![entry("Underskrift", "")],
            ..TrayState::default()
        };
        assert_eq!(
            outline(&lines(&state)),
            [
                "genvej — 1 genvej aktive (grey)",
                "-",
                "Underskrift",
                "-",
                "Vis alle genveje …",
                "Sæt genveje på pause",
                "Genindlæs scripts",
                "Åbn logmappen",
                "Rapport over sparet tid",
                "Mål manuel tid for: … > Underskrift",
                "Om genvej",
                "-",
                "Afslut genvej",
            ]
        );
        state.paused = true;
        let paused = outline(&lines(&state));
        assert_eq!(paused[2], "Underskrift (grey)");
        assert_eq!(paused[5], "Genoptag genveje");
    }

    #[test]
    fn several_categories_get_submenus_and_measuring_offers_stop_and_cancel() {
        let state = TrayState {
            entries: vec![entry("Åbn borger", "Borger"), entry("Adresse", "")],
            measuring: Some("Adresse".into()),
            ..TrayState::default()
        };
        let menu = outline(&lines(&state));
        assert_eq!(menu[2], "Genveje > Adresse");
        assert_eq!(menu[3], "Borger > Åbn borger");
        assert!(menu.contains(&"Stop måling af «Adresse»".to_string()));
        assert!(menu.contains(&"Annullér måling".to_string()));
        assert!(!menu.iter().any(|l| l.starts_with("Mål manuel tid")));
    }
}
