//! End-to-end: the shipped «Min Plan» hot key (the Minplan double entry)
//! against the stand-in case-system server on a real X server: the CPR from
//! the selection → the plan and the offers from two JSON sources → Min Plan
//! opened on the citizen (a stand-in browser writes the address down) → the
//! goal and one row per offer typed into the Min Plan window, Tab between
//! the fields and Tab + Enter («Tilføj aktivitet») between the rows.

use crate::require_desktop;
use crate::support;

use std::time::Duration;

use support::agent::{Agent, config, set_primary};

const LONG: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(10);
const MINPLAN: &str = include_str!("../../hotkeys/Plan/minplan.toml");

#[test]
fn the_min_plan_hot_key_types_the_plan_from_the_case_server_row_by_row() {
    let mut desktop = require_desktop!();
    let port = desktop.start_case_server();
    let opened = desktop.dir().join("opened.txt");
    let browser = desktop.dir().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s\\n' \"$@\" >> {}\n", opened.display()),
    )
    .expect("browser script");
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("executable");
    let minplan = desktop.case_window("Min Plan – Jobnet");
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("minplan.toml", MINPLAN)],
        &config(
            &format!(
                "fasit_api = \"http://127.0.0.1:{port}\"\njobnet_url = \"https://jobnet.eksempelby.invalid\""
            ),
            &format!("browser = \"{}\"", browser.display()),
        ),
    );
    set_primary(&mut desktop, "Borger: 070761-4285 (Åse)");
    desktop.activate(&minplan);

    desktop.key("ctrl+alt+x");
    agent.wait_for_log(&desktop, "completed", LONG);
    let text = minplan.wait_until_stable(Duration::from_millis(300), SHORT);

    assert_eq!(
        text,
        "Job som butiksassistent i 20 timer om ugen inden for et år.\t\
         Virksomhedspraktik hos Brugsen Ølstykke\t01-01-2026\t28-01-2026\t5\t\n\
         Danskundervisning, modul 3\t01-02-2026\t28-02-2026\t12\t\n\
         Mentorstøtte\t01-03-2026\t28-03-2026\t19"
    );
    assert_eq!(
        std::fs::read_to_string(&opened).expect("the browser was started"),
        "https://jobnet.eksempelby.invalid/sagsbehandler/borger/minplan?cpr=0707614285\n"
    );
    let log = agent.stop(&mut desktop);
    assert!(!log.contains("4285"), "no CPR number in the log:\n{log}");
}
