//! The checker's messages are an interface for the IT office: each test pins
//! the exact text, position and help of one class of author error.

use crate::common;

use common::check_source;

#[test]
fn invalid_toml_points_at_the_broken_string() {
    let source = r#"id = "t
name = "T"
"#;
    let expected = r#"hotkeys/test.toml:1:8: error: invalid TOML: invalid basic string, expected `"`
1 | id = "t
  |        ^
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn missing_and_misspelt_header_keys_and_a_bad_hot_key_are_all_reported() {
    let source = r#"id = "t"
name = "T"
manual_secs = 10
hotkey = "Ctrl+Alt+Entr"
"#;
    let expected = r#"hotkeys/test.toml:1:1: error: missing field `manual_seconds`
1 | id = "t"
  | ^
  = help: add `manual_seconds = 120`: how many seconds the task takes by hand

hotkeys/test.toml:3:1: error: unknown key `manual_secs`
3 | manual_secs = 10
  | ^^^^^^^^^^^
  = help: did you mean `manual_seconds`?

hotkeys/test.toml:4:10: error: invalid hot key `Ctrl+Alt+Entr`: unknown key `Entr` (did you mean `Enter`?); keys are A–Z, 0–9, F1–F24 and Enter, Tab, Escape, Space, Backspace, Delete, Insert, Home, End, PageUp, PageDown, Up, Down, Left, Right, Pause, PrintScreen, Menu
4 | hotkey = "Ctrl+Alt+Entr"
  |          ^^^^^^^^^^^^^^^
  = help: write modifiers and one key joined by `+`, e.g. `Ctrl+Alt+B` or `Ctrl+Shift+F5`
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn unknown_empty_and_double_steps() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10
[[step]]
typ = "Hej"

[[step]]
type = "a"
key = "Enter"

[[step]]
repeat = 2
"#;
    let expected = r#"hotkeys/test.toml:4:1: error: step 1 has no action
4 | [[step]]
  | ^^^^^^^^
  = help: add one of `type`, `paste`, `key`, `launch`, `open_url`, `wait_window`, `focus_window`, `copy_selection`, `read_clipboard`, `pause_ms`, `set`, `message`, `require`, `fetch`, `merge_pdf` and `for_each`

hotkeys/test.toml:5:1: error: unknown step `typ`
5 | typ = "Hej"
  | ^^^
  = help: did you mean `type`? steps are `type`, `paste`, `key`, `launch`, `open_url`, `wait_window`, `focus_window`, `copy_selection`, `read_clipboard`, `pause_ms`, `set`, `message`, `require`, `fetch`, `merge_pdf` and `for_each`; step options are `as`, `key_delay_ms`, `repeat`, `steps`, `target`, `timeout_ms` and `when`

hotkeys/test.toml:7:1: error: step 2 has more than one action: `type` and `key`
7 | [[step]]
  | ^^^^^^^^
  = help: give each action its own [[step]] table

hotkeys/test.toml:11:1: error: step 3 has no action
11 | [[step]]
   | ^^^^^^^^
   = help: add one of `type`, `paste`, `key`, `launch`, `open_url`, `wait_window`, `focus_window`, `copy_selection`, `read_clipboard`, `pause_ms`, `set`, `message`, `require`, `fetch`, `merge_pdf` and `for_each`
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn wrong_types_and_invalid_ids() {
    let source = r#"id = "T 1"
name = "T"
manual_seconds = "ti"
hotkey = "Shift+B"
"#;
    let expected = r#"hotkeys/test.toml:1:6: error: invalid id `T 1`
1 | id = "T 1"
  |      ^^^^^
  = help: use lower-case letters a–z, digits and `-`, e.g. `aabn-borger`; the id must stay the same when the script changes

hotkeys/test.toml:3:18: error: invalid type: string "ti", expected u32
3 | manual_seconds = "ti"
  |                  ^^^^
  = help: write a whole number without quotes, e.g. `10000`

hotkeys/test.toml:4:10: error: invalid hot key `Shift+B`: a hot key on `B` alone would fire while people type; add Ctrl, Alt or Super (e.g. `Ctrl+Alt+B`), or use F1–F24 or Pause
4 | hotkey = "Shift+B"
  |          ^^^^^^^^^
  = help: write modifiers and one key joined by `+`, e.g. `Ctrl+Alt+B` or `Ctrl+Shift+F5`
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn undefined_and_misspelt_template_variables() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[input]]
name = "cpr"
kind = "cpr"

[[step]]
type = "{{ cpr.digts }} {{ navn }} {{ profile.titel }} {{ org.fasit }}"

[[step]]
type = "{{ cpr }"
"#;
    let expected = r#"hotkeys/test.toml:10:12: error: a CPR number has no `digts` (in step 1)
10 | type = "{{ cpr.digts }} {{ navn }} {{ profile.titel }} {{ org.fasit }}"
   |            ^^^^^^^^^
   = help: did you mean `digits`? use `digits`, `formatted`, `masked` and `birth_date`

hotkeys/test.toml:10:28: error: `navn` is not defined (in step 1)
10 | type = "{{ cpr.digts }} {{ navn }} {{ profile.titel }} {{ org.fasit }}"
   |                            ^^^^
   = help: declare it as an [[input]] or set it in an earlier step; defined here: `cpr`, `profile`, `org`, `today`, `now` and `script`

hotkeys/test.toml:10:39: error: the profile has no `titel` (in step 1)
10 | type = "{{ cpr.digts }} {{ navn }} {{ profile.titel }} {{ org.fasit }}"
   |                                       ^^^^^^^^^^^^^
   = help: did you mean `title`? the profile has `name`, `title`, `unit`, `phone`, `email` and `address`

hotkeys/test.toml:10:59: error: `org.fasit` is not in the config (in step 1)
10 | type = "{{ cpr.digts }} {{ navn }} {{ profile.titel }} {{ org.fasit }}"
   |                                                           ^^^^^^^^^
   = help: add `fasit = …` under [org] in genvej.toml, or did you mean `org.fasit_api`?

hotkeys/test.toml:13:16: error: template error in step 2: unexpected `}`, expected end of variable block
13 | type = "{{ cpr }"
   |                ^
   = help: templates use MiniJinja syntax: `{{ name }}`, `{{ today | date_long }}`, `{% if … %}…{% endif %}`
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn bad_regexes_timeouts_key_names_targets_and_options() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[step]]
wait_window = { title_regex = "Fasit(", timeout_ms = 0 }

[[step]]
key = ["Tab", "Ctrl+Entr"]

[[step]]
type = "x"
target = "fasit"
repeat = 3
"#;
    let expected = r#"hotkeys/test.toml:6:31: error: invalid regular expression: unclosed group
6 | wait_window = { title_regex = "Fasit(", timeout_ms = 0 }
  |                               ^^^^^^^^
  = help: or use `title` with `*` wildcards, e.g. `title = "Fasit*"`

hotkeys/test.toml:6:54: error: timeout_ms must be between 1 and 600000 (10 minutes), not 0
6 | wait_window = { title_regex = "Fasit(", timeout_ms = 0 }
  |                                                      ^
  = help: e.g. `timeout_ms = 10000` for ten seconds

hotkeys/test.toml:9:7: error: invalid key `Ctrl+Entr`: unknown key `Entr` (did you mean `Enter`?); keys are A–Z, 0–9, F1–F24 and Enter, Tab, Escape, Space, Backspace, Delete, Insert, Home, End, PageUp, PageDown, Up, Down, Left, Right, Pause, PrintScreen, Menu
9 | key = ["Tab", "Ctrl+Entr"]
  |       ^^^^^^^^^^^^^^^^^^^^

hotkeys/test.toml:13:10: error: no window is named `fasit` before step 3
13 | target = "fasit"
   |          ^^^^^^^
   = help: name a window in an earlier step: `wait_window = { title = "…", name = "fasit" }`

hotkeys/test.toml:14:10: error: `repeat` does not apply to a `type` step
14 | repeat = 3
   |          ^
   = help: `repeat` applies to `key` steps
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn input_kinds_sources_choices_and_patterns() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[input]]
name = "km"
kind = "nummer"

