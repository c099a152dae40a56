//! The checker's messages about what is inside templates: filters that do
//! not exist or are given the wrong arguments, template errors at their own
//! line and column, and address templates that start with a value.

use crate::common;

use common::check_source;

const HEADER: &str = r#"id = "t"
name = "T"
manual_seconds = 10

[[input]]
name = "dato"
kind = "date"
"#;

fn check(steps: &str) -> String {
    check_source(&format!("{HEADER}{steps}"))
}

#[test]
fn a_misspelt_filter_is_reported_where_it_is_written_with_a_suggestion() {
    let steps = r#"
[[step]]
type = """
Frist:
  {{ dato | date_lnog }}"""

[[step]]
type = "a\tb\u00e6 {{ dato | weekday_nam }}"

[[step]]
when = "dato | lenght > 0"
type = '{{ dato | frobnicate }}'
"#;
    let expected = r#"hotkeys/test.toml:12:13: error: unknown filter `date_lnog` (in step 1)
12 |   {{ dato | date_lnog }}"""
   |             ^^^^^^^^^
   = help: did you mean `date_long`?

hotkeys/test.toml:15:30: error: unknown filter `weekday_nam` (in step 2)
15 | type = "a\tb\u00e6 {{ dato | weekday_nam }}"
   |                              ^^^^^^^^^^^
   = help: did you mean `weekday_name`?

hotkeys/test.toml:18:16: error: unknown filter `lenght` (in the `when` of step 3)
18 | when = "dato | lenght > 0"
   |                ^^^^^^
   = help: did you mean `length`?

hotkeys/test.toml:19:19: error: unknown filter `frobnicate` (in step 3)
19 | type = '{{ dato | frobnicate }}'
   |                   ^^^^^^^^^^
   = help: genvej's filters are `date_long`, `date_short`, `weekday_name`, `add_days`, `add_weeks`, `add_months`, `add_weekdays`, `next_weekday`, `weekday_on_or_after`, `add_workdays`, `next_workday`, `workday_on_or_after`, `is_workday`, `day_off`, `number`, `kr` and `url`; MiniJinja's built-in filters such as `upper`, `default` and `join` work too
"#;
    assert_eq!(check(steps), expected);
}

#[test]
fn filter_arguments_are_checked_where_the_filter_declares_them() {
    let steps = r#"
[[step]]
type = """
{{ dato | add_days }} {{ dato | add_days('14') }} {{ dato | add_months(1.5) }}
{{ dato | date_long(2) }} {{ 3 | number(decimal=2) }} {{ dato | add_weekdays(-1) }}
{{ 3 | number(2, decimals=2) }} {{ dato | add_weeks(1, 2) }}"""
"#;
    let expected = r#"hotkeys/test.toml:11:11: error: the filter `add_days` is given no arguments (in step 1)
11 | {{ dato | add_days }} {{ dato | add_days('14') }} {{ dato | add_months(1.5) }}
   |           ^^^^^^^^
   = help: `add_days` takes one whole number (the days), e.g. `{{ today | add_days(14) }}`

hotkeys/test.toml:11:33: error: the filter `add_days` is given a text where the days must be a whole number (in step 1)
11 | {{ dato | add_days }} {{ dato | add_days('14') }} {{ dato | add_months(1.5) }}
   |                                 ^^^^^^^^^^^^^^
   = help: `add_days` takes one whole number (the days), e.g. `{{ today | add_days(14) }}`

hotkeys/test.toml:11:61: error: the filter `add_months` is given a decimal number where the months must be a whole number (in step 1)
11 | {{ dato | add_days }} {{ dato | add_days('14') }} {{ dato | add_months(1.5) }}
   |                                                             ^^^^^^^^^^^^^^^
   = help: `add_months` takes one whole number (the months), e.g. `{{ today | add_months(1) }}`

hotkeys/test.toml:12:11: error: the filter `date_long` is given 1 argument (in step 1)
12 | {{ dato | date_long(2) }} {{ 3 | number(decimal=2) }} {{ dato | add_weekdays(-1) }}
   |           ^^^^^^^^^^^^
   = help: `date_long` takes no arguments, e.g. `{{ today | date_long }}`

hotkeys/test.toml:12:34: error: the filter `number` has no argument `decimal` (in step 1)
12 | {{ dato | date_long(2) }} {{ 3 | number(decimal=2) }} {{ dato | add_weekdays(-1) }}
   |                                  ^^^^^^^^^^^^^^^^^
   = help: `number` takes at most one whole number (the decimals), by position or as `decimals=`, e.g. `{{ beløb | number(decimals=2) }}`

hotkeys/test.toml:12:65: error: the filter `add_weekdays` is given -1; the weekdays cannot be below 0 (in step 1)
12 | {{ dato | date_long(2) }} {{ 3 | number(decimal=2) }} {{ dato | add_weekdays(-1) }}
   |                                                                 ^^^^^^^^^^^^^^^^
   = help: `add_weekdays` takes one whole number (the weekdays), e.g. `{{ today | add_weekdays(10) }}`

hotkeys/test.toml:13:8: error: the filter `number` is given 2 arguments (in step 1)
13 | {{ 3 | number(2, decimals=2) }} {{ dato | add_weeks(1, 2) }}"""
   |        ^^^^^^^^^^^^^^^^^^^^^
   = help: `number` takes at most one whole number (the decimals), by position or as `decimals=`, e.g. `{{ beløb | number(decimals=2) }}`

hotkeys/test.toml:13:43: error: the filter `add_weeks` is given 2 arguments (in step 1)
13 | {{ 3 | number(2, decimals=2) }} {{ dato | add_weeks(1, 2) }}"""
   |                                           ^^^^^^^^^^^^^^^
   = help: `add_weeks` takes one whole number (the weeks), e.g. `{{ today | add_weeks(2) }}`
"#;
    assert_eq!(check(steps), expected);
}

#[test]
fn the_documented_filter_forms_check_clean() {
    let steps = r#"
[[step]]
type = """
{{ 1234.5 | number }} {{ 1234.5 | number(2) }} {{ 1234.5 | number(decimals=0) }} {{ 12 | kr }}
{{ dato | add_days(-3) | date_long }} {{ dato | add_weekdays(n) }} {{ dato | weekday_name | upper }}
{% filter upper %}{{ dato | date_short }}{% endfilter %}"""
"#;
    let steps = steps.replace(
        "[[step]]",
        "[[step]]\nset = { name = \"n\", value = \"{{ 3 }}\" }\n\n[[step]]",
    );
    assert_eq!(check(&steps), "");
}

#[test]
fn a_template_error_points_at_its_line_and_column_in_the_file() {
    let steps = r#"
[[step]]
type = """
Hej
  {{ dato | date_long }
"""

[[step]]
type = '''Hej {% if dato %}ja{% endfi %}'''
"#;
    let expected = r#"hotkeys/test.toml:12:23: error: template error in step 1: unexpected `}`, expected end of variable block
12 |   {{ dato | date_long }
   |                       ^
   = help: templates use MiniJinja syntax: `{{ name }}`, `{{ today | date_long }}`, `{% if … %}…{% endif %}`

hotkeys/test.toml:16:33: error: template error in step 2: unknown statement endfi
16 | type = '''Hej {% if dato %}ja{% endfi %}'''
   |                                 ^^^^^
   = help: templates use MiniJinja syntax: `{{ name }}`, `{{ today | date_long }}`, `{% if … %}…{% endif %}`
"#;
    assert_eq!(check(steps), expected);
}

#[test]
fn an_address_template_starting_with_a_value_warns_and_names_the_url_filter() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[input]]
name = "sag"
kind = "text"

[[step]]
open_url = "{{ sag }}/dokument"

[[step]]
open_url = "{{ sag | url }}"

[[step]]
open_url = "{{ org.fasit_url }}/borger/{{ sag }}"
"#;
    let expected = r#"hotkeys/test.toml:10:16: warning: the address in step 1 starts with a value, which is URL-encoded: an address in it would be broken (`https://` becomes `https%3A%2F%2F`)
10 | open_url = "{{ sag }}/dokument"
   |                ^^^
   = help: to insert a whole address from data, use the `url` filter: `{{ sag.dokument_url | url }}` (it accepts only http:// and https:// addresses); for a value that is not an address, start with the literal address
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn a_source_or_merge_pdf_address_starting_with_a_value_warns_too() {
    let source = r#"id = "t"
name = "T"
manual_seconds = 10

[[input]]
name = "sag"
kind = "text"

[[source]]
name = "bilag"
url = "{{ sag }}/bilag"

[[step]]
fetch = "bilag"

[[step]]
merge_pdf = { each = "bilag", url = "{{ item.adresse }}", file = "Bilag.pdf" }

[[step]]
merge_pdf = { each = "bilag", url = "{{ item.adresse | url }}", file = "Bilag 2.pdf" }
"#;
    let expected = r#"hotkeys/test.toml:11:11: warning: the address in the source `bilag` fetched in step 1 starts with a value, which is URL-encoded: an address in it would be broken (`https://` becomes `https%3A%2F%2F`)
11 | url = "{{ sag }}/bilag"
   |           ^^^
   = help: to insert a whole address from data, use the `url` filter: `{{ sag.dokument_url | url }}` (it accepts only http:// and https:// addresses); for a value that is not an address, start with the literal address

hotkeys/test.toml:17:41: warning: the address in step 2 starts with a value, which is URL-encoded: an address in it would be broken (`https://` becomes `https%3A%2F%2F`)
17 | merge_pdf = { each = "bilag", url = "{{ item.adresse }}", file = "Bilag.pdf" }
   |                                         ^^^^^^^^^^^^
   = help: to insert a whole address from data, use the `url` filter: `{{ sag.dokument_url | url }}` (it accepts only http:// and https:// addresses); for a value that is not an address, start with the literal address
"#;
    assert_eq!(check_source(source), expected);
}

#[test]
fn a_run_time_template_error_counts_lines_from_the_first_line_of_the_text() {
    let script = common::script_from(&format!(
        "{HEADER}\n[[step]]\ntype = \"\"\"\nførste linje\n{{{{ dato }}}}\"\"\"\n\n[[step]]\ntype = \"{{{{ dato }}}}\"\n"
    ));
    let lines: Vec<usize> = script
        .steps
        .iter()
        .filter_map(|step| match &step.action {
            genvej_format::script::Action::Type { text, .. } => Some(text.line),
            _ => None,
        })
        .collect();
    // `"""` is on line 10; the text starts on line 11. The second text
    // starts on its own line, 15.
    assert_eq!(lines, [11, 15]);
}
