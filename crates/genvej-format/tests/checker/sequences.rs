//! Sequences (`hotkey = "Ctrl+Alt+Space J"`): the exact messages for a bad
//! key after the leader, a second key used twice under one leader, a leader
//! that is also a plain hot key, a leader on the panic key, and the chord
//! lints applied to the leader.

use crate::common;

fn script(id: &str, hotkey: &str) -> String {
    format!(
        "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"{hotkey}\"\nmanual_seconds = 10\n[[step]]\nkey = \"Enter\"\n"
    )
}

#[test]
fn scripts_under_one_leader_with_different_keys_are_fine() {
    let (a, b, c) = (
        script("a", "Ctrl+Alt+Space J"),
        script("b", "Ctrl+Alt+Space P"),
        script("c", "Ctrl+Alt+Space Shift+J"),
    );
    let files = [
        ("hotkeys/a.toml", a.as_str()),
        ("hotkeys/b.toml", b.as_str()),
        ("hotkeys/c.toml", c.as_str()),
    ];
    assert_eq!(common::check_files(&files), "");
    let (set, _dir) = common::load_files(&files);
    let keys: Vec<String> = set
        .scripts
        .iter()
        .filter_map(|s| s.hotkey.map(|h| h.to_string()))
        .collect();
    assert_eq!(
        keys,
        [
            "Ctrl+Alt+Space J",
            "Ctrl+Alt+Space P",
            "Ctrl+Alt+Space Shift+J"
        ]
    );
}

#[test]
fn a_key_that_cannot_follow_the_leader_says_what_can() {
    let expected = r#"hotkeys/test.toml:3:10: error: invalid hot key `Ctrl+Alt+Space Ctrl+J`: the key after the leader may add Shift only, not Ctrl: the leader's modifiers may still be held when it is pressed
3 | hotkey = "Ctrl+Alt+Space Ctrl+J"
  |          ^^^^^^^^^^^^^^^^^^^^^^^
  = help: a sequence is a leader chord, a space and one key, e.g. `Ctrl+Alt+Space J` or `Ctrl+Alt+Space Shift+J`
"#;
    assert_eq!(
        common::check_source(&script("a", "Ctrl+Alt+Space Ctrl+J")),
        expected
    );
    let escape = common::check_source(&script("a", "Ctrl+Alt+Space Escape"));
    assert!(
        escape.starts_with("hotkeys/test.toml:3:10: error: invalid hot key `Ctrl+Alt+Space Escape`: Escape cancels a sequence, so it cannot follow the leader\n"),
        "{escape}"
    );
}

#[test]
fn the_same_key_twice_under_one_leader_names_the_first() {
    let (a, b) = (
        script("a", "Ctrl+Alt+Space J"),
        script("b", "ctrl+alt+space j"),
    );
    let expected = r#"hotkeys/b.toml:3:10: error: hot key Ctrl+Alt+Space J is used twice
3 | hotkey = "ctrl+alt+space j"
  |          ^^^^^^^^^^^^^^^^^^
  = help: hotkeys/a.toml:3:10 ("a") already uses it; choose another key after Ctrl+Alt+Space, or make both context-sensitive with different `only_when`
"#;
    assert_eq!(
        common::check_files(&[("hotkeys/a.toml", &a), ("hotkeys/b.toml", &b)]),
        expected
    );
}

#[test]
fn a_leader_that_is_also_a_plain_hot_key_is_an_error_on_the_plain_one() {
    let (a, b, c) = (
        script("a", "Ctrl+Alt+Space J"),
        script("b", "Ctrl+Alt+Space P"),
        script("c", "Ctrl+Alt+Space"),
    );
    let files = [
        ("hotkeys/a.toml", a.as_str()),
        ("hotkeys/b.toml", b.as_str()),
        ("hotkeys/c.toml", c.as_str()),
    ];
    let expected = r#"hotkeys/c.toml:3:10: error: hot key Ctrl+Alt+Space is also the leader of 2 sequence(s), e.g. `Ctrl+Alt+Space J` in hotkeys/a.toml:3:10
3 | hotkey = "Ctrl+Alt+Space"
  |          ^^^^^^^^^^^^^^^^
  = help: after Ctrl+Alt+Space genvej waits for the next key, so this script could never run; choose another chord, or put it under the leader, e.g. `hotkey = "Ctrl+Alt+Space X"`
"#;
    assert_eq!(common::check_files(&files), expected);
    let (set, _dir) = common::load_files(&files);
    let ids: Vec<&str> = set.scripts.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["a", "b"],
        "the sequences stay; the plain one is dropped"
    );
}

#[test]
fn a_leader_on_the_panic_key_or_the_stopwatch_is_an_error() {
    let panic = common::check_source(&script("a", "Ctrl+Alt+Escape J"));
    assert!(
        panic.starts_with("hotkeys/test.toml:3:10: error: the leader Ctrl+Alt+Escape of hot key Ctrl+Alt+Escape J is the panic key\n"),
        "{panic}"
    );
    let mut config = common::shipped_config();
    config.usage.stopwatch_hotkey = Some("Ctrl+Alt+U".into());
    let (set, _dir) =
        common::load_files_with(&[("hotkeys/a.toml", &script("a", "Ctrl+Alt+U J"))], &config);
    let rendered = set.render_diagnostics();
    assert!(
        rendered.contains("/hotkeys/a.toml:3:10: error: the leader Ctrl+Alt+U of hot key Ctrl+Alt+U J is the manual-time stopwatch's\n"),
        "{rendered}"
    );
}

#[test]
fn the_chord_lints_apply_to_the_leader() {
    let expected = r#"hotkeys/test.toml:3:10: warning: hot key Ctrl+Alt+M is AltGr+M on Windows and types µ on a Danish keyboard; caseworkers could no longer type µ
3 | hotkey = "Ctrl+Alt+M J"
  |          ^^^^^^^^^^^^^^
  = help: choose a key that types nothing with AltGr, or add Shift (Ctrl+Alt+Shift+M); the layouts checked are agent.keyboard_layouts in genvej.toml
"#;
    assert_eq!(common::check_source(&script("a", "Ctrl+Alt+M J")), expected);
    // The key after the leader is pressed alone: J is no AltGr character.
    assert_eq!(common::check_source(&script("a", "Ctrl+Alt+Space E")), "");
}