[[input]]
name = "valg"
kind = "choice"
from = ["selektion"]

[[input]]
name = "tekst"
kind = "text"
pattern = "[a-"
"#;
    let expected = r#"hotkeys/test.toml:7:8: error: unknown input kind `nummer`
7 | kind = "nummer"
  |        ^^^^^^^^
  = help: did you mean `number`? kinds are `text`, `multiline`, `cpr`, `choice`, `date`, `number`, `checkbox` and `time`

hotkeys/test.toml:11:8: error: a `choice` input needs `choices`
11 | kind = "choice"
   |        ^^^^^^^^
   = help: e.g. `choices = ["Telefon", "Fremmøde", "Video"]`

hotkeys/test.toml:12:9: error: unknown input source `selektion`
12 | from = ["selektion"]
   |         ^^^^^^^^^^^
   = help: did you mean `selection`? sources are `selection`, `clipboard` and `prompt`

hotkeys/test.toml:17:11: error: invalid regular expression: invalid character class range, the start must be <= the end
17 | pattern = "[a-"
   |           ^^^^^
   = help: the whole value must match, e.g. `pattern = "[0-9]{4}"` for four digits
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn typing_before_waiting_use_before_set_and_risky_abbreviations() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[step]]
open_url = "https://x.invalid"

[[step]]
type = "{{ senere }}"

