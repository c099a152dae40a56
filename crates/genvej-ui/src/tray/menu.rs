//! The tray menu and icon as tray-icon objects, the same on Linux and
//! Windows: a status line, the hot keys (in submenus when there are several
//! categories), then the agent's own commands.

use tray_icon::Icon;
use tray_icon::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};

use super::{IconLook, TrayAction, TrayEntry, TrayState};

pub fn icon(look: IconLook) -> Result<Icon, String> {
    Icon::from_rgba(look.rgba(), 32, 32).map_err(|e| e.to_string())
}

/// The menu: a status line, the hot keys (in submenus when there are
/// several categories), then the agent's own commands.
pub fn menu(state: &TrayState) -> Result<Menu, String> {
    let err = |e: tray_icon::menu::Error| e.to_string();
    let menu = Menu::new();
    menu.append(&MenuItem::with_id("status", state.tooltip(), false, None))
        .map_err(err)?;
    menu.append(&PredefinedMenuItem::separator()).map_err(err)?;
    let groups = state.groups();
    let run = |entry: &TrayEntry| {
        MenuItem::with_id(
            TrayAction::Run(entry.id.clone()).menu_id(),
            entry.label(),
            !state.paused,
            None,
        )
    };
    if groups.len() == 1 {
        for entry in groups.values().flatten() {
            menu.append(&run(entry)).map_err(err)?;
        }
    } else {
        for (category, entries) in &groups {
            let title = if category.is_empty() {
                "Genveje"
            } else {
                category
            };
            let submenu = Submenu::new(title, true);
            for entry in entries {
                submenu.append(&run(entry)).map_err(err)?;
            }
            menu.append(&submenu).map_err(err)?;
        }
    }
    menu.append(&PredefinedMenuItem::separator()).map_err(err)?;
    let (toggle, toggle_text) = if state.paused {
        (TrayAction::Resume, "Genoptag genveje")
    } else {
        (TrayAction::Pause, "Sæt genveje på pause")
    };
    let commands = [
        (TrayAction::CheatSheet, "Vis alle genveje …"),
        (toggle, toggle_text),
        (TrayAction::Reload, "Genindlæs scripts"),
        (TrayAction::OpenLogFolder, "Åbn logmappen"),
        (TrayAction::OpenReport, "Rapport over sparet tid"),
    ];
    for (action, text) in commands {
        menu.append(&MenuItem::with_id(action.menu_id(), text, true, None))
            .map_err(err)?;
    }
    // The stopwatch: stop or cancel a measurement, else choose what to measure.
    match &state.measuring {
        Some(name) => {
            let stop = format!("Stop måling af «{name}»");
            menu.append(&MenuItem::with_id(
                TrayAction::StopMeasuring.menu_id(),
                stop,
                true,
                None,
            ))
            .map_err(err)?;
            menu.append(&MenuItem::with_id(
                TrayAction::CancelMeasuring.menu_id(),
                "Annullér måling",
                true,
                None,
            ))
            .map_err(err)?;
        }
        None => {
            let submenu = Submenu::new("Mål manuel tid for: …", !state.entries.is_empty());
            let mut entries: Vec<&TrayEntry> = state.entries.iter().collect();
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            for entry in entries {
                submenu
                    .append(&MenuItem::with_id(
                        TrayAction::Measure(entry.id.clone()).menu_id(),
                        &entry.name,
                        true,
                        None,
                    ))
                    .map_err(err)?;
            }
            menu.append(&submenu).map_err(err)?;
        }
    }
    menu.append(&MenuItem::with_id(
        TrayAction::About.menu_id(),
        "Om genvej",
        true,
        None,
    ))
    .map_err(err)?;
    menu.append(&PredefinedMenuItem::separator()).map_err(err)?;
    menu.append(&MenuItem::with_id(
        TrayAction::Quit.menu_id(),
        "Afslut genvej",
        true,
        None,
    ))
    .map_err(err)?;
    Ok(menu)
}
