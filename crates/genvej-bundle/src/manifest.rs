//! What a bundle holds: the manifest (sequence, build time, one entry per
//! script with its hash, id, version and approvals) and the scripts' texts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::path::LibraryPath;

/// The signed payload of a bundle, as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Payload {
    pub format: u32,
    pub sequence: u64,
    pub built: DateTime<Utc>,
    pub scripts: Vec<ManifestEntry>,
    pub files: Vec<PayloadFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PayloadFile {
    pub path: String,
    pub text: String,
}

/// A verified bundle: its manifest and its scripts.
#[derive(Debug, Clone)]
pub struct Library {
    pub manifest: Manifest,
    /// The scripts, in the manifest's order.
    pub files: Vec<LibraryFile>,
}

/// A bundle's description of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Rises with every bundle the IT office builds; an agent never goes
    /// back to a lower one.
    pub sequence: u64,
    pub built: DateTime<Utc>,
    /// The id of the key that signed it (16 hex digits, as minisign shows).
    pub key_id: String,
    pub scripts: Vec<ManifestEntry>,
}

/// One script in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub path: String,
    /// SHA-256 of the file's text, 64 lower-case hex digits.
    pub sha256: String,
    #[serde(flatten)]
    pub info: ScriptInfo,
}

/// What the manifest tells about a script besides its file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptInfo {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub professional: Option<ApprovalEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal: Option<ApprovalEntry>,
}

/// An approval as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalEntry {
    pub by: String,
    pub on: NaiveDate,
}

impl ScriptInfo {
    /// The manifest's view of a checked script.
    pub fn of(script: &genvej_format::script::Script) -> ScriptInfo {
        let approval = |a: &Option<genvej_format::script::Approval>| {
            a.as_ref().map(|a| ApprovalEntry {
                by: a.by.clone(),
                on: a.on,
            })
        };
        ScriptInfo {
            id: script.id.clone(),
            name: script.name.clone(),
            version: script.release.version.clone(),
            owner: script.release.owner.clone(),
            professional: approval(&script.release.professional),
            legal: approval(&script.release.legal),
        }
    }
}

/// One script's file in a verified bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryFile {
    pub path: LibraryPath,
    pub text: String,
}

/// SHA-256 of a text, in lower-case hex.
pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
