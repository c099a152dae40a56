//! JSON Schemas of the script format and the config, generated from the
//! same Rust types that parse them. TOML has no null, so the `null` that
//! serde-style optional fields would allow is removed.

use serde_json::Value;

/// The schema of a hot-key script (`config/hotkeys.schema.json`).
pub fn hotkeys() -> Value {
    finish(crate::script::raw::script_schema())
}

/// The schema of a script's test file (`config/tests.schema.json`).
pub fn tests() -> Value {
    crate::script_tests::schema()
}

/// The schema of `genvej.toml` (`config/genvej.schema.json`).
pub fn config() -> Value {
    finish(crate::config::config_schema())
}

fn finish(schema: schemars::Schema) -> Value {
    let mut value = schema.to_value();
    remove_null(&mut value);
    value
}

/// Drops `"null"` from `type` lists and `{"type": "null"}` from `anyOf`.
fn remove_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(variants)) = map.get_mut("anyOf") {
                variants.retain(|v| v.get("type").and_then(Value::as_str) != Some("null"));
                if variants.len() == 1 {
                    let only = variants.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        map.extend(inner);
                    }
                }
            }
            map.values_mut().for_each(remove_null);
        }
        Value::Array(items) => items.iter_mut().for_each(remove_null),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_fields_are_not_nullable() {
        let text = hotkeys().to_string();
        assert!(!text.contains("\"null\""), "{text}");
        let required = &hotkeys()["required"];
        assert_eq!(
            required,
            &serde_json::json!(["id", "name", "manual_seconds"])
        );
    }
}
