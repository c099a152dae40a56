//! Mutations for the property test (hostile_input.rs): careless and
//! hostile edits of real scripts and templates — flipped characters, cut
//! files, doubled or dropped lines, huge numbers, deep nesting, odd
//! Unicode, long strings. Driven by a seeded RNG so a failure can be
//! replayed from the seed it prints.

use fastrand::Rng;

/// Characters that matter to TOML, templates, chords and patterns, plus
/// some Unicode that breaks naive column or byte arithmetic.
const INTERESTING: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "=",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "#",
    ".",
    ",",
    "*",
    "?",
    "\\",
    "|",
    "+",
    "-",
    "~",
    ":",
    "0",
    "9",
    "æ",
    "ø",
    "å",
    "Æ",
    "é",
    "\u{301}",
    "𝄞",
    "\u{202e}",
    "\u{200d}",
    "\u{feff}",
    "\u{fffd}",
    "\u{10ffff}",
    "👩‍👩‍👧",
    " ",
    "\\u0000",
    "\\U0010FFFF",
    "\\x",
];

/// Values a careless or hostile author might write where a value goes.
pub fn hostile_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "99999999999999999999999999",
        "18446744073709551615",
        "4294967296",
        "-1",
        "0",
        "1e308",
        "-1e309",
        "nan",
        "inf",
        "-inf",
        "0x7fffffffffffffff",
        "1979-05-27T07:32:00Z",
        "true",
        "\"\"",
        "[]",
        "{}",
        "\"re:(\"",
        "\"re:(a+)+$\"",
        "\"*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?b\"",
        "\"Ctrl+Ctrl+Alt+\"",
        "\"Ctrl+Alt+Shift+Super+F24\"",
        "\"+\"",
        "\"{{\"",
        "\"{% for %}\"",
        "\"{{ today | date_long | date_long }}\"",
        "\"{{ cpr.digits | kr }}\"",
        "\"070761-4285\"",
        "\"\\u202eevil\\u202c\"",
        "\"\u{0301}\u{0301}\u{0301}\"",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    values.push(format!("\"{}\"", "x".repeat(100_000)));
    values.push(format!("\"{}\"", "æ".repeat(20_000)));
    values.push(format!("{}{}", "[".repeat(300), "]".repeat(300)));
    values.push(format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000)));
    values.push(format!("{}{}", "{ a = ".repeat(300), "}".repeat(300)));
    values.push(format!("\"{}\"", "{{ (".repeat(200)));
    values.push(format!(
        "\"{{{{ {}1{} }}}}\"",
        "(".repeat(500),
        ")".repeat(500)
    ));
    values.push(format!("\"{}\"", "{% if a %}".repeat(300)));
    values
}

