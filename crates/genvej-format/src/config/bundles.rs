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

/// Where `bundles.from` points: a web server or a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleLocation {
    /// `https://…`, or `http://` on this machine (loopback) only.
    Web(url::Url),
    /// A folder, e.g. a file share; absolute once the config is read.
    Folder(std::path::PathBuf),
}

impl BundleLocation {
    /// Reads `bundles.from`: an address with `://` must be `https`, or
    /// `http` to this machine; anything else is a folder.
    pub fn parse(text: &str) -> Result<BundleLocation, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty; give an https:// address or a folder".into());
        }
        let Some((scheme, _)) = text.split_once("://") else {
            return Ok(BundleLocation::Folder(std::path::PathBuf::from(text)));
        };
        let url = url::Url::parse(text).map_err(|e| format!("`{text}` is not an address: {e}"))?;
        match scheme.to_ascii_lowercase().as_str() {
            "https" => Ok(BundleLocation::Web(url)),
            "http" if is_loopback(&url) => Ok(BundleLocation::Web(url)),
            "http" => Err(format!(
                "`{text}` is plain http to another machine; bundles are fetched over https:// (http:// only on this machine)"
            )),
            other => Err(format!(
                "`{other}://` is not a place bundles come from; give an https:// address or a folder path"
            )),
        }
    }

    /// The address or folder of the file `name` (e.g. `all.genvej-bundle`).
    pub fn describe(&self, name: &str) -> String {
        match self {
            BundleLocation::Web(url) => web_file(url, name).to_string(),
            BundleLocation::Folder(folder) => folder.join(name).display().to_string(),
        }
    }
}

/// `name` inside the folder the address names (`…/genvej` and
/// `…/genvej/` both mean the folder).
pub fn web_file(base: &url::Url, name: &str) -> url::Url {
    let mut url = base.clone();
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    url.join(name).unwrap_or(url)
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Whether `ring` is a ring name: `a-z`, `0-9` and `-`, 1–32 of them, and
/// not `all` (everyone's bundle).
pub fn ring_problem(ring: &str) -> Option<String> {
    let valid = (1..=32).contains(&ring.len())
        && ring
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        Some(format!(
            "`{ring}` is not a ring name; use 1 to 32 of a-z, 0-9 and -, e.g. \"pilot\""
        ))
    } else if ring == "all" {
        Some("`all` is everyone's bundle, not a ring; leave `ring` out for everyone's".into())
    } else {
        None
    }
}

impl BundleSettings {
    /// Checks the values and makes a relative folder in `from` relative to
    /// the config file's folder `base`. `Err` names the key and the
    /// problem (the key's position is found by the caller).
    pub(super) fn check(&mut self, base: &std::path::Path) -> Result<(), (&'static str, String)> {
        if let Some(from) = &self.from {
            match BundleLocation::parse(from).map_err(|e| ("from", e))? {
                BundleLocation::Folder(folder) if folder.is_relative() => {
                    self.from = Some(base.join(folder).to_string_lossy().into_owned());
                }
                _ => {}
            }
        }
        if !(1..=1440).contains(&self.check_minutes) {
            return Err((
                "check_minutes",
                format!(
                    "{} is out of range; give 1 to 1440 minutes (a day)",
                    self.check_minutes
                ),
            ));
        }
        if let Some(problem) = self.ring.as_deref().and_then(ring_problem) {
            return Err(("ring", problem));
        }
        Ok(())
    }

    /// Where bundles come from, when configured (checked when read).
    pub fn location(&self) -> Option<BundleLocation> {
        self.from
            .as_deref()
            .and_then(|from| BundleLocation::parse(from).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_a_folder_and_http_on_this_machine_are_places() {
        assert!(matches!(
            BundleLocation::parse("https://intra.example.dk/genvej"),
            Ok(BundleLocation::Web(_))
        ));
        assert!(matches!(
            BundleLocation::parse("http://127.0.0.1:8080/b/"),
            Ok(BundleLocation::Web(_))
        ));
        assert!(matches!(
            BundleLocation::parse("http://localhost/b"),
            Ok(BundleLocation::Web(_))
        ));
        assert!(matches!(
            BundleLocation::parse(r"\\srv\genvej"),
            Ok(BundleLocation::Folder(_))
        ));
        assert!(matches!(
            BundleLocation::parse("C:\\genvej"),
            Ok(BundleLocation::Folder(_))
        ));
    }

    #[test]
    fn plain_http_elsewhere_and_other_schemes_are_refused() {
        let e = BundleLocation::parse("http://intra.example.dk/genvej").expect_err("http");
        assert!(e.contains("https://"), "{e}");
        let e = BundleLocation::parse("ftp://srv/genvej").expect_err("ftp");
        assert!(e.contains("`ftp://`"), "{e}");
        assert!(BundleLocation::parse("file:///srv/genvej").is_err());
        assert!(BundleLocation::parse(" ").is_err());
    }

    #[test]
    fn a_file_is_found_inside_the_address_with_or_without_a_slash() {
        for base in [
            "https://intra.example.dk/genvej",
            "https://intra.example.dk/genvej/",
        ] {
            let url = url::Url::parse(base).expect("url");
            assert_eq!(
                web_file(&url, "pilot.genvej-bundle").as_str(),
                "https://intra.example.dk/genvej/pilot.genvej-bundle"
            );
        }
    }

    #[test]
    fn ring_names() {
        assert_eq!(ring_problem("pilot"), None);
        assert_eq!(ring_problem("team-7"), None);
        for bad in ["", "Pilot", "pi lot", "../x", &"a".repeat(33), "all"] {
            assert!(ring_problem(bad).is_some(), "{bad}");
        }
    }
}