[[step]]
set = { name = "senere", value = "1" }

[[hotstring]]
abbreviation = "navn"
text = "x"
"#;
    let expected = r#"hotkeys/test.toml:8:1: warning: step 2 types into whatever window has focus, but the script opens other systems
8 | [[step]]
  | ^^^^^^^^
  = help: wait for the window first (`wait_window`), or name it with `target`; otherwise text may land in the wrong window

hotkeys/test.toml:9:12: error: `senere` is not defined (in step 2)
9 | type = "{{ senere }}"
  |            ^^^^^^
  = help: declare it as an [[input]] or set it in an earlier step; defined here: `profile`, `org`, `today`, `now` and `script`

hotkeys/test.toml:15:16: warning: the abbreviation `navn` starts with a letter or digit; it expands whenever that word is typed
15 | abbreviation = "navn"
   |                ^^^^^^
   = help: start it with a character such as `;`, e.g. `;navn`
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn duplicate_ids_and_hot_keys_across_files_name_the_first_place() {
    let a = "id = \"a\"\nname = \"A\"\nhotkey = \"Ctrl+Alt+B\"\nmanual_seconds = 10\n[[step]]\nkey = \"Enter\"\n";
    let b = "id = \"a\"\nname = \"B\"\nhotkey = \"Alt+Ctrl+b\"\nmanual_seconds = 10\n[[step]]\nkey = \"Enter\"\n";
    let expected = r#"hotkeys/b.toml:1:6: error: duplicate id `a`
1 | id = "a"
  |      ^^^
  = help: `a` is already the id of hotkeys/a.toml:1:6; ids must be unique

hotkeys/b.toml:3:10: error: hot key Ctrl+Alt+B is used twice
3 | hotkey = "Alt+Ctrl+b"
  |          ^^^^^^^^^^^^
  = help: hotkeys/a.toml:3:10 ("A") already uses it; choose another chord, or make both context-sensitive with different `only_when`
"#;
    assert_eq!(
        common::check_files(&[("hotkeys/a.toml", a), ("hotkeys/b.toml", b)]),
        expected
    );
}

#[test]
fn the_same_hot_key_is_allowed_in_different_window_contexts() {
    let script = |id: &str, title: &str| {
        format!(
            "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"Ctrl+Alt+B\"\nmanual_seconds = 10\nonly_when = {{ title = \"{title}\" }}\n[[step]]\nkey = \"Enter\"\n"
        )
    };
    let (a, b) = (script("a", "Fasit*"), script("b", "Vitas*"));
    assert_eq!(
        common::check_files(&[("hotkeys/a.toml", &a), ("hotkeys/b.toml", &b)]),
        ""
    );
}

#[test]
fn the_panic_key_cannot_be_a_script_hot_key() {
    let source = "id = \"a\"\nname = \"A\"\nhotkey = \"Ctrl+Alt+Escape\"\nmanual_seconds = 10\n[[step]]\nkey = \"Enter\"\n";
    assert!(
        check_source(source).starts_with(
            "hotkeys/test.toml:3:10: error: hot key Ctrl+Alt+Escape is the panic key\n"
        )
    );
}

