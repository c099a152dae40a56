//! `genvej test` as the IT office's CI runs it: the bundled scripts' own
//! cases all pass; a mismatch exits 1 with the exact line diff; a failure
//! case passes only on the failure it names; a broken test file is named at
//! path:line:col (by `genvej check` too); usage errors exit 2; `--bless`
//! writes what a run did; the case's clock is its own; CPR numbers are
//! masked; and a test file is never loaded as a hot key.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs genvej with the repository's config.
fn genvej(args: &[&str]) -> Output {
    let repo = common::repo();
    Command::new(env!("CARGO_BIN_EXE_genvej"))
        .arg("--config")
        .arg(repo.join("config/genvej.toml"))
        .args(args)
        .current_dir(&repo)
        .output()
        .expect("genvej runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A scratch script folder.
struct Folder(tempfile::TempDir);

impl Folder {
    fn new(files: &[(&str, &str)]) -> Folder {
        let folder = Folder(tempfile::tempdir().expect("temp dir"));
        for (name, text) in files {
            folder.write(name, text);
        }
        folder
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    fn root(&self) -> &Path {
        self.0.path()
    }
}

/// A script that types a greeting with today's date and the selected CPR
/// number.
const HILSEN: &str = r#"id = "hilsen"
name = "Hilsen"
manual_seconds = 10

[[input]]
name = "cpr"
kind = "cpr"
from = ["selection", "prompt"]

[[step]]
type = "Hej {{ cpr }} den {{ today | date_long }}"
"#;

const HILSEN_CASE: &str = r#"[[case]]
name = "hilser"
now = 2026-12-24T08:00:00
selection = "Sagen om 0707614285"
expect = [
    'type «aktivt vindue» "Hej 070761-XXXX den 24. december 2026"',
]
"#;

#[test]
fn the_bundled_scripts_pass_their_own_test_cases() {
    let out = genvej(&["test", "hotkeys"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains(" 0 failed"), "{text}");
    assert!(!text.contains("FAILED"), "{text}");
    // Every bundled script has cases, and at least one expects a failure.
    assert!(!text.contains("scripts without test cases"), "{text}");
    for id in [
        "aabn-borger",
        "transportgodtgoerelse",
        "journalnotat",
        "signatur",
        "indsatsplan-overskrifter",
        "forberedende-plan",
        "indkaldelse-adresse",
        "jobnet-samtale",
        "vitas-tilbud",
        "minplan",
        "naeste-samtale",
        "partshoering",
        "moedebekraeftelse",
        "svar-henvendelse",
        "mediconnect-attest",
    ] {
        assert!(text.contains(&format!("ok      {id}: ")), "{id}: {text}");
    }
    assert!(
        text.contains("ok      aabn-borger: a selection without a valid CPR number is not used"),
        "{text}"
    );
    assert!(text.contains("in 15 test files:"), "{text}");
}

#[test]
fn a_case_passes_on_its_own_clock_and_the_cpr_number_is_masked() {
    let folder = Folder::new(&[("hilsen.toml", HILSEN), ("hilsen.tests.toml", HILSEN_CASE)]);
    let out = genvej(&["test", s(folder.root())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text,
        "ok      hilsen: hilser\n1 case in 1 test file: 1 passed, 0 failed\n"
    );
}

#[test]
fn a_mismatch_exits_1_and_shows_the_line_diff_exactly() {
    let case = HILSEN_CASE.replace("24. december", "23. december");
    let folder = Folder::new(&[("hilsen.toml", HILSEN), ("hilsen.tests.toml", &case)]);
    let out = genvej(&["test", s(folder.root())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(
        text,
        concat!(
            "FAILED  hilsen: hilser\n",
            "    expected (-) and actual (+) actions differ:\n",
            "    - type «aktivt vindue» \"Hej 070761-XXXX den 23. december 2026\"\n",
            "    + type «aktivt vindue» \"Hej 070761-XXXX den 24. december 2026\"\n",
            "1 case in 1 test file: 0 passed, 1 failed\n",
        )
    );
    assert!(!text.contains("0707614285") && !text.contains("070761-4285"));
}

#[test]
fn a_failure_case_passes_on_its_failure_and_fails_when_the_script_succeeds() {
    let cases = r#"[[case]]
name = "no CPR number selected"
selection = "ingenting"
fails = "«cpr»: skal udfyldes"

[[case]]
name = "wrongly expects a failure"
selection = "Sagen om 0707614285"
now = 2026-12-24
fails = "skal udfyldes"

[[case]]
name = "fails otherwise than expected"
selection = "ingenting"
fails = "forbindelsen blev afbrudt"
"#;
    let folder = Folder::new(&[("hilsen.toml", HILSEN), ("hilsen.tests.toml", cases)]);
    let out = genvej(&["test", s(folder.root())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "ok      hilsen: no CPR number selected", "{text}");
    assert_eq!(
        lines[1], "FAILED  hilsen: wrongly expects a failure",
        "{text}"
    );
    assert_eq!(
        lines[2], "    expected the run to fail with «skal udfyldes», but it completed 1 step",
        "{text}"
    );
    assert_eq!(
        lines[3], "FAILED  hilsen: fails otherwise than expected",
        "{text}"
    );
    assert!(
        lines[4].starts_with(
            "    expected the run to fail with «forbindelsen blev afbrudt», but it failed: "
        ) && lines[4].contains("«cpr»: skal udfyldes"),
        "{text}"
    );
    assert!(
        text.ends_with("3 cases in 1 test file: 1 passed, 2 failed\n"),
        "{text}"
    );
}

#[test]
fn a_broken_test_file_is_named_at_path_line_col_by_test_and_by_check() {
    let cases = r#"[[case]]
name = "stavefejl"
selection = "0707614285"
expekt = []

[[case]]
name = "ukendt input"
set = { cprr = "070761-4285" }
expect = []

[[case]]
name = "ukendt kilde"
fixtures = { borger = "borger.json" }
expect = []

[[case]]
name = "god"
selection = "Sagen om 0707614285"
expect = []
"#;
    let folder = Folder::new(&[("hilsen.toml", HILSEN), ("hilsen.tests.toml", cases)]);
    let file = folder.path("hilsen.tests.toml");
    let out = genvej(&["test", s(folder.root())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let at = |place: &str| format!("{}:{place}", file.display());
    for expected in [
        format!("{}: error: unknown key `expekt` in [[case]]", at("4:1")),
        "did you mean `expect`?".to_string(),
        format!("{}: error: `hilsen` has no input `cprr`", at("8:9")),
        "did you mean `cpr`? its inputs are: `cpr`".to_string(),
        format!("{}: error: `hilsen` has no source `borger`", at("13:14")),
        "FAILED  hilsen.tests.toml".to_string(),
    ] {
        let expected = expected.replace(
            "FAILED  hilsen.tests.toml",
            &format!("FAILED  {}: this test file has errors", file.display()),
        );
        assert!(text.contains(&expected), "«{expected}» missing:\n{text}");
    }
    // The good case still runs (its empty `expect` differs from the run).
    assert!(text.contains("FAILED  hilsen: god"), "{text}");
    assert!(
        text.contains("FAILED  hilsen: ukendt input\n    the case has errors (below)"),
        "{text}"
    );

    let out = genvej(&["check", s(folder.root())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "{}: error: `hilsen` has no input `cprr`",
            at("8:9")
        )),
        "{text}"
    );
    assert!(
        text.contains("checked 1 script file and 1 test file in "),
        "{text}"
    );
    assert!(text.contains(": 3 errors, 0 warnings"), "{text}");
}

#[test]
fn a_fixture_is_checked_like_a_real_answer_at_its_line() {
    let script = r#"id = "opslag"
name = "Opslag"
manual_seconds = 10

[[source]]
name = "borger"
url = "https://fasit.eksempelby.invalid/api/borger"
expect = ["navn"]

[[step]]
fetch = "borger"

[[step]]
type = "{{ borger.navn }}"
"#;
    let cases = r#"[[case]]
name = "godt svar"
fixtures = { borger = "testdata/borger.json" }
expect = [
    'fetch GET https://fasit.eksempelby.invalid/api/borger ← fixture «borger»',
    'type «aktivt vindue» "Åse"',
]

[[case]]
name = "svar uden navn"
fixtures = { borger = "testdata/uden-navn.json" }
expect = []

[[case]]
name = "uden for mappen"
fixtures = { borger = "../borger.json" }
expect = []
"#;
    let folder = Folder::new(&[
        ("opslag.toml", script),
        ("opslag.tests.toml", cases),
        ("testdata/borger.json", r#"{"navn": "Åse"}"#),
        ("testdata/uden-navn.json", r#"{"adresse": "Æblevej 7"}"#),
    ]);
    let file = folder.path("opslag.tests.toml");
    let out = genvej(&["test", s(folder.root())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("ok      opslag: godt svar"), "{text}");
    assert!(
        text.contains(&format!(
            "{}:11:23: error: the fixture for `borger` lacks the field `navn` that the source expects",
            file.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{}:16:23: error: this fixture file is outside the test file's folder",
            file.display()
        )),
        "{text}"
    );
    assert!(
        !text.contains("Æblevej"),
        "a fixture's content is never quoted: {text}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = genvej(&["test", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no/such/folder does not exist"),
        "{}",
        stderr(&out)
    );
    assert_eq!(genvej(&["test", "--blesss"]).status.code(), Some(2));
    assert_eq!(genvej(&["test", "--filter"]).status.code(), Some(2));
}

#[test]
fn bless_writes_what_the_run_did_and_the_case_then_passes() {
    let case = "# mine egne noter\n[[case]]\nname = \"hilser\"\nnow = 2026-12-24T08:00:00\nselection = \"Sagen om 0707614285\"\nexpect = [] # skrives af --bless\n";
    let folder = Folder::new(&[("hilsen.toml", HILSEN), ("hilsen.tests.toml", case)]);
    // Without --bless nothing is written.
    let out = genvej(&["test", s(folder.root())]);
    assert_eq!(out.status.code(), Some(1));
    let file = folder.path("hilsen.tests.toml");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), case);

    let out = genvej(&["test", "--bless", s(folder.root())]);
    assert!(
        stdout(&out).contains("--bless wrote the actual actions into the `expect` of 1 case;"),
        "{}",
        stdout(&out)
    );
    let blessed = std::fs::read_to_string(&file).expect("read");
    assert_eq!(blessed, HILSEN_CASE_BLESSED);
    let out = genvej(&["test", s(folder.root())]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

const HILSEN_CASE_BLESSED: &str = "# mine egne noter\n[[case]]\nname = \"hilser\"\nnow = 2026-12-24T08:00:00\nselection = \"Sagen om 0707614285\"\nexpect = [\n    'type «aktivt vindue» \"Hej 070761-XXXX den 24. december 2026\"',\n] # skrives af --bless\n";

#[test]
fn filter_and_junit_for_ci() {
    let cases = format!(
        "{HILSEN_CASE}\n[[case]]\nname = \"anden\"\nselection = \"x\"\nfails = \"noget helt andet\"\n"
    );
    let folder = Folder::new(&[("hilsen.toml", HILSEN), ("hilsen.tests.toml", &cases)]);
    let out = genvej(&["test", "--filter", "hilser", s(folder.root())]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("1 case in 1 test file: 1 passed, 0 failed\n"));

    let report = folder.path("junit.xml");
    let out = genvej(&["test", "--junit", s(&report), s(folder.root())]);
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&report).expect("report written");
    assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
    assert!(xml.contains("<testcase classname=\""), "{xml}");
    assert!(xml.contains("name=\"hilsen: hilser\"/>"), "{xml}");
    assert!(
        xml.contains(
            "<failure message=\"expected the run to fail with «noget helt andet», but it failed: "
        ),
        "{xml}"
    );
    assert!(!xml.contains("0707614285"), "{xml}");
}

#[test]
fn a_test_file_is_never_loaded_as_a_hot_key() {
    // Even a test file that is a whole script (a file misnamed) is not one.
    let folder = Folder::new(&[
        ("hilsen.toml", HILSEN),
        ("hilsen.tests.toml", HILSEN_CASE),
        (
            "Breve/gammel.tests.toml",
            "id = \"gammel\"\nname = \"Gammel\"\nmanual_seconds = 5\nhotkey = \"Ctrl+Alt+G\"\n[[step]]\ntype = \"x\"\n",
        ),
    ]);
    let out = genvej(&["--hotkeys", s(folder.root()), "list", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = listed
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["hilsen"]);

    // Named alone, `check` checks it as a test file, never as a script.
    let misnamed = folder.path("Breve/gammel.tests.toml");
    let out = genvej(&["check", s(&misnamed)]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("checked 0 script files and 1 test file"),
        "{text}"
    );
    assert!(text.contains("this looks like a script"), "{text}");
}

#[test]
fn a_hotstring_dry_run_checks_its_fixtures_as_every_dry_run_does() {
    let folder = Folder::new(&[("bad.json", "{ ikke json")]);
    let out = genvej(&[
        "--hotkeys",
        "hotkeys",
        "exec",
        "signatur",
        "--dry-run",
        "--hotstring",
        ";navn",
        "--fixture",
        &format!("borger={}", s(&folder.path("bad.json"))),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "not run: --fixture borger=…: `signatur` has no source `borger`; its sources are: none\n"
    );
    let out = genvej(&[
        "--hotkeys",
        "hotkeys",
        "exec",
        "forberedende-plan",
        "--dry-run",
        "--hotstring",
        ";x",
        "--fixture",
        &format!("borger={}", s(&folder.path("bad.json"))),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out)
            .starts_with("not run: --fixture borger=…: the fixture for `borger` is not JSON"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_release_warns_about_a_script_without_test_cases() {
    let released = format!(
        "{}owner = \"IT-kontoret, Anne Holm\"\nversion = \"1.0\"\n\n[approved]\nprofessional = {{ by = \"Mette Lund\", on = 2026-11-28 }}\nlegal = {{ by = \"Peter Juul\", on = 2026-11-30 }}\n\n{}",
        &HILSEN[..HILSEN.find("\n[[input]]").expect("header") + 1],
        &HILSEN[HILSEN.find("[[input]]").expect("inputs")..]
    );
    let folder = Folder::new(&[("hilsen.toml", &released)]);
    let out = genvej(&["check", "--release", s(folder.root())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "{}:1:1: warning: `hilsen` has no test cases",
            folder.path("hilsen.toml").display()
        )),
        "{text}"
    );
    assert!(text.contains("add hilsen.tests.toml beside it"), "{text}");
    assert!(text.contains(": 0 errors, 1 warning"), "{text}");
    // Not without --release, and not once it has a case.
    let out = genvej(&["check", s(folder.root())]);
    assert!(
        stdout(&out).contains(": 0 errors, 0 warnings"),
        "{}",
        stdout(&out)
    );
    folder.write("hilsen.tests.toml", HILSEN_CASE);
    let out = genvej(&["check", "--release", s(folder.root())]);
    assert!(
        stdout(&out).contains("checked 1 script file and 1 test file in ")
            && stdout(&out).contains(": 0 errors, 0 warnings"),
        "{}",
        stdout(&out)
    );
}
