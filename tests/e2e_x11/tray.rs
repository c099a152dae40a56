//! End-to-end: the tray icon on a real X server with a StatusNotifier tray
//! on a private D-Bus session (the stand-in tray in tests/support/sni_tray.py
//! reads the item and its menu over D-Bus as a panel does, and chooses
//! entries as a panel does when a person clicks them). The real agent runs
//! the chosen commands against real windows.
//!
//! Needs, besides the desktop packages: dbus-daemon, python3-dbus, python3-gi.

use std::time::{Duration, Instant};

use crate::require_desktop;
use crate::support;
use support::agent::{Agent, Launch, config};
use support::desktop::Desktop;
use support::tools::Tool;
use support::tray_host::TrayHost;

const LONG: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(10);

/// One script, so the menu lists it directly.
const UNDERSKRIFT: &str = r#"
id = "underskrift"
name = "Underskrift"
hotkey = "Ctrl+Alt+U"
manual_seconds = 20
description = "Skriver sagsbehandlerens navn."
version = "1.2"

[[step]]
type = "{{ profile.name }}"
"#;

/// The script's menu entry: its name and its hot key.
const RUN: &str = "Underskrift    Ctrl+Alt+U";

/// The icon's colours (ARGB) on the key cap's face, off the white mark.
const BLUE_ACTIVE: &str = "ff1f6fb5";
const GREY_PAUSED: &str = "ff7a7a7a";

/// The agent with its tray icon on a tray.
struct InTray {
    agent: Agent,
    tray: TrayHost,
    /// The icon's bus name.
    item: String,
}

/// Starts a StatusNotifier tray and the agent with the «Underskrift» script
/// and its tray icon; returns once the icon has registered with the tray.
fn start_in_tray(desktop: &mut Desktop) -> InTray {
    start_in_tray_with(desktop, &config("", ""))
}

/// [`start_in_tray`] with another config.
fn start_in_tray_with(desktop: &mut Desktop, config: &str) -> InTray {
    let tray = desktop.start_tray_host();
    let agent = Agent::start_with(
        desktop,
        "agent",
        &[("underskrift.toml", UNDERSKRIFT)],
        config,
        Launch::default(),
    );
    let item = tray.wait_for_item(SHORT);
    InTray { agent, tray, item }
}

impl InTray {
    fn choose(&self, desktop: &Desktop, path: &[&str]) {
        self.tray.choose(desktop, &self.item, path);
    }
}

