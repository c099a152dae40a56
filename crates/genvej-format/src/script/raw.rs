//! The script file as written: serde types that keep every value's position.
//!
//! These types are the single definition of the format. The loader
//! deserializes each `[[input]]`, `[[hotstring]]` and `[[step]]` table into
//! them separately (so one bad step does not hide the next), `genvej schema`
//! generates the JSON Schema from them, and the checker's lists of valid keys
//! ("did you mean …") are the field names their `Deserialize` reads (a test
//! holds them equal to the schema's properties).

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::{Arc, LazyLock, Mutex};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;

pub use crate::secret::{RawHeaderValue, RawSecret};

/// A value together with where it stands in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct At<T>(pub toml::Spanned<T>);

impl<T> At<T> {
    /// A value placed at `span` (for values that come from elsewhere, such
    /// as the config's shared sources, reported where they are used).
    pub fn placed(span: Range<usize>, value: T) -> At<T> {
        At(toml::Spanned::new(span, value))
    }

    pub fn get(&self) -> &T {
        self.0.get_ref()
    }
    pub fn span(&self) -> Range<usize> {
        self.0.span()
    }
}

impl<T: JsonSchema> JsonSchema for At<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A genvej hot-key script: one file in `hotkeys/`.
#[derive(JsonSchema)]
#[schemars(title = "genvej hot-key script", deny_unknown_fields)]
pub struct RawScript {
    #[serde(flatten)]
    pub header: RawHeader,
    /// Values the script needs before it starts, e.g. the citizen's CPR number.
    /// All inputs that must be asked for are shown together in one form.
    pub input: Option<Vec<RawInput>>,
    /// Abbreviations that expand when typed, e.g. `;navn`.
    pub hotstring: Option<Vec<RawHotstring>>,
    /// Data from the case systems over HTTP: a `fetch` step gets it and
    /// binds the JSON answer to a variable named like the source.
    pub source: Option<Vec<RawSource>>,
    /// What the script does, in order.
    pub step: Option<Vec<RawStep>>,
}

/// The script's top-level settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    /// Unique and stable; used in logs and usage records. Lower-case letters,
    /// digits and `-`.
    #[schemars(required)]
    pub id: Option<At<String>>,
    /// The name staff see in the tray menu and the cheat sheet.
    #[schemars(required)]
    pub name: Option<At<String>>,
    /// The global hot key, e.g. `Ctrl+Alt+B`; or a sequence, a leader chord and
    /// one more key after a space, e.g. `Ctrl+Alt+Space J`.
    pub hotkey: Option<At<String>>,
    /// How many seconds the same task takes by hand (baseline for time saved).
    #[schemars(required)]
    pub manual_seconds: Option<At<u32>>,
    /// One or two sentences: what the hot key does.
    pub description: Option<At<String>>,
    /// Menu group; defaults to the script's folder.
    pub category: Option<At<String>>,
    /// Make the hot key and hotstrings active only while a matching window
    /// has focus.
    pub only_when: Option<At<RawWindowMatch>>,
    /// Typing speed for slow targets (Citrix, remote desktops).
    pub typing: Option<At<RawTyping>>,
    /// Who answers for the script, e.g. `"IT-kontoret, Anne Holm"`.
    /// Required by `genvej check --release`.
    #[schemars(length(min = 1, max = 120))]
    pub owner: Option<At<String>>,
    /// The script's version, e.g. `"1.2"`: ASCII letters, digits, `.`, `-`,
    /// `_` and `+`. Usage records carry it. Required by `genvej check --release`.
    #[schemars(length(min = 1, max = 40), regex(pattern = r"^[A-Za-z0-9._+-]+$"))]
    pub version: Option<At<String>>,
    /// Who approved the script, and when: `professional` (faglig) and
    /// `legal` (juridisk). Both are required by `genvej check --release`.
    pub approved: Option<At<RawApproved>>,
}

/// `[approved]`: the script's quality assurance before it reaches staff.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawApproved {
    /// The professional (faglig) approval, e.g.
    /// `{ by = "Mette Lund, teamleder", on = 2026-11-28 }`.
    pub professional: Option<At<RawApproval>>,
    /// The legal (juridisk) approval, e.g.
    /// `{ by = "Peter Juul, jurist", on = 2026-11-30 }`.
    pub legal: Option<At<RawApproval>>,
}

