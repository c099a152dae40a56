//! The JSON Schema of a test file (`config/tests.schema.json`), for editors
//! (`#:schema` at the top of a `NAME.tests.toml`). Written out here, as the
//! file is read by hand (for its messages); a unit test keeps its keys the
//! same as the reader's.

use serde_json::{Value, json};

/// The schema of `NAME.tests.toml`.
pub fn schema() -> Value {
    let text = |description: &str| json!({ "type": "string", "description": description });
    let now = json!({
        "description": "The clock of the run, the workstation's local time without a time zone, written without quotes: `2026-12-07T09:30:00`, or a date alone (09:00 that day). Default 2026-01-05T09:00:00.",
        "anyOf": [
            { "type": "string", "format": "partial-date-time" },
            { "type": "string", "format": "date" }
        ]
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "genvej test file",
        "description": "Test cases for the script NAME.toml, beside it as NAME.tests.toml; `genvej test` runs them on the recording stand-in desktop. Never loaded as a hot key.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "now": now.clone(),
            "case": {
                "description": "The cases: each one is one dry run and what it must do.",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name"],
                    "properties": {
                        "name": text("The case's name, shown when it runs; unique in the file."),
                        "now": now,
                        "set": {
                            "description": "Input values, as `genvej exec --set NAME=VALUE`; checked as the form checks them.",
                            "type": "object",
                            "additionalProperties": { "type": ["string", "number", "boolean"] }
                        },
                        "selection": text("The selected text when the script starts, as `--selection`."),
                        "fixtures": {
                            "description": "Source name → a JSON file with its answer; or an http(s) address prefix → the PDF `merge_pdf` downloads from there get. Files are named from the test file's folder and lie in it.",
                            "type": "object",
                            "additionalProperties": { "type": "string", "minLength": 1 }
                        },
                        "hotstring": text("Run this hotstring's expansion instead of the script's steps, as `--hotstring`."),
                        "expect": {
                            "description": "The dry run's action lines, exactly (CPR numbers masked); `genvej test --bless` writes them.",
                            "type": "array",
                            "items": { "type": "string" }
                        },
                        "fails": text("The run must fail with a message containing this text; without it the run must complete.")
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::parse::{CASE_KEYS, TOP_KEYS};
    use super::*;

    fn keys(value: &Value) -> Vec<String> {
        let mut keys: Vec<String> = value
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_schema_has_the_keys_the_reader_accepts() {
        let schema = schema();
        assert_eq!(keys(&schema["properties"]), sorted(TOP_KEYS));
        assert_eq!(
            keys(&schema["properties"]["case"]["items"]["properties"]),
            sorted(CASE_KEYS)
        );
    }
}
