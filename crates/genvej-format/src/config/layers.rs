//! Config files in layers: the organisation's machine-wide file(s), then the
//! caseworker's personal one on top. A personal file overrides key by key,
//! except what the machine-wide `[policy]` locks (see [`crate::policy`]):
//! such a key is dropped from the personal file, with a warning that names
//! the file, line and rule.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use toml::de::{DeTable, DeValue};

use super::{Config, ConfigError, read};
use crate::diagnostic::Diagnostic;
use crate::policy::Policy;

/// Whose decision a config file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerRole {
    /// The organisation's: `C:\ProgramData\genvej\genvej.toml`,
    /// `/etc/genvej/genvej.toml`, the checkout's `config/genvej.toml`, or
    /// the first `--config`. Its `[policy]` holds.
    Machine,
    /// The caseworker's own (`%APPDATA%\genvej\genvej.toml`,
    /// `~/.config/genvej/genvej.toml`, a later `--config`). May be missing.
    /// The `hotkeys/` folder beside it holds their personal scripts.
    Personal,
}

/// One config file and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLayer {
    pub path: PathBuf,
    pub role: LayerRole,
}

impl ConfigLayer {
    pub fn machine(path: impl Into<PathBuf>) -> Self {
        ConfigLayer {
            path: path.into(),
            role: LayerRole::Machine,
        }
    }

    pub fn personal(path: impl Into<PathBuf>) -> Self {
        ConfigLayer {
            path: path.into(),
            role: LayerRole::Personal,
        }
    }

    /// Layers for config files named on the command line: the first is
    /// the machine-wide one, any later ones are personal.
    pub fn from_command_line(paths: &[PathBuf]) -> Vec<ConfigLayer> {
        paths
            .iter()
            .enumerate()
            .map(|(i, path)| match i {
                0 => ConfigLayer::machine(path),
                _ => ConfigLayer::personal(path),
            })
            .collect()
    }

    /// The personal scripts folder: `hotkeys/` beside a personal config file.
    pub fn personal_hotkeys(&self) -> Option<PathBuf> {
        (self.role == LayerRole::Personal)
            .then(|| self.path.parent().map(|dir| dir.join("hotkeys")))
            .flatten()
    }
}

/// The merged config and what the policy dropped from personal files.
#[derive(Debug, Clone, Default)]
pub struct LayeredConfig {
    pub config: Config,
    /// One warning per personal setting the policy ignored.
    pub policy_notes: Vec<Diagnostic>,
    /// The texts of the files the notes point into.
    pub texts: BTreeMap<PathBuf, String>,
}

impl LayeredConfig {
    /// The notes rendered as `path:line:col: warning: …` with the line.
    pub fn render_notes(&self) -> Vec<String> {
        self.policy_notes
            .iter()
            .map(|d| d.render(self.texts.get(&d.path).map_or("", String::as_str)))
            .collect()
    }
}

impl Config {
    /// Applies the layers in order: a later file overrides an earlier one key
    /// by key (tables merge, other values are replaced), except
    /// `agent.hotkey_folders`, whose lists add up. Machine-wide layers come
    /// first; personal layers may not set what the machine-wide `[policy]`
    /// locks. Each file is checked on its own first, so a mistake is
    /// reported at its own `path:line:col`. A personal file that does not
    /// exist is skipped.
    pub fn load_layers(layers: &[ConfigLayer]) -> Result<LayeredConfig, ConfigError> {
        let mut merged = toml::Table::new();
        let mut policy_notes = Vec::new();
        let mut texts = BTreeMap::new();
        let mut policy: Option<Policy> = None;
        for layer in layers {
            if layer.role == LayerRole::Personal && !layer.path.exists() {
                continue;
            }
            let text = read(&layer.path)?;
            let own = Config::parse(&layer.path, &text)?;
            let mut table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::Invalid {
                        rendered: format!("{}: error: {}", layer.path.display(), e.message()),
                    })?;
            resolve_paths_in(&mut table, &own);
            if layer.role == LayerRole::Personal {
                // The organisation's policy is what the machine-wide layers
                // say, fixed once the first personal layer comes.
                let policy = policy.get_or_insert_with(|| machine_policy(&merged));
                let spans = key_spans(&text);
                for (key, rule) in strip_locked(&mut table, "", policy) {
                    let span = spans
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map_or(0..0, |(_, s)| s.clone());
                    let note = Diagnostic::warning(
                        &layer.path,
                        span,
                        format!("`{key}` is ignored: only the machine-wide config may set it"),
                    )
                    .with_help(format!(
                        "the organisation's policy locks `{rule}`; ask the IT office to change it there"
                    ));
                    policy_notes.push(note);
                }
                texts.insert(layer.path.clone(), text);
            }
            merge(&mut merged, table, "");
        }
        let config = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid {
                rendered: format!("the config files together are not valid: {}", e.message()),
            })?;
        Ok(LayeredConfig {
            config,
            policy_notes,
            texts,
        })
    }
}

/// The `[policy]` of the machine-wide layers merged so far.
fn machine_policy(merged: &toml::Table) -> Policy {
    merged
        .get("policy")
        .cloned()
        .and_then(|p| p.try_into().ok())
        .unwrap_or_default()
}

