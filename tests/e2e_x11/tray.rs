//! End-to-end: the tray icon on a real X server with a real system tray
//! (trayer). The icon is clicked with xdotool, the menu is driven with the
//! keyboard like a person would, and screenshots of the menu are kept in
//! `target/artifacts/`.
//!
//! Needs, besides the desktop packages: trayer, libayatana-appindicator3-1.

use crate::require_desktop;
use crate::support;

use std::time::{Duration, Instant};

use support::agent::{Agent, Launch, config};
use support::desktop::Desktop;
use support::tools::Tool;

const LONG: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(10);

/// One script, so the menu lists it directly: status line, the script, then
/// "Vis alle genveje …" (2), "Sæt genveje på pause" / "Genoptag genveje"
/// (3), "Genindlæs scripts" (4), "Åbn logmappen" (5), "Rapport over sparet
/// tid" (6), "Mål manuel tid for: …" (7; while measuring "Stop måling" (7)
/// and "Annullér måling" (8)), "Om genvej", "Afslut genvej".
const UNDERSKRIFT: &str = r#"
id = "underskrift"
name = "Underskrift"
hotkey = "Ctrl+Alt+U"
manual_seconds = 20
description = "Skriver sagsbehandlerens navn."

[[step]]
type = "{{ profile.name }}"
"#;

/// The XEmbed icon's WM_CLASS instance, from libappindicator's fallback.
const ICON_INSTANCE: &str = "tray-icon tray app genvej";

/// Starts a system tray and the agent with the «Underskrift» script and its
/// tray icon; returns the agent and the icon's window id.
fn start_in_tray(desktop: &mut Desktop) -> (Agent, String) {
    start_in_tray_with(desktop, &config("", ""))
}

/// [`start_in_tray`] with another config.
fn start_in_tray_with(desktop: &mut Desktop, config: &str) -> (Agent, String) {
    desktop.start_tray_host();
    let agent = Agent::start_with(
        desktop,
        "agent",
        &[("underskrift.toml", UNDERSKRIFT)],
        config,
        Launch::default(),
    );
    let icon = wait_for_icon(desktop);
    (agent, icon)
}

