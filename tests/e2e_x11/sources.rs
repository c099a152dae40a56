//! End-to-end: the shipped «Forberedende plan» hot key against the
//! stand-in case-system server (tests/support/case_server.py) on a real X
//! server: CPR from the selection → three JSON sources → the plan pasted
//! into the plan window, compared with tests/data. And every way the server
//! can fail: a clear message, nothing typed, the agent keeps running.

use crate::require_desktop;
use crate::support;

use std::time::{Duration, Instant};

use support::agent::{Agent, config, set_primary};
use support::desktop::{CaseWindow, Desktop};

const LONG: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(10);
const PLAN: &str = include_str!("../../hotkeys/Plan/forberedende-plan.toml");
const EXPECTED: &str = include_str!("../data/forberedende-plan-0707614285.txt");

/// A case server, the plan window, and the agent with the shipped plan
/// script talking to the server; `selected` is the highlighted text.
fn plan_on_server(desktop: &mut Desktop, selected: &str) -> (CaseWindow, Agent) {
    let port = desktop.start_case_server();
    let plan = desktop.case_window("Forberedende plan – Fasit");
    let agent = plan_agent(desktop, PLAN, &format!("http://127.0.0.1:{port}"));
    set_primary(desktop, selected);
    desktop.activate(&plan);
    (plan, agent)
}

/// The agent with the shipped plan script, talking to `api`.
fn plan_agent(desktop: &mut Desktop, script: &str, api: &str) -> Agent {
    Agent::start(
        desktop,
        "agent",
        &[("forberedende-plan.toml", script)],
        &config(
            &format!("fasit_api = \"{api}\""),
            "document_folder = \"dokumenter\"",
        ),
    )
}

#[test]
fn the_plan_hot_key_fetches_the_citizen_and_pastes_the_plan_exactly() {
    let mut desktop = require_desktop!();
    let (plan, agent) = plan_on_server(&mut desktop, "Borger: 070761-4285");

    let started = Instant::now();
    desktop.key("ctrl+alt+f");
    let today = genvej_format::template::danish::long(chrono::Local::now().date_naive());
    let expected = EXPECTED.replace("{today}", &today);
    let pasted = plan.wait_for_text(&expected, LONG);
    eprintln!(
        "plan with 3 activities pasted {:.0} ms after the hot key",
        started.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(pasted, expected);
    agent.wait_for_log(&desktop, "completed", SHORT);

    // The three progress reports, merged in order into one PDF.
    let iso_today = chrono::Local::now().date_naive().format("%Y-%m-%d");
    let file = agent.folder.join(format!(
        "dokumenter/Statusattester Åse Ørum Ågård {iso_today}.pdf"
    ));
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let merged = lopdf::Document::load_mem(&bytes).expect("the merged PDF opens");
    let pages: Vec<String> = (1..=6)
        .map(|n| merged.extract_text(&[n]).expect("text").trim().to_string())
        .collect();
    assert_eq!(
        pages,
        [
            "Statusattest januar side 1",
            "Statusattest januar side 2",
            "Statusattest marts side 1",
            "Laegeattest juni side 1",
            "Laegeattest juni side 2",
            "Laegeattest juni side 3"
        ]
    );
    assert_eq!(merged.get_pages().len(), 6);
    // Citizens' case papers: only the caseworker may open them.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
        };
        assert_eq!(mode(&agent.folder.join("dokumenter")), 0o700);
        assert_eq!(mode(&file), 0o600);
    }
    let log = agent.stop(&mut desktop);
    assert!(
        log.contains("GET /borgere/070761-XXXX/aktiviteter → ok") || log.contains("→ ok"),
        "{log}"
    );
}