/// Removes every key the policy locks from a personal file's table;
/// returns each removed key (dotted) with the rule that locked it.
fn strip_locked(table: &mut toml::Table, at: &str, policy: &Policy) -> Vec<(String, String)> {
    let mut removed = Vec::new();
    let keys: Vec<String> = table.keys().cloned().collect();
    for key in keys {
        let path = dotted(at, &key);
        if let Some(rule) = policy.rule_locking(&path) {
            table.remove(&key);
            removed.push((path, rule.to_string()));
        } else if let Some(toml::Value::Table(inner)) = table.get_mut(&key) {
            removed.extend(strip_locked(inner, &path, policy));
        }
    }
    removed
}

fn dotted(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// Where each key (dotted, e.g. `agent.ca_file`) stands in a file.
fn key_spans(text: &str) -> Vec<(String, Range<usize>)> {
    fn walk(table: &DeTable<'_>, at: &str, out: &mut Vec<(String, Range<usize>)>) {
        for (key, value) in table {
            let path = dotted(at, key.get_ref());
            out.push((path.clone(), key.span()));
            if let DeValue::Table(inner) = value.get_ref() {
                walk(inner, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(document) = DeTable::parse(text) {
        walk(document.get_ref(), "", &mut out);
    }
    out
}

/// Puts the file's folders, already made absolute against the file's own
/// location by [`Config::parse`], back into its table before merging.
fn resolve_paths_in(table: &mut toml::Table, own: &Config) {
    let text = |p: &PathBuf| toml::Value::String(p.to_string_lossy().into_owned());
    if let Some(usage) = table.get_mut("usage").and_then(toml::Value::as_table_mut) {
        if let Some(file) = &own.usage.database {
            usage.insert("database".into(), text(file));
        }
        if let Some(folder) = &own.usage.export_folder {
            usage.insert("export_folder".into(), text(folder));
        }
    }
    if let Some(bundles) = table.get_mut("bundles").and_then(toml::Value::as_table_mut) {
        if let Some(from) = &own.bundles.from {
            bundles.insert("from".into(), toml::Value::String(from.clone()));
        }
    }
    let Some(agent) = table.get_mut("agent").and_then(toml::Value::as_table_mut) else {
        return;
    };
    if agent.contains_key("hotkey_folders") {
        let folders = own.agent.hotkey_folders.iter().map(text).collect();
        agent.insert("hotkey_folders".into(), toml::Value::Array(folders));
    }
    if let Some(folder) = &own.agent.log_folder {
        agent.insert("log_folder".into(), text(folder));
    }
    if let Some(folder) = &own.agent.document_folder {
        agent.insert("document_folder".into(), text(folder));
    }
    if let Some(file) = &own.agent.ca_file {
        agent.insert("ca_file".into(), text(file));
    }
}

fn merge(base: &mut toml::Table, over: toml::Table, at: &str) {
    for (key, value) in over {
        let here = dotted(at, &key);
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base)), toml::Value::Table(over)) => merge(base, over, &here),
            (Some(toml::Value::Array(base)), toml::Value::Array(over))
                if here == "agent.hotkey_folders" =>
            {
                for folder in over {
                    if !base.contains(&folder) {
                        base.push(folder);
                    }
                }
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<ConfigLayer>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths: Vec<PathBuf> = files
            .iter()
            .map(|(name, text)| {
                let path = dir.path().join(name);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(&path, text).expect("write");
                path
            })
            .collect();
        (dir, ConfigLayer::from_command_line(&paths))
    }

    #[test]
    fn the_users_values_override_the_machines_key_by_key() {
        let (dir, paths) = layers(&[
            (
                "machine/genvej.toml",
                "[profile]\nunit = \"Jobcenter Aarhus\"\n[org]\nfasit_url = \"https://fasit\"\n[agent]\nsettle_ms = 80\nhotkey_folders = [\"central\"]\n",
            ),
            (
                "user/genvej.toml",
                "[profile]\nname = \"Mette Sørensen\"\n[agent]\nsettle_ms = 30\nlog_folder = \"logs\"\n",
            ),
        ]);
        let c = Config::load_layers(&paths).expect("valid layers");
        assert!(c.policy_notes.is_empty(), "{:?}", c.policy_notes);
        let c = c.config;
        assert_eq!(c.profile.name, "Mette Sørensen");
        assert_eq!(c.profile.unit, "Jobcenter Aarhus", "machine value kept");
        assert_eq!(c.org["fasit_url"].as_str(), Some("https://fasit"));
        assert_eq!(c.agent.settle_ms, 30, "user value wins");
        assert_eq!(
            c.agent.hotkey_folders,
            vec![dir.path().join("machine/central")],
            "relative to the machine file"
        );
        assert_eq!(c.agent.log_folder, Some(dir.path().join("user/logs")));
    }

    #[test]
    fn a_mistake_in_the_users_file_points_at_that_file() {
        let (_dir, paths) = layers(&[
            ("machine.toml", "[agent]\nsettle_ms = 80\n"),
            ("user.toml", "[agent]\nsettle_ms = \"hurtig\"\n"),
        ]);
        let text = Config::load_layers(&paths)
            .expect_err("invalid")
            .to_string();
        assert!(text.contains("user.toml:2:13"), "{text}");
    }

    #[test]
    fn a_personal_file_cannot_undo_the_organisations_settings() {
        let (dir, paths) = layers(&[
            (
                "machine.toml",
                "[org]\nfasit_api = \"https://fasit.kommune.dk/api\"\n[agent]\nca_file = \"ca.pem\"\n[usage]\nrecord = true\n[sources.borger]\nurl = \"https://fasit.kommune.dk/api/borger\"\n",
            ),
            (
                "user.toml",
                "[org]\nfasit_api = \"https://evil.example/api\"\n\n[agent]\nsettle_ms = 20\nca_file = \"mine.pem\"\nallow_cpr_in_file_names = true\nhotkey_folders = [\"mine\"]\n\n[usage]\nrecord = false\nteam = \"Sygedagpenge\"\n\n[sources.borger]\nurl = \"http://evil.example/borger\"\n\n[policy]\npersonal_scripts = \"allow\"\n",
            ),
        ]);
        let layered = Config::load_layers(&paths).expect("valid layers");
        let c = &layered.config;
        assert_eq!(
            c.org["fasit_api"].as_str(),
            Some("https://fasit.kommune.dk/api")
        );
        assert_eq!(c.agent.ca_file, Some(dir.path().join("ca.pem")));
        assert!(!c.agent.allow_cpr_in_file_names);
        assert!(c.agent.hotkey_folders.is_empty());
        assert!(c.usage.record);
        assert_eq!(
            c.sources["borger"].url,
            "https://fasit.kommune.dk/api/borger"
        );
        assert_eq!(c.agent.settle_ms, 20, "an unlocked key still applies");
        assert_eq!(
            c.usage.team, "Sygedagpenge",
            "an unlocked key still applies"
        );
        let notes = layered.render_notes().join("\n");
        let user = dir.path().join("user.toml");
        for (at, key, rule) in [
            ("1:2", "org", "org"),
            ("6:1", "agent.ca_file", "agent.ca_file"),
            (
                "7:1",
                "agent.allow_cpr_in_file_names",
                "agent.allow_cpr_in_file_names",
            ),
            ("8:1", "agent.hotkey_folders", "agent.hotkey_folders"),
            ("11:1", "usage.record", "usage.record"),
            ("14:2", "sources", "sources"),
            ("17:2", "policy", "policy"),
        ] {
            let expected = format!(
                "{}:{at}: warning: `{key}` is ignored: only the machine-wide config may set it",
                user.display()
            );
            assert!(notes.contains(&expected), "{expected}\nnot in:\n{notes}");
            assert!(
                notes.contains(&format!("the organisation's policy locks `{rule}`")),
                "{notes}"
            );
        }
    }

    #[test]
    fn the_organisation_can_lock_more_keys() {
        let (_dir, paths) = layers(&[
            (
                "machine.toml",
                "[policy]\nlocked = [\"agent.key_delay_ms\", \"profile.unit\"]\n[agent]\nkey_delay_ms = 20\n",
            ),
            (
                "user.toml",
                "[profile]\nname = \"Mette\"\nunit = \"Andet sted\"\n[agent]\nkey_delay_ms = 0\n",
            ),
        ]);
        let layered = Config::load_layers(&paths).expect("valid layers");
        assert_eq!(layered.config.agent.key_delay_ms, 20);
        assert_eq!(layered.config.profile.unit, "");
        assert_eq!(layered.config.profile.name, "Mette");
        assert_eq!(layered.policy_notes.len(), 2, "{:?}", layered.policy_notes);
    }

    #[test]
    fn only_the_organisation_sets_the_economics_and_the_pulse() {
        let (_dir, paths) = layers(&[
            (
                "machine.toml",
                "[usage]\nsatisfaction_pulse = true\n[economics]\nhourly_cost = 300\n",
            ),
            (
                "user.toml",
                "[usage]\nsatisfaction_pulse = false\n[economics]\nhourly_cost = 9000\ncosts = [{ hours = 99999 }]\n",
            ),
        ]);
        let layered = Config::load_layers(&paths).expect("valid layers");
        assert!(layered.config.usage.satisfaction_pulse);
        assert_eq!(layered.config.economics.hourly_cost, 300.0);
        assert!(layered.config.economics.costs.is_empty());
        let notes = layered.render_notes().join("\n");
        assert!(
            notes.contains("`usage.satisfaction_pulse` is ignored"),
            "{notes}"
        );
        assert!(notes.contains("`economics` is ignored"), "{notes}");
    }

    #[test]
    fn a_missing_personal_file_is_skipped() {
        let (dir, mut paths) = layers(&[("machine.toml", "[agent]\nsettle_ms = 80\n")]);
        paths.push(ConfigLayer::personal(dir.path().join("nobody/genvej.toml")));
        let layered = Config::load_layers(&paths).expect("valid");
        assert_eq!(layered.config.agent.settle_ms, 80);
    }
}