/// Waits for genvej's icon in the tray and returns its window id.
fn wait_for_icon(desktop: &Desktop) -> String {
    let deadline = Instant::now() + SHORT;
    loop {
        if let Some(icon) = desktop.windows_of_instance(ICON_INSTANCE).first() {
            return icon.clone();
        }
        assert!(Instant::now() < deadline, "no genvej icon in the tray");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Clicks the icon and waits for the menu (a window of genvej's) to open.
fn open_menu(desktop: &Desktop, icon: &str) {
    desktop.xdotool(&["mousemove", "--window", icon, "16", "15", "click", "1"]);
    let deadline = Instant::now() + SHORT;
    while desktop.windows_of_instance("genvej").is_empty() {
        assert!(Instant::now() < deadline, "the tray menu did not open");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The menu takes the keyboard a moment after it is mapped.
    desktop.wait_for_keyboard_grab(SHORT);
}

/// Picks the `n`th active item of the open menu with the keyboard.
fn choose(desktop: &Desktop, n: usize) {
    let downs = vec!["Down"; n].join(" ");
    desktop.key(&downs);
    desktop.key("Return");
}

#[test]
fn the_tray_menu_runs_a_script_into_the_window_that_had_focus() {
    let mut desktop = require_desktop!(Tool::Trayer, Tool::AppIndicator);
    let fasit = desktop.case_window("Fasit – journal");
    let (agent, icon) = start_in_tray(&mut desktop);
    agent.wait_for_log(&desktop, "tray icon shown", SHORT);
    desktop.activate(&fasit);

    open_menu(&desktop, &icon);
    desktop.screenshot(&support::artifact("tray-menu.png"));
    choose(&desktop, 1);

    agent.wait_for_log(&desktop, "«Underskrift» started from the tray", SHORT);
    agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(
        fasit.wait_for_text("Mette Sørensen", SHORT),
        "Mette Sørensen"
    );
    agent.stop(&mut desktop);
}

#[test]
fn pause_in_the_tray_frees_the_hot_keys_and_resume_takes_them_back() {
    let mut desktop = require_desktop!(Tool::Trayer, Tool::AppIndicator);
    let fasit = desktop.case_window("Fasit – journal");
    let (agent, icon) = start_in_tray(&mut desktop);
    desktop.activate(&fasit);

    open_menu(&desktop, &icon);
    choose(&desktop, 3); // Sæt genveje på pause
    agent.wait_for_log(&desktop, "genvej paused", SHORT);
    // Another program can now take Ctrl+Alt+U: genvej let go of it.
    let (ctrl_alt, u) = (0x4 | 0x8, 0x75);
    drop(desktop.grab_key_elsewhere(u, ctrl_alt));

    open_menu(&desktop, &icon);
    desktop.screenshot(&support::artifact("tray-menu-paused.png"));
    // While paused the script's item is greyed out, so the keyboard skips it.
    choose(&desktop, 2); // Genoptag genveje
    agent.wait_for_log(&desktop, "genvej resumed", SHORT);
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+u");
    agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(
        fasit.wait_for_text("Mette Sørensen", SHORT),
        "Mette Sørensen"
    );
    agent.stop(&mut desktop);
}

#[test]
fn without_a_tray_or_a_dbus_session_the_agent_says_so_and_hot_keys_work() {
    let mut desktop = require_desktop!();
    let fasit = desktop.case_window("Fasit – journal");
    let agent = Agent::start_with(
        &mut desktop,
        "agent",
        &[("underskrift.toml", UNDERSKRIFT)],
        &config("", ""),
        Launch {
            env_remove: &["DBUS_SESSION_BUS_ADDRESS"],
            ..Launch::default()
        },
    );
    agent.wait_for_log(
        &desktop,
        "no system tray on this desktop and no D-Bus session",
        SHORT,
    );
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+u");
    agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(
        fasit.wait_for_text("Mette Sørensen", SHORT),
        "Mette Sørensen"
    );
    agent.stop(&mut desktop);
}

#[test]
fn the_cheat_sheet_opens_from_the_tray_with_the_search_field_ready() {
    let mut desktop = require_desktop!(Tool::Trayer, Tool::AppIndicator);
    let (agent, icon) = start_in_tray(&mut desktop);
    open_menu(&desktop, &icon);
    choose(&desktop, 2); // Vis alle genveje …
    let sheet = desktop.wait_for_window("genvej – Alle genveje", SHORT);
    desktop.wait_for_active(&sheet, SHORT);
    desktop.xdotool(&["type", "--delay", "15", "underskr"]);
    desktop.screenshot(&support::artifact("cheat-sheet.png"));
    desktop.key("Escape");
    desktop.wait_for_window_gone(&sheet, SHORT);
    agent.stop(&mut desktop);
}

#[test]
fn quit_in_the_tray_stops_the_agent_cleanly() {
    let mut desktop = require_desktop!(Tool::Trayer, Tool::AppIndicator);
    let (agent, icon) = start_in_tray(&mut desktop);
    open_menu(&desktop, &icon);
    choose(&desktop, 9); // Afslut genvej
    agent.wait_for_log(&desktop, "genvej stopping: quit from the tray menu", SHORT);
    agent.wait_for_log(&desktop, "genvej stopped", SHORT);
    desktop.wait_for_window_gone(&icon, SHORT);
}

#[test]
fn without_libappindicator_the_agent_runs_on_without_a_tray_and_says_why() {
    const LIBRARY: &str = "/usr/lib/x86_64-linux-gnu/libayatana-appindicator3.so.1";
    let mut desktop = require_desktop!(Tool::Trayer, Tool::AppIndicator);
    desktop.start_tray_host();
    let fasit = desktop.case_window("Fasit – journal");
    // A private mount namespace where the library is an empty file, as on a
    // PC where it was never installed; tray-icon panics loading it.
    let hide = format!("mount --bind /dev/null {LIBRARY} && exec \"$@\"");
    let agent = Agent::start_with(
        &mut desktop,
        "agent",
        &[("underskrift.toml", UNDERSKRIFT)],
        &config("", ""),
        Launch {
            wrapper: &["unshare", "--mount", "--", "sh", "-c", &hide, "sh"],
            ..Launch::default()
        },
    );
    agent.wait_for_log(&desktop, "no tray icon, running without one", SHORT);
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+u");
    agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(
        fasit.wait_for_text("Mette Sørensen", SHORT),
        "Mette Sørensen"
    );
    agent.stop(&mut desktop);
}

#[test]
fn the_time_saved_report_opens_from_the_tray_in_the_browser() {
    let mut desktop = require_desktop!(Tool::Trayer, Tool::AppIndicator);
    // A stand-in browser that writes down the address it was asked to open.
    let opened = desktop.dir().join("opened.txt");
    let browser = desktop.dir().join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\necho \"$1\" > {}.part && mv {0}.part {0}\n",
            opened.display()
        ),
    )
    .expect("browser script");
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("executable");
    let settings = format!("browser = \"{}\"", browser.display());
    let fasit = desktop.case_window("Fasit – journal");
    let (agent, icon) = start_in_tray_with(&mut desktop, &config("", &settings));
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+u");
    agent.wait_for_log(&desktop, "«Underskrift» completed", LONG);

    open_menu(&desktop, &icon);
    choose(&desktop, 6); // Rapport over sparet tid
    agent.wait_for_log(&desktop, "time-saved report written to", SHORT);
    let deadline = Instant::now() + SHORT;
    while !opened.exists() {
        assert!(Instant::now() < deadline, "the browser was not started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = std::fs::read_to_string(&opened).expect("address");
    let file = url.trim().strip_prefix("file://").expect("a file address");
    let page = std::fs::read_to_string(file).expect("the report exists");
    assert!(page.contains("Sparet tid med genvej"), "{page}");
    assert!(page.contains("Underskrift"), "the run just made is in it");
    agent.stop(&mut desktop);
}

#[test]
fn the_manual_time_stopwatch_runs_from_the_tray_and_is_saved() {
    let mut desktop = require_desktop!(Tool::Trayer, Tool::AppIndicator);
    let (agent, icon) = start_in_tray(&mut desktop);

    open_menu(&desktop, &icon);
    desktop.key("Down Down Down Down Down Down Down Right");
    desktop.screenshot(&support::artifact("tray-menu-stopwatch.png"));
    desktop.key("Return"); // the submenu's first (only) script
    agent.wait_for_log(
        &desktop,
        "measuring the manual time of «Underskrift»",
        SHORT,
    );
    let started = Instant::now();

    open_menu(&desktop, &icon);
    desktop.screenshot(&support::artifact("tray-menu-measuring.png"));
    choose(&desktop, 7); // Stop måling af «Underskrift»
    agent.wait_for_log(&desktop, "manual time of «Underskrift» measured", SHORT);
    let most = started.elapsed().as_secs_f64();
    let database = agent.folder.join("usage.sqlite");
    agent.stop(&mut desktop);

    let conn = rusqlite::Connection::open(&database).expect("database");
    let (script, seconds): (String, f64) = conn
        .query_row("SELECT script_id, seconds FROM baselines", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("one manual timing");
    assert_eq!(script, "underskrift");
    assert!(
        seconds > 0.0 && seconds <= most + 0.5,
        "{seconds} s, at most {most} s"
    );
}
