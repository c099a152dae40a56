//! Dry runs given data ([`DryRunData`]): a fixture answers its source by
//! name (whatever the address), is checked like a real answer before it is
//! used, the selection is read like the agent reads it, and `merge_pdf`
//! merges stand-in documents instead of failing.

use crate::common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use genvej_engine::fake::{DryRunData, FakeDesktop, FixtureError};
use genvej_engine::ports::CancelToken;
use genvej_engine::{Engine, Status};
use genvej_format::template::Renderer;

const SCRIPT: &str = r#"id = "attester"
name = "Attester"
manual_seconds = 60

[[input]]
name = "cpr"
kind = "cpr"
from = ["selection", "prompt"]

[[source]]
name = "borger"
url = "https://fasit.example.invalid/borgere/{{ cpr.digits }}"
expect = ["navn", "rapporter[].id"]

[[step]]
fetch = "borger"

[[step]]
merge_pdf = { each = "borger.rapporter", url = "https://fasit.example.invalid/dok/{{ item.id }}", file = "Attester {{ borger.navn }}.pdf" }

[[step]]
type = "{{ borger.navn }} {{ merged_pdf }}"
"#;

fn dry_desktop() -> FakeDesktop {
    let start = NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("valid time");
    FakeDesktop::obliging(start)
}

fn run(desktop: &mut FakeDesktop, preset: &[(&str, &str)]) -> Status {
    let script = common::script_from(SCRIPT);
    let config = common::shipped_config();
    let renderer = Renderer::new();
    let preset: BTreeMap<String, String> = preset
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Engine::new(&renderer, &config, CancelToken::new())
        .run(desktop, &script, &preset)
        .status
}

const LIMIT: u64 = 1024;

fn data(answer: &str) -> Result<DryRunData, FixtureError> {
    let script = common::script_from(SCRIPT);
    let mut data = DryRunData::default();
    data.add_fixture(&script, "borger", answer.as_bytes(), LIMIT)?;
    Ok(data)
}

#[test]
fn a_fixture_answers_its_source_and_merge_pdf_saves_stand_in_documents() {
    let data = data(r#"{"navn": "Åse Ørum", "rapporter": [{"id": 7}, {"id": 9}]}"#)
        .expect("a fixture a real answer could be");
    let mut desktop = dry_desktop();
    data.apply_to(&mut desktop);

    let status = run(&mut desktop, &[("cpr", "070761-4285")]);

    assert_eq!(status, Status::Completed, "{status:?}");
    assert_eq!(
        desktop.lines(),
        [
            "fetch GET https://fasit.example.invalid/borgere/0707614285 ← fixture «borger»",
            "fetch GET https://fasit.example.invalid/dok/7 ← stand-in PDF",
            "fetch GET https://fasit.example.invalid/dok/9 ← stand-in PDF",
            "save_document «Attester Åse Ørum.pdf»",
            "type «aktivt vindue» \"Åse Ørum /dokumenter/Attester Åse Ørum.pdf\"",
        ]
    );
    let (_, merged) = &desktop.documents()[0];
    let pages = lopdf::Document::load_mem(merged)
        .expect("the merged stand-ins are a PDF")
        .get_pages()
        .len();
    assert_eq!(pages, 2);
}

#[test]
fn without_a_fixture_the_fetch_stops_as_before() {
    let mut desktop = dry_desktop();
    let status = run(&mut desktop, &[("cpr", "070761-4285")]);
    let Status::Failed(failure) = status else {
        panic!("{status:?}");
    };
    assert!(
        failure
            .to_string()
            .ends_with("en tørkørsel henter ikke data fra fagsystemerne"),
        "{failure}"
    );
}

#[test]
fn the_selection_is_taken_as_the_agent_takes_it() {
    let mut data = data(r#"{"navn": "Åse", "rapporter": []}"#).expect("fixture");
    data.selection = Some("Sagen om 070761-4285 i Fasit".to_string());
    let mut desktop = dry_desktop();
    data.apply_to(&mut desktop);

    let status = run(&mut desktop, &[]);

    assert_eq!(status, Status::Completed, "{status:?}");
    assert_eq!(
        desktop.lines()[0],
        "fetch GET https://fasit.example.invalid/borgere/0707614285 ← fixture «borger»"
    );
}

#[test]
fn a_fixture_a_real_answer_could_not_be_is_refused() {
    assert_eq!(
        data(r#"{"navn": "Åse"}"#),
        Err(FixtureError::MissingField {
            name: "borger".into(),
            field: "rapporter".into()
        })
    );
    assert_eq!(
        data(r#"{"navn": "Åse", "rapporter": [{"nr": 1}]}"#),
        Err(FixtureError::MissingField {
            name: "borger".into(),
            field: "rapporter[0].id".into()
        })
    );
    assert!(matches!(
        data("<html>070761-4285</html>"),
        Err(FixtureError::NotJson { .. })
    ));
    let big = format!(r#"{{"navn": "{}", "rapporter": []}}"#, "a".repeat(2000));
    assert_eq!(
        data(&big),
        Err(FixtureError::TooBig {
            name: "borger".into(),
            limit: LIMIT
        })
    );
    let script = common::script_from(SCRIPT);
    let error = DryRunData::default()
        .add_fixture(&script, "borgeren", b"{}", LIMIT)
        .expect_err("no such source");
    assert_eq!(
        error.to_string(),
        "`attester` has no source `borgeren` (did you mean `borger`?); its sources are: `borger`"
    );
}

#[test]
fn a_document_fixture_answers_downloads_from_its_address_and_must_be_a_pdf() {
    let mut data =
        data(r#"{"navn": "Åse", "rapporter": [{"id": 7}, {"id": 9}]}"#).expect("fixture");
    let three_pages = genvej_engine::documents::text_pdf(&["a", "b", "c"]);
    data.add_document("https://fasit.example.invalid/dok/9", three_pages, 1 << 20)
        .expect("a PDF under the limit");
    let mut desktop = dry_desktop();
    data.apply_to(&mut desktop);

    let status = run(&mut desktop, &[("cpr", "070761-4285")]);

    assert_eq!(status, Status::Completed, "{status:?}");
    assert_eq!(
        desktop.lines()[1..3],
        [
            "fetch GET https://fasit.example.invalid/dok/7 ← stand-in PDF",
            "fetch GET https://fasit.example.invalid/dok/9 ← fixture PDF",
        ]
    );
    let (_, merged) = &desktop.documents()[0];
    let pages = lopdf::Document::load_mem(merged)
        .expect("a PDF")
        .get_pages()
        .len();
    assert_eq!(pages, 4, "one stand-in page and the fixture's three");

    let mut data = DryRunData::default();
    assert_eq!(
        data.add_document("https://x.invalid/", b"<html>".to_vec(), 1 << 20),
        Err(FixtureError::NotPdf {
            prefix: "https://x.invalid/".into()
        })
    );
    assert_eq!(
        data.add_document(
            "https://x.invalid/",
            genvej_engine::documents::text_pdf(&["a"]),
            10
        ),
        Err(FixtureError::DocumentTooBig {
            prefix: "https://x.invalid/".into(),
            limit: 10
        })
    );
}
