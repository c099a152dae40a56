//! End-to-end on a real X server: a selected `file:` address handed to
//! `open_url` never reaches the browser. The agent's browser is a stand-in
//! that writes down every argument it is started with; the caseworker gets
//! a notice saying why nothing opened, and neither it nor the log holds the
//! CPR number that was in the address. A web address selected afterwards
//! does reach the stand-in, so its silence before is the rule at work.
//!
//! Needs the Debian packages xvfb openbox xdotool xclip python3-tk,
//! dbus and python3-dbus/python3-gi (the stand-in notification service).

use crate::require_desktop;
use crate::support;

use std::time::{Duration, Instant};

use support::agent::{Agent, config, set_primary};
use support::tools::Tool;

const LONG: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(10);

/// Opens the selected link as it is.
const OPEN_LINK: &str = r#"
id = "aabn-link"
name = "Åbn link"
hotkey = "Ctrl+Alt+L"
manual_seconds = 10

[[input]]
name = "link"
kind = "text"
from = ["selection"]

[[step]]
open_url = "{{ link | safe }}"
"#;

#[test]
fn a_selected_file_address_is_not_opened_and_the_caseworker_is_told_why() {
    let mut desktop = require_desktop!(Tool::DbusDaemon, Tool::PythonDbus);
    desktop.start_session_bus();
    let notifications = desktop.start_notification_service();
    // A stand-in browser that writes down each argument it gets, one a line.
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
    let fasit = desktop.case_window("Fasit – journal");
    let agent = Agent::start(
        &mut desktop,
        "agent",
        &[("aabn-link.toml", OPEN_LINK)],
        &config(
            "",
            &format!("browser = \"{}\"\nnotice_seconds = 3", browser.display()),
        ),
    );

    set_primary(&mut desktop, "file:///srv/sager/070761-4285/journal.pdf");
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+l");
    let line = agent.wait_for_log(&desktop, "stoppede ved trin 1", LONG);
    assert!(
        line.contains(
            "adresser med «file:» må ikke åbnes; tilladt er http og https; intet blev åbnet"
        ),
        "{line}"
    );
    let notice = desktop.wait_for_line(&notifications, "Åbn link: fejl", SHORT);
    let toast: serde_json::Value = serde_json::from_str(&notice).expect("a JSON line");
    assert_eq!(
        toast["body"],
        "«Åbn link» stoppede ved trin 1 (open_url, linje 12): adresser med «file:» må ikke \
         åbnes; tilladt er http og https; intet blev åbnet"
    );
    assert!(
        !notice.contains("4285"),
        "a CPR number in the notice: {notice}"
    );

    // The same hot key with a web address selected: the stand-in records it.
    set_primary(&mut desktop, "https://fasit.example.invalid/sag/42");
    desktop.activate(&fasit);
    desktop.key("ctrl+alt+l");
    agent.wait_for_log(&desktop, "«Åbn link» completed", LONG);
    let deadline = Instant::now() + SHORT;
    let recorded = loop {
        let text = std::fs::read_to_string(&opened).unwrap_or_default();
        if text.ends_with('\n') {
            break text;
        }
        assert!(Instant::now() < deadline, "the browser was not started");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(
        recorded, "https://fasit.example.invalid/sag/42\n",
        "only the web address reached the browser"
    );
    agent.stop(&mut desktop);
}
