//! Release metadata (`owner`, `version`, `[approved]`) and the release
//! check (`genvej check --release`): the exact messages the IT office
//! sees, what the model gets, and that a caseworker's own scripts never
//! need any of it.

use crate::common;

use std::path::Path;

use chrono::NaiveDate;
use genvej_format::script::{self, Approval, CheckMode, ScriptFolders, ScriptSet};

/// A script with everything but release metadata.
const BARE: &str = "id = \"t\"\nname = \"T\"\nmanual_seconds = 10\n[[step]]\ntype = \"x\"\n";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write script");
}

fn rendered(set: &ScriptSet, dir: &Path) -> String {
    set.render_diagnostics()
        .replace(&format!("{}/", dir.display()), "")
}

/// The release check of one script saved as `hotkeys/test.toml`.
fn check_release(source: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "hotkeys/test.toml", source);
    let set = script::load_release(&[dir.path().join("hotkeys")], &common::shipped_config());
    rendered(&set, dir.path())
}

#[test]
fn the_release_check_names_every_missing_key_at_the_id_line() {
    let source = format!("# Et script uden udgivelsesdata\n{BARE}");
    let expected = r#"hotkeys/test.toml:2:1: error: missing field `owner` (required by --release)
2 | id = "t"
  | ^^^^^^^^
  = help: add `owner = "IT-kontoret, Anne Holm"` below `id`: the team and person who answer for the script

hotkeys/test.toml:2:1: error: missing field `version` (required by --release)
2 | id = "t"
  | ^^^^^^^^
  = help: add `version = "1.0"` below `id`, and raise it with every change: usage records and bundles carry it

hotkeys/test.toml:2:1: error: missing field `approved.professional` (required by --release)
2 | id = "t"
  | ^^^^^^^^
  = help: add an [approved] table with `professional = { by = "Mette Lund, teamleder", on = 2026-11-28 }`: who approved the script professionally, and when

hotkeys/test.toml:2:1: error: missing field `approved.legal` (required by --release)
2 | id = "t"
  | ^^^^^^^^
  = help: add an [approved] table with `legal = { by = "Peter Juul, jurist", on = 2026-11-30 }`: who approved the script legally, and when
"#;
    assert_eq!(check_release(&source), expected);
    // The ordinary check asks for none of it.
    assert_eq!(common::check_source(&source), "");
}

#[test]
fn a_missing_legal_approval_points_at_the_approved_table() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10
owner = "IT-kontoret, Anne Holm"
version = "1.2"

[approved]
professional = { by = "Mette Lund, teamleder", on = 2026-11-28 }

[[step]]
type = "x"
"#;
    let expected = r#"hotkeys/test.toml:7:1: error: missing field `approved.legal` (required by --release)
7 | [approved]
  | ^^^^^^^^^^
  = help: add `legal = { by = "Peter Juul, jurist", on = 2026-11-30 }` to [approved]: who approved the script legally, and when
"#;
    assert_eq!(check_release(source), expected);
}

#[test]
fn a_fully_released_script_passes_and_its_metadata_reaches_the_model() {
    // Both ways of writing an approval, and a quoted date.
    let source = r#"id = "t"
name = "T"
manual_seconds = 10
owner = "IT-kontoret, Anne Holm"
version = "2026.1-rc2+b7"

[approved]
professional = { by = "Mette Lund, teamleder", on = 2026-11-28 }

[approved.legal]
by = "Peter Juul, jurist"
on = "2026-11-30"

[[step]]
type = "x"
"#;
    assert_eq!(check_release(source), "");
    let release = common::script_from(source).release;
    assert_eq!(release.owner.as_deref(), Some("IT-kontoret, Anne Holm"));
    assert_eq!(release.version.as_deref(), Some("2026.1-rc2+b7"));
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("a date");
    assert_eq!(
        release.professional,
        Some(Approval {
            by: "Mette Lund, teamleder".into(),
            on: day(28)
        })
    );
    assert_eq!(
        release.legal,
        Some(Approval {
            by: "Peter Juul, jurist".into(),
            on: day(30)
        })
    );
    // Without any, the model says so.
    assert_eq!(common::script_from(BARE).release, Default::default());
}

#[test]
fn a_bad_version_says_what_a_version_may_hold() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10
version = "1.2 beta"
[[step]]
type = "x"
"#;
    let expected = r#"hotkeys/test.toml:4:11: error: `version` may hold only letters a–z and A–Z, digits, `.`, `-`, `_` and `+`, not a space
