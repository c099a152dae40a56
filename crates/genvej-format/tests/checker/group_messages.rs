//! Mistakes inside a `for_each` group: reported at their own line and column
//! and named `step N.M`, with the group's variable in scope only inside it.

use crate::common;

use common::check_source;

const HEAD: &str = "id = \"t\"\nname = \"T\"\nmanual_seconds = 10\n[[step]]\nset = { name = \"plan\", value = \"{{ [1, 2] }}\" }\n";

fn check(steps: &str) -> String {
    check_source(&format!("{HEAD}{steps}"))
}

#[test]
fn a_misspelt_key_inside_a_group_points_at_it_with_did_you_mean() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\nsteps = [\n  { type = \"{{ item }}\" },\n  { kye = \"Tab\" },\n]\n",
    );
    let expected = r#"hotkeys/test.toml:10:3: error: step 2.2 has no action
10 |   { kye = "Tab" },
   |   ^
   = help: add one of `type`, `paste`, `key`, `launch`, `open_url`, `wait_window`, `focus_window`, `copy_selection`, `read_clipboard`, `pause_ms`, `set`, `message`, `require`, `fetch`, `merge_pdf` and `for_each`

hotkeys/test.toml:10:5: error: unknown step `kye`
10 |   { kye = "Tab" },
   |     ^^^
   = help: did you mean `key`? steps are `type`, `paste`, `key`, `launch`, `open_url`, `wait_window`, `focus_window`, `copy_selection`, `read_clipboard`, `pause_ms`, `set`, `message`, `require`, `fetch`, `merge_pdf` and `for_each`; step options are `as`, `key_delay_ms`, `repeat`, `steps`, `target`, `timeout_ms` and `when`
"#;
    assert_eq!(out, expected);
}

#[test]
fn the_item_variable_exists_only_inside_the_group() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\nas = \"punkt\"\nsteps = [ { type = \"{{ punkt }}\" } ]\n[[step]]\ntype = \"{{ punkt }}\"\n",
    );
    let expected = r#"hotkeys/test.toml:11:12: error: `punkt` is not defined (in step 3)
11 | type = "{{ punkt }}"
   |            ^^^^^
   = help: `punkt` exists only inside the `for_each` group that sets it (a group may run for no item); use it in the group's `steps`, or set it before the group
"#;
    assert_eq!(out, expected);
}

#[test]
fn an_inner_when_is_checked_with_the_item_in_scope() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\nsteps = [ { key = \"Tab\", when = \"item > 1 and positon.last\" } ]\n",
    );
    let expected = r#"hotkeys/test.toml:8:47: error: `positon` is not defined (in the `when` of step 2.1)
8 | steps = [ { key = "Tab", when = "item > 1 and positon.last" } ]
  |                                               ^^^^^^^
  = help: did you mean `position`?
"#;
    assert_eq!(out, expected);
}

#[test]
fn a_group_inside_a_group_is_refused() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\nsteps = [ { for_each = \"plan\", steps = [ { key = \"Tab\" } ] } ]\n",
    );
    let expected = r#"hotkeys/test.toml:8:24: error: step 2.1 is a `for_each` inside the `for_each` of step 2
8 | steps = [ { for_each = "plan", steps = [ { key = "Tab" } ] } ]
  |                        ^^^^^^
  = help: a group cannot hold another group; give the inner list its own [[step]] after this one
"#;
    assert_eq!(out, expected);
}

#[test]
fn a_group_without_steps_and_options_outside_a_group_are_refused() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\n[[step]]\ntype = \"x\"\nas = \"y\"\n[[step]]\nfor_each = \"plan\"\nsteps = \"Tab\"\n",
    );
    let expected = r#"hotkeys/test.toml:7:12: error: the `for_each` of step 2 has no steps
7 | for_each = "plan"
  |            ^^^^^^
  = help: add the steps to run for each item, e.g. `steps = [ { type = "{{ item.navn }}" }, { key = "Tab" } ]`

