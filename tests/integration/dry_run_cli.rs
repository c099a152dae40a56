//! `genvej exec --dry-run` given data, as an author tries a script that
//! fetches: fixture answers for sources (and every fixture a real answer
//! could not be, refused), a simulated selection, stand-in documents for
//! `merge_pdf`, and a hotstring's expansion previewed.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

/// Runs genvej with the repository's config and scripts (whatever the
/// target folder).
fn genvej(args: &[&str]) -> Output {
    let repo = common::repo();
    Command::new(env!("CARGO_BIN_EXE_genvej"))
        .arg("--config")
        .arg(repo.join("config/genvej.toml"))
        .arg("--hotkeys")
        .arg(repo.join("hotkeys"))
        .args(args)
        .current_dir(&repo)
        .output()
        .expect("genvej runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A folder of answers for `forberedende-plan`'s four sources.
struct Fixtures(tempfile::TempDir);

impl Fixtures {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let fixtures = Fixtures(dir);
        fixtures.write(
            "borger.json",
            r#"{"navn": "Jens Hansen", "email": "jens@example.dk", "adresse": "Vestergade 1, 5000 Odense C"}"#,
        );
        fixtures.write(
            "ydelser.json",
            r#"[{"ydelse": "Kontanthjælp", "fra": "2025-01-01", "til": null}]"#,
        );
        fixtures.write(
            "aktiviteter.json",
            r#"[{"titel": "Praktik", "tilbudstype": "Virksomhedspraktik", "paragraf": "§ 42", "timer_pr_uge": 15, "start": "2026-11-01", "slut": "2027-01-31"}]"#,
        );
        fixtures.write(
            "rapporter.json",
            r#"[{"id": "r1", "titel": "Statusattest"}, {"id": "r2", "titel": "Lægeattest"}]"#,
        );
        fixtures
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.path().join(name), text).expect("fixture written");
    }

    fn path(&self, name: &str) -> String {
        let path: &Path = self.0.path();
        path.join(name).to_str().expect("utf-8 path").to_string()
    }

    /// `--fixture NAME=FILE` for all four sources, `borger` from `borger_file`.
    fn args(&self, borger_file: &str) -> Vec<String> {
        let mut args = Vec::new();
        for (name, file) in [
            ("borger", borger_file),
            ("ydelser", "ydelser.json"),
            ("aktiviteter", "aktiviteter.json"),
            ("rapporter", "rapporter.json"),
        ] {
            args.push("--fixture".to_string());
            args.push(format!("{name}={}", self.path(file)));
        }
        args
    }
}

fn plan(extra: &[String]) -> Output {
    let mut args: Vec<&str> = vec!["exec", "forberedende-plan", "--dry-run"];
    args.extend(extra.iter().map(String::as_str));
    genvej(&args)
}

const API: &str = "https://fasit.eksempelby.invalid/api/v1";

