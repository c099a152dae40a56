//! The bundled scripts added for the business case's next hot keys — the
//! Jobnet, Vitas and Min Plan handovers, the meeting cadence in working days
//! and the letters — run whole on the recording fake desktop with the shipped
//! config: which window got which text, and what stops a run before anything
//! is typed. (The first bundled scripts are pinned down in `scripts.rs`.)

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use genvej_engine::fake::{Answers, FakeDesktop};
use genvej_engine::ports::{CancelToken, HttpError};
use genvej_engine::{Engine, RunError, RunOutcome, Status};
use genvej_format::config::Config;
use genvej_format::script::Script;
use genvej_format::template::Renderer;

fn at(year: i32, month: u32, day: u32, hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .expect("valid time")
}

/// Monday 7 December 2026, 10:00: the run-up to Christmas, where working
/// days and weekdays part.
fn december() -> NaiveDateTime {
    at(2026, 12, 7, 10)
}

fn shipped_script(id: &str) -> Script {
    let set =
        genvej_format::script::load(&[common::repo().join("hotkeys")], &common::shipped_config());
    assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
    set.find(id).cloned().expect("shipped script exists")
}

/// A desktop at `now` where the caseworker sits in the window `title`.
fn desktop_in(now: NaiveDateTime, title: &str) -> FakeDesktop {
    let mut desktop = FakeDesktop::new(now);
    let id = desktop.add_window(title, "");
    desktop.click(id);
    desktop
}

fn run(desktop: &mut FakeDesktop, id: &str, preset: &[(&str, &str)]) -> RunOutcome {
    let renderer = Renderer::new();
    let config = common::shipped_config();
    let preset: BTreeMap<String, String> = preset
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Engine::new(&renderer, &config, CancelToken::new()).run(desktop, &shipped_script(id), &preset)
}