hotkeys/test.toml:10:6: error: `as` does not apply to a `type` step
10 | as = "y"
   |      ^^^
   = help: `as` applies to `for_each` steps

hotkeys/test.toml:13:9: error: `steps` must be a list of steps
13 | steps = "Tab"
   |         ^^^^^
   = help: e.g. `steps = [ { type = "{{ item.navn }}" }, { key = "Tab" } ]`
"#;
    assert_eq!(out, expected);
}

#[test]
fn an_unknown_list_is_reported_with_did_you_mean() {
    let out = check("[[step]]\nfor_each = \"plna\"\nsteps = [ { key = \"Tab\" } ]\n");
    let expected = r#"hotkeys/test.toml:7:13: error: `plna` is not defined (in the `for_each` of step 2)
7 | for_each = "plna"
  |             ^^^^
  = help: did you mean `plan`?
"#;
    assert_eq!(out, expected);
}

#[test]
fn an_inner_step_with_two_actions_is_named_by_its_place_in_the_group() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\nsteps = [\n  { key = \"Tab\" },\n  { key = \"Tab\", type = \"x\" },\n]\n",
    );
    let expected = r#"hotkeys/test.toml:10:3: error: step 2.2 has more than one action: `type` and `key`
10 |   { key = "Tab", type = "x" },
   |   ^
   = help: give each action its own [[step]] table
"#;
    assert_eq!(out, expected);
}

#[test]
fn a_group_may_be_written_with_step_steps_tables_and_is_checked_the_same() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\nas = \"tal\"\n[[step.steps]]\ntype = \"{{ tal }}\"\n[[step.steps]]\nkey = \"Tab\"\ntpye = \"x\"\n",
    );
    let expected = r#"hotkeys/test.toml:13:1: error: unknown step `tpye`
13 | tpye = "x"
   | ^^^^
   = help: did you mean `type`? steps are `type`, `paste`, `key`, `launch`, `open_url`, `wait_window`, `focus_window`, `copy_selection`, `read_clipboard`, `pause_ms`, `set`, `message`, `require`, `fetch`, `merge_pdf` and `for_each`; step options are `as`, `key_delay_ms`, `repeat`, `steps`, `target`, `timeout_ms` and `when`
"#;
    assert_eq!(out, expected);
}

#[test]
fn a_clean_group_checks_without_a_word() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\nas = \"tal\"\nsteps = [\n  { type = \"{{ tal }}\" },\n  { key = \"Ctrl+N\", when = \"not position.last\" },\n]\n",
    );
    assert_eq!(out, "");
}

#[test]
fn what_a_group_sets_or_names_is_not_known_after_it() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\nsteps = [\n  { set = { name = \"sidste\", value = \"{{ item }}\" } },\n  { wait_window = { title = \"Plan*\", name = \"plan_vindue\" } },\n]\n[[step]]\ntype = \"{{ sidste }}\"\ntarget = \"plan_vindue\"\n",
    );
    let expected = r#"hotkeys/test.toml:13:12: error: `sidste` is not defined (in step 3)
13 | type = "{{ sidste }}"
   |            ^^^^^^
   = help: `sidste` exists only inside the `for_each` group that sets it (a group may run for no item); use it in the group's `steps`, or set it before the group

hotkeys/test.toml:14:10: error: no window is named `plan_vindue` before step 3
14 | target = "plan_vindue"
   |          ^^^^^^^^^^^^^
   = help: name a window in an earlier step: `wait_window = { title = "…", name = "fasit" }`
"#;
    assert_eq!(out, expected);
}

#[test]
fn an_item_name_may_not_hide_a_variable() {
    let out = check(
        "[[step]]\nfor_each = \"plan\"\nas = \"today\"\nsteps = [ { type = \"{{ today }}\" } ]\n",
    );
    let expected = r#"hotkeys/test.toml:8:6: error: `as = "today"` would hide the variable `today` inside the group
8 | as = "today"
  |      ^^^^^^^
  = help: give the item a name of its own, e.g. `as = "aktivitet"`
"#;
    assert_eq!(out, expected);
}