#[test]
fn sources_are_checked_where_they_are_first_fetched() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[input]]
name = "cpr"
kind = "cpr"

[[source]]
name = "borger"
url = "{{ org.fasit_url }}/borgere/{{ cpr.digits }}?fra={{ fra }}"

[[source]]
name = "ydelser"
url = "https://fasit.example.invalid/ydelser"
json = '{"cpr": {{ cpr.digits }}}'

[[source]]
name = "glemt"
url = "https://fasit.example.invalid/glemt"

[[step]]
fetch = "borger"

[[step]]
fetch = ["borger", "borgr"]

[[step]]
paste = "{{ borger.navn }}"
"#;
    let expected = r#"hotkeys/test.toml:11:60: error: `fra` is not defined (in the source `borger` fetched in step 1)
11 | url = "{{ org.fasit_url }}/borgere/{{ cpr.digits }}?fra={{ fra }}"
   |                                                            ^^^
   = help: declare it as an [[input]] or set it in an earlier step; defined here: `cpr`, `profile`, `org`, `today`, `now` and `script`

hotkeys/test.toml:16:8: error: a GET request has no body
16 | json = '{"cpr": {{ cpr.digits }}}'
   |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: add `method = "POST"`, or send the values as `query`

hotkeys/test.toml:19:8: warning: the source `glemt` is never fetched
19 | name = "glemt"
   |        ^^^^^^^
   = help: add a step `fetch = "glemt"`, or remove the source

hotkeys/test.toml:26:9: error: unknown source `borgr`
26 | fetch = ["borger", "borgr"]
   |         ^^^^^^^^^^^^^^^^^^^
   = help: did you mean `borger`?
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn a_config_source_is_checked_where_it_is_fetched() {
    let mut config = common::shipped_config();
    config.sources.insert(
        "ydelser".into(),
        genvej_format::config::SharedSource {
            url: "{{ org.fasit_api }}/ydelser/{{ cpr.digits }}".into(),
            ..Default::default()
        },
    );
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[step]]
fetch = "ydelser"

[[step]]
fetch = "ydelse"
"#;
    let (set, dir) = common::load_files_with(&[("hotkeys/test.toml", source)], &config);
    let out = set
        .render_diagnostics()
        .replace(&format!("{}/", dir.path().display()), "");
    let expected = r#"hotkeys/test.toml:6:9: error: `cpr` is not defined (in the config's source `ydelser` fetched in step 1)
6 | fetch = "ydelser"
  |         ^^^^^^^^^
  = help: declare it as an [[input]] or set it in an earlier step; defined here: `profile`, `org`, `today`, `now` and `script`

hotkeys/test.toml:9:9: error: unknown source `ydelse`
9 | fetch = "ydelse"
  |         ^^^^^^^^
  = help: did you mean `ydelser`?
"#;
    assert_eq!(out, expected);
}

