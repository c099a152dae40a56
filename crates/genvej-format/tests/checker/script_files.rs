//! Script folders as they are on a share: one file saved by Notepad in
//! ANSI, a file nobody may read, a named pipe, a link that loops, a huge
//! generated file. Each is one clear problem; every other script loads.

use crate::common;

use std::path::Path;

use genvej_format::config::Config;
use genvej_format::script::{self, ScriptSet};

const GOOD: &str = "id = \"god\"\nname = \"God\"\nmanual_seconds = 5\n[[step]]\ntype = \"Hej\"\n";

/// "Åbn sag" as Windows-1252 ("ANSI") bytes: Å is 0xC5, ø is 0xF8.
const ANSI: &[u8] =
    b"id = \"ansi\"\nname = \"\xC5bn sag\"\nmanual_seconds = 5\n[[step]]\ntype = \"K\xE6re borger\"\n";

fn folder_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        let path = dir.path().join("hotkeys").join(name);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write script");
    }
    dir
}

fn load(dir: &Path, config: &Config) -> ScriptSet {
    script::load(&[dir.join("hotkeys")], config)
}

fn rendered(set: &ScriptSet, dir: &Path) -> String {
    set.render_diagnostics()
        .replace(&format!("{}/", dir.display()), "")
}

fn ids(set: &ScriptSet) -> Vec<&str> {
    set.scripts.iter().map(|s| s.id.as_str()).collect()
}

#[test]
fn a_file_saved_as_ansi_is_one_problem_and_the_other_scripts_load() {
    let dir = folder_with(&[("ansi.toml", ANSI), ("god.toml", GOOD.as_bytes())]);
    let set = load(dir.path(), &common::shipped_config());
    let expected = "hotkeys/ansi.toml:1:1: error: this script is not UTF-8 text: the first byte that is not, 0xC5, `Å` in Windows-1252 (\"ANSI\"), is at line 2, column 9
1 | id = \"ansi\"
  | ^
  = help: save it as UTF-8 (in Notepad: File → Save as → Encoding: UTF-8); the other scripts are loaded
";
    assert_eq!(rendered(&set, dir.path()), expected);
    assert_eq!(ids(&set), ["god"]);
    assert_eq!(set.files_checked, 2);
}

#[test]
fn a_utf8_byte_order_mark_is_fine() {
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), GOOD.as_bytes()].concat();
    let dir = folder_with(&[("bom.toml", &with_bom)]);
    let set = load(dir.path(), &common::shipped_config());
    assert!(set.diagnostics.is_empty(), "{}", set.render_diagnostics());
    assert_eq!(ids(&set), ["god"]);
}