fn failure_error(outcome: &RunOutcome) -> RunError {
    match &outcome.status {
        Status::Failed(f) => f.error.clone(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn jobnet_booking_opens_the_citizen_and_fills_every_field_of_the_booking() {
    let mut desktop = desktop_in(december(), "Fasit – borger");
    desktop.select_text("Borger: 070761-4285 (aktiv sag)");
    desktop.answer_forms(Answers::Given(BTreeMap::from([
        ("samtaledato".into(), "15-12-2026".into()),
        ("tid".into(), "9.30".into()),
        ("samtaleform".into(), "Telefon".into()),
    ])));
    desktop.on_launch(
        "jobnet",
        "Jobnet – book samtale",
        "firefox",
        Duration::from_millis(700),
    );

    let outcome = run(&mut desktop, "jobnet-samtale", &[]);

    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    let booking = "Jobnet – book samtale";
    assert_eq!(
        desktop.lines()[1..],
        [
            "focus «Fasit – borger»".to_string(),
            "open_url https://jobnet.eksempelby.invalid/sagsbehandler/borger/samtaler/ny?cpr=0707614285".to_string(),
            format!("type «{booking}» \"15-12-2026\""),
            format!("key «{booking}» Tab"),
            format!("type «{booking}» \"09:30\""),
            format!("key «{booking}» Tab"),
            format!("type «{booking}» \"Telefon\""),
            format!("key «{booking}» Tab"),
            format!("type «{booking}» \"Jobcentret ringer dig op på det telefonnummer, du har oplyst\""),
            format!("key «{booking}» Tab"),
            format!("type «{booking}» \"Mette Sørensen, Jobkonsulent, tlf. +45 99 99 12 34\""),
        ]
    );
    assert_eq!(
        desktop.lines()[0],
        "ask «Jobnet: book næste samtale» [samtaledato, tid, samtaleform]",
        "the CPR number came from the selection, so the form asks only for the meeting"
    );
    assert_eq!(desktop.text_in("Fasit – borger"), "");
}

#[test]
fn jobnet_booking_on_a_public_holiday_is_refused_by_name_before_jobnet_opens() {
    let mut desktop = desktop_in(december(), "Fasit – borger");
    let outcome = run(
        &mut desktop,
        "jobnet-samtale",
        &[("cpr", "070761-4285"), ("samtaledato", "31-12-2026")],
    );
    assert_eq!(
        failure_error(&outcome),
        RunError::RequirementFailed(
            "Torsdag den 31. december 2026 er nytårsaftensdag, og jobcentret holder lukket. Vælg en anden dato.".into()
        )
    );
    assert!(
        !desktop.lines().iter().any(|l| l.starts_with("open_url")),
        "{:?}",
        desktop.lines()
    );
}

#[test]
fn vitas_search_is_filled_with_the_cpr_and_the_last_twelve_months() {
    let mut desktop = desktop_in(december(), "Fasit – borger");
    desktop.select_text("Sagen om 0707614285");
    desktop.on_launch(
        "vitas-klient",
        "Vitas – søg tilbud",
        "vitas",
        Duration::from_millis(2500),
    );

    let outcome = run(&mut desktop, "vitas-tilbud", &[]);

    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    assert_eq!(
        desktop.lines(),
        [
            "launch vitas-klient []",
            "type «Vitas – søg tilbud» \"070761-4285\"",
            "key «Vitas – søg tilbud» Tab",
            "type «Vitas – søg tilbud» \"07-12-2025\"",
            "key «Vitas – søg tilbud» Tab",
            "type «Vitas – søg tilbud» \"07-12-2026\"",
            "key «Vitas – søg tilbud» Enter",
        ]
    );
}

#[test]
fn vitas_that_never_starts_times_out_and_nothing_is_typed() {
    let mut desktop = desktop_in(december(), "Fasit – borger");
    let outcome = run(&mut desktop, "vitas-tilbud", &[("cpr", "070761-4285")]);
    assert_eq!(
        failure_error(&outcome).to_string(),
        "vindue med titel \"Vitas*\" kom ikke frem inden for 20 s"
    );
    assert_eq!(desktop.text_in("Fasit – borger"), "");
    assert_eq!(desktop.lines(), ["launch vitas-klient []"]);
}

fn fasit_plan(desktop: &mut FakeDesktop, activities: serde_json::Value) {
    let api = "https://fasit.eksempelby.invalid/api/v1/borgere/0707614285";
    desktop.respond(
        &format!("{api}/plan"),
        Ok(serde_json::json!({"beskaeftigelsesmaal": "Job som pædagogmedhjælper på 25 timer om ugen."})),
    );
    desktop.respond(&format!("{api}/aktiviteter"), Ok(activities));
}

#[test]
fn min_plan_gets_the_goal_and_one_row_per_offer_from_the_plan_in_fasit() {
    let mut desktop = desktop_in(december(), "Fasit – indsatsplan");
    desktop.select_text("070761-4285");
    fasit_plan(
        &mut desktop,
        serde_json::json!([
            {"titel": "Virksomhedspraktik i Børnehuset Ærtebjerg", "timer_pr_uge": 15, "start": "2026-12-14", "slut": "2027-02-26"},
            {"titel": "Danskundervisning", "timer_pr_uge": 6.0, "start": "2027-01-04", "slut": "2027-03-31"},
        ]),
    );
    desktop.on_launch(
        "minplan",
        "Min Plan – Jobnet",
        "firefox",
        Duration::from_millis(900),
    );

    let outcome = run(&mut desktop, "minplan", &[]);

    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    let lines = desktop.lines();
    assert_eq!(
        lines[..3],
        [
            "fetch GET https://fasit.eksempelby.invalid/api/v1/borgere/0707614285/plan",
            "fetch GET https://fasit.eksempelby.invalid/api/v1/borgere/0707614285/aktiviteter",
            "open_url https://jobnet.eksempelby.invalid/sagsbehandler/borger/minplan?cpr=0707614285",
        ]
    );
    // Each offer: title, start, end, hours; Tab to «Tilføj aktivitet» and
    // Enter between rows, not after the last.
    assert_eq!(
        desktop.text_in("Min Plan – Jobnet"),
        "Job som pædagogmedhjælper på 25 timer om ugen.\
         Virksomhedspraktik i Børnehuset Ærtebjerg14-12-202626-02-202715\
         Danskundervisning04-01-202731-03-20276"
    );
    let keys: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("key «Min Plan – Jobnet» "))
        .collect();
    assert_eq!(
        keys,
        [
            "Tab", "Tab", "Tab", "Tab", "Tab", "Enter", "Tab", "Tab", "Tab"
        ]
    );
}

#[test]
fn min_plan_is_not_opened_when_fasit_fails() {
    let mut desktop = desktop_in(december(), "Fasit – indsatsplan");
    desktop.respond(
        "https://fasit.eksempelby.invalid/",
        Err(HttpError::Status {
            host: "fasit.eksempelby.invalid".into(),
            status: 503,
            reason: "Service Unavailable".into(),
        }),
    );
    let outcome = run(&mut desktop, "minplan", &[("cpr", "070761-4285")]);
    assert!(
        failure_error(&outcome)
            .to_string()
            .contains("kilden «plan» kunne ikke hentes"),
        "{:?}",
        outcome.status
    );
    assert!(!desktop.lines().iter().any(|l| l.starts_with("open_url")));
}

#[test]
fn min_plan_stops_before_typing_when_an_offer_lacks_its_hours() {
    let mut desktop = desktop_in(december(), "Fasit – indsatsplan");
    fasit_plan(
        &mut desktop,
        serde_json::json!([{"titel": "Mentorstøtte", "start": "2026-12-14", "slut": "2027-02-26"}]),
    );
    desktop.on_launch("minplan", "Min Plan – Jobnet", "", Duration::ZERO);
    let outcome = run(&mut desktop, "minplan", &[("cpr", "070761-4285")]);
    assert!(
        failure_error(&outcome)
            .to_string()
            .contains("feltet «[0].timer_pr_uge» mangler i svaret"),
        "{}",
        failure_error(&outcome)
    );
    assert!(!desktop.lines().iter().any(|l| l.starts_with("open_url")));
}

/// The next meeting and its deadline after a meeting held on `held`, typed
/// into the journal.
fn next_meeting_after(held: &str, now: NaiveDateTime) -> String {
    let mut desktop = desktop_in(now, "KMD Sag – journal");
    let outcome = run(&mut desktop, "naeste-samtale", &[("samtale", held)]);
    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    desktop.text_in("KMD Sag – journal")
}

#[test]
fn next_meeting_is_four_weeks_on_and_the_deadline_twenty_working_days_without_christmas() {
    // 20 weekdays after Monday 7 December would be Monday 4 January; the
    // deadline skips 24, 25 and 31 December and 1 January: Friday 8 January.
    assert_eq!(
        next_meeting_after("07-12-2026", december()),
        "Næste samtale: mandag den 4. januar 2027\nFrist: samtalen skal være holdt senest fredag den 8. januar 2027 (20 arbejdsdage efter samtalen den 7. december 2026)"
    );
}

#[test]
fn next_meeting_on_a_holiday_moves_to_the_next_working_day_but_never_past_the_deadline() {
    // Four weeks after Thursday 16 April 2026 is Kristi himmelfartsdag; the
    // meeting moves to Friday 15 May, which is also the deadline.
    assert_eq!(
        next_meeting_after("16-04-2026", at(2026, 4, 20, 9)),
        "Næste samtale: fredag den 15. maj 2026\nFrist: samtalen skal være holdt senest fredag den 15. maj 2026 (20 arbejdsdage efter samtalen den 16. april 2026)"
    );
    // Four weeks after Monday 1 March 2027 is 2. påskedag: Tuesday.
    assert!(
        next_meeting_after("01-03-2027", at(2027, 3, 1, 15))
            .starts_with("Næste samtale: tirsdag den 30. marts 2027\n")
    );
}

#[test]
fn the_meeting_cadence_follows_the_organisations_values_and_never_passes_the_deadline() {
    let path = common::repo().join("config/genvej.toml");
    let shipped = std::fs::read_to_string(&path).expect("shipped config");
    let edited = shipped
        .replace(
            "meeting_interval_weeks = 4\n",
            "meeting_interval_weeks = 13\n",
        )
        .replace(
            "meeting_deadline_workdays = 20\n",
            "meeting_deadline_workdays = 60\n",
        );
    assert_ne!(edited, shipped, "the config names both values");
    let config = Config::parse(&path, &edited).expect("edited config");
    let renderer = Renderer::new();
    let mut desktop = desktop_in(december(), "Journal");
    let outcome = Engine::new(&renderer, &config, CancelToken::new()).run(
        &mut desktop,
        &shipped_script("naeste-samtale"),
        &BTreeMap::from([("samtale".to_string(), "07-12-2026".to_string())]),
    );
    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    // 13 weeks on is Monday 8 March 2027, but 60 working days (Christmas and
    // New Year left out) end on Friday 5 March: the meeting is planned on the
    // deadline, never after it.
    assert_eq!(
        desktop.text_in("Journal"),
        "Næste samtale: fredag den 5. marts 2027\nFrist: samtalen skal være holdt senest fredag den 5. marts 2027 (60 arbejdsdage efter samtalen den 7. december 2026)"
    );
}

#[test]
fn hearing_letter_deadline_is_ten_working_days_after_sending() {
    let mut desktop = desktop_in(at(2026, 12, 11, 9), "Brev – partshøring");
    let outcome = run(
        &mut desktop,
        "partshoering",
        &[
            ("afgoerelse", "at dit tilbud om løntilskud ophører"),
            (
                "oplysninger",
                "Arbejdsgiveren har oplyst, at du ikke er mødt op siden den 1. december 2026.\n\nDu har ikke svaret på vores opkald.",
            ),
        ],
    );
    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    let letter = desktop.text_in("Brev – partshøring");
    assert!(
        letter.starts_with(
            "Partshøring\n\nVi overvejer at træffe afgørelse om at dit tilbud om løntilskud ophører.\n"
        ),
        "{letter}"
    );
    assert!(
        letter.contains("Vi har lagt vægt på disse oplysninger:\n- Arbejdsgiveren har oplyst, at du ikke er mødt op siden den 1. december 2026.\n- Du har ikke svaret på vores opkald.\n\n"),
        "one bullet per line, empty lines left out: {letter}"
    );
    // Friday 11 December + 10 working days, without the weekends and
    // 24–25 December: Tuesday 29 December.
    assert!(
        letter.contains("senest tirsdag den 29. december 2026."),
        "{letter}"
    );
    assert!(letter.ends_with("Tlf. +45 99 99 12 34 · mette.soerensen@eksempelby.invalid"));
}

#[test]
fn meeting_confirmation_writes_weekday_long_date_and_the_place() {
    let mut desktop = desktop_in(december(), "Digital Post – nyt brev");
    let outcome = run(
        &mut desktop,
        "moedebekraeftelse",
        &[("samtaledato", "2027-01-05"), ("tid", "13.15")],
    );
    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    assert_eq!(
        desktop.text_in("Digital Post – nyt brev"),
        "Bekræftelse af din samtale med jobcentret\n\nSom aftalt bekræfter vi hermed din samtale tirsdag den 5. januar 2027 kl. 13.15.\n\nSamtalen foregår i Jobcenter Eksempelby, Jobcentervej 1, 9999 Eksempelby. Meld dig i receptionen, når du kommer.\n\nEr du forhindret, så giv besked så hurtigt som muligt på +45 99 99 99 99 (mandag–torsdag kl. 9–15, fredag kl. 9–13).\n\nMed venlig hilsen\n\nMette Sørensen\nJobkonsulent, Jobcenter Eksempelby, Team Ressourceforløb"
    );
}

#[test]
fn meeting_confirmation_writes_a_morning_time_the_danish_way() {
    let mut desktop = desktop_in(december(), "Brev");
    run(
        &mut desktop,
        "moedebekraeftelse",
        &[("samtaledato", "15-12-2026"), ("tid", "09:05")],
    );
    assert!(
        desktop
            .text_in("Brev")
            .contains("din samtale tirsdag den 15. december 2026 kl. 9.05.\n"),
        "{}",
        desktop.text_in("Brev")
    );
}

#[test]
fn meeting_confirmation_on_grundlovsdag_is_refused_and_nothing_is_written() {
    let mut desktop = desktop_in(at(2027, 5, 31, 9), "Brev");
    let outcome = run(
        &mut desktop,
        "moedebekraeftelse",
        &[("samtaledato", "05-06-2027")],
    );
    assert_eq!(
        failure_error(&outcome),
        RunError::RequirementFailed(
            "Lørdag den 5. juni 2027 er grundlovsdag, og jobcentret holder lukket. Vælg en anden dato.".into()
        )
    );
    assert_eq!(desktop.text_in("Brev"), "");
}

#[test]
fn answer_to_an_inquiry_thanks_with_the_date_and_signs_with_the_profile() {
    let mut desktop = desktop_in(december(), "Outlook – svar");
    desktop.answer_forms(Answers::Given(BTreeMap::from([
        ("modtaget".into(), "04-12-2026".into()),
        ("navn".into(), "Åse".into()),
        (
            "svar".into(),
            "Ja, du kan godt tage på ferie i uge 52. Husk at registrere ferien på Jobnet.".into(),
        ),
    ])));
    let outcome = run(&mut desktop, "svar-henvendelse", &[]);
    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    assert_eq!(
        desktop.text_in("Outlook – svar"),
        "Kære Åse\n\nTak for din henvendelse den 4. december 2026.\n\nJa, du kan godt tage på ferie i uge 52. Husk at registrere ferien på Jobnet.\n\nHar du flere spørgsmål, er du velkommen til at kontakte mig på +45 99 99 12 34 eller mette.soerensen@eksempelby.invalid.\n\nMed venlig hilsen\n\nMette Sørensen\nJobkonsulent, Jobcenter Eksempelby, Team Ressourceforløb"
    );
}

#[test]
fn answer_to_an_inquiry_cancelled_in_the_form_writes_nothing() {
    let mut desktop = desktop_in(december(), "Outlook – svar");
    desktop.answer_forms(Answers::Cancel);
    let outcome = run(&mut desktop, "svar-henvendelse", &[]);
    assert_eq!(outcome.status, Status::Cancelled { step: None });
    assert_eq!(desktop.text_in("Outlook – svar"), "");
}

#[test]
fn mediconnect_request_is_filled_with_a_deadline_in_working_days() {
    let mut desktop = desktop_in(at(2026, 12, 14, 10), "Fasit – borger");
    desktop.select_text("Sagen om 070761-4285");
    desktop.answer_forms(Answers::Given(BTreeMap::from([
        ("attest".into(), "Opfølgningsattest".into()),
        (
            "spoergsmaal".into(),
            "Er der sket ændringer i helbredet siden sidste attest?\n".into(),
        ),
    ])));
    desktop.on_launch(
        "mediconnect",
        "Mediconnect – ny anmodning",
        "firefox",
        Duration::from_millis(1200),
    );

    let outcome = run(&mut desktop, "mediconnect-attest", &[]);

    assert_eq!(outcome.status, Status::Completed, "{:?}", outcome.status);
    let request = "Mediconnect – ny anmodning";
    assert_eq!(
        desktop.lines()[2..],
        [
            "open_url https://mediconnect.eksempelby.invalid/anmodninger/ny?cpr=0707614285"
                .to_string(),
            format!("type «{request}» \"Opfølgningsattest\""),
            format!("key «{request}» Tab"),
            format!("type «{request}» \"Er der sket ændringer i helbredet siden sidste attest?\""),
            format!("key «{request}» Tab"),
            // Monday 14 December + 10 working days, without 24–25 December.
            format!("type «{request}» \"30-12-2026\""),
            format!("key «{request}» Tab"),
            format!(
                "type «{request}» \"Mette Sørensen, Jobcenter Eksempelby, Team Ressourceforløb, tlf. +45 99 99 12 34\""
            ),
        ]
    );
    assert_eq!(desktop.text_in("Fasit – borger"), "");
}
