//! `[bundles]`: where the organisation's signed script bundles come from.
//!
//! The IT office builds its checked script library into one signed file
//! (`genvej bundle build`) and puts it on a web server or a file share; every
//! agent whose machine-wide config names that place fetches it, checks the
//! signature against the keys named here, and runs its scripts. Where
//! bundles come from and whose signatures count is the organisation's
//! decision (`bundles.from`, `bundles.trusted_keys` and
//! `bundles.check_minutes` are always locked, see
//! [`ALWAYS_LOCKED`](crate::policy::ALWAYS_LOCKED)); the workstation's ring
//! may be set per user unless the policy locks `bundles.ring` too.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `[bundles]` in `genvej.toml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BundleSettings {
    /// Where bundles are published: an `https://` address (`http://` only
    /// on this machine) or a folder, e.g. a file share `\\srv\genvej`.
    /// The agent reads `all.genvej-bundle` there, and `RING.genvej-bundle`
    /// for its ring. Unset: scripts come from the script folders.
    #[serde(default)]
    pub from: Option<String>,
    /// The public keys whose signatures are trusted: the second line of a
    /// key file made by `genvej bundle keygen` (minisign format). A bundle
    /// signed by any other key is refused.
    #[serde(default)]
    pub trusted_keys: Vec<String>,
    /// Minutes between checks for a new bundle (1–1440, default 15); the
    /// agent also checks when it starts.
    #[serde(default = "default_check_minutes")]
    pub check_minutes: u32,
    /// This workstation's release ring, e.g. `pilot`: it runs the ring's
    /// bundle when that is newer than everyone's. Default: none (everyone's
    /// bundle only).
    #[serde(default)]
    pub ring: Option<String>,
}

impl Default for BundleSettings {
    fn default() -> Self {
        BundleSettings {
            from: None,
            trusted_keys: Vec::new(),
            check_minutes: default_check_minutes(),
            ring: None,
        }
    }
}

fn default_check_minutes() -> u32 {
    15
}
