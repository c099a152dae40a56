//! Whole scripts run against the recording fake desktop. Each test reads as
//! the behaviour it pins down: which windows got which text, in which order.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDate;
use genvej_engine::fake::{Answers, FakeDesktop};
use genvej_engine::ports::{CancelToken, HttpError};
use genvej_engine::{Engine, RunError, RunOutcome, Status};
use genvej_format::config::Config;
use genvej_format::script::{Script, ScriptSet};
use genvej_format::template::Renderer;

fn monday_morning() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("valid time")
}

fn shipped() -> ScriptSet {
    let set =
        genvej_format::script::load(&[common::repo().join("hotkeys")], &common::shipped_config());
    assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
    set
}

fn shipped_script(id: &str) -> Script {
    shipped().find(id).cloned().expect("shipped script exists")
}

/// A desktop where the caseworker sits in their journal window.
fn desktop_in(title: &str) -> FakeDesktop {
    let mut desktop = FakeDesktop::new(monday_morning());
    let id = desktop.add_window(title, "");
    desktop.click(id);
    desktop
}

fn run(desktop: &mut FakeDesktop, script: &Script, preset: &[(&str, &str)]) -> RunOutcome {
    run_with(
        desktop,
        script,
        preset,
        &common::shipped_config(),
        CancelToken::new(),
    )
}

fn run_with(
    desktop: &mut FakeDesktop,
    script: &Script,
    preset: &[(&str, &str)],
    config: &Config,
    cancel: CancelToken,
) -> RunOutcome {
    let renderer = Renderer::new();
    let preset: BTreeMap<String, String> = preset
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Engine::new(&renderer, config, cancel).run(desktop, script, &preset)
}