4 | version = "1.2 beta"
  |           ^^^^^^^^^^
  = help: e.g. `version = "1.0"` or `version = "2026.2-rc1"`
"#;
    assert_eq!(common::check_source(source), expected);

    let unquoted = source.replace("\"1.2 beta\"", "1.2");
    let expected = r#"hotkeys/test.toml:4:11: error: invalid type: floating point `1.2`, expected a string
4 | version = 1.2
  |           ^^^
  = help: write the version in quotes, e.g. `version = "1.2"`
"#;
    assert_eq!(common::check_source(&unquoted), expected);
    // Dropped for its type, it is not also called missing by --release.
    assert!(!check_release(&unquoted).contains("missing field `version`"));

    let long = source.replace("1.2 beta", &"a".repeat(41));
    assert!(
        common::check_source(&long).contains("error: `version` is 41 characters long; at most 40"),
        "{}",
        common::check_source(&long)
    );
    let empty = source.replace("1.2 beta", "");
    assert!(common::check_source(&empty).contains("4:11: error: `version` is empty"));
}

#[test]
fn a_cpr_number_in_the_owner_or_an_approver_is_an_error_that_does_not_repeat_it() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10
owner = "Sagsbehandler 070761-4285"
[approved]
legal = { by = "Jurist 0707614285", on = 2026-11-30 }
[[step]]
type = "x"
"#;
    let expected = r#"hotkeys/test.toml:4:9: error: `owner` contains a CPR number
4 | owner = "Sagsbehandler 070761-4285"
  |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: release metadata is shown in lists, the About box and bundle manifests: name the team and the person who answer for the script, never a CPR number, e.g. `owner = "IT-kontoret, Anne Holm"`

hotkeys/test.toml:6:16: error: `approved.legal.by` contains a CPR number
6 | legal = { by = "Jurist 0707614285", on = 2026-11-30 }
  |                ^^^^^^^^^^^^^^^^^^^
  = help: release metadata is shown in lists, the About box and bundle manifests: name who approved: a name and a role, never a CPR number, e.g. `legal = { by = "Peter Juul, jurist", on = 2026-11-30 }`
"#;
    assert_eq!(common::check_source(source), expected);
    let (set, _dir) = common::load_files(&[("hotkeys/test.toml", source)]);
    for diagnostic in &set.diagnostics {
        assert!(!diagnostic.message.contains("4285"), "{diagnostic:?}");
        assert!(
            !diagnostic.help.as_deref().unwrap_or("").contains("4285"),
            "{diagnostic:?}"
        );
    }
    assert!(
        set.scripts.is_empty(),
        "a script with an error is not loaded"
    );
}

#[test]
fn an_owner_must_be_one_bounded_line() {
    let with_owner =
        |owner: &str| BARE.replace("[[step]]", &format!("owner = \"{owner}\"\n[[step]]"));
    let long = with_owner(&"x".repeat(121));
    assert!(
        common::check_source(&long)
            .contains("4:9: error: `owner` is 121 characters long; at most 120"),
        "{}",
        common::check_source(&long)
    );
    let two_lines = with_owner("IT\\nkontoret");
    assert!(
        common::check_source(&two_lines).contains("4:9: error: `owner` must be one line of text"),
        "{}",
        common::check_source(&two_lines)
    );
    assert!(common::check_source(&with_owner("  ")).contains("4:9: error: `owner` is empty"));
}

#[test]
fn an_approval_date_is_a_day_from_2000_to_today() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10
[approved]
professional = { by = "Mette Lund, teamleder", on = 2999-01-01 }
legal = { by = "Peter Juul, jurist", on = 1999-12-31 }
[[step]]
type = "x"
"#;
    let expected = r#"hotkeys/test.toml:5:53: error: the approval date 2999-01-01 is in the future
5 | professional = { by = "Mette Lund, teamleder", on = 2999-01-01 }
  |                                                     ^^^^^^^^^^
  = help: write the day the approval was given; it cannot be later than today

hotkeys/test.toml:6:43: error: the approval date 1999-12-31 is before 2000
6 | legal = { by = "Peter Juul, jurist", on = 1999-12-31 }
  |                                           ^^^^^^^^^^
  = help: write the day the approval was given, e.g. `on = 2026-11-28`