#[test]
fn a_secret_header_names_one_credential_or_one_variable() {
    let source = r#"id = "hemmelig"
name = "Hemmelig"
manual_seconds = 30

[[source]]
name = "borger"
url = "https://fasit.example.invalid/borger"
headers = { Authorization = { credential = "fasit", env = "FASIT_TOKEN" } }

[[source]]
name = "ydelser"
url = "https://fasit.example.invalid/ydelser"
headers = { Authorization = { prefix = "Bearer " } }

[[source]]
name = "noter"
url = "https://fasit.example.invalid/noter"
headers = { Authorization = { credential = "fasit", prefix = "Bearer " } }

[[step]]
fetch = ["borger", "ydelser", "noter"]
"#;
    let expected = r#"hotkeys/test.toml:8:29: error: a header takes `credential` or `env`, not both
8 | headers = { Authorization = { credential = "fasit", env = "FASIT_TOKEN" } }
  |                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: keep the one that holds the secret on the caseworkers' PCs

hotkeys/test.toml:13:29: error: a secret header needs the secret's name
13 | headers = { Authorization = { prefix = "Bearer " } }
   |                             ^^^^^^^^^^^^^^^^^^^^^^
   = help: write `{ credential = "NAME" }` (OS credential store) or `{ env = "NAME" }`
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn an_expected_field_path_must_be_fields_and_lists() {
    let source = r#"id = "forventet"
name = "Forventet"
manual_seconds = 30

[[source]]
name = "borger"
url = "https://fasit.example.invalid/borger"
expect = ["navn", "aktiviteter[0].timer"]

[[step]]
fetch = "borger"
"#;
    let expected = r#"hotkeys/test.toml:8:19: error: invalid field path: `aktiviteter[0]`: write `[]` for every item of a list
8 | expect = ["navn", "aktiviteter[0].timer"]
  |                   ^^^^^^^^^^^^^^^^^^^^^^
  = help: write fields with dots and `[]` for each item of a list, e.g. `aktiviteter[].timer`
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn the_stopwatch_key_cannot_be_a_script_hot_key() {
    let source = "id = \"a\"\nname = \"A\"\nhotkey = \"Ctrl+Alt+U\"\nmanual_seconds = 10\n[[step]]\nkey = \"Enter\"\n";
    let expected = "hotkeys/test.toml:3:10: error: hot key Ctrl+Alt+U is the manual-time stopwatch's\n3 | hotkey = \"Ctrl+Alt+U\"\n  |          ^^^^^^^^^^^^\n  = help: choose another hot key, or change usage.stopwatch_hotkey in genvej.toml\n";
    assert_eq!(check_source(source), expected);
}

#[test]
fn the_palette_key_cannot_be_a_script_hot_key() {
    let source = "id = \"a\"\nname = \"A\"\nhotkey = \"Ctrl+Alt+G\"\nmanual_seconds = 10\n[[step]]\nkey = \"Enter\"\n";
    let expected = "hotkeys/test.toml:3:10: error: hot key Ctrl+Alt+G opens the command palette\n3 | hotkey = \"Ctrl+Alt+G\"\n  |          ^^^^^^^^^^^^\n  = help: choose another hot key, or change agent.palette_hotkey in genvej.toml\n";
    assert_eq!(check_source(source), expected);
}

fn hotkey_script(chord: &str) -> String {
    format!(
        "id = \"a\"\nname = \"A\"\nhotkey = \"{chord}\"\nmanual_seconds = 10\n[[step]]\nkey = \"Enter\"\n"
    )
}

#[test]
fn a_hot_key_that_is_a_character_with_altgr_is_a_warning_naming_the_character() {
    let expected = r#"hotkeys/test.toml:3:10: warning: hot key Ctrl+Alt+M is AltGr+M on Windows and types µ on a Danish keyboard; caseworkers could no longer type µ
3 | hotkey = "Ctrl+Alt+M"
  |          ^^^^^^^^^^^^
  = help: choose a key that types nothing with AltGr, or add Shift (Ctrl+Alt+Shift+M); the layouts checked are agent.keyboard_layouts in genvej.toml
"#;
    assert_eq!(check_source(&hotkey_script("Ctrl+Alt+M")), expected);
    let (set, _dir) = common::load_files(&[("hotkeys/test.toml", &hotkey_script("Ctrl+Alt+M"))]);
    assert_eq!(set.scripts.len(), 1, "a warning keeps the hot key");
}

#[test]
fn the_configured_keyboard_layouts_decide_which_chords_are_characters() {
    let mut config = common::shipped_config();
    config.agent.keyboard_layouts = vec![
        genvej_format::chord_lint::KeyboardLayout::Danish,
        genvej_format::chord_lint::KeyboardLayout::German,
    ];
    let (set, _dir) = common::load_files_with(
        &[("hotkeys/test.toml", &hotkey_script("Ctrl+Alt+Q"))],
        &config,
    );
    let rendered = set.render_diagnostics();
    assert!(
        rendered.contains("warning: hot key Ctrl+Alt+Q is AltGr+Q on Windows and types @ on a German keyboard; caseworkers could no longer type @"),
        "{rendered}"
    );
    assert_eq!(
        check_source(&hotkey_script("Ctrl+Alt+Q")),
        "",
        "not a character on Danish"
    );
}

#[test]
fn a_hot_key_the_system_keeps_is_an_error_or_a_warning() {
    let expected = r#"hotkeys/test.toml:3:10: error: hot key Ctrl+Alt+Delete never reaches genvej on Windows: the system shows its security screen (Ctrl+Alt+Delete)
3 | hotkey = "Ctrl+Alt+Delete"
  |          ^^^^^^^^^^^^^^^^^
  = help: choose another chord, e.g. Ctrl+Alt and a letter that types nothing with AltGr
"#;
    assert_eq!(check_source(&hotkey_script("Ctrl+Alt+Delete")), expected);
    let expected = r#"hotkeys/test.toml:3:10: warning: hot key Ctrl+Alt+F2 is taken on Linux, where it switches to a text console; a hot key there takes that away
3 | hotkey = "Ctrl+Alt+F2"
  |          ^^^^^^^^^^^^^
  = help: choose another chord, e.g. Ctrl+Alt and a letter that types nothing with AltGr
"#;
    assert_eq!(check_source(&hotkey_script("Ctrl+Alt+F2")), expected);
}

#[test]
fn the_shipped_config_and_scripts_take_no_character_away() {
    assert_eq!(
        common::shipped_config().chord_warnings(),
        Vec::<String>::new()
    );
    let mut config = common::shipped_config();
    assert_eq!(config.agent.palette_hotkey.as_deref(), Some("Ctrl+Alt+G"));
    config.usage.stopwatch_hotkey = Some("Ctrl+Alt+M".into());
    config.agent.palette_hotkey = Some("Ctrl+Alt+2".into());
    assert_eq!(
        config.chord_warnings(),
        [
            "agent.palette_hotkey: hot key Ctrl+Alt+2 is AltGr+2 on Windows and types @ on a Danish keyboard; caseworkers could no longer type @; choose a key that types nothing with AltGr, or add Shift (Ctrl+Alt+Shift+2); the layouts checked are agent.keyboard_layouts in genvej.toml",
            "usage.stopwatch_hotkey: hot key Ctrl+Alt+M is AltGr+M on Windows and types µ on a Danish keyboard; caseworkers could no longer type µ; choose a key that types nothing with AltGr, or add Shift (Ctrl+Alt+Shift+M); the layouts checked are agent.keyboard_layouts in genvej.toml"
        ]
    );
}

#[test]
fn open_url_opens_only_web_addresses_and_the_organisations_schemes() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[step]]
open_url = "file:///etc/passwd"

[[step]]
open_url = "javascript:alert({{ script.id }})"

[[step]]
open_url = 'C:\Windows\System32\calc.exe'

[[step]]
open_url = '\\server\share\x.exe'

[[step]]
open_url = "calc.exe"

[[step]]
open_url = "{{ org.fasit_url }}/borgere"

[[step]]
open_url = "fasit:sag/{{ script.id }}"
"#;
    let mut config = common::shipped_config();
    let (set, dir) = common::load_files_with(&[("hotkeys/test.toml", source)], &config);
    let out = set
        .render_diagnostics()
        .replace(&format!("{}/", dir.path().display()), "");
    let expected = r#"hotkeys/test.toml:6:12: error: `open_url` may not open `file:` addresses
6 | open_url = "file:///etc/passwd"
  |            ^^^^^^^^^^^^^^^^^^^^
  = help: `open_url` opens `http` and `https` addresses, and schemes the organisation lists in `url_schemes` under [policy] in the machine-wide config

hotkeys/test.toml:9:12: error: `open_url` may not open `javascript:` addresses
9 | open_url = "javascript:alert({{ script.id }})"
  |            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: `open_url` opens `http` and `https` addresses, and schemes the organisation lists in `url_schemes` under [policy] in the machine-wide config

hotkeys/test.toml:12:12: error: the address is a file path (`C:\…`), not a web address
12 | open_url = 'C:\Windows\System32\calc.exe'
   |            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: write a full web address, e.g. `https://fasit.example/borger` or `{{ org.fasit_url }}/borger`

hotkeys/test.toml:15:12: error: the address is a network path (`\\server\share`), not a web address
15 | open_url = '\\server\share\x.exe'
   |            ^^^^^^^^^^^^^^^^^^^^^^
   = help: write a full web address, e.g. `https://fasit.example/borger` or `{{ org.fasit_url }}/borger`

hotkeys/test.toml:18:12: error: the address has no scheme such as `https://`, so it could open a file or start a program
18 | open_url = "calc.exe"
   |            ^^^^^^^^^^
   = help: write a full web address, e.g. `https://fasit.example/borger` or `{{ org.fasit_url }}/borger`

hotkeys/test.toml:24:12: error: `open_url` may not open `fasit:` addresses
24 | open_url = "fasit:sag/{{ script.id }}"
   |            ^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: `open_url` opens `http` and `https` addresses, and schemes the organisation lists in `url_schemes` under [policy] in the machine-wide config
"#;
    assert_eq!(out, expected);

    config.policy.url_schemes = vec!["fasit".into(), "file".into()];
    let (set, _dir) = common::load_files_with(&[("hotkeys/test.toml", source)], &config);
    let out = set.render_diagnostics();
    assert!(!out.contains("`fasit:`"), "{out}");
    assert!(!out.contains("`file:`"), "{out}");
    assert!(out.contains("`javascript:`"), "{out}");
}