#[test]
fn fixtures_answer_the_sources_and_merge_pdf_records_stand_in_documents() {
    let fixtures = Fixtures::new();
    let mut args = fixtures.args("borger.json");
    args.extend(["--set".to_string(), "cpr=070761-4285".to_string()]);
    let out = plan(&args);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d");
    let lines: Vec<&str> = text.lines().take(9).collect();
    assert_eq!(
        lines,
        [
            "dry run of «Forberedende plan» (forberedende-plan) — nothing was sent to the desktop"
                .to_string(),
            format!("  fetch GET {API}/borgere/070761-XXXX ← fixture «borger»"),
            format!("  fetch GET {API}/borgere/070761-XXXX/ydelser ← fixture «ydelser»"),
            format!("  fetch GET {API}/borgere/070761-XXXX/aktiviteter ← fixture «aktiviteter»"),
            format!("  fetch GET {API}/borgere/070761-XXXX/rapporter ← fixture «rapporter»"),
            format!("  fetch GET {API}/dokumenter/r1 ← stand-in PDF"),
            format!("  fetch GET {API}/dokumenter/r2 ← stand-in PDF"),
            format!("  save_document «Statusattester Jens Hansen {today}.pdf»"),
            "  focus «plan»".to_string(),
        ]
    );
    assert!(
        text.contains(r#"paste «plan» "Forberedende plan – Jens Hansen\nCPR-nr.: 070761-XXXX\nE-mail: jens@example.dk\n"#),
        "{text}"
    );
    assert!(
        text.contains(r"- Kontanthjælp: 01-01-2025 – nu\n"),
        "{text}"
    );
    assert!(text.ends_with("completed 4 steps\n"), "{text}");
}

#[test]
fn without_a_fixture_a_dry_run_fetch_still_stops() {
    let fixtures = Fixtures::new();
    let out = plan(&[
        "--set".to_string(),
        "cpr=070761-4285".to_string(),
        "--fixture".to_string(),
        format!("borger={}", fixtures.path("borger.json")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        format!(
            "dry run of «Forberedende plan» (forberedende-plan) — nothing was sent to the desktop\n  \
             fetch GET {API}/borgere/070761-XXXX ← fixture «borger»\n  \
             fetch GET {API}/borgere/070761-XXXX/ydelser\n\
             failed: «Forberedende plan» stoppede ved trin 1 (fetch, linje 46): kilden «ydelser» kunne ikke hentes: en tørkørsel henter ikke data fra fagsystemerne\n"
        )
    );
}

#[test]
fn the_selection_is_read_as_the_agent_reads_it() {
    let fixtures = Fixtures::new();
    let mut args = fixtures.args("borger.json");
    args.extend([
        "--selection".to_string(),
        "Sagen om 0707614285, se journal".to_string(),
    ]);
    let out = plan(&args);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "  fetch GET {API}/borgere/070761-XXXX ← fixture «borger»\n"
        )),
        "{text}"
    );
    assert!(!text.contains("4285"), "{text}");

    // A selection without a valid CPR number is not taken: the form asks.
    let out = genvej(&[
        "exec",
        "aabn-borger",
        "--dry-run",
        "--selection",
        "Sagen om 310299-1234",
    ]);
    assert_eq!(
        stdout(&out),
        "dry run of «Åbn borger i alle systemer» (aabn-borger) — nothing was sent to the desktop\n  \
         ask «Åbn borger i alle systemer» [cpr]\n  \
         focus «aktivt vindue»\n\
         failed: «Åbn borger i alle systemer» kunne ikke starte: «CPR-nummer»: skal udfyldes\n\
         hint: give inputs with --set NAME=VALUE\n"
    );
}

#[test]
fn a_cpr_number_inside_a_fixture_stays_masked_unless_asked_to_show_it() {
    let fixtures = Fixtures::new();
    fixtures.write(
        "borger-cpr.json",
        r#"{"navn": "Jens Hansen", "email": "x@example.dk", "adresse": "Vestergade 1 (borger 0707614285)"}"#,
    );
    let mut args = fixtures.args("borger-cpr.json");
    args.extend(["--set".to_string(), "cpr=070761-4285".to_string()]);
    let text = stdout(&plan(&args));
    assert!(
        text.contains(r"Adresse: Vestergade 1 (borger 070761-XXXX)\n"),
        "{text}"
    );
    assert!(!text.contains("4285"), "{text}");

    args.push("--show-personal-data".to_string());
    let shown = stdout(&plan(&args));
    assert!(
        shown.contains(r"Adresse: Vestergade 1 (borger 0707614285)\n"),
        "{shown}"
    );
}

/// Runs the plan with `borger` answered by `text` and returns what it said.
fn refused(fixtures: &Fixtures, text: &str) -> String {
    fixtures.write("hostile.json", text);
    let mut args = fixtures.args("hostile.json");
    args.extend(["--set".to_string(), "cpr=070761-4285".to_string()]);
    let out = plan(&args);
    assert_eq!(out.status.code(), Some(1));
    stdout(&out)
}