#[test]
fn a_citizen_with_40_activities_gets_every_one_of_them() {
    let mut desktop = require_desktop!();
    let (plan, agent) = plan_on_server(&mut desktop, "230785-1234");

    let started = Instant::now();
    desktop.key("ctrl+alt+f");
    agent.wait_for_log(&desktop, "completed", LONG);
    let text = plan.wait_until_stable(Duration::from_millis(300), SHORT);
    eprintln!(
        "plan with 40 activities pasted {:.0} ms after the hot key",
        started.elapsed().as_secs_f64() * 1000.0
    );
    assert!(
        text.starts_with("Forberedende plan – Mette Frederiksen Bødker\n"),
        "{text}"
    );
    assert!(text.contains("I alt 40 tilbud,"), "{text}");
    assert_eq!(text.matches(" timer/uge, ").count(), 40);
    agent.stop(&mut desktop);
}

/// Presses the plan hot key against a failing server and checks the
/// message; nothing reaches the plan window, and the agent runs on (a
/// second press fails the same way).
fn fails_cleanly(api_suffix: &str, script: &str, message: &str) {
    let mut desktop = require_desktop!();
    let port = desktop.start_case_server();
    let plan = desktop.case_window("Forberedende plan – Fasit");
    let api = if api_suffix == "closed" {
        // A port nobody listens on: the server's, after it is stopped.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        format!("http://127.0.0.1:{closed}")
    } else {
        format!("http://127.0.0.1:{port}/{api_suffix}")
    };
    let agent = plan_agent(&mut desktop, script, &api);
    set_primary(&mut desktop, "070761-4285");
    desktop.activate(&plan);

    let stopped = "«Forberedende plan» stoppede ved trin 1 (fetch, linje ";
    for attempt in 1..=2 {
        desktop.key("ctrl+alt+f");
        let deadline = Instant::now() + LONG;
        while agent.count_in_log(stopped) < attempt {
            assert!(
                Instant::now() < deadline,
                "press {attempt} did not fail:\n{}",
                agent.log_text()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let failures: Vec<String> = agent
        .log_text()
        .lines()
        .filter(|l| l.contains(stopped))
        .map(str::to_string)
        .collect();
    assert_eq!(failures.len(), 2, "one failure per press: {failures:#?}");
    for line in &failures {
        assert!(
            line.contains("): kilden «borger» kunne ikke hentes: ") && line.contains(message),
            "{line}"
        );
    }
    assert_eq!(plan.text(), "", "nothing typed when a source fails");
    agent.stop(&mut desktop);
}

#[test]
fn a_server_error_stops_the_plan_with_the_status() {
    fails_cleanly(
        "fail",
        PLAN,
        "svarede 500: Internal Server Error – Internal Server Error: database utilgaengelig",
    );
}

#[test]
fn an_answer_that_is_not_json_stops_the_plan() {
    fails_cleanly("bad", PLAN, "er ikke JSON");
}

#[test]
fn a_server_that_is_down_stops_the_plan() {
    fails_cleanly("closed", PLAN, "kunne ikke forbinde til 127.0.0.1:");
}

#[test]
fn a_slow_server_times_out() {
    let impatient = PLAN.replacen(
        "url = \"{{ org.fasit_api }}/borgere/{{ cpr.digits }}\"\n",
        "url = \"{{ org.fasit_api }}/borgere/{{ cpr.digits }}\"\ntimeout_ms = 500\nretries = 0\n",
        1,
    );
    assert_ne!(impatient, PLAN);
    fails_cleanly("slow", &impatient, "svarede ikke inden for 0,5 s");
}

#[test]
fn a_report_that_is_not_a_pdf_is_named_and_nothing_is_pasted() {
    let mut desktop = require_desktop!();
    let (plan, agent) = plan_on_server(&mut desktop, "010190-2001");

    desktop.key("ctrl+alt+f");
    let line = agent.wait_for_log(&desktop, "stoppede ved trin 2 (merge_pdf", LONG);
    assert!(
        line.contains("«Statusattest (fejl i systemet)» er ikke en PDF, der kan læses"),
        "{line}"
    );
    assert_eq!(
        plan.text(),
        "",
        "the plan is not pasted when its reports fail"
    );
    assert!(!agent.folder.join("dokumenter").exists(), "nothing saved");
    agent.stop(&mut desktop);
}