/// One approval: who gave it, and on which day.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawApproval {
    /// Who approved: a name and a role, e.g. `"Mette Lund, teamleder"`.
    #[schemars(length(min = 1, max = 120))]
    pub by: At<String>,
    /// The day, written as a TOML date without quotes, e.g. `2026-11-28`.
    #[schemars(with = "LocalDate")]
    pub on: At<toml::Value>,
}

/// A TOML local date such as `2026-11-28` (its schema only).
struct LocalDate;

impl JsonSchema for LocalDate {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "LocalDate".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTyping {
    /// Pause after each typed key, in milliseconds (0–1000).
    pub key_delay_ms: Option<At<u32>>,
}

/// One value the script needs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInput {
    /// Variable name used in templates, e.g. `cpr`.
    pub name: At<String>,
    /// What kind of value: text, multiline, cpr, choice, date, number, checkbox, time.
    pub kind: At<String>,
    /// The field's label in the form; defaults to the name.
    pub label: Option<At<String>>,
    /// Where the value comes from, tried in order: `selection`, `clipboard`,
    /// `prompt`. Default: `["prompt"]`.
    pub from: Option<At<Vec<At<String>>>>,
    /// Whether a value must be given (default true; checkboxes are never required).
    pub required: Option<At<bool>>,
    /// Value shown in the form at first (a template; dates also accept `today`).
    pub default: Option<At<String>>,
    /// Regular expression the whole value must match (text, multiline).
    pub pattern: Option<At<String>>,
    /// Smallest allowed value (number), earliest date (`YYYY-MM-DD` or `today`),
    /// or fewest characters (text).
    #[schemars(with = "Option<NumberOrText>")]
    pub min: Option<At<toml::Value>>,
    /// Largest allowed value, latest date or most characters; see `min`.
    #[schemars(with = "Option<NumberOrText>")]
    pub max: Option<At<toml::Value>>,
    /// The options of a `choice` input.
    pub choices: Option<At<Vec<String>>>,
    /// A hint shown under the field.
    pub help: Option<At<String>>,
}

/// A number, or a date text such as `"today"` or `"2026-01-01"`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum NumberOrText {
    Number(f64),
    Text(String),
}

/// An abbreviation that expands when typed followed by a space or Tab.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHotstring {
    /// What the caseworker types, e.g. `;navn`.
    pub abbreviation: At<String>,
    /// The expansion (a template).
    pub text: At<String>,
}

/// Which window: every given field must match.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWindowMatch {
    /// Title pattern; `*` is any text, `?` one character; case is ignored.
    pub title: Option<At<String>>,
    /// Title as a regular expression (instead of `title`).
    pub title_regex: Option<At<String>>,
    /// Window class (X11 WM_CLASS or the Windows class name); `*` and `?` allowed.
    pub class: Option<At<String>>,
    /// The program's file name, e.g. `firefox` or `notepad.exe`.
    pub executable: Option<At<String>>,
    /// How long to wait for the window, in milliseconds (default 10000).
    pub timeout_ms: Option<At<u64>>,
    /// A name for the window, so later steps can say `target = "…"`.
    pub name: Option<At<String>>,
}

/// An HTTP source: where the data is and how to ask for it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// The source's name, and the variable its JSON is bound to, e.g. `borger`.
    pub name: At<String>,
    /// The address (a template; inserted values are URL-encoded), e.g.
    /// `{{ org.fasit_api }}/borgere/{{ cpr.digits }}`.
    pub url: At<String>,
    /// `GET` (default) or `POST`.
    pub method: Option<At<String>>,
    /// Request headers: a template, or a secret that never lives in scripts:
    /// `{ credential = "NAME", prefix = "Bearer " }` from the OS credential
    /// store (Windows Credential Manager / Secret Service), or
    /// `{ env = "NAME", prefix = "Bearer " }` from an environment variable.
    pub headers: Option<At<BTreeMap<String, At<RawHeaderValue>>>>,
    /// Query parameters (templates), URL-encoded and added to the address.
    pub query: Option<At<BTreeMap<String, At<String>>>>,
    /// A JSON body for POST (a template; inserted values are JSON-encoded).
    pub json: Option<At<String>>,
    /// Time limit for one attempt, in milliseconds (default 10000).
    pub timeout_ms: Option<At<u64>>,
    /// Extra attempts for a GET after a lost connection, a timeout or a 5xx
    /// answer (default 1; 0–5).
    pub retries: Option<At<u32>>,
    /// When true, a failure does not stop the run: the variable gets
    /// `fallback` (or is empty) and the failure is logged.
    pub optional: Option<At<bool>>,
    /// The value used when an optional source fails (any TOML value).
    pub fallback: Option<At<serde_json::Value>>,
    /// Fields the answer must have, checked when it arrives so that a
    /// missing one stops the run before anything is typed: dotted paths,
    /// `[]` for every item of a list, e.g. `["navn", "aktiviteter[].timer"]`.
    pub expect: Option<At<Vec<At<String>>>>,
}

