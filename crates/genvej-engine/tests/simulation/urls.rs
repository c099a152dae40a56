//! Where a run may send the caseworker and the organisation's secrets,
//! against the recording fake desktop: `open_url` opens only web addresses
//! (and schemes the organisation allows), whatever a selected value turns
//! the address into; a secret header is not sent over plain http to a host
//! the organisation has not named, even when the address is only known at
//! run time.

use crate::common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use genvej_engine::fake::{FakeDesktop, FakeEvent};
use genvej_engine::ports::CancelToken;
use genvej_engine::{Engine, url_rules::UrlRefusal};
use genvej_engine::{RunError, Status};
use genvej_format::config::Config;
use genvej_format::template::Renderer;

/// Opens the link the caseworker has selected, as it is.
const OPEN_SELECTED: &str = r#"id = "aabn-link"
name = "Åbn link"
manual_seconds = 10

[[input]]
name = "link"
kind = "text"
from = ["selection"]

[[step]]
type = "a"

[[step]]
open_url = "{{ link | safe }}"
"#;

fn desktop_with_selection(selected: &str) -> FakeDesktop {
    let start = NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("valid time");
    let mut desktop = FakeDesktop::new(start);
    let id = desktop.add_window("Fasit – borger", "");
    desktop.click(id);
    desktop.select_text(selected);
    desktop
}

fn run(desktop: &mut FakeDesktop, source: &str, config: &Config) -> Status {
    let script = common::script_from_with(source, config);
    let renderer = Renderer::new();
    Engine::new(&renderer, config, CancelToken::new())
        .run(desktop, &script, &BTreeMap::new())
        .status
}

fn opened(desktop: &FakeDesktop) -> Vec<String> {
    desktop
        .events()
        .iter()
        .filter_map(|e| match e {
            FakeEvent::OpenedUrl(url) => Some(url.clone()),
            _ => None,
        })
        .collect()
}

/// Runs OPEN_SELECTED with `selected`; the refusal, after checking that
/// nothing was opened and the message names the step and never the CPR.
fn refusal_for(selected: &str) -> UrlRefusal {
    let mut desktop = desktop_with_selection(selected);
    let status = run(&mut desktop, OPEN_SELECTED, &common::shipped_config());
    assert_eq!(
        opened(&desktop),
        Vec::<String>::new(),
        "{selected:?} was opened"
    );
    let Status::Failed(failure) = status else {
        panic!("{selected:?}: expected a failure, got {status:?}");
    };
    let text = failure.to_string();
    assert!(
        text.starts_with("«Åbn link» stoppede ved trin 2 (open_url, linje 13): "),
        "{text}"
    );
    assert!(text.ends_with("; intet blev åbnet"), "{text}");
    assert!(!text.contains("4285"), "{text}");
    match failure.error {
        RunError::UrlRefused(refusal) => refusal,
        other => panic!("{selected:?}: expected a refused address, got {other:?}"),
    }
}

#[test]
fn a_selected_file_address_is_not_opened_and_the_caseworker_is_told_why() {
    let mut desktop = desktop_with_selection("file:///etc/passwd");

    let status = run(&mut desktop, OPEN_SELECTED, &common::shipped_config());

    let Status::Failed(failure) = status else {
        panic!("expected a failure, got {status:?}");
    };
    assert_eq!(
        failure.to_string(),
        "«Åbn link» stoppede ved trin 2 (open_url, linje 13): adresser med «file:» må ikke \
         åbnes; tilladt er http og https; intet blev åbnet"
    );
    assert!(opened(&desktop).is_empty());
}

#[test]
fn other_schemes_are_not_opened() {
    for selected in [
        "file:///C:/Users/070761-4285.pdf",
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "ms-settings:privacy",
        "search-ms:query=070761-4285",
    ] {
        assert!(
            matches!(refusal_for(selected), UrlRefusal::Scheme { .. }),
            "{selected}"
        );
    }
}

#[test]
fn paths_shares_and_program_names_are_not_opened() {
    assert_eq!(
        refusal_for(r"\\server\share\070761-4285.exe"),
        UrlRefusal::NetworkPath
    );
    assert_eq!(refusal_for("//server/share/x.exe"), UrlRefusal::NetworkPath);
    assert_eq!(
        refusal_for(r"C:\Windows\System32\calc.exe"),
        UrlRefusal::WindowsPath { drive: 'C' }
    );
    for selected in ["calc", "calc.exe", "/usr/bin/xterm", "fasit.example/borger"] {
        assert_eq!(refusal_for(selected), UrlRefusal::NoScheme, "{selected}");
    }
}

