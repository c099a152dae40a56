//! The agent's configuration, `genvej.toml`: the caseworker's profile, the
//! organisation's values (system URLs, addresses, rates) and agent settings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::chord::Chord;
use crate::chord_lint::lint;
use crate::diagnostic::Diagnostic;

mod agent;
mod bundles;
mod economics;
mod layers;
mod typing;
pub use agent::{AgentSettings, DEFAULT_MAX_TEXT_CHARS, SEQUENCE_TIMEOUT_MS};
pub use bundles::{BundleLocation, BundleSettings, ring_problem, web_file};
pub use economics::{CostEntry, EconomicsSettings, MAX_COST_HOURS, MAX_COST_LABEL_CHARS};
pub use layers::{ConfigLayer, LayerRole, LayeredConfig};
pub use typing::{
    InputMode, REMOTE_CLIENT_CLASSES, TypingProfile, is_remote_client, profile_for, uses_scan_codes,
};

/// `config/genvej.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "genvej configuration")]
pub struct Config {
    /// The caseworker, available to templates as `profile`.
    #[serde(default)]
    pub profile: Profile,
    /// Organisation values available to templates as `org`, e.g.
    /// `org.fasit_url` or `org.jobcenter_address`. Any names and values.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub org: BTreeMap<String, toml::Value>,
    /// How the agent behaves.
    #[serde(default)]
    pub agent: AgentSettings,
    /// HTTP sources every script may `fetch` without declaring them,
    /// e.g. `[sources.borger]`. A script's own `[[source]]` of the same
    /// name wins.
    #[serde(default)]
    pub sources: BTreeMap<String, SharedSource>,
    /// Usage records and the time-saved report.
    #[serde(default)]
    pub usage: UsageSettings,
    /// The organisation's policy (machine-wide config only): settings a
    /// personal config may not change, what personal scripts may do.
    #[serde(default)]
    pub policy: crate::policy::Policy,
    /// How much the agent reads at most: script files, HTTP answers, PDFs.
    #[serde(default)]
    pub limits: crate::limits::Limits,
    /// Signed script bundles from the organisation (machine-wide config):
    /// where they come from and whose signatures count.
    #[serde(default)]
    pub bundles: BundleSettings,
    /// How the time-saved report counts hours as årsværk and kroner, and
    /// the development and introduction hours it subtracts (machine-wide
    /// config only).
    #[serde(default)]
    pub economics: EconomicsSettings,
}

/// `[usage]`: what genvej records about runs (never personal data) and how
/// the time-saved report is made.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageSettings {
    /// Record every run (script, version, time, duration, outcome, how it
    /// was started); never a CPR number, citizen data, window titles or text.
    #[serde(default = "yes")]
    pub record: bool,
    /// The database file; default `usage.sqlite` in the per-user data
    /// folder (`~/.local/share/genvej`, `%LOCALAPPDATA%\genvej`).
    #[serde(default)]
    pub database: Option<PathBuf>,
    /// The caseworker's pseudonymous id in the records (e.g. from the
    /// municipality's pilot list); default a random id made once per user.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The caseworker's team, e.g. "Sygedagpenge".
    #[serde(default)]
    pub team: String,
    /// The report uses the median of measured manual times once a script
    /// has at least this many, else the script's `manual_seconds`.
    #[serde(default = "default_min_baselines")]
    pub min_baselines: usize,
    /// Figures per team are shown only for teams with at least this many
    /// people.
    #[serde(default = "default_min_team_size")]
    pub min_team_size: usize,
    /// Starts and stops the manual-time stopwatch (also in the tray menu).
    #[serde(default)]
    pub stopwatch_hotkey: Option<String>,
    /// Where `genvej export` writes this workstation's records (e.g. the
    /// pilot's shared folder); default the current folder.
    #[serde(default)]
    pub export_folder: Option<PathBuf>,
    /// After a successful run, ask once a week per script «how well did it
    /// help?» (1–5, Escape to skip). Off by default: it is the
    /// organisation's decision to ask its staff (machine-wide config only).
    #[serde(default)]
    pub satisfaction_pulse: bool,
}

impl Default for UsageSettings {
    fn default() -> Self {
        UsageSettings {
            record: true,
            database: None,
            user_id: None,
            team: String::new(),
            min_baselines: default_min_baselines(),
            min_team_size: default_min_team_size(),
            stopwatch_hotkey: None,
            export_folder: None,
            satisfaction_pulse: false,
        }
    }
}