fn failure_text(outcome: &RunOutcome) -> String {
    match &outcome.status {
        Status::Failed(f) => f.to_string(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn failure_error(outcome: &RunOutcome) -> RunError {
    match &outcome.status {
        Status::Failed(f) => f.error.clone(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn open_citizen_takes_the_cpr_from_the_selection_and_types_it_into_each_system() {
    let mut desktop = desktop_in("Outlook – indbakke");
    desktop.select_text("Borger: 070761-4285 (aktiv sag)");
    desktop.on_launch(
        "fasit",
        "Fasit – borgersøgning",
        "firefox",
        Duration::from_millis(800),
    );
    desktop.on_launch(
        "jobnet",
        "Jobnet – sagsbehandler",
        "firefox",
        Duration::from_millis(600),
    );
    desktop.on_launch(
        "vitas-klient",
        "Vitas – tilbud",
        "vitas",
        Duration::from_millis(1500),
    );

    let outcome = run(&mut desktop, &shipped_script("aabn-borger"), &[]);

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(
        desktop.lines(),
        [
            "open_url https://fasit.eksempelby.invalid/borgersoegning",
            "type «Fasit – borgersøgning» \"070761-4285\"",
            "key «Fasit – borgersøgning» Enter",
            "open_url https://jobnet.eksempelby.invalid/sagsbehandler/borger?cpr=0707614285",
            "launch vitas-klient []",
            "type «Vitas – tilbud» \"070761-4285\"",
            "key «Vitas – tilbud» Enter",
        ]
    );
    assert_eq!(
        desktop.text_in("Outlook – indbakke"),
        "",
        "nothing typed where the hot key was pressed"
    );
}

#[test]
fn open_citizen_asks_when_nothing_is_selected() {
    let mut desktop = desktop_in("Outlook – indbakke");
    desktop.answer_forms(Answers::Given(BTreeMap::from([(
        "cpr".into(),
        "0707614285".into(),
    )])));
    desktop.on_launch("fasit", "Fasit", "", Duration::ZERO);
    desktop.on_launch("jobnet", "Jobnet", "", Duration::ZERO);
    desktop.on_launch("vitas", "Vitas", "", Duration::ZERO);

    let outcome = run(&mut desktop, &shipped_script("aabn-borger"), &[]);

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(desktop.lines()[0], "ask «Åbn borger i alle systemer» [cpr]");
    assert_eq!(desktop.text_in("Fasit"), "070761-4285");
}

#[test]
fn an_impossible_cpr_date_stops_before_anything_is_opened() {
    let mut desktop = desktop_in("Outlook");
    let outcome = run(
        &mut desktop,
        &shipped_script("aabn-borger"),
        &[("cpr", "310299-1234")],
    );
    assert_eq!(
        failure_text(&outcome),
        "«Åbn borger i alle systemer» kunne ikke starte: «CPR-nummer»: ugyldig dato i CPR-nummer"
    );
    assert!(desktop.lines().is_empty());
}

#[test]
fn a_window_that_never_appears_times_out_and_nothing_is_typed() {
    let mut desktop = desktop_in("Outlook");
    desktop.on_launch("jobnet", "Jobnet", "", Duration::ZERO);

    let outcome = run(
        &mut desktop,
        &shipped_script("aabn-borger"),
        &[("cpr", "070761-4285")],
    );

    assert_eq!(
        failure_text(&outcome),
        "«Åbn borger i alle systemer» stoppede ved trin 2 (wait_window, linje 27): vindue med titel \"Fasit*\" kom ikke frem inden for 15 s"
    );
    assert_eq!(
        outcome.duration,
        Duration::from_secs(15),
        "waited exactly the step's timeout"
    );
    assert_eq!(
        desktop.lines(),
        ["open_url https://fasit.eksempelby.invalid/borgersoegning"]
    );
    assert_eq!(outcome.steps_completed, 1);
}

#[test]
fn signature_is_typed_exactly_into_the_focused_window() {
    let mut desktop = desktop_in("KMD Sag – journal");
    let outcome = run(&mut desktop, &shipped_script("signatur"), &[]);
    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(
        desktop.text_in("KMD Sag – journal"),
        "Med venlig hilsen\n\nMette Sørensen\nJobkonsulent, Jobcenter Eksempelby, Team Ressourceforløb\nTlf. +45 99 99 12 34 · mette.soerensen@eksempelby.invalid"
    );
}

#[test]
fn summons_address_comes_from_the_organisation_config() {
    let mut desktop = desktop_in("Brev");
    run(&mut desktop, &shipped_script("indkaldelse-adresse"), &[]);
    assert_eq!(
        desktop.text_in("Brev"),
        "Mødested:\nJobcenter Eksempelby\nJobcentervej 1\n9999 Eksempelby\n\nHar du spørgsmål, kan du ringe på +45 99 99 99 99 (mandag–torsdag kl. 9–15, fredag kl. 9–13)."
    );
}

#[test]
fn plan_headings_are_pasted_and_the_clipboard_is_given_back() {
    let mut desktop = desktop_in("Fasit – indsatsplan");
    desktop.set_clipboard(Some("det brugeren havde kopieret"));

    let outcome = run(
        &mut desktop,
        &shipped_script("indsatsplan-overskrifter"),
        &[],
    );

    assert_eq!(outcome.status, Status::Completed);
    let pasted = desktop.text_in("Fasit – indsatsplan");
    assert!(
        pasted.starts_with(
            "Indsatsplan – udarbejdet 23. november 2026\nSagsbehandler: Mette Sørensen"
        ),
        "{pasted}"
    );
    assert!(
        pasted.contains("(Næste opfølgning: 21. december 2026)"),
        "{pasted}"
    );
    assert!(
        pasted.ends_with("6. Borgerens bemærkninger\n"),
        "{pasted:?}"
    );
    assert_eq!(desktop.clipboard(), Some("det brugeren havde kopieret"));
}

#[test]
fn journal_note_form_is_asked_once_and_the_note_is_formatted() {
    let mut desktop = desktop_in("KMD Sag – journal");
    desktop.answer_forms(Answers::Given(BTreeMap::from([
        ("moedetype".into(), "Samtale – telefon".into()),
        ("deltagere".into(), "Borgeren\nBisidder Åse Ørum".into()),
        (
            "aftaler".into(),
            "Søger 5 stillinger om ugen.\nNy samtale om 4 uger.".into(),
        ),
        ("opfoelgning".into(), "21-12-2026".into()),
    ])));

    let outcome = run(&mut desktop, &shipped_script("journalnotat"), &[]);

    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(
        desktop.lines()[0],
        "ask «Journalnotat efter samtale» [dato, moedetype, deltagere, aftaler, opfoelgning]"
    );
    assert_eq!(
        desktop.text_in("KMD Sag – journal"),
        "Journalnotat – Samtale – telefon den 23. november 2026\n\nDeltagere:\nBorgeren\nBisidder Åse Ørum\n\nAftaler:\nSøger 5 stillinger om ugen.\nNy samtale om 4 uger.\n\nNæste opfølgning: mandag den 21. december 2026\n\nMette Sørensen, Jobkonsulent"
    );
    assert_eq!(
        desktop.clipboard(),
        None,
        "an empty clipboard stays empty after the paste"
    );
}

#[test]
fn journal_note_without_follow_up_leaves_the_line_out() {
    let mut desktop = desktop_in("Journal");
    desktop.answer_forms(Answers::Given(BTreeMap::from([
        ("deltagere".into(), "Borgeren".into()),
        ("aftaler".into(), "Ingen".into()),
    ])));
    run(&mut desktop, &shipped_script("journalnotat"), &[]);
    assert!(!desktop.text_in("Journal").contains("opfølgning"));
}

#[test]
fn cancelling_the_form_stops_the_run_cleanly() {
    let mut desktop = desktop_in("Journal");
    desktop.answer_forms(Answers::Cancel);
    let outcome = run(&mut desktop, &shipped_script("journalnotat"), &[]);
    assert_eq!(outcome.status, Status::Cancelled { step: None });
    assert_eq!(desktop.text_in("Journal"), "");
}

#[test]
fn transport_allowance_is_computed_with_the_configured_rate_and_typed_field_by_field() {
    let mut desktop = desktop_in("Blanket – befordring");
    let outcome = run(
        &mut desktop,
        &shipped_script("transportgodtgoerelse"),
        &[("km", "31,5"), ("dage", "12")],
    );
    assert_eq!(outcome.status, Status::Completed);
    // (31.5 × 2 − 24) km × 12 days × 2.23 kr. = 1043.64 kr.
    assert_eq!(
        desktop.lines(),
        [
            "type «Blanket – befordring» \"32\"",
            "key «Blanket – befordring» Tab",
            "type «Blanket – befordring» \"12\"",
            "key «Blanket – befordring» Tab",
            "type «Blanket – befordring» \"2,23\"",
            "key «Blanket – befordring» Tab",
            "type «Blanket – befordring» \"1.043,64\"",
        ]
    );
}

#[test]
fn transport_allowance_below_the_free_distance_is_refused_with_the_reason() {
    let mut desktop = desktop_in("Blanket");
    let outcome = run(
        &mut desktop,
        &shipped_script("transportgodtgoerelse"),
        &[("km", "10"), ("dage", "5")],
    );
    assert_eq!(
        failure_error(&outcome),
        RunError::RequirementFailed(
            "Afstanden tur/retur er højst 24 km pr. dag, så der ydes ingen godtgørelse.".into()
        )
    );
    assert!(desktop.lines().is_empty());
}

const TYPING_SCRIPT: &str = r#"
id = "t"
name = "Skriv"
manual_seconds = 10

[[step]]
wait_window = { title = "Fasit*" }

[[step]]
type = "Borgeren møder op på jobcentret og får udleveret sin plan."

[[step]]
key = "Enter"
"#;

#[test]
fn focus_moved_mid_typing_stops_before_the_next_key_and_the_other_window_gets_nothing() {
    let mut desktop = FakeDesktop::new(monday_morning());
    desktop.add_window("Fasit – borger", "");
    let mail = desktop.add_window("Outlook – ny mail", "");
    desktop.steal_focus_after(20, mail);

    let outcome = run(&mut desktop, &common::script_from(TYPING_SCRIPT), &[]);

    assert_eq!(
        failure_text(&outcome),
        "«Skriv» stoppede ved trin 2 (type, linje 9): fokus flyttede sig fra «Fasit – borger» til «Outlook – ny mail»; intet mere blev skrevet"
    );
    assert_eq!(desktop.text_in("Outlook – ny mail"), "");
    assert!(
        desktop
            .text_in("Fasit – borger")
            .starts_with("Borgeren møder op på")
    );
    assert!(
        !desktop.lines().iter().any(|l| l.starts_with("key")),
        "Enter was never pressed"
    );
}

#[test]
fn typing_waits_until_the_caseworker_lets_go_of_the_hot_key() {
    let mut desktop = FakeDesktop::new(monday_morning());
    desktop.add_window("Fasit – borger", "");
    desktop.hold_modifiers_for(Duration::from_millis(700));
    let outcome = run(&mut desktop, &common::script_from(TYPING_SCRIPT), &[]);
    assert_eq!(outcome.status, Status::Completed);
    assert!(outcome.duration >= Duration::from_millis(700));
}

#[test]
fn modifiers_held_too_long_fail_with_advice_and_nothing_is_typed() {
    let mut desktop = FakeDesktop::new(monday_morning());
    desktop.add_window("Fasit – borger", "");
    desktop.hold_modifiers_for(Duration::from_secs(60));
    let outcome = run(&mut desktop, &common::script_from(TYPING_SCRIPT), &[]);
    assert_eq!(
        failure_error(&outcome).to_string(),
        "Ctrl, Alt, Shift eller Windows-tasten var stadig trykket efter 3 s; slip tasterne og prøv igen"
    );
    assert_eq!(desktop.text_in("Fasit – borger"), "");
}

#[test]
fn the_panic_key_stops_typing_before_the_next_batch() {
    let mut desktop = FakeDesktop::new(monday_morning());
    desktop.add_window("Fasit – borger", "");
    let cancel = CancelToken::new();
    desktop.press_panic_key_after(5, cancel.clone());

    let outcome = run_with(
        &mut desktop,
        &common::script_from(TYPING_SCRIPT),
        &[],
        &common::shipped_config(),
        cancel,
    );

    assert_eq!(outcome.status, Status::Cancelled { step: Some(2) });
    assert_eq!(
        desktop.typed_chars(),
        32,
        "the batch on its way (32 characters, a few ms of typing), not one key after"
    );
    assert!(!desktop.lines().iter().any(|l| l.starts_with("key")));
}

#[test]
fn with_a_key_delay_the_panic_key_stops_typing_before_the_next_key() {
    let mut desktop = FakeDesktop::new(monday_morning());
    desktop.add_window("Fasit – borger", "");
    let cancel = CancelToken::new();
    desktop.press_panic_key_after(5, cancel.clone());
    let mut config = common::shipped_config();
    config.agent.key_delay_ms = 1;

    let outcome = run_with(
        &mut desktop,
        &common::script_from(TYPING_SCRIPT),
        &[],
        &config,
        cancel,
    );

    assert_eq!(outcome.status, Status::Cancelled { step: Some(2) });
    assert_eq!(desktop.typed_chars(), 5, "not one key after the panic key");
}

#[test]
fn a_window_manager_that_refuses_focus_is_reported_not_typed_into() {
    let mut desktop = desktop_in("Outlook");
    desktop.add_window("Fasit – borger", "");
    desktop.refuse_focus();
    let outcome = run(&mut desktop, &common::script_from(TYPING_SCRIPT), &[]);
    assert_eq!(
        failure_error(&outcome).to_string(),
        "«Fasit – borger» kunne ikke få fokus (fokus er på «Outlook»)"
    );
    assert_eq!(desktop.text_in("Outlook"), "");
}

#[test]
fn a_context_sensitive_hot_key_is_rejected_outside_its_window() {
    let script = common::script_from(
        "id = \"t\"\nname = \"T\"\nmanual_seconds = 5\nonly_when = { title = \"Fasit*\" }\n[[step]]\ntype = \"x\"\n",
    );
    let mut desktop = desktop_in("Outlook");
    let outcome = run(&mut desktop, &script, &[]);
    assert_eq!(
        outcome.status,
        Status::Rejected {
            reason: "genvejen virker kun i vinduer med titel \"Fasit*\"".into()
        }
    );
    let mut desktop = desktop_in("Fasit – borger");
    assert_eq!(run(&mut desktop, &script, &[]).status, Status::Completed);
}

#[test]
fn long_text_is_pasted_instead_of_typed_and_the_cpr_does_not_stay_on_the_clipboard() {
    let script = common::script_from(
        "id = \"t\"\nname = \"T\"\nmanual_seconds = 5\n[[input]]\nname = \"cpr\"\nkind = \"cpr\"\n[[step]]\ntype = \"{{ cpr }} {% for i in range(100) %}linje {{ i }}\\n{% endfor %}\"\n",
    );
    let mut desktop = desktop_in("Plan");
    let outcome = run(&mut desktop, &script, &[("cpr", "070761-4285")]);
    assert_eq!(outcome.status, Status::Completed);
    assert!(desktop.lines()[0].starts_with("paste «Plan» \"070761-4285 linje 0\\n"));
    assert_eq!(desktop.clipboard(), None);
}

#[test]
fn steps_with_a_false_when_are_skipped_and_set_keeps_numbers() {
    let script = common::script_from(
        r#"
id = "t"
name = "T"
manual_seconds = 5
[[input]]
name = "med_adresse"
kind = "checkbox"
[[input]]
name = "timer"
kind = "number"
[[step]]
set = { name = "dobbelt", value = "{{ timer * 2 }}" }
[[step]]
when = "med_adresse"
type = "Jobcentervej 1, "
[[step]]
type = "{{ dobbelt | number(1) }} timer"
"#,
    );
    let mut desktop = desktop_in("Brev");
    run(
        &mut desktop,
        &script,
        &[("med_adresse", "nej"), ("timer", "7,5")],
    );
    assert_eq!(desktop.text_in("Brev"), "15,0 timer");
}

#[test]
fn a_run_time_template_error_names_the_line_and_types_nothing() {
    let script = common::script_from(
        "id = \"t\"\nname = \"T\"\nmanual_seconds = 5\n[[input]]\nname = \"navn\"\nkind = \"text\"\n[[step]]\ntype = \"{{ navn.fornavn }}\"\n",
    );
    let mut desktop = desktop_in("Brev");
    let outcome = run(&mut desktop, &script, &[("navn", "Åse")]);
    let text = failure_text(&outcome);
    assert!(
        text.starts_with(
            "«T» stoppede ved trin 1 (type, linje 7): skabelonen på linje 8 kunne ikke udfyldes:"
        ),
        "{text}"
    );
    assert_eq!(desktop.text_in("Brev"), "");
}

#[test]
fn every_shipped_script_dry_runs_to_completion() {
    let set = shipped();
    assert!(set.scripts.len() >= 15);
    let presets: &[(&str, &str)] = &[
        ("cpr", "070761-4285"),
        ("km", "40"),
        ("dage", "10"),
        ("deltagere", "Borgeren"),
        ("aftaler", "Ingen"),
        ("samtaledato", "01-12-2026"),
        ("afgoerelse", "at dit tilbud ophører"),
        ("oplysninger", "Du er ikke mødt op."),
        ("svar", "Tak."),
        ("spoergsmaal", "Hvilke skånehensyn?"),
    ];
    let api = "https://fasit.eksempelby.invalid/api/v1/borgere/0707614285";
    for script in &set.scripts {
        let mut desktop = FakeDesktop::obliging(monday_morning());
        desktop.respond(
            &format!("{api}/ydelser"),
            Ok(serde_json::json!([{"ydelse": "Kontanthjælp", "fra": "2026-01-01", "til": null}])),
        );
        desktop.respond(&format!("{api}/aktiviteter"), Ok(serde_json::json!([])));
        desktop.respond(&format!("{api}/rapporter"), Ok(serde_json::json!([])));
        desktop.respond(
            &format!("{api}/plan"),
            Ok(serde_json::json!({"beskaeftigelsesmaal": "Job"})),
        );
        desktop.respond(
            api,
            Ok(serde_json::json!({"navn": "Åse Ørum", "email": "a@eksempel.dk", "adresse": "Æblevej 7"})),
        );
        let preset: Vec<(&str, &str)> = presets
            .iter()
            .copied()
            .filter(|(name, _)| script.inputs.iter().any(|i| i.name == *name))
            .collect();
        let outcome = run(&mut desktop, script, &preset);
        assert_eq!(outcome.status, Status::Completed, "{}", script.id);
        assert!(!desktop.lines().is_empty(), "{} did something", script.id);
    }
}

#[test]
fn a_typing_profile_slows_typing_into_matching_windows_only() {
    let mut config = common::shipped_config();
    config.agent.typing_profiles = vec![genvej_format::config::TypingProfile {
        class: Some("Wfica*".into()),
        key_delay_ms: Some(25),
        ..Default::default()
    }];
    let script = common::script_from(
        "id = \"t\"\nname = \"T\"\nmanual_seconds = 5\n[[step]]\ntype = \"abcd\"\n",
    );

    let mut citrix = FakeDesktop::new(monday_morning());
    let id = citrix.add_window("Fasit (Citrix)", "Wfica_Seamless");
    citrix.click(id);
    let slow = run_with(&mut citrix, &script, &[], &config, CancelToken::new());

    let mut local = desktop_in("Fasit");
    let fast = run_with(&mut local, &script, &[], &config, CancelToken::new());

    assert_eq!(citrix.text_in("Fasit (Citrix)"), "abcd");
    assert_eq!(slow.duration - fast.duration, Duration::from_millis(4 * 25));
}

#[test]
fn focus_moving_at_the_instant_a_key_is_sent_is_caught_by_the_desktop() {
    let mut desktop = FakeDesktop::new(monday_morning());
    desktop.add_window("Fasit – borger", "");
    let mail = desktop.add_window("Outlook – ny mail", "");
    desktop.steal_focus_while_sending(10, mail);

    let outcome = run(&mut desktop, &common::script_from(TYPING_SCRIPT), &[]);

    assert_eq!(
        failure_error(&outcome).to_string(),
        "fokus flyttede sig fra «Fasit – borger» til «Outlook – ny mail»; intet mere blev skrevet"
    );
    assert_eq!(desktop.text_in("Outlook – ny mail"), "");
    assert_eq!(desktop.text_in("Fasit – borger"), "Borgeren m");
}

/// A plan hot key in miniature: one citizen with activities from Fasit.
const PLAN: &str = r#"id = "plan"
name = "Plan"
manual_seconds = 1800

[[input]]
name = "cpr"
kind = "cpr"

[[source]]
name = "borger"
url = "https://fasit.example.invalid/borgere/{{ cpr.digits }}"
query = { felter = "navn,aktiviteter", soeg = "Åse & Ørum" }
headers = { Accept-Language = "da" }

[[source]]
name = "noter"
url = "https://vitas.example.invalid/noter"
method = "POST"
json = '{"cpr": {{ cpr.digits }}, "emne": {{ "Plan \"forberedende\"" }}}'
optional = true
fallback = { antal = 0 }

[[step]]
fetch = ["borger", "noter"]

[[step]]
paste = """
{{ borger.navn }}
{% for a in borger.aktiviteter %}
- {{ a.titel }}: {{ a.timer }} timer
{% endfor %}
I alt: {{ borger.aktiviteter | sum(attribute='timer') }} timer; noter: {{ noter.antal }}"""
"#;

fn citizen() -> serde_json::Value {
    serde_json::json!({
        "navn": "Åse Ørum Ågård",
        "aktiviteter": [
            {"titel": "Virksomhedspraktik", "timer": 20},
            {"titel": "Danskundervisning", "timer": 6}
        ]
    })
}

#[test]
fn fetched_data_fills_the_text_and_values_are_encoded_for_the_address_and_the_body() {
    let script = common::script_from(PLAN);
    let mut desktop = desktop_in("Fasit – plan");
    desktop.respond("https://fasit.example.invalid/", Ok(citizen()));
    desktop.respond(
        "https://vitas.example.invalid/",
        Ok(serde_json::json!({"antal": 3})),
    );

    let outcome = run(&mut desktop, &script, &[("cpr", "070761-4285")]);

    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    let lines = desktop.lines();
    assert_eq!(
        lines[0],
        "fetch GET https://fasit.example.invalid/borgere/0707614285?felter=navn%2Caktiviteter&soeg=%C3%85se%20%26%20%C3%98rum"
    );
    assert_eq!(
        lines[1],
        r#"fetch POST https://vitas.example.invalid/noter {"cpr": "0707614285", "emne": "Plan \"forberedende\""}"#
    );
    assert_eq!(
        desktop.text_in("Fasit – plan"),
        "Åse Ørum Ågård\n- Virksomhedspraktik: 20 timer\n- Danskundervisning: 6 timer\nI alt: 26 timer; noter: 3"
    );
}

#[test]
fn a_source_that_fails_stops_the_run_before_anything_is_typed() {
    let script = common::script_from(PLAN);
    let mut desktop = desktop_in("Fasit – plan");
    desktop.respond(
        "https://fasit.example.invalid/",
        Err(HttpError::Status {
            host: "fasit.example.invalid".into(),
            status: 500,
            reason: "Internal Server Error".into(),
        }),
    );

    let outcome = run(&mut desktop, &script, &[("cpr", "070761-4285")]);

    assert_eq!(
        failure_text(&outcome),
        "«Plan» stoppede ved trin 1 (fetch, linje 23): kilden «borger» kunne ikke hentes: fasit.example.invalid svarede 500: Internal Server Error"
    );
    assert_eq!(desktop.text_in("Fasit – plan"), "");
}

#[test]
fn an_optional_source_that_fails_gives_its_fallback_and_the_run_goes_on() {
    let script = common::script_from(PLAN);
    let mut desktop = desktop_in("Fasit – plan");
    desktop.respond("https://fasit.example.invalid/", Ok(citizen()));
    desktop.respond(
        "https://vitas.example.invalid/",
        Err(HttpError::Timeout {
            host: "vitas.example.invalid".into(),
            timeout: Duration::from_secs(10),
        }),
    );

    let outcome = run(&mut desktop, &script, &[("cpr", "070761-4285")]);

    assert_eq!(outcome.status, Status::Completed);
    assert!(desktop.text_in("Fasit – plan").ends_with("noter: 0"));
}

#[test]
fn a_field_missing_from_an_answer_is_named_with_its_source() {
    let script = common::script_from(PLAN);
    let mut desktop = desktop_in("Fasit – plan");
    desktop.respond(
        "https://fasit.example.invalid/",
        Ok(serde_json::json!({"aktiviteter": []})),
    );

    let outcome = run(&mut desktop, &script, &[("cpr", "070761-4285")]);

    assert_eq!(
        failure_text(&outcome),
        "«Plan» stoppede ved trin 2 (paste, linje 26): skabelonen på linje 28 kunne ikke udfyldes: feltet «navn» mangler i svaret fra kilden «borger»"
    );
    assert_eq!(desktop.text_in("Fasit – plan"), "", "nothing pasted");
}

const REPORTS: &str = r#"id = "rapporter"
name = "Statusattester"
manual_seconds = 600

[[input]]
name = "cpr"
kind = "cpr"

[[source]]
name = "borger"
url = "https://fasit.example.invalid/borgere/{{ cpr.digits }}"

[[step]]
fetch = "borger"

[[step]]
merge_pdf = { each = "borger.rapporter", url = "https://fasit.example.invalid/dokumenter/{{ item.id }}", name = "{{ item.titel }}", file = "{{ file_name }}" }

[[step]]
message = "Gemt: {{ merged_pdf }}"
"#;

fn reports_script(file_name: &str) -> Script {
    common::script_from(&REPORTS.replace("{{ file_name }}", file_name))
}

fn citizen_with_reports(desktop: &mut FakeDesktop) {
    desktop.respond(
        "https://fasit.example.invalid/borgere/",
        Ok(serde_json::json!({"navn": "Åse Ørum", "rapporter": [
            {"id": "a", "titel": "Statusattest januar"},
            {"id": "b", "titel": "Statusattest marts"}
        ]})),
    );
    desktop.respond_bytes(
        "https://fasit.example.invalid/dokumenter/a",
        Ok(genvej_engine::documents::text_pdf(&[
            "Januar 1", "Januar 2",
        ])),
    );
}

#[test]
fn reports_are_downloaded_and_saved_merged_in_order() {
    let script = reports_script("Statusattester {{ borger.navn }}");
    let mut desktop = desktop_in("Fasit");
    citizen_with_reports(&mut desktop);
    desktop.respond_bytes(
        "https://fasit.example.invalid/dokumenter/b",
        Ok(genvej_engine::documents::text_pdf(&["Marts 1"])),
    );

    let outcome = run(&mut desktop, &script, &[("cpr", "070761-4285")]);

    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    let (file, bytes) = &desktop.documents()[0];
    assert_eq!(file, "Statusattester Åse Ørum.pdf");
    let merged = lopdf::Document::load_mem(bytes).expect("the merged PDF opens");
    let pages: Vec<String> = (1..=3)
        .map(|n| merged.extract_text(&[n]).expect("text").trim().to_string())
        .collect();
    assert_eq!(pages, ["Januar 1", "Januar 2", "Marts 1"]);
    assert_eq!(merged.get_pages().len(), 3);
    // The JSON answer may be 10 MB, each PDF 50 MB (the `[limits]` defaults).
    let limits: Vec<u64> = desktop
        .requests()
        .iter()
        .map(|r| r.max_bytes >> 20)
        .collect();
    assert_eq!(limits, [10, 50, 50]);
    assert!(desktop.lines().contains(
        &"message «Statusattester» \"Gemt: /dokumenter/Statusattester Åse Ørum.pdf\"".to_string()
    ));
}

#[test]
fn a_download_that_is_not_a_pdf_is_named_and_nothing_is_saved() {
    let script = reports_script("Statusattester {{ borger.navn }}");
    let mut desktop = desktop_in("Fasit");
    citizen_with_reports(&mut desktop);
    desktop.respond_bytes(
        "https://fasit.example.invalid/dokumenter/b",
        Ok(b"<html>Log ind</html>".to_vec()),
    );

    let outcome = run(&mut desktop, &script, &[("cpr", "070761-4285")]);

    let text = failure_text(&outcome);
    assert!(
        text.starts_with("«Statusattester» stoppede ved trin 2 (merge_pdf, linje 16): «Statusattest marts» er ikke en PDF, der kan læses"),
        "{text}"
    );
    assert!(desktop.documents().is_empty());
}

#[test]
fn a_file_name_with_a_cpr_number_is_refused_unless_the_organisation_allows_it() {
    let script = reports_script("Statusattester {{ cpr }}");
    let mut desktop = desktop_in("Fasit");
    citizen_with_reports(&mut desktop);
    desktop.respond_bytes(
        "https://fasit.example.invalid/dokumenter/b",
        Ok(genvej_engine::documents::text_pdf(&["Marts 1"])),
    );
    let outcome = run(&mut desktop, &script, &[("cpr", "070761-4285")]);
    assert!(
        failure_text(&outcome).contains("filnavnet ville indeholde et CPR-nummer"),
        "{}",
        failure_text(&outcome)
    );
    assert!(desktop.documents().is_empty());

    let mut config = common::shipped_config();
    config.agent.allow_cpr_in_file_names = true;
    let mut desktop = desktop_in("Fasit");
    citizen_with_reports(&mut desktop);
    desktop.respond_bytes(
        "https://fasit.example.invalid/dokumenter/b",
        Ok(genvej_engine::documents::text_pdf(&["Marts 1"])),
    );
    let outcome = run_with(
        &mut desktop,
        &script,
        &[("cpr", "070761-4285")],
        &config,
        CancelToken::new(),
    );
    assert_eq!(outcome.status, Status::Completed);
    assert_eq!(desktop.documents()[0].0, "Statusattester 070761-4285.pdf");
}

#[test]
fn a_cpr_number_in_any_disguise_keeps_a_document_from_being_saved() {
    for name in [
        "X {{ cpr.digits }}2026-12-06",
        "X 1{{ cpr.digits }}",
        "X {{ cpr | replace('-', '_') }}",
        "X {{ cpr | replace('-', '.') }}",
        "X {{ cpr | replace('-', '\u{2013}') }}",
        "X {{ cpr | replace('-', '%20') }}",
        "X {{ cpr | replace('-', '\u{a0}') }}",
    ] {
        let script = reports_script(name);
        let mut desktop = desktop_in("Fasit");
        citizen_with_reports(&mut desktop);
        desktop.respond_bytes(
            "https://fasit.example.invalid/dokumenter/b",
            Ok(genvej_engine::documents::text_pdf(&["Marts 1"])),
        );
        let outcome = run(&mut desktop, &script, &[("cpr", "070761-4285")]);
        assert!(
            failure_text(&outcome).contains("filnavnet ville indeholde et CPR-nummer"),
            "{name}: {}",
            failure_text(&outcome)
        );
        assert!(desktop.documents().is_empty(), "{name} was saved");
    }
}

#[test]
fn a_source_shared_in_the_config_is_fetched_without_being_declared() {
    let mut config = common::shipped_config();
    config.sources.insert(
        "borger".into(),
        genvej_format::config::SharedSource {
            url: "https://fasit.example.invalid/borgere/{{ cpr.digits }}".into(),
            ..Default::default()
        },
    );
    let script = common::script_from_with(
        "id = \"t\"\nname = \"T\"\nmanual_seconds = 5\n[[input]]\nname = \"cpr\"\nkind = \"cpr\"\n[[step]]\nfetch = \"borger\"\n[[step]]\ntype = \"{{ borger.navn }}\"\n",
        &config,
    );
    let mut desktop = desktop_in("Fasit");
    desktop.respond(
        "https://fasit.example.invalid/borgere/0707614285",
        Ok(serde_json::json!({"navn": "Åse Ørum"})),
    );

    let outcome = run_with(
        &mut desktop,
        &script,
        &[("cpr", "070761-4285")],
        &config,
        CancelToken::new(),
    );

    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    assert_eq!(desktop.text_in("Fasit"), "Åse Ørum");
}
