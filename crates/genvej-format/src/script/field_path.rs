//! The fields a source's answer must have (`expect = ["navn",
//! "aktiviteter[].titel"]`): checked when the answer arrives, so a missing
//! field stops the run before anything is typed, not halfway through.

use std::fmt;

/// Why a text is not a field path (author-facing, English, like every
/// checker message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldPathError {
    #[error("an empty field path")]
    Empty,
    #[error("`{0}` is not a field name")]
    NotAName(String),
    #[error("`{0}`: write `[]` for every item of a list")]
    BadList(String),
}

/// One step into a JSON answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A field of an object.
    Field(String),
    /// Every item of a list (`[]`).
    Each,
}

/// A dotted path such as `borger.adresse.postnr` or `aktiviteter[].timer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    segments: Vec<Segment>,
}

impl FieldPath {
    /// Parses a path; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<FieldPath, FieldPathError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldPathError::Empty);
        }
        let mut segments = Vec::new();
        for (i, part) in text.split('.').enumerate() {
            let (name, lists) = match part.find('[') {
                Some(at) => (&part[..at], &part[at..]),
                None => (part, ""),
            };
            // Only an answer that is itself a list starts with `[]`.
            let list_answer = i == 0 && name.is_empty() && !lists.is_empty();
            if (name.is_empty() && !list_answer) || name.contains([']', ' ']) {
                return Err(FieldPathError::NotAName(part.to_string()));
            }
            if lists.len() % 2 != 0 || lists.as_bytes().chunks(2).any(|pair| pair != b"[]") {
                return Err(FieldPathError::BadList(part.to_string()));
            }
            if !list_answer {
                segments.push(Segment::Field(name.to_string()));
            }
            segments.extend((0..lists.len() / 2).map(|_| Segment::Each));
        }
        Ok(FieldPath { segments })
    }

    /// Where `answer` lacks this path, e.g. `aktiviteter[2].timer`; `None`
    /// when it is there (in every item, for `[]`). An empty list has every
    /// field of its items.
    pub fn missing_in(&self, answer: &serde_json::Value) -> Option<String> {
        missing(&self.segments, answer, String::new())
    }
}

fn missing(segments: &[Segment], value: &serde_json::Value, at: String) -> Option<String> {
    let (first, rest) = segments.split_first()?;
    match first {
        Segment::Field(name) => {
            let here = if at.is_empty() {
                name.clone()
            } else {
                format!("{at}.{name}")
            };
            match value.get(name) {
                Some(inner) if !inner.is_null() => missing(rest, inner, here),
                _ => Some(here),
            }
        }
        Segment::Each => match value.as_array() {
            Some(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| missing(rest, item, format!("{at}[{i}]"))),
            None => Some(format!("{at}[]")),
        },
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for segment in &self.segments {
            match segment {
                Segment::Field(name) if first => write!(f, "{name}")?,
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Each => write!(f, "[]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(text: &str) -> FieldPath {
        FieldPath::parse(text).expect("valid path")
    }

    #[test]
    fn paths_round_trip_and_bad_ones_are_explained() {
        assert_eq!(
            path("aktiviteter[].titel").to_string(),
            "aktiviteter[].titel"
        );
        assert_eq!(path(" adresse.postnr ").to_string(), "adresse.postnr");
        assert_eq!(path("[].titel").to_string(), "[].titel");
        assert_eq!(
            FieldPath::parse("aktiviteter[0]")
                .expect_err("refused")
                .to_string(),
            "`aktiviteter[0]`: write `[]` for every item of a list"
        );
        assert_eq!(
            FieldPath::parse("a..b").expect_err("refused").to_string(),
            "`` is not a field name"
        );
    }

    #[test]
    fn the_first_missing_place_is_named_with_its_index() {
        let answer = json!({
            "navn": "Åse",
            "email": null,
            "aktiviteter": [{"titel": "Praktik", "timer": 20}, {"titel": "Dansk"}]
        });
        assert_eq!(path("navn").missing_in(&answer), None);
        assert_eq!(path("email").missing_in(&answer), Some("email".into()));
        assert_eq!(path("aktiviteter[].titel").missing_in(&answer), None);
        assert_eq!(
            path("aktiviteter[].timer").missing_in(&answer),
            Some("aktiviteter[1].timer".into())
        );
        assert_eq!(path("navn[]").missing_in(&answer), Some("navn[]".into()));
        assert_eq!(
            path("ydelser[].fra").missing_in(&json!({"ydelser": []})),
            None
        );
        assert_eq!(
            path("[].fra").missing_in(&json!([{"fra": 1}, {"til": 2}])),
            Some("[1].fra".into())
        );
    }
}