#[test]
fn a_secret_goes_over_plain_http_only_to_loopback_or_the_organisations_hosts() {
    let mut config = common::shipped_config();
    config
        .org
        .insert("intern_api".into(), toml::Value::from("http://api.intern"));
    config.sources.insert(
        "sager".into(),
        genvej_format::config::SharedSource {
            url: "http://sager.example/api".into(),
            headers: std::collections::BTreeMap::from([(
                "X-Api-Key".to_string(),
                genvej_format::script::raw::RawHeaderValue::Secret(
                    genvej_format::script::raw::RawSecret {
                        credential: None,
                        env: Some("SAGER_KEY".into()),
                        prefix: None,
                    },
                ),
            )]),
            ..Default::default()
        },
    );
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[source]]
name = "borger"
url = "http://fasit.example/borger"
headers = { Authorization = { credential = "fasit", prefix = "Bearer " } }

[[source]]
name = "intern"
url = "{{ org.intern_api }}/borger/{{ script.id }}"
headers = { X-Api-Key = { env = "INTERN_KEY" } }

[[source]]
name = "lokal"
url = "http://127.0.0.1:8080/borger"
headers = { X-Api-Key = { env = "LOKAL_KEY" } }

[[source]]
name = "aaben"
url = "http://fasit.example/aaben"
headers = { Accept = "application/json" }

