//! What the installer set for the whole machine, beside the machine-wide
//! config: on Windows the MSI properties BUNDLEFROM, BUNDLEKEY and
//! BUNDLERING, kept under `HKLM\Software\genvej` (`BundleFrom`,
//! `BundleKey`, `BundleRing`) like SCRIPTFOLDER's `ScriptFolder`. They are
//! the defaults of `[bundles]` when the machine-wide config names no
//! `bundles.from`: an SCCM or Intune install can point every workstation at
//! the signed bundles without editing `genvej.toml`. Only an administrator
//! can write HKLM, so these count as the organisation's settings, never a
//! personal file's. On Linux the .deb's `/etc/genvej/genvej.toml` is the
//! place, and there is nothing here.

use genvej_format::config::{
    BundleSettings, Config, ConfigError, ConfigLayer, LayeredConfig, ring_problem,
};

/// Characters in `BundleFrom` (an address or a share path).
const MAX_FROM: usize = 1024;
/// Characters in one public key line (a minisign key line is 56).
const MAX_KEY: usize = 256;
/// Characters in a ring's name (checked further by [`ring_problem`]).
const MAX_RING: usize = 64;

/// The bundle settings the installer wrote (each `None` when not given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployedBundles {
    /// Where bundles are published (`BUNDLEFROM`).
    pub from: Option<String>,
    /// The trusted public key line(s) (`BUNDLEKEY`; several `;`-separated,
    /// for a change of keys).
    pub keys: Option<String>,
    /// This workstation's ring (`BUNDLERING`), e.g. `pilot`.
    pub ring: Option<String>,
}

impl DeployedBundles {
    /// What the installer wrote on this machine (nothing but on Windows).
    pub fn of_this_machine() -> DeployedBundles {
        #[cfg(windows)]
        {
            use crate::windows::deployment_setting;
            DeployedBundles {
                from: deployment_setting("BundleFrom"),
                keys: deployment_setting("BundleKey"),
                ring: deployment_setting("BundleRing"),
            }
        }
        #[cfg(not(windows))]
        DeployedBundles::default()
    }

    /// Fills in `settings` when the config names no `bundles.from`: the
    /// installer's address, its keys when the config trusts none, its ring
    /// when none is set. A config that names `bundles.from` is used as it
    /// is. A value that cannot be right (control characters, too long, a
    /// ring that is not a ring name) is left out and logged; the address
    /// and keys are then checked like the config's (a wrong one stops the
    /// agent with the reason).
    pub fn apply_to(&self, settings: &mut BundleSettings) {
        if settings.from.is_some() {
            return;
        }
        let Some(from) = self
            .from
            .as_deref()
            .and_then(|f| plain("BundleFrom", f, MAX_FROM))
        else {
            return;
        };
        settings.from = Some(from);
        if settings.trusted_keys.is_empty() {
            settings.trusted_keys = self
                .keys
                .iter()
                .flat_map(|keys| keys.split(';'))
                .filter_map(|key| plain("BundleKey", key, MAX_KEY))
                .collect();
        }
        if settings.ring.is_none() {
            settings.ring = self.ring.as_deref().and_then(|ring| {
                let ring = plain("BundleRing", ring, MAX_RING)?;
                match ring_problem(&ring) {
                    None => Some(ring),
                    Some(problem) => {
                        tracing::warn!("the installer's BundleRing: {problem}; ignored");
                        None
                    }
                }
            });
        }
    }
}

/// `value` trimmed, when it is not empty, has no control character and at
/// most `max` characters.
fn plain(name: &str, value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.chars().any(char::is_control) || value.chars().count() > max {
        tracing::warn!(
            "the installer's {name} has control characters or more than {max} characters: ignored"
        );
        return None;
    }
    Some(value.to_string())
}

/// The config from its layers ([`Config::load_layers`]) with this
/// machine's installer settings as defaults: what the agent and every
/// command use.
pub fn load_config(layers: &[ConfigLayer]) -> Result<LayeredConfig, ConfigError> {
    let mut layered = Config::load_layers(layers)?;
    DeployedBundles::of_this_machine().apply_to(&mut layered.config.bundles);
    Ok(layered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msi(from: &str, keys: &str, ring: &str) -> DeployedBundles {
        let given = |v: &str| (!v.is_empty()).then(|| v.to_string());
        DeployedBundles {
            from: given(from),
            keys: given(keys),
            ring: given(ring),
        }
    }

    const KEY: &str = "RWReew0XFNFEyQbv0i6gDOkgQnOYseL0hxsWW4i9r2N0T6eeqomThNSP";

    #[test]
    fn the_installers_settings_fill_a_config_without_bundles_from() {
        let mut settings = BundleSettings::default();
        msi(r"\\srv\genvej", &format!("{KEY}; other-key "), "pilot").apply_to(&mut settings);
        assert_eq!(settings.from.as_deref(), Some(r"\\srv\genvej"));
        assert_eq!(settings.trusted_keys, [KEY, "other-key"]);
        assert_eq!(settings.ring.as_deref(), Some("pilot"));
        assert_eq!(settings.check_minutes, 15, "untouched");
    }

    #[test]
    fn a_config_that_names_bundles_from_is_used_as_it_is() {
        let mut settings = BundleSettings {
            from: Some("https://intra.example/genvej".into()),
            trusted_keys: vec!["config-key".into()],
            ..BundleSettings::default()
        };
        let before = settings.clone();
        msi(r"\\srv\genvej", KEY, "pilot").apply_to(&mut settings);
        assert_eq!(settings, before);
    }

    #[test]
    fn the_configs_own_keys_and_ring_win_over_the_installers() {
        let mut settings = BundleSettings {
            trusted_keys: vec!["config-key".into()],
            ring: Some("alle".into()),
            ..BundleSettings::default()
        };
        msi(r"\\srv\genvej", KEY, "pilot").apply_to(&mut settings);
        assert_eq!(settings.from.as_deref(), Some(r"\\srv\genvej"));
        assert_eq!(settings.trusted_keys, ["config-key"]);
        assert_eq!(settings.ring.as_deref(), Some("alle"));
    }

    #[test]
    fn nothing_is_used_without_an_address_and_odd_values_are_left_out() {
        let mut settings = BundleSettings::default();
        msi("", KEY, "pilot").apply_to(&mut settings);
        assert_eq!(settings, BundleSettings::default(), "keys alone do nothing");

        msi("  ", KEY, "pilot").apply_to(&mut settings);
        assert_eq!(settings.from, None);

        msi(&"x".repeat(MAX_FROM + 1), KEY, "pilot").apply_to(&mut settings);
        assert_eq!(settings.from, None, "too long");

        msi(r"\\srv\genvej", "key\u{1b}[2J", "pilot/../x").apply_to(&mut settings);
        assert_eq!(settings.from.as_deref(), Some(r"\\srv\genvej"));
        assert!(settings.trusted_keys.is_empty(), "a control character");
        assert_eq!(settings.ring, None, "not a ring name");

        let mut settings = BundleSettings::default();
        msi(r"\\srv\genvej", KEY, "all").apply_to(&mut settings);
        assert_eq!(settings.ring, None, "everyone's bundle is not a ring");
    }
}
