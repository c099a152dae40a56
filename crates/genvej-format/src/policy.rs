//! The organisation's policy, `[policy]` in the machine-wide config: which
//! settings only that file may set, what personal scripts may do, and which
//! exceptions to the safety rules the organisation allows.
//!
//! On a shared terminal server every caseworker's agent reads the same
//! machine-wide file and a personal one of their own. The personal file is
//! the caseworker's (their name, their panic key); the machine-wide one is
//! the organisation's decision (where CPR numbers and tokens are sent, what
//! is recorded, which scripts run). A personal file cannot undo it: a locked
//! key there is ignored, and the message names the file, line and rule.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `[policy]`: read from the machine-wide config only.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// What scripts from personal folders (the caseworker's own
    /// `genvej/hotkeys`) may do: `allow` (everything), `text-only` (only
    /// type, paste, press keys, windows, messages: signatures and phrases —
    /// never `launch`, `open_url`, `fetch` or `merge_pdf`) or `deny` (personal
    /// scripts are not loaded).
    #[serde(default)]
    pub personal_scripts: PersonalScripts,
    /// More settings only the machine-wide config may set, besides the
    /// ones that always are (see [`ALWAYS_LOCKED`]): a key such as
    /// `agent.key_delay_ms`, or a table such as `profile` for all its keys.
    #[serde(default)]
    pub locked: Vec<String>,
    /// URL schemes `open_url` may open besides `http` and `https`, e.g.
    /// `["fasit"]` for a case system's own links.
    #[serde(default)]
    pub url_schemes: Vec<String>,
    /// Hosts that may receive secret headers (`credential`, `env`) over
    /// plain `http://` besides loopback, e.g. an internal API without TLS.
    #[serde(default)]
    pub plain_http_secret_hosts: Vec<String>,
}

/// What personal scripts may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PersonalScripts {
    /// Personal scripts may do everything a central script may.
    #[default]
    Allow,
    /// Personal scripts may type, paste, press keys, wait for and focus
    /// windows and show messages; a script with `launch`, `open_url`,
    /// `fetch`, `merge_pdf` or a `[[source]]` is not loaded.
    TextOnly,
    /// Personal scripts are not loaded.
    Deny,
}

impl PersonalScripts {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonalScripts::Allow => "allow",
            PersonalScripts::TextOnly => "text-only",
            PersonalScripts::Deny => "deny",
        }
    }
}

/// Settings only the machine-wide config may set, whatever the policy
/// says: where CPR numbers and tokens go (`org`, `sources`, `agent.browser`,
/// `agent.ca_file`), what may hold them (`agent.allow_cpr_in_file_names`,
/// `agent.document_folder`), which scripts run (`agent.hotkey_folders`),
/// what is measured (`usage.record`, `usage.satisfaction_pulse` …), how it
/// is counted (`economics`) and the policy itself.
pub const ALWAYS_LOCKED: &[&str] = &[
    "policy",
    "org",
    "sources",
    "agent.hotkey_folders",
    "agent.allow_cpr_in_file_names",
    "agent.ca_file",
    "agent.browser",
    "agent.document_folder",
    "usage.record",
    "usage.database",
    "usage.export_folder",
    "usage.min_baselines",
    "usage.min_team_size",
    "usage.satisfaction_pulse",
    "economics",
    "bundles.from",
    "bundles.trusted_keys",
    "bundles.check_minutes",
];

impl Policy {
    /// The rule that makes `key` (a dotted path such as `agent.ca_file`)
    /// machine-only, if one does: the locked key itself or a table above it.
    pub fn rule_locking<'a>(&'a self, key: &str) -> Option<&'a str> {
        ALWAYS_LOCKED
            .iter()
            .copied()
            .chain(self.locked.iter().map(String::as_str))
            .find(|rule| {
                key == *rule
                    || key
                        .strip_prefix(*rule)
                        .is_some_and(|rest| rest.starts_with('.'))
            })
    }

    /// Whether `open_url` may open a URL with this scheme.
    pub fn allows_url_scheme(&self, scheme: &str) -> bool {
        scheme.eq_ignore_ascii_case("http")
            || scheme.eq_ignore_ascii_case("https")
            || self
                .url_schemes
                .iter()
                .any(|s| s.eq_ignore_ascii_case(scheme))
    }

    /// Whether a secret header may go to `host` over plain `http://`:
    /// loopback always, other hosts only when the organisation says so.
    pub fn allows_plain_http_secrets_to(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
            || self
                .plain_http_secret_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_table_locks_every_key_in_it() {
        let policy = Policy {
            locked: vec!["profile".into()],
            ..Policy::default()
        };
        assert_eq!(policy.rule_locking("org.fasit_url"), Some("org"));
        assert_eq!(policy.rule_locking("profile.unit"), Some("profile"));
        assert_eq!(policy.rule_locking("agent.ca_file"), Some("agent.ca_file"));
        assert_eq!(policy.rule_locking("agent.settle_ms"), None);
        assert_eq!(
            policy.rule_locking("organisation"),
            None,
            "a prefix is not a table"
        );
    }

    #[test]
    fn only_web_schemes_open_unless_the_organisation_adds_one() {
        let policy = Policy {
            url_schemes: vec!["fasit".into()],
            ..Policy::default()
        };
        for scheme in ["http", "HTTPS", "fasit"] {
            assert!(policy.allows_url_scheme(scheme), "{scheme}");
        }
        for scheme in ["file", "javascript", "ms-settings", "vbscript"] {
            assert!(!policy.allows_url_scheme(scheme), "{scheme}");
        }
    }

    #[test]
    fn secrets_go_over_plain_http_only_to_loopback_or_named_hosts() {
        let policy = Policy {
            plain_http_secret_hosts: vec!["api.intern".into()],
            ..Policy::default()
        };
        for host in ["localhost", "127.0.0.1", "[::1]", "api.intern"] {
            assert!(policy.allows_plain_http_secrets_to(host), "{host}");
        }
        for host in ["fasit.example", "10.0.0.1", "localhost.evil"] {
            assert!(!policy.allows_plain_http_secrets_to(host), "{host}");
        }
    }
}