/// `fetch = "borger"` or `fetch = ["borger", "ydelser"]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawFetch {
    One(String),
    Many(Vec<String>),
}

/// `merge_pdf = { each = "rapporter", url = "…{{ item.id }}", name = "{{ item.titel }}", file = "…" }`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMergePdf {
    /// A list (an expression, e.g. `rapporter` or `borger.rapporter`,
    /// usually fetched); one PDF per item.
    pub each: At<String>,
    /// Each PDF's address (a template; `item` is the list item; values URL-encoded).
    pub url: At<String>,
    /// What each PDF is called in messages (a template with `item`).
    pub name: Option<At<String>>,
    /// The merged file's name (a template), saved in `agent.document_folder`.
    /// It may not contain a CPR number unless `agent.allow_cpr_in_file_names`.
    pub file: At<String>,
    /// Time limit for each download, in milliseconds (default 10000).
    pub timeout_ms: Option<At<u64>>,
}

/// A program to start.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLaunch {
    /// The program (a path, or a name found on PATH). Never run through a shell.
    pub program: At<String>,
    /// Arguments, each a template; passed as a list, never through a shell.
    pub args: Option<At<Vec<At<String>>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSet {
    /// The variable to set.
    pub name: At<String>,
    /// Its value (a template).
    pub value: At<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRequire {
    /// An expression that must be true, e.g. `km > 0`.
    pub condition: At<String>,
    /// What the caseworker is told when it is not (a template).
    pub message: At<String>,
}

/// `key = "Enter"` or `key = ["Tab", "Tab", "Ctrl+S"]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawKeys {
    One(String),
    Many(Vec<String>),
}

/// One step. Exactly one action key (`type`, `paste`, `key`, `launch`,
/// `open_url`, `wait_window`, `focus_window`, `copy_selection`,
/// `read_clipboard`, `pause_ms`, `set`, `message`, `require`, `fetch`,
/// `merge_pdf`, `for_each`) plus options.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// Type text (a template) key by key into the target window.
    #[serde(rename = "type")]
    pub type_text: Option<At<String>>,
    /// Paste text (a template) via the clipboard; the clipboard is restored.
    pub paste: Option<At<String>>,
    /// Press a key or chord, or a list of them in order.
    pub key: Option<At<RawKeys>>,
    /// Start a program with arguments.
    pub launch: Option<At<RawLaunch>>,
    /// Open a URL (a template; inserted values are URL-encoded) in the browser.
    pub open_url: Option<At<String>>,
    /// Wait until a matching window exists, then focus it; it becomes the target.
    pub wait_window: Option<At<RawWindowMatch>>,
    /// Focus an existing matching window; it becomes the target.
    pub focus_window: Option<At<RawWindowMatch>>,
    /// Copy the selected text into this variable (the clipboard is restored).
    pub copy_selection: Option<At<String>>,
    /// Read the clipboard's text into this variable.
    pub read_clipboard: Option<At<String>>,
    /// Wait this many milliseconds.
    pub pause_ms: Option<At<u64>>,
    /// Set a variable from a template.
    pub set: Option<At<RawSet>>,
    /// Show the caseworker a message (a template).
    pub message: Option<At<String>>,
    /// Stop the run with a message unless a condition holds.
    pub require: Option<At<RawRequire>>,
    /// Get data from one or more `[[source]]`s; each is bound to a variable
    /// named like the source. A failure stops the run before the next step.
    pub fetch: Option<At<RawFetch>>,
    /// Download a PDF for each item of a list (e.g. progress reports) and
    /// save them merged into one PDF in the document folder.
    pub merge_pdf: Option<At<RawMergePdf>>,
    /// Run the group's `steps` once for each item of a list (an expression,
    /// e.g. `plan.aktiviteter`), the item bound to the variable named by `as`.
    pub for_each: Option<At<String>>,

    /// Run the step only when this expression is true, e.g. `with_address`.
    pub when: Option<At<String>>,
    /// The named window this step must go to (see `name` in `wait_window`).
    pub target: Option<At<String>>,
    /// Press the keys of a `key` step this many times (1–100).
    pub repeat: Option<At<u32>>,
    /// Pause after each typed key for this step, in milliseconds.
    pub key_delay_ms: Option<At<u32>>,
    /// Time limit for `copy_selection`, in milliseconds.
    pub timeout_ms: Option<At<u64>>,
    /// The variable a `for_each` group binds each item to (default `item`).
    #[serde(rename = "as")]
    pub as_name: Option<At<String>>,
    /// The steps a `for_each` group runs per item: inline tables written
    /// like `[[step]]` tables, e.g. `{ type = "{{ item.navn }}" }`.
    /// Each is checked like a `[[step]]`; a group holds no further group.
    #[schemars(with = "Option<Vec<RawStep>>")]
    pub steps: Option<At<serde::de::IgnoredAny>>,
    /// The group's steps, each with the byte offset of its table, as the
    /// loader read them from `steps`.
    #[serde(skip)]
    #[schemars(skip)]
    pub group: Vec<(usize, Option<RawStep>)>,
}