#[cfg(unix)]
#[test]
fn a_file_that_cannot_be_read_is_one_problem_and_the_others_load() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder_with(&[("laast.toml", GOOD.as_bytes())]);
    std::fs::write(
        dir.path().join("hotkeys/anden.toml"),
        GOOD.replace("god", "anden"),
    )
    .expect("write");
    // A link to a file that has vanished.
    std::os::unix::fs::symlink(
        dir.path().join("gone.toml"),
        dir.path().join("hotkeys/vaek.toml"),
    )
    .expect("symlink");
    let locked = dir.path().join("hotkeys/laast.toml");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&locked).is_ok() {
        // Running as root: permissions are not enforced; the vanished file
        // still shows the rule.
        std::fs::remove_file(&locked).expect("remove");
    }
    let set = load(dir.path(), &common::shipped_config());
    let text = rendered(&set, dir.path());
    assert!(
        text.contains(
            "hotkeys/vaek.toml:1:1: error: cannot read this script: No such file or directory"
        ),
        "{text}"
    );
    assert!(text.contains("  = help: check that the file exists and that you may read it; the other scripts are loaded"), "{text}");
    assert!(ids(&set).contains(&"anden"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_reported_without_waiting_for_a_writer() {
    let dir = folder_with(&[("god.toml", GOOD.as_bytes())]);
    let fifo = dir.path().join("hotkeys/pipe.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let set = load(dir.path(), &common::shipped_config());
    let text = rendered(&set, dir.path());
    assert!(
        text.starts_with("hotkeys/pipe.toml:1:1: error: this is not a regular file (a named pipe, a device or a socket), so it is not read"),
        "{text}"
    );
    assert_eq!(ids(&set), ["god"]);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_read_once_and_reported() {
    let dir = folder_with(&[("Breve/brev.toml", GOOD.as_bytes())]);
    // hotkeys/Breve/igen → hotkeys: a cycle.
    std::os::unix::fs::symlink(
        dir.path().join("hotkeys"),
        dir.path().join("hotkeys/Breve/igen"),
    )
    .expect("symlink");
    let set = load(dir.path(), &common::shipped_config());
    let text = rendered(&set, dir.path());
    assert!(
        text.starts_with("hotkeys/Breve/igen:1:1: warning: this folder is "),
        "{text}"
    );
    assert!(
        text.contains("again (a symbolic link loop or a folder named twice); it is read once"),
        "{text}"
    );
    assert_eq!(set.error_count(), 0, "{text}");
    assert_eq!(ids(&set), ["god"]);
}

#[test]
fn a_too_big_script_is_refused_with_the_limit_named() {
    let mut config = common::shipped_config();
    config.limits.max_script_kb = 1;
    let big = format!("{GOOD}{}", "# fyld\n".repeat(400));
    let dir = folder_with(&[
        ("stor.toml", big.as_bytes()),
        ("lille.toml", GOOD.replace("god", "lille").as_bytes()),
    ]);
    let set = load(dir.path(), &config);
    assert_eq!(
        rendered(&set, dir.path()),
        "hotkeys/stor.toml:1:1: error: this script is 3 KB; a script may be at most 1 KB (limits.max_script_kb)\n  = help: split it into several scripts, or raise limits.max_script_kb in genvej.toml\n"
    );
    assert_eq!(ids(&set), ["lille"]);
}

#[test]
fn problems_are_capped_per_file_with_a_count_of_the_rest() {
    let mut text = String::from("id = \"mange\"\nname = \"Mange\"\nmanual_seconds = 5\n");
    for _ in 0..120 {
        text.push_str("[[step]]\ntyp = \"a\"\n");
    }
    let dir = folder_with(&[("mange.toml", text.as_bytes())]);
    let set = load(dir.path(), &common::shipped_config());
    // 120 unknown keys and 120 steps without an action: all counted, 50 listed.
    assert_eq!(set.diagnostics.len(), 51);
    assert_eq!(set.error_count(), 240);
    let last = rendered(&set, dir.path())
        .split("\n\n")
        .last()
        .expect("one")
        .to_string();
    assert_eq!(
        last,
        "hotkeys/mange.toml:54:1: error: … and 190 more problems in this file (190 errors), not listed
54 | [[step]]
   | ^
   = help: fix the first 50 and check again
"
    );
}

fn bundled(id: &str) -> String {
    format!("id = \"{id}\"\nname = \"{id}\"\nmanual_seconds = 10\n\n[[step]]\ntype = \"x\"\n")
}

#[test]
fn a_bundles_scripts_load_with_its_sequence_and_their_folder_as_menu_group() {
    let files = vec![
        ("Journal/signatur.toml".into(), bundled("signatur")),
        ("top.toml".into(), bundled("top")),
    ];
    let set = script::load_bundle(&files, 7, &[], &Config::default());
    assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
    assert_eq!(ids(&set), ["signatur", "top"]);
    assert!(set.scripts.iter().all(|s| s.file.bundle == Some(7)));
    assert_eq!(set.scripts[0].category, "Journal");
    assert_eq!(set.scripts[1].category, "Genveje");
}

#[test]
fn a_broken_script_in_a_bundle_points_at_the_bundle_and_its_path() {
    let files = vec![(
        "Journal/brudt.toml".into(),
        "id = \"brudt\"\nname = 3\n".to_string(),
    )];
    let set = script::load_bundle(&files, 12, &[], &Config::default());
    let shown = set.render_diagnostics();
    assert!(shown.contains("bundle 12/Journal/brudt.toml:2:"), "{shown}");
}

#[test]
fn personal_scripts_load_after_a_bundle_and_cannot_take_its_ids() {
    let personal = folder_with(&[("signatur.toml", bundled("signatur").as_bytes())]);
    let files = vec![("Journal/signatur.toml".into(), bundled("signatur"))];
    let set = script::load_bundle(
        &files,
        3,
        &[personal.path().to_path_buf()],
        &Config::default(),
    );
    assert_eq!(ids(&set), ["signatur"]);
    assert_eq!(set.scripts[0].file.bundle, Some(3));
    assert!(set.render_diagnostics().contains("signatur"));
}

#[test]
fn a_test_file_is_never_loaded_as_a_script_even_when_it_is_one() {
    let good = GOOD.as_bytes();
    let dir = folder_with(&[
        ("god.toml", good),
        ("god.tests.toml", b"[[case]]\nname = \"a\"\nfails = \"x\"\n"),
        (
            "Breve/gammel.tests.toml",
            GOOD.replace("god", "gammel").as_bytes(),
        ),
    ]);
    let config = common::shipped_config();
    let root = dir.path().join("hotkeys");
    let set = load(dir.path(), &config);
    assert_eq!(ids(&set), ["god"]);
    assert_eq!(set.files_checked, 1);
    assert!(set.diagnostics.is_empty(), "{}", rendered(&set, dir.path()));
    // Named alone, it is not read as a script either.
    let named = script::load(&[root.join("Breve/gammel.tests.toml")], &config);
    assert_eq!(named.files_checked, 0);
    // A bundle holding one does not make it a hot key.
    let bundle = script::load_bundle(
        &[(
            Path::new("Breve/gammel.tests.toml").to_path_buf(),
            GOOD.replace("god", "gammel"),
        )],
        1,
        &[],
        &config,
    );
    assert!(bundle.scripts.is_empty());
    // The test files are found for `genvej test` and `genvej check`.
    let tests = script::find_test_files(std::slice::from_ref(&root));
    assert_eq!(
        tests,
        [
            root.join("Breve/gammel.tests.toml"),
            root.join("god.tests.toml")
        ]
    );
    assert_eq!(
        script::find_test_files(&[root.join("god.toml")]),
        [root.join("god.tests.toml")]
    );
}