fn yes() -> bool {
    true
}
fn default_min_baselines() -> usize {
    5
}
fn default_min_team_size() -> usize {
    5
}

/// A `[sources.NAME]` table: the keys of a script's `[[source]]` but `name`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedSource {
    /// The address (a template; inserted values are URL-encoded).
    pub url: String,
    /// `GET` (default) or `POST`.
    pub method: Option<String>,
    /// Request headers: a template, or a secret:
    /// `{ credential = "NAME", prefix = "Bearer " }` or `{ env = "NAME" }`.
    #[serde(default)]
    pub headers: BTreeMap<String, crate::secret::RawHeaderValue>,
    /// Query parameters (templates), URL-encoded.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// A JSON body for POST (a template; inserted values are JSON-encoded).
    pub json: Option<String>,
    /// Time limit for one attempt, in milliseconds (default 10000).
    pub timeout_ms: Option<u64>,
    /// Extra attempts for a GET (default 1; 0–5).
    pub retries: Option<u32>,
    /// When true, a failure does not stop the run (see `fallback`).
    pub optional: Option<bool>,
    /// The value used when an optional source fails.
    pub fallback: Option<serde_json::Value>,
    /// Fields the answer must have, e.g. `["navn", "aktiviteter[].timer"]`.
    #[serde(default)]
    pub expect: Vec<String>,
}

/// The caseworker's own details (`{{ profile.name }}` …).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    /// The caseworker's unit, e.g. "Jobcenter Eksempelby, Team Sygedagpenge".
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// The unit's postal address, one line.
    #[serde(default)]
    pub address: String,
}

/// The names templates may use after `profile.`.
pub const PROFILE_FIELDS: &[&str] = &["name", "title", "unit", "phone", "email", "address"];

/// A config file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{rendered}")]
    Invalid { rendered: String },
}

impl Config {
    /// What is wrong with the config's own hot keys (the panic key, the
    /// stopwatch) on the configured keyboard layouts, one line each, naming
    /// the setting: `usage.stopwatch_hotkey: hot key Ctrl+Alt+M is AltGr+M …`.
    pub fn chord_warnings(&self) -> Vec<String> {
        let keys = [
            ("agent.panic_key", Some(self.agent.panic_key.as_str())),
            ("agent.palette_hotkey", self.agent.palette_hotkey.as_deref()),
            (
                "usage.stopwatch_hotkey",
                self.usage.stopwatch_hotkey.as_deref(),
            ),
        ];
        keys.into_iter()
            .filter_map(|(name, text)| Some((name, Chord::parse_hotkey(text?).ok()?)))
            .flat_map(|(name, chord)| {
                lint(chord, &self.agent.keyboard_layouts)
                    .into_iter()
                    .map(move |problem| format!("{name}: {problem}; {}", problem.help()))
            })
            .collect()
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::parse(path, &read(path)?)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            rendered: Diagnostic::error(path, e.span().unwrap_or(0..0), e.message().trim())
                .render(text),
        })?;
        if let Err(e) = crate::chord::Chord::parse_hotkey(&config.agent.panic_key) {
            let rendered = format!("{}: error: agent.panic_key: {e}\n", path.display());
            return Err(ConfigError::Invalid { rendered });
        }
        if let Some(Err(e)) = config
            .agent
            .palette_hotkey
            .as_deref()
            .map(crate::chord::Chord::parse_hotkey)
        {
            let rendered = format!("{}: error: agent.palette_hotkey: {e}\n", path.display());
            return Err(ConfigError::Invalid { rendered });
        }
        let chord_of = |text: Option<&str>| text.and_then(|t| Chord::parse_hotkey(t).ok());
        let palette = chord_of(config.agent.palette_hotkey.as_deref());
        if palette.is_some()
            && (palette == chord_of(Some(&config.agent.panic_key))
                || palette == chord_of(config.usage.stopwatch_hotkey.as_deref()))
        {
            let rendered = format!(
                "{}: error: agent.palette_hotkey: {} is already the panic key or the stopwatch's; choose another chord\n",
                path.display(),
                config.agent.palette_hotkey.as_deref().unwrap_or_default()
            );
            return Err(ConfigError::Invalid { rendered });
        }
        if let Some(Err(e)) = config
            .usage
            .stopwatch_hotkey
            .as_deref()
            .map(crate::chord::Chord::parse_hotkey)
        {
            let rendered = format!("{}: error: usage.stopwatch_hotkey: {e}\n", path.display());
            return Err(ConfigError::Invalid { rendered });
        }
        if !SEQUENCE_TIMEOUT_MS.contains(&config.agent.sequence_timeout_ms) {
            let span = value_span(text, &["agent", "sequence_timeout_ms"]).unwrap_or(0..0);
            let message = format!(
                "agent.sequence_timeout_ms must be 300–10000 (milliseconds), not {}",
                config.agent.sequence_timeout_ms
            );
            let rendered = Diagnostic::error(path, span, message).render(text);
            return Err(ConfigError::Invalid { rendered });
        }
        let base = path.parent().unwrap_or(Path::new("."));
        if let Err((key, problem)) = config.bundles.check(base) {
            let span = value_span(text, &["bundles", key]).unwrap_or(0..0);
            let rendered =
                Diagnostic::error(path, span, format!("bundles.{key}: {problem}")).render(text);
            return Err(ConfigError::Invalid { rendered });
        }
        if let Err((key, problem)) = config.economics.check() {
            let span = value_span(text, &["economics", key]).unwrap_or(0..0);
            let rendered =
                Diagnostic::error(path, span, format!("economics.{key}: {problem}")).render(text);
            return Err(ConfigError::Invalid { rendered });
        }
        let folders = config.agent.hotkey_folders.iter_mut();
        let files = config
            .agent
            .log_folder
            .iter_mut()
            .chain(config.agent.document_folder.as_mut())
            .chain(config.agent.ca_file.as_mut())
            .chain(config.usage.database.as_mut())
            .chain(config.usage.export_folder.as_mut());
        for folder in folders.chain(files) {
            if folder.is_relative() {
                *folder = base.join(&*folder);
            }
        }
        Ok(config)
    }
}