#[test]
fn the_tray_shows_the_icon_tooltip_and_menu_and_runs_a_script_into_the_window_that_had_focus() {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
    let fasit = desktop.case_window("Fasit – journal");
    let tray = start_in_tray(&mut desktop);
    tray.agent.wait_for_log(&desktop, "tray icon shown", SHORT);
    let item = tray.tray.item(&desktop, &tray.item);
    assert_eq!(item.id, "genvej");
    assert_eq!(item.status, "Active");
    assert_eq!(item.tooltip, "genvej — 1 genvej aktive");
    assert_eq!((item.icons[0].width, item.icons[0].height), (32, 32));
    assert_eq!(item.pixel(16, 4), BLUE_ACTIVE);
    assert_eq!(item.pixel(10, 15), "ffffffff", "the white lightning bolt");
    assert_eq!(
        item.outline(),
        [
            "genvej — 1 genvej aktive (grey)",
            "-",
            RUN,
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
    desktop.activate(&fasit);

    tray.choose(&desktop, &[RUN]);

    tray.agent
        .wait_for_log(&desktop, "«Underskrift» started from the tray", SHORT);
    tray.agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(
        fasit.wait_for_text("Mette Sørensen", SHORT),
        "Mette Sørensen"
    );
    tray.agent.stop(&mut desktop);
}

#[test]
fn pause_in_the_tray_frees_the_hot_keys_and_resume_takes_them_back() {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
    let fasit = desktop.case_window("Fasit – journal");
    let tray = start_in_tray(&mut desktop);
    desktop.activate(&fasit);

    tray.choose(&desktop, &["Sæt genveje på pause"]);
    tray.agent.wait_for_log(&desktop, "genvej paused", SHORT);
    // Another program can now take Ctrl+Alt+U: genvej let go of it.
    let (ctrl_alt, u) = (0x4 | 0x8, 0x75);
    drop(desktop.grab_key_elsewhere(u, ctrl_alt));

    // The tray says so: grey icon, tooltip, the script greyed out.
    tray.tray
        .wait_for_entry(&desktop, &tray.item, &["Genoptag genveje"], SHORT);
    let paused = tray.tray.item(&desktop, &tray.item);
    assert_eq!(paused.tooltip, "genvej — pauset");
    assert_eq!(paused.pixel(16, 4), GREY_PAUSED);
    assert!(
        paused.outline().contains(&format!("{RUN} (grey)")),
        "{:#?}",
        paused.outline()
    );

    tray.choose(&desktop, &["Genoptag genveje"]);
    tray.agent.wait_for_log(&desktop, "genvej resumed", SHORT);
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+u");
    tray.agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(
        fasit.wait_for_text("Mette Sørensen", SHORT),
        "Mette Sørensen"
    );
    tray.agent.stop(&mut desktop);
}

#[test]
fn without_a_tray_or_a_dbus_session_the_agent_says_so_and_hot_keys_work() {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
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
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
    let tray = start_in_tray(&mut desktop);
    tray.choose(&desktop, &["Vis alle genveje …"]);
    let sheet = desktop.wait_for_window("genvej – Alle genveje", SHORT);
    desktop.wait_for_active(&sheet, SHORT);
    desktop.xdotool(&["type", "--delay", "15", "underskr"]);
    desktop.screenshot(&support::artifact("cheat-sheet.png"));
    desktop.key("Escape");
    desktop.wait_for_window_gone(&sheet, SHORT);
    tray.agent.stop(&mut desktop);
}

#[test]
fn quit_in_the_tray_stops_the_agent_cleanly() {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
    let tray = start_in_tray(&mut desktop);
    tray.choose(&desktop, &["Afslut genvej"]);
    tray.agent
        .wait_for_log(&desktop, "genvej stopping: quit from the tray menu", SHORT);
    tray.agent.wait_for_log(&desktop, "genvej stopped", SHORT);
    let deadline = Instant::now() + SHORT;
    while desktop.bus_name_has_owner(&tray.item) {
        assert!(Instant::now() < deadline, "the icon is still on the bus");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn without_a_statusnotifier_tray_the_agent_says_why_and_the_icon_appears_when_one_starts_or_restarts()
 {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
    desktop.start_session_bus();
    let fasit = desktop.case_window("Fasit – journal");
    let agent = Agent::start_with(
        &mut desktop,
        "agent",
        &[("underskrift.toml", UNDERSKRIFT)],
        &config("", ""),
        Launch::default(),
    );
    agent.wait_for_log(
        &desktop,
        "tray icon made, but it cannot be seen yet: no StatusNotifier tray on the D-Bus session",
        SHORT,
    );
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+u");
    agent.wait_for_log(&desktop, "completed", LONG);
    assert_eq!(
        fasit.wait_for_text("Mette Sørensen", SHORT),
        "Mette Sørensen"
    );

    // A panel starts later (e.g. the desktop came up after the agent).
    let tray = desktop.start_tray_host();
    let item = tray.wait_for_item(SHORT);
    agent.wait_for_log(
        &desktop,
        "a StatusNotifier tray started: tray icon shown",
        SHORT,
    );
    tray.wait_for_entry(&desktop, &item, &["Afslut genvej"], SHORT);

    // The panel restarts: the icon goes, and comes back by itself.
    desktop.stop(tray.pid);
    agent.wait_for_log(&desktop, "the StatusNotifier tray stopped", SHORT);
    let again = desktop.start_tray_host();
    assert_eq!(again.wait_for_item(SHORT), item);
    again.wait_for_entry(&desktop, &item, &["Afslut genvej"], SHORT);
    agent.stop(&mut desktop);
}

#[test]
fn the_time_saved_report_opens_from_the_tray_in_the_browser() {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
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
    let tray = start_in_tray_with(&mut desktop, &config("", &settings));
    let agent = &tray.agent;
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+u");
    agent.wait_for_log(&desktop, "«Underskrift» completed", LONG);

    tray.choose(&desktop, &["Rapport over sparet tid"]);
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
    tray.agent.stop(&mut desktop);
}

#[test]
fn the_manual_time_stopwatch_runs_from_the_tray_and_is_saved() {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
    let tray = start_in_tray(&mut desktop);
    let agent = &tray.agent;

    tray.choose(&desktop, &["Mål manuel tid for: …", "Underskrift"]);
    agent.wait_for_log(
        &desktop,
        "measuring the manual time of «Underskrift»",
        SHORT,
    );
    let started = Instant::now();

    let stop = "Stop måling af «Underskrift»";
    tray.tray
        .wait_for_entry(&desktop, &tray.item, &[stop], SHORT);
    let measuring = tray.tray.item(&desktop, &tray.item);
    assert!(measuring.outline().contains(&"Annullér måling".to_string()));
    assert!(
        measuring
            .tooltip
            .ends_with("— måler manuel tid: Underskrift"),
        "{}",
        measuring.tooltip
    );
    tray.choose(&desktop, &[stop]);
    agent.wait_for_log(&desktop, "manual time of «Underskrift» measured", SHORT);
    let most = started.elapsed().as_secs_f64();
    let database = agent.folder.join("usage.sqlite");
    tray.agent.stop(&mut desktop);

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