/// The step keys that are actions (as opposed to options).
pub const ACTIONS: &[&str] = &[
    "type",
    "paste",
    "key",
    "launch",
    "open_url",
    "wait_window",
    "focus_window",
    "copy_selection",
    "read_clipboard",
    "pause_ms",
    "set",
    "message",
    "require",
    "fetch",
    "merge_pdf",
    "for_each",
];

/// The JSON Schema of a script file.
pub fn script_schema() -> Schema {
    schemars::schema_for!(RawScript)
}

/// The keys a table of type `T` accepts: the field names its derived
/// `Deserialize` asks for (after `rename`), read once per type. Not from the
/// JSON Schema: generating one at every start ran schemars and the schema
/// code of every script type, which under Wine left some of the program's
/// pages in the idle agent's memory (docs/src/development/benchmarks.md).
pub fn keys_of<T: for<'de> Deserialize<'de> + 'static>() -> Arc<BTreeSet<String>> {
    static CACHE: LazyLock<Mutex<HashMap<TypeId, Arc<BTreeSet<String>>>>> =
        LazyLock::new(Default::default);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(TypeId::of::<T>())
        .or_insert_with(|| {
            let mut names = FieldNames(&[]);
            // Always an error: `names` only takes the list and stops.
            let _ = T::deserialize(&mut names);
            Arc::new(names.0.iter().map(|name| name.to_string()).collect())
        })
        .clone()
}

/// A deserializer that only notes the field names a struct asks for.
struct FieldNames(&'static [&'static str]);

impl<'de> serde::Deserializer<'de> for &mut FieldNames {
    type Error = serde::de::value::Error;

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = fields;
        Err(serde::de::Error::custom("only the field names are read"))
    }

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("not a struct"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of `T`'s table as its JSON Schema lists them.
    fn schema_keys<T: JsonSchema>() -> BTreeSet<String> {
        schemars::schema_for!(T)
            .get("properties")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_keys_the_checker_accepts_are_the_schemas_keys() {
        assert_eq!(*keys_of::<RawHeader>(), schema_keys::<RawHeader>());
        assert_eq!(*keys_of::<RawApproved>(), schema_keys::<RawApproved>());
        assert_eq!(*keys_of::<RawApproval>(), schema_keys::<RawApproval>());
        assert_eq!(*keys_of::<RawInput>(), schema_keys::<RawInput>());
        assert_eq!(*keys_of::<RawHotstring>(), schema_keys::<RawHotstring>());
        assert_eq!(*keys_of::<RawSource>(), schema_keys::<RawSource>());
        assert_eq!(*keys_of::<RawStep>(), schema_keys::<RawStep>());
        assert!(
            keys_of::<RawStep>().contains("type"),
            "renamed keys by their written name"
        );
    }

    #[test]
    fn every_action_is_a_step_key() {
        let keys = keys_of::<RawStep>();
        for action in ACTIONS {
            assert!(keys.contains(*action), "{action} missing from RawStep");
        }
        let options: Vec<_> = keys
            .iter()
            .filter(|k| !ACTIONS.contains(&k.as_str()))
            .collect();
        assert_eq!(
            options,
            [
                "as",
                "key_delay_ms",
                "repeat",
                "steps",
                "target",
                "timeout_ms",
                "when"
            ]
        );
    }
}