/// Where the value of a dotted key (e.g. `bundles.ring`) stands in `text`.
fn value_span(text: &str, keys: &[&str]) -> Option<std::ops::Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let document = DeTable::parse(text).ok()?;
    let (last, tables) = keys.split_last()?;
    let mut table = document.get_ref();
    for key in tables {
        match table.get(*key).map(|v| v.get_ref()) {
            Some(DeValue::Table(inner)) => table = inner,
            _ => return None,
        }
    }
    table.get(*last).map(|value| value.span())
}

pub(crate) fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

pub fn config_schema() -> schemars::Schema {
    schemars::schema_for!(Config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_gets_defaults() {
        let c = Config::parse(Path::new("g.toml"), "").expect("valid");
        assert_eq!(c.agent.panic_key, "Ctrl+Alt+Escape");
        assert_eq!(c.agent.paste_threshold, 400);
        assert_eq!(c.agent.max_text_chars, 100_000);
    }

    #[test]
    fn the_wait_for_a_sequences_next_key_is_bounded() {
        let c = Config::parse(Path::new("g.toml"), "").expect("valid");
        assert_eq!(c.agent.sequence_timeout_ms, 2000);
        let err = Config::parse(
            Path::new("g.toml"),
            "[agent]\nsequence_timeout_ms = 60000\n",
        )
        .expect_err("too long");
        assert_eq!(
            err.to_string().lines().next(),
            Some(
                "g.toml:2:23: error: agent.sequence_timeout_ms must be 300–10000 (milliseconds), not 60000"
            )
        );
    }

    #[test]
    fn unknown_keys_point_at_the_line() {
        let err = Config::parse(Path::new("g.toml"), "[profile]\nnavn = \"Mette\"\n")
            .expect_err("unknown");
        let text = err.to_string();
        assert!(
            text.starts_with("g.toml:2:1: error: unknown field `navn`"),
            "{text}"
        );
    }

    #[test]
    fn relative_hotkey_folders_are_relative_to_the_file() {
        let c = Config::parse(
            Path::new("/etc/genvej/genvej.toml"),
            "[agent]\nhotkey_folders = [\"central\"]\n",
        )
        .expect("valid");
        assert_eq!(
            c.agent.hotkey_folders,
            [PathBuf::from("/etc/genvej/central")]
        );
    }

    #[test]
    fn a_bundle_folder_is_relative_to_the_file_and_a_bad_value_is_pointed_at() {
        let c = Config::parse(
            Path::new("/etc/genvej/genvej.toml"),
            "[bundles]\nfrom = \"udgivet\"\n",
        )
        .expect("valid");
        assert_eq!(c.bundles.from.as_deref(), Some("/etc/genvej/udgivet"));
        let cases = [
            (
                "from = \"http://intra.example.dk/b\"",
                "g.toml:2:8: error: bundles.from: `http://intra.example.dk/b` is plain http",
            ),
            (
                "check_minutes = 0",
                "g.toml:2:17: error: bundles.check_minutes: 0 is out of range",
            ),
            (
                "check_minutes = 1441",
                "g.toml:2:17: error: bundles.check_minutes: 1441 is out of range",
            ),
            (
                "ring = \"Pilot\"",
                "g.toml:2:8: error: bundles.ring: `Pilot` is not a ring name",
            ),
            (
                "ring = \"all\"",
                "g.toml:2:8: error: bundles.ring: `all` is everyone's bundle",
            ),
        ];
        for (line, expected) in cases {
            let text = format!("[bundles]\n{line}\n");
            let error = Config::parse(Path::new("g.toml"), &text)
                .expect_err(line)
                .to_string();
            assert!(error.starts_with(expected), "{line}:\n{error}");
        }
    }

    #[test]
    fn the_palette_may_not_take_the_panic_key_or_the_stopwatch() {
        let path = Path::new("genvej.toml");
        for text in [
            "[agent]\npalette_hotkey = \"Ctrl+Alt+Escape\"\n",
            "[agent]\npalette_hotkey = \"Ctrl+Alt+U\"\n[usage]\nstopwatch_hotkey = \"Ctrl+Alt+U\"\n",
        ] {
            let Err(ConfigError::Invalid { rendered }) = Config::parse(path, text) else {
                panic!("accepted: {text}");
            };
            assert!(
                rendered.contains("agent.palette_hotkey: ")
                    && rendered.contains("is already the panic key or the stopwatch's"),
                "{rendered}"
            );
        }
        assert!(Config::parse(path, "[agent]\npalette_hotkey = \"Ctrl+Alt+G\"\n").is_ok());
    }

    #[test]
    fn economics_defaults_and_out_of_range_values_are_pointed_at() {
        let c = Config::parse(Path::new("g.toml"), "").expect("valid");
        assert_eq!(c.economics.hourly_cost, 260.0);
        assert_eq!(c.economics.hours_per_fte, 1924.0);
        assert!(
            !c.usage.satisfaction_pulse,
            "the pulse is off unless the organisation asks"
        );
        let c = Config::parse(
            Path::new("g.toml"),
            "[economics]\nhourly_cost = 300\n[[economics.costs]]\nhours = 10\nwhat = \"pilot\"\n[[economics.costs]]\nhours = 2.5\nscript = \"forberedende-plan\"\n",
        )
        .expect("valid");
        assert_eq!(c.economics.costs.len(), 2);
        assert_eq!(
            c.economics.costs[1].script.as_deref(),
            Some("forberedende-plan")
        );
        let cases = [
            (
                "[economics]\nhourly_cost = 0\n",
                "g.toml:2:15: error: economics.hourly_cost: 0 is out of range",
            ),
            (
                "[economics]\nhours_per_fte = 9000\n",
                "g.toml:2:17: error: economics.hours_per_fte: 9000 is out of range",
            ),
            (
                "[economics]\ncosts = [{ hours = -1 }]\n",
                "g.toml:2:9: error: economics.costs: entry 1: hours -1 is out of range",
            ),
            (
                "[economics]\ncosts = [{ hours = 1, what = \"borger 070761-4285\" }]\n",
                "g.toml:2:9: error: economics.costs: entry 1: holds a CPR number",
            ),
            (
                "[economics]\ncosts = [{ hours = 1, script = \"Forberedende plan\" }]\n",
                "g.toml:2:9: error: economics.costs: entry 1: `script` is not a script id",
            ),
        ];
        for (text, expected) in cases {
            let error = Config::parse(Path::new("g.toml"), text)
                .expect_err(text)
                .to_string();
            assert!(error.starts_with(expected), "{text}:\n{error}");
        }
    }
}