[[step]]
fetch = ["borger", "intern", "lokal", "aaben", "sager"]
"#;
    let (set, dir) = common::load_files_with(&[("hotkeys/test.toml", source)], &config);
    let out = set
        .render_diagnostics()
        .replace(&format!("{}/", dir.path().display()), "");
    let expected = r#"hotkeys/test.toml:7:7: error: the source `borger` sends the secret header `Authorization` over plain http:// to `fasit.example`
7 | url = "http://fasit.example/borger"
  |       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: use https://; or the organisation can allow this host in `plain_http_secret_hosts` under [policy] in the machine-wide config (loopback is always allowed)

hotkeys/test.toml:12:7: error: the source `intern` sends the secret header `X-Api-Key` over plain http:// to `api.intern`
12 | url = "{{ org.intern_api }}/borger/{{ script.id }}"
   |       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: use https://; or the organisation can allow this host in `plain_http_secret_hosts` under [policy] in the machine-wide config (loopback is always allowed)

hotkeys/test.toml:26:9: error: the config's source `sager` sends the secret header `X-Api-Key` over plain http:// to `sager.example`
26 | fetch = ["borger", "intern", "lokal", "aaben", "sager"]
   |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = help: use https://; or the organisation can allow this host in `plain_http_secret_hosts` under [policy] in the machine-wide config (loopback is always allowed)
"#;
    assert_eq!(out, expected);

    config.policy.plain_http_secret_hosts = vec![
        "fasit.example".into(),
        "api.intern".into(),
        "sager.example".into(),
    ];
    let (set, _dir) = common::load_files_with(&[("hotkeys/test.toml", source)], &config);
    assert_eq!(set.render_diagnostics(), "");
}
