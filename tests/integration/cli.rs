//! The `genvej` command line as the IT office uses it: exit codes, output,
//! the committed JSON Schemas, and masking of CPR numbers.

use crate::common;

use std::process::{Command, Output};

fn genvej(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genvej"))
        .args(args)
        .current_dir(common::repo())
        .output()
        .expect("genvej runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn check_of_the_shipped_scripts_is_clean() {
    let out = genvej(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(": 0 errors, 0 warnings"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_exits_1_on_errors_and_0_on_warnings_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "id = \"x\"\nname = \"X\"\nmanual_seconds = 5\n[[step]]\ntyp = \"a\"\n",
    )
    .expect("write");
    let out = genvej(&["check", bad.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("bad.toml:5:1: error: unknown step `typ`"),
        "{}",
        stdout(&out)
    );

    let warn = dir.path().join("warn.toml");
    std::fs::write(&warn, "id = \"w\"\nname = \"W\"\nmanual_seconds = 5\n[[hotstring]]\nabbreviation = \"navn\"\ntext = \"x\"\n").expect("write");
    let out = genvej(&["check", warn.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 errors, 1 warning"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(genvej(&["chek"]).status.code(), Some(2));
    assert_eq!(
        genvej(&["exec", "aabn-borger", "--set", "novalue"])
            .status
            .code(),
        Some(2)
    );
    let out = genvej(&["exec", "aabn-borgr", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `aabn-borger`?"));
}

#[test]
fn committed_schemas_are_up_to_date() {
    for (args, file) in [
        (&["schema"][..], "config/hotkeys.schema.json"),
        (&["schema", "--for-config"][..], "config/genvej.schema.json"),
        (&["schema", "--for-tests"][..], "config/tests.schema.json"),
    ] {
        let generated = stdout(&genvej(args));
        let committed =
            std::fs::read_to_string(common::repo().join(file)).expect("schema committed");
        assert!(
            generated == committed,
            "{file} is stale: run `cargo run -- {} > {file}`",
            args.join(" ")
        );
    }
}

#[test]
fn list_shows_every_shipped_hot_key_as_json() {
    let out = genvej(&["list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
    for id in [
        "aabn-borger",
        "signatur",
        "indkaldelse-adresse",
        "indsatsplan-overskrifter",
        "journalnotat",
        "transportgodtgoerelse",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn dry_run_masks_the_cpr_unless_asked_to_show_it() {
    let out = genvej(&[
        "exec",
        "aabn-borger",
        "--set",
        "cpr=070761-4285",
        "--dry-run",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("type «Fasit» \"070761-XXXX\""), "{text}");
    assert!(!text.contains("4285"), "{text}");

    let shown = stdout(&genvej(&[
        "exec",
        "aabn-borger",
        "--set",
        "cpr=070761-4285",
        "--dry-run",
        "--show-personal-data",
    ]));
    assert!(shown.contains("borger?cpr=0707614285"), "{shown}");
}

#[test]
fn dry_run_failure_exits_1_with_the_reason() {
    let out = genvej(&[
        "exec",
        "aabn-borger",
        "--set",
        "cpr=310299-1234",
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "not run: --set cpr=…: the CPR number's date does not exist (the input «CPR-nummer»)\n"
    );
}

#[test]
fn a_set_date_needs_a_four_digit_year_and_a_set_time_is_hh_mm() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("hotkeys")).expect("mkdir");
    std::fs::write(
        dir.path().join("hotkeys/frist.toml"),
        "id = \"frist\"\nname = \"Frist\"\nmanual_seconds = 5\n\n[[input]]\nname = \"dato\"\nlabel = \"Mødedato\"\nkind = \"date\"\n\n[[input]]\nname = \"kl\"\nkind = \"time\"\n\n[[step]]\ntype = \"{{ dato | date_long }} kl. {{ kl }}\"\n",
    )
    .expect("write");
    let config = dir.path().join("genvej.toml");
    std::fs::write(&config, "").expect("write");
    let exec = |set: &[&str]| {
        let folder = dir.path().join("hotkeys");
        let folder = folder.to_str().expect("utf-8").to_string();
        let mut args = vec!["--config", config.to_str().expect("utf-8"), "--hotkeys"];
        args.push(&folder);
        args.extend(["exec", "frist", "--dry-run"]);
        for s in set {
            args.extend(["--set", s]);
        }
        let out = genvej(&args);
        (out.status.code(), stdout(&out))
    };
    assert_eq!(
        exec(&["dato=7-12-26", "kl=9:30"]),
        (
            Some(1),
            "not run: --set dato=…: the year must have four digits: write YYYY-MM-DD or DD-MM-YYYY, e.g. 07-12-2026 (the input «Mødedato»)\n".to_string()
        )
    );
    assert_eq!(
        exec(&["dato=07-12-1826", "kl=9:30"]).1,
        "not run: --set dato=…: the year 1826 is before 1900; write the full year, e.g. 2026 (the input «Mødedato»)\n"
    );
    assert_eq!(
        exec(&["dato=07-12-2026", "kl=930"]).1,
        "not run: --set kl=…: not a time of day: write HH:MM (00:00–23:59), e.g. 09:30 (the input «kl»)\n"
    );
    let (code, out) = exec(&["dato=07-12-2026", "kl=9.30"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("\"7. december 2026 kl. 09:30\""), "{out}");
}

#[test]
fn a_personal_config_layers_over_the_machine_wide_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    };
    let machine = write(
        "machine.toml",
        "[profile]\nname = \"Standard\"\nunit = \"Jobcenter Eksempelby\"\n",
    );
    let user = write("user.toml", "[profile]\nname = \"Mette Sørensen\"\n");
    std::fs::create_dir(dir.path().join("hotkeys")).expect("mkdir");
    std::fs::write(
        dir.path().join("hotkeys/underskrift.toml"),
        "id = \"underskrift\"\nname = \"Underskrift\"\nmanual_seconds = 5\n[[step]]\ntype = \"{{ profile.name }}, {{ profile.unit }}\"\n",
    )
    .expect("write script");
    let hotkeys = dir.path().join("hotkeys").to_string_lossy().into_owned();
    let out = genvej(&[
        "--config",
        &machine,
        "--config",
        &user,
        "--hotkeys",
        &hotkeys,
        "exec",
        "underskrift",
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("\"Mette Sørensen, Jobcenter Eksempelby\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_and_list_load_the_good_scripts_beside_a_file_saved_as_ansi() {
    let dir = tempfile::tempdir().expect("temp dir");
    // "Åbn sag" in Windows-1252, as Notepad's "ANSI" saves it.
    std::fs::write(
        dir.path().join("ansi.toml"),
        b"id = \"ansi\"\nname = \"\xC5bn sag\"\nmanual_seconds = 5\n[[step]]\ntype = \"x\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("god.toml"),
        "id = \"god\"\nname = \"God\"\nmanual_seconds = 5\nhotkey = \"Ctrl+Alt+Y\"\n[[step]]\ntype = \"Hej\"\n",
    )
    .expect("write");
    let folder = dir.path().to_str().expect("utf-8 path");

    let out = genvej(&["check", folder]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("ansi.toml:1:1: error: this script is not UTF-8 text"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("checked 2 script files in"),
        "{}",
        stdout(&out)
    );

    let out = genvej(&["--hotkeys", folder, "list", "--format", "json"]);
    // 1 says that some file has errors; the good scripts are listed.
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("1 script file(s) have errors and are not listed; run `genvej check`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|row| row["id"].as_str())
        .collect();
    assert_eq!(ids, ["god"]);
}

#[test]
fn report_by_version_compares_a_script_before_and_after_a_release() {
    use genvej_usage::{Outcome, Person, ScriptVersion, Trigger, UsageDb, UsageRecord};
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("usage.sqlite");
    let mut db = UsageDb::open(&database).expect("database");
    let at = |day: i64| 1_793_520_000_000 + day * 86_400_000; // 2026-11-01T06:40Z + days
    let records: Vec<UsageRecord> = [
        ("1.0", 5, 4000, 0),
        ("1.0", 5, 2000, 1),
        ("1.1", 6, 1000, 9),
    ]
    .into_iter()
    .map(|(version, bundle, ms, day)| UsageRecord {
        script: ScriptVersion {
            id: "aabn-borger".into(),
            version: format!("hash-{version}"),
            name: "Åbn borger".into(),
            manual_seconds: 120,
            author_version: Some(version.into()),
        },
        person: Person {
            user_id: "p-1".into(),
            team: "A".into(),
        },
        started_at_ms: at(day),
        duration_ms: ms,
        outcome: Outcome::Ok,
        trigger: Trigger::Hotkey,
        agent_version: "0.1.0".into(),
        bundle: Some(bundle),
    })
    .collect();
    db.insert(&records).expect("written");
    drop(db);
    let config = dir.path().join("genvej.toml");
    std::fs::write(
        &config,
        format!("[usage]\ndatabase = {:?}\n", database.to_string_lossy()),
    )
    .expect("config");

    let out = genvej(&[
        "--config",
        &config.to_string_lossy(),
        "report",
        "--by-version",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let csv = stdout(&out);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[1]
            .starts_with("aabn-borger;Åbn borger;1.0;forfatter;5;5;2;2;1,000;3,000;120,0;0,065;"),
        "{csv}"
    );
    assert!(
        rows[2]
            .starts_with("aabn-borger;Åbn borger;1.1;forfatter;6;6;1;1;1,000;1,000;120,0;0,033;"),
        "{csv}"
    );
}

/// The bundled config and scripts named explicitly, so the test does not
/// depend on where the binary was built.
const SHIPPED: [&str; 4] = ["--config", "config/genvej.toml", "--hotkeys", "hotkeys"];

#[test]
fn check_release_exits_1_naming_the_line_of_a_script_without_legal_approval() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("uden-jurist.toml");
    std::fs::write(
        &script,
        "id = \"uden-jurist\"\nname = \"Uden jurist\"\nmanual_seconds = 5\nowner = \"IT-kontoret, Anne Holm\"\nversion = \"1.0\"\n\n[approved]\nprofessional = { by = \"Mette Lund, teamleder\", on = 2026-11-28 }\n\n[[step]]\ntype = \"Hej\"\n",
    )
    .expect("write");
    let path = script.to_str().expect("utf-8 path");

    let out = genvej(&["--config", "config/genvej.toml", "check", "--release", path]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "uden-jurist.toml:7:1: error: missing field `approved.legal` (required by --release)"
        ),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("1 error, 0 warnings"),
        "{}",
        stdout(&out)
    );

    // Without --release the same script is fine.
    let out = genvej(&["--config", "config/genvej.toml", "check", path]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn the_shipped_scripts_pass_check_release() {
    let out = genvej(&[
        "--config",
        "config/genvej.toml",
        "check",
        "--release",
        "hotkeys",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(": 0 errors, 0 warnings"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn list_shows_owner_version_and_approvals() {
    let out = genvej(&[&SHIPPED[..], &["list", "--format", "json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    let signatur = rows
        .iter()
        .find(|r| r["id"] == "signatur")
        .expect("signatur is listed");
    assert_eq!(signatur["owner"], "IT-kontoret, Anne Holm");
    assert_eq!(signatur["version"], "1.0");
    assert_eq!(signatur["approved"]["legal"]["by"], "Peter Juul, jurist");
    assert_eq!(signatur["approved"]["legal"]["on"], "2026-11-30");
    assert_eq!(
        signatur["approved"]["professional"]["by"],
        "Mette Lund, teamleder"
    );

    let table = stdout(&genvej(&[&SHIPPED[..], &["list"]].concat()));
    let header = table.lines().next().unwrap_or("");
    assert!(header.contains("VERSION  APPROVED"), "{table}");
    let line = table
        .lines()
        .find(|l| l.starts_with("signatur "))
        .expect("signatur's line");
    assert!(line.contains("1.0      yes"), "{table}");
}

#[test]
fn list_shows_a_sequence_as_its_leader_and_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (file, id, hotkey) in [
        ("j.toml", "journal", "ctrl+alt+space j"),
        ("p.toml", "plan", "Ctrl+Alt+Space Shift+P"),
    ] {
        std::fs::write(
            dir.path().join(file),
            format!("id = \"{id}\"\nname = \"{id}\"\nmanual_seconds = 5\nhotkey = \"{hotkey}\"\n[[step]]\ntype = \"x\"\n"),
        )
        .expect("write");
    }
    let folder = dir.path().to_str().expect("utf-8 path");
    let out = genvej(&["--hotkeys", folder, "list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    let keys: Vec<&str> = rows.iter().filter_map(|r| r["hotkey"].as_str()).collect();
    assert_eq!(keys, ["Ctrl+Alt+Space J", "Ctrl+Alt+Space Shift+P"]);
}

/// `genvej list | head -c 1`: the reader goes away after one byte of far more
/// output than a pipe holds (64 KiB), so the command's later writes fail.
#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    for n in 0..400 {
        std::fs::write(
            dir.path().join(format!("genvej-{n}.toml")),
            format!(
                "id = \"genvej-{n}\"\nname = \"En lang genvej med et langt navn nummer {n}\"\nmanual_seconds = 5\n[[step]]\ntype = \"Hej\"\n"
            ),
        )
        .expect("write");
    }
    let folder = dir.path().to_str().expect("utf-8 path");
    let out = Command::new("sh")
        .args([
            "-c",
            r#"("$0" --hotkeys "$1" list --format json; echo "exit $?" >&2) | head -c 1 >/dev/null"#,
            env!("CARGO_BIN_EXE_genvej"),
            folder,
        ])
        .current_dir(common::repo())
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim(), "exit 0", "no message, no panic: {stderr}");
}

#[test]
fn output_that_cannot_be_written_is_an_error_not_a_panic() {
    let full = std::fs::File::create("/dev/full").expect("/dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_genvej"))
        .arg("schema")
        .stdout(full)
        .current_dir(common::repo())
        .output()
        .expect("genvej runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "genvej: No space left on device (os error 28)"
    );
}