"#;
    let release = check_release(source);
    assert!(release.contains(expected), "{release}");
    // Outside the release check a future date is a warning: a workstation
    // whose clock is behind still loads an approved script.
    let ordinary = common::check_source(source);
    assert!(
        ordinary.starts_with(&expected.replacen(
            "5:53: error: the approval date 2999-01-01",
            "5:53: warning: the approval date 2999-01-01",
            1
        )),
        "{ordinary}"
    );
    let only_future = source.replace("1999-12-31", "2026-11-30");
    let script = common::script_from(&only_future);
    assert_eq!(
        script.release.professional.map(|a| a.on),
        NaiveDate::from_ymd_opt(2999, 1, 1)
    );

    let with_time = source
        .replace("2999-01-01", "2026-11-28T10:00:00")
        .replace("1999-12-31", "\"30. november\"");
    let expected = r#"hotkeys/test.toml:5:53: error: `approved.professional.on` must be a day, not a time
5 | professional = { by = "Mette Lund, teamleder", on = 2026-11-28T10:00:00 }
  |                                                     ^^^^^^^^^^^^^^^^^^^
  = help: write the day without quotes or a time, e.g. `on = 2026-11-28`

hotkeys/test.toml:6:43: error: `approved.legal.on` must be a date such as 2026-11-28
6 | legal = { by = "Peter Juul, jurist", on = "30. november" }
  |                                           ^^^^^^^^^^^^^^
  = help: write the day without quotes or a time, e.g. `on = 2026-11-28`
"#;
    assert_eq!(common::check_source(&with_time), expected);
}

#[test]
fn unknown_keys_in_approved_get_a_did_you_mean_and_the_rest_is_still_checked() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10
[approved]
profesional = { by = "Mette Lund, teamleder", on = 2026-11-28 }
legal = { by = "Peter Juul, jurist", dato = 2026-11-30 }
[[step]]
type = "x"
"#;
    let expected = r#"hotkeys/test.toml:5:1: error: unknown key `profesional` in [approved]
5 | profesional = { by = "Mette Lund, teamleder", on = 2026-11-28 }
  | ^^^^^^^^^^^
  = help: did you mean `professional`? valid keys are `legal` and `professional`

hotkeys/test.toml:6:9: error: missing field `on` in approved.legal
6 | legal = { by = "Peter Juul, jurist", dato = 2026-11-30 }
  |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: add `on = 2026-11-28`: the day of the approval, without quotes

hotkeys/test.toml:6:38: error: unknown key `dato` in approved.legal
6 | legal = { by = "Peter Juul, jurist", dato = 2026-11-30 }
  |                                      ^^^^
  = help: valid keys are `by` and `on`
"#;
    assert_eq!(common::check_source(source), expected);

    let not_a_table = BARE.replace("[[step]]", "approved = \"ja\"\n[[step]]");
    assert!(
        common::check_source(&not_a_table).contains("error: `approved` must be a table"),
        "{}",
        common::check_source(&not_a_table)
    );
}

#[test]
fn a_caseworkers_own_script_never_needs_release_metadata() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "central/test.toml", BARE);
    write(
        dir.path(),
        "personal/mine.toml",
        &BARE
            .replace("\"t\"", "\"mine\"")
            .replace("\"T\"", "\"Min\""),
    );
    let folders = ScriptFolders {
        central: vec![dir.path().join("central")],
        personal: vec![dir.path().join("personal")],
    };
    let set = script::load_folders_in(&folders, &common::shipped_config(), CheckMode::Release);
    let text = rendered(&set, dir.path());
    assert_eq!(set.error_count(), 4, "{text}");
    assert!(
        set.diagnostics
            .iter()
            .all(|d| d.path.ends_with("central/test.toml")),
        "{text}"
    );
    let ids: Vec<&str> = set.scripts.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["mine"]);
}

#[test]
fn the_shipped_scripts_pass_the_release_check() {
    let set = script::load_release(&[common::repo().join("hotkeys")], &common::shipped_config());
    assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
    assert!(set.files_checked >= 7);
    for script in &set.scripts {
        let release = &script.release;
        assert!(
            release.owner.is_some()
                && release.version.as_deref() == Some("1.0")
                && release.professional.is_some()
                && release.legal.is_some(),
            "{}: {release:?}",
            script.id
        );
    }
}

#[test]
fn the_schema_bounds_match_the_checker() {
    let schema = serde_json::to_value(script::raw::script_schema()).expect("json");
    let header = &schema["properties"];
    assert_eq!(
        header["version"]["maxLength"],
        script::MAX_VERSION_CHARS as u64
    );
    assert_eq!(
        header["owner"]["maxLength"],
        script::MAX_PERSON_CHARS as u64
    );
    assert_eq!(
        schema["$defs"]["RawApproval"]["properties"]["by"]["maxLength"],
        script::MAX_PERSON_CHARS as u64
    );
}