#[test]
fn white_space_and_control_characters_smuggle_no_scheme_in() {
    for selected in [
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "https://fasit.example/\njavascript:alert(1)",
        "\u{202E}https://fasit.example",
        "https://fasit.example/ x",
    ] {
        // A selection is trimmed, so " javascript:" arrives as "javascript:".
        assert!(
            matches!(
                refusal_for(selected),
                UrlRefusal::HiddenCharacters | UrlRefusal::Scheme { .. }
            ),
            "{selected:?}"
        );
    }
}

#[test]
fn a_user_name_before_the_host_is_not_opened() {
    assert_eq!(
        refusal_for("https://fasit.example@evil.example/"),
        UrlRefusal::UserInfo
    );
}

#[test]
fn web_addresses_open_and_the_organisation_may_allow_its_own_scheme() {
    let mut desktop = desktop_with_selection("https://fasit.example/borgere?q=1");
    let status = run(&mut desktop, OPEN_SELECTED, &common::shipped_config());
    assert_eq!(status, Status::Completed, "{status:?}");
    assert_eq!(opened(&desktop), ["https://fasit.example/borgere?q=1"]);

    let mut config = common::shipped_config();
    config.policy.url_schemes = vec!["fasit".into()];
    let mut desktop = desktop_with_selection("fasit:sag/123");
    let status = run(&mut desktop, OPEN_SELECTED, &config);
    assert_eq!(status, Status::Completed, "{status:?}");
    assert_eq!(opened(&desktop), ["fasit:sag/123"]);
}

#[test]
fn an_inserted_value_is_encoded_so_it_cannot_become_the_scheme() {
    let script = OPEN_SELECTED.replace("{{ link | safe }}", "{{ link }}");
    let mut desktop = desktop_with_selection("file:///etc/passwd");
    let status = run(&mut desktop, &script, &common::shipped_config());
    assert!(matches!(status, Status::Failed(_)), "{status:?}");
    assert!(opened(&desktop).is_empty());

    let script = OPEN_SELECTED.replace("{{ link | safe }}", "https://fasit.example/s?q={{ link }}");
    let mut desktop = desktop_with_selection("javascript:alert(1)");
    let status = run(&mut desktop, &script, &common::shipped_config());
    assert_eq!(status, Status::Completed, "{status:?}");
    assert_eq!(
        opened(&desktop),
        ["https://fasit.example/s?q=javascript%3Aalert%281%29"]
    );
}

/// The address of the case system comes from the selection, so the checker
/// cannot see whether it is http.
const FETCH_FROM_SELECTED: &str = r#"id = "hent"
name = "Hent borger"
manual_seconds = 10

[[input]]
name = "server"
kind = "text"
from = ["selection"]

[[source]]
name = "borger"
url = "{{ server | safe }}/borgere/0707614285"
headers = { X-Api-Key = { credential = "fasit" } }

[[step]]
fetch = "borger"
"#;

#[test]
fn a_secret_is_not_sent_over_plain_http_to_a_host_the_organisation_has_not_named() {
    let mut desktop = desktop_with_selection("http://fasit.example");
    desktop.save_credential("fasit", "s3cret");
    desktop.respond(
        "http://fasit.example/",
        Ok(serde_json::json!({"navn": "Åse"})),
    );

    let status = run(&mut desktop, FETCH_FROM_SELECTED, &common::shipped_config());

    let Status::Failed(failure) = status else {
        panic!("expected a failure, got {status:?}");
    };
    assert_eq!(
        failure.to_string(),
        "«Hent borger» stoppede ved trin 1 (fetch, linje 15): kilden «borger» kunne ikke hentes: \
         headeren X-Api-Key er hemmelig og sendes ikke ukrypteret (http://) til fasit.example; \
         brug https://, eller lad organisationen tillade værten i [policy] plain_http_secret_hosts"
    );
    assert!(desktop.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_secret_goes_over_plain_http_to_loopback_and_to_hosts_the_organisation_names() {
    for (server, allowed) in [
        ("http://127.0.0.1:8080", vec![]),
        ("http://localhost:8080", vec![]),
        ("https://fasit.example", vec![]),
        ("http://api.intern", vec!["api.intern".to_string()]),
    ] {
        let mut config = common::shipped_config();
        config.policy.plain_http_secret_hosts = allowed;
        let mut desktop = desktop_with_selection(server);
        desktop.save_credential("fasit", "s3cret");
        desktop.respond(server, Ok(serde_json::json!({"navn": "Åse"})));

        let status = run(&mut desktop, FETCH_FROM_SELECTED, &config);

        assert_eq!(status, Status::Completed, "{server}: {status:?}");
        assert_eq!(desktop.requests().len(), 1, "{server}");
        assert!(desktop.requests()[0].carries_secret, "{server}");
    }
}