#[test]
fn a_fixture_a_real_answer_could_not_be_is_refused_before_the_run() {
    let fixtures = Fixtures::new();
    assert_eq!(
        refused(&fixtures, r#"{"navn": "Jens 070761-4285", "email": "x"}"#),
        "not run: --fixture borger=…: the fixture for `borger` lacks the field `adresse` that the source expects (`expect`); a real answer without it would fail\n"
    );
    assert_eq!(
        refused(&fixtures, "{\"navn\": \"070761-4285\""),
        "not run: --fixture borger=…: the fixture for `borger` is not JSON: EOF while parsing an object at line 1 column 22\n"
    );
    // Over the 10 MB answer limit (`max_answer_mb`).
    let big = format!(r#"{{"navn": "{}"}}"#, "a".repeat(10 * 1024 * 1024));
    assert_eq!(
        refused(&fixtures, &big),
        "not run: --fixture borger=…: the fixture for `borger` is larger than 10 MB (`max_answer_mb` under [limits]); a real answer this big would be refused\n"
    );
}

#[test]
fn a_fixture_for_no_source_or_a_missing_file_is_named() {
    let fixtures = Fixtures::new();
    let out = plan(&[
        "--fixture".to_string(),
        format!("borgr={}", fixtures.path("borger.json")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "not run: --fixture borgr=…: `forberedende-plan` has no source `borgr` (did you mean `borger`?); its sources are: `borger`, `ydelser`, `aktiviteter` and `rapporter`\n"
    );
    let out = plan(&[
        "--fixture".to_string(),
        format!("borger={}", fixtures.path("mangler.json")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("not run: --fixture borger=…: cannot read `"),
        "{}",
        stdout(&out)
    );
    // A file named after a citizen is not echoed with the CPR number.
    let out = plan(&[
        "--fixture".to_string(),
        format!("borger={}", fixtures.path("070761-4285.json")),
    ]);
    assert!(
        stdout(&out).contains("070761-XXXX.json`"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("4285"), "{}", stdout(&out));
}

#[test]
fn data_for_a_dry_run_needs_dry_run() {
    let out = genvej(&["exec", "aabn-borger", "--selection", "0707614285"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_hotstring_preview_shows_what_the_expansion_types() {
    let out = genvej(&["exec", "signatur", "--dry-run", "--hotstring", ";navn"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text,
        format!(
            "dry run of «Underskrift (navn og titel) (;navn)» (signatur) — nothing was sent to the desktop\n\
             {}  type «aktivt vindue» \"Mette Sørensen, Jobkonsulent\"\n  \
             key «aktivt vindue» Space\n\
             completed 3 steps\n",
            "  key «aktivt vindue» Backspace\n".repeat(6)
        )
    );

    let out = genvej(&["exec", "signatur", "--dry-run", "--hotstring", ";nav"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "not run: `signatur` has no hotstring `;nav` (did you mean `;navn`?); its hotstrings are: `;navn` and `;tlf`\n"
    );
}

#[test]
fn a_document_address_can_be_answered_by_a_local_pdf() {
    let fixtures = Fixtures::new();
    let pdf = fixtures.0.path().join("attest.pdf");
    let three_pages = genvej_engine::documents::text_pdf(&["1", "2", "3"]);
    std::fs::write(&pdf, three_pages).expect("pdf written");
    let mut args = fixtures.args("borger.json");
    args.extend([
        "--set".to_string(),
        "cpr=070761-4285".to_string(),
        "--fixture".to_string(),
        format!("{API}/dokumenter/r2={}", pdf.display()),
    ]);
    let out = plan(&args);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "  fetch GET {API}/dokumenter/r1 ← stand-in PDF\n  fetch GET {API}/dokumenter/r2 ← fixture PDF\n"
        )),
        "{text}"
    );

    fixtures.write("fake.pdf", "<html>not a pdf</html>");
    let mut args = fixtures.args("borger.json");
    args.extend([
        "--fixture".to_string(),
        format!("{API}/dokumenter/={}", fixtures.path("fake.pdf")),
    ]);
    let out = plan(&args);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        format!(
            "not run: --fixture {API}/dokumenter/=…: the document fixture for `{API}/dokumenter/` is not a PDF\n"
        )
    );
}