/// Template pieces a careless or hostile author might write.
pub fn hostile_template_pieces() -> Vec<String> {
    let mut pieces: Vec<String> = [
        "{{ today | add_days(14) }}",
        "{{ today | add_weeks(-3) | date_long }}",
        "{{ today | add_months(2147483647) }}",
        "{{ today | add_months(-2147483648) }}",
        "{{ dato | date_short }}",
        "{{ '29-02-2023' | date_long }}",
        "{{ '0000-01-01' | weekday_name }}",
        "{{ '+262143-12-31' | next_weekday }}",
        "{{ km | number }}",
        "{{ 1e308 | kr }}",
        "{{ -0.0 | number(0) }}",
        "{{ (0/0) | kr }}",
        "{{ 1/0 }}",
        "{{ big + 1 }}",
        "{{ small - 1 }}",
        "{{ small // -1 }}",
        "{{ small % -1 }}",
        "{{ big * big }}",
        "{{ 2 ** 64 }}",
        "{{ 'x' * 3 }}",
        "{{ cpr }}",
        "{{ cpr.masked }}",
        "{{ cpr.birth_date | date_long }}",
        "{{ cpr.nope }}",
        "{{ punkter | join(', ') }}",
        "{{ punkter[99999999999] }}",
        "{{ punkter[-1] }}",
        "{{ borger.adresse['vej'] }}",
        "{{ tekst | urlencode }}",
        "{{ tekst | tojson }}",
        "{{ tekst[::-1] }}",
        "{{ tekst[9223372036854775807:] }}",
        "{% for p in punkter %}{{ loop.index }}{{ p }}{% endfor %}",
        "{% if km > 0 %}ja{% else %}nej{% endif %}",
        "{% set x = namespace(n=1) %}{{ x.n }}",
        "{% raw %}{{{% endraw %}",
        "{# kommentar #}",
        "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1) }}",
        "{{ undefined_name }}",
        "{{",
        "}}",
        "{%",
        "{% endfor %}",
        "{{ today | no_such_filter }}",
        "{{ today | add_days }}",
        "{{ today | add_days('x') }}",
        "\u{202e}{{ tekst }}\u{202c}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    pieces.push(format!("{{{{ {}1{} }}}}", "(".repeat(400), ")".repeat(400)));
    pieces.push(format!("{{{{ {}1{} }}}}", "[".repeat(400), "]".repeat(400)));
    pieces.push(format!(
        "{}x{}",
        "{% if 1 %}".repeat(200),
        "{% endif %}".repeat(200)
    ));
    pieces.push("{{ tekst }}".repeat(2_000));
    pieces.push("ø".repeat(50_000));
    pieces
}

/// Byte offsets where a `char` starts, so edits keep the text UTF-8.
fn boundary(text: &str, rng: &mut Rng) -> usize {
    if text.is_empty() {
        return 0;
    }
    let mut at = rng.usize(..=text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn pick<'a>(rng: &mut Rng, items: &'a [String]) -> &'a str {
    &items[rng.usize(..items.len())]
}

/// One careless or hostile edit of `text`; `values` are inserted as they are.
pub fn mutate_once(text: &str, values: &[String], donors: &[String], rng: &mut Rng) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    match rng.u8(..9) {
        // A character replaced by an interesting one.
        0 => {
            let at = boundary(text, rng);
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let with = INTERESTING[rng.usize(..INTERESTING.len())];
            format!("{}{}{}", &text[..at], with, &text[end..])
        }
        // Cut off (a file saved half-way).
        1 => text[..boundary(text, rng)].to_string(),
        // A line (or a few) doubled.
        2 if !lines.is_empty() => {
            let from = rng.usize(..lines.len());
            let to = (from + rng.usize(1..4)).min(lines.len());
            let block = lines[from..to].concat();
            let mut out = lines[..to].concat();
            for _ in 0..rng.usize(1..4) {
                out.push_str(&block);
            }
            out + &lines[to..].concat()
        }
        // A line dropped.
        3 if !lines.is_empty() => {
            let drop = rng.usize(..lines.len());
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, l)| *l)
                .collect()
        }
        // A value replaced by a hostile one.
        4 => {
            let starts: Vec<usize> = text.match_indices("= ").map(|(i, _)| i + 2).collect();
            if starts.is_empty() {
                return format!("{text}{}", pick(rng, values));
            }
            let start = starts[rng.usize(..starts.len())];
            let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
            format!("{}{}{}", &text[..start], pick(rng, values), &text[end..])
        }
        // A hostile value inserted anywhere.
        5 => {
            let at = boundary(text, rng);
            format!("{}{}{}", &text[..at], pick(rng, values), &text[at..])
        }
        // Two lines swapped.
        6 if lines.len() > 1 => {
            let mut lines = lines;
            let (a, b) = (rng.usize(..lines.len()), rng.usize(..lines.len()));
            lines.swap(a, b);
            lines.concat()
        }
        // Lines from another file spliced in.
        7 if !donors.is_empty() => {
            let donor: Vec<&str> = pick(rng, donors).split_inclusive('\n').collect();
            let from = rng.usize(..donor.len().max(1));
            let to = (from + rng.usize(1..8)).min(donor.len());
            let at = rng.usize(..=lines.len());
            let mut out = lines[..at].concat();
            out.push_str(&donor.get(from..to).unwrap_or_default().concat());
            out + &lines[at..].concat()
        }
        // A range of bytes deleted.
        _ => {
            let a = boundary(text, rng);
            let b = boundary(text, rng);
            let (a, b) = (a.min(b), a.max(b));
            format!("{}{}", &text[..a], &text[b..])
        }
    }
}

/// One to four edits.
pub fn mutate(text: &str, values: &[String], donors: &[String], rng: &mut Rng) -> String {
    let mut out = text.to_string();
    for _ in 0..rng.usize(1..=4) {
        out = mutate_once(&out, values, donors, rng);
    }
    out
}
