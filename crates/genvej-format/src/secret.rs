//! A request header's value as scripts and the config write it: text (a
//! template), or a secret kept outside scripts — a credential in the OS
//! store or an environment variable. Its own module because both the
//! config's shared sources and a script's `[[source]]` use it, and the
//! config must not depend on the script format.

use schemars::JsonSchema;
use serde::Deserialize;

/// A header's value: text (a template) or a secret kept outside scripts.
#[derive(Debug, Clone, Deserialize, serde::Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RawHeaderValue {
    Text(String),
    Secret(RawSecret),
}

/// `{ credential = "NAME" }` or `{ env = "NAME" }`, with an optional prefix.
#[derive(Debug, Clone, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSecret {
    /// The name of a credential in the OS credential store, saved there with
    /// `genvej credential set NAME` (service `genvej`, user NAME).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// The environment variable holding the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// Text put before it, e.g. `Bearer `.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}
