//! Checking, before any run, the addresses a script opens and sends
//! secrets to: an `open_url` that is (or starts as) a file path, a share or
//! a scheme the organisation does not allow, and a secret header that
//! would go over plain `http://` to a host the organisation has not named.
//! The engine applies the same rules ([`crate::url_rules`]) at run
//! time, when the values inserted into the templates are known.

use std::collections::BTreeMap;

use super::file_checker::FileChecker;
use super::model::{HeaderValue, Source};
use super::raw::At;
use crate::url_rules::{UrlRefusal, check_open_url, plain_http_host_refused, scheme_of};

impl FileChecker<'_> {
    /// An `open_url` address, as far as it is known before a run.
    pub(crate) fn open_url_address(&mut self, at: &At<String>) {
        let policy = &self.config.policy;
        let (known, whole) = known_prefix(at.get(), &self.config.org);
        let refusal = if whole {
            check_open_url(&known, policy).err()
        } else if known.starts_with("\\\\") || known.starts_with("//") {
            Some(UrlRefusal::NetworkPath)
        } else {
            match scheme_of(&known) {
                Some(scheme) if scheme.len() > 1 && !policy.allows_url_scheme(scheme) => {
                    check_open_url(&known, policy).err()
                }
                _ => None,
            }
        };
        let Some(refusal) = refusal else {
            return;
        };
        let help = match refusal {
            UrlRefusal::Scheme { .. } => {
                "`open_url` opens `http` and `https` addresses, and schemes the organisation lists in `url_schemes` under [policy] in the machine-wide config"
            }
            _ => {
                "write a full web address, e.g. `https://fasit.example/borger` or `{{ org.fasit_url }}/borger`"
            }
        };
        self.error(at.span(), refusal.for_author()).help(help);
    }

    /// A source with a secret header whose address is plain `http://` to a
    /// host that may not receive secrets unencrypted. `what` names the
    /// source (`the source `borger``).
    pub(crate) fn secret_transport(&mut self, source: &Source, url: &At<String>, what: &str) {
        let Some((header, _)) = source.headers.iter().find(|(_, value)| {
            matches!(
                value,
                HeaderValue::Credential { .. } | HeaderValue::Env { .. }
            )
        }) else {
            return;
        };
        let (known, whole) = known_prefix(url.get(), &self.config.org);
        let Some(rest) = known
            .get(.."http://".len())
            .filter(|s| s.eq_ignore_ascii_case("http://"))
            .map(|_| &known["http://".len()..])
        else {
            return;
        };
        // The host is known when the authority ends before the first
        // template tag, or the whole address is literal.
        let end = rest.find(['/', '?', '#']);
        if end.is_none() && !whole {
            return;
        }
        let authority = &rest[..end.unwrap_or(rest.len())];
        let Some(host) =
            plain_http_host_refused(&format!("http://{authority}/"), &self.config.policy)
        else {
            return;
        };
        self.error(
            url.span(),
            format!("{what} sends the secret header `{header}` over plain http:// to `{host}`"),
        )
        .help("use https://; or the organisation can allow this host in `plain_http_secret_hosts` under [policy] in the machine-wide config (loopback is always allowed)");
    }
}

/// The start of a template as far as it is known before a run: its literal
/// text with `{{ org.NAME }}` text values put in, up to the first other
/// tag; `true` when that is the whole template.
pub(crate) fn known_prefix(template: &str, org: &BTreeMap<String, toml::Value>) -> (String, bool) {
    let mut known = String::new();
    let mut rest = template;
    loop {
        let Some(start) = ["{{", "{%", "{#"]
            .iter()
            .filter_map(|tag| rest.find(tag))
            .min()
        else {
            known.push_str(rest);
            return (known, true);
        };
        known.push_str(&rest[..start]);
        let tag = &rest[start..];
        let value = tag
            .strip_prefix("{{")
            .and_then(|t| t.split_once("}}"))
            .and_then(|(inner, after)| {
                let name = inner.trim().strip_prefix("org.")?;
                match org.get(name)? {
                    toml::Value::String(text) => Some((text.as_str(), after)),
                    _ => None,
                }
            });
        match value {
            Some((text, after)) => {
                known.push_str(text);
                rest = after;
            }
            None => return (known, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_values_are_put_in_and_other_values_end_what_is_known() {
        let org = BTreeMap::from([
            (
                "fasit_url".to_string(),
                toml::Value::from("http://fasit.example"),
            ),
            ("år".to_string(), toml::Value::from(2026)),
        ]);
        assert_eq!(
            known_prefix("{{ org.fasit_url }}/borger/{{ cpr.digits }}", &org),
            ("http://fasit.example/borger/".to_string(), false)
        );
        assert_eq!(
            known_prefix("{{org.fasit_url}}/x", &org),
            ("http://fasit.example/x".to_string(), true)
        );
        assert_eq!(known_prefix("{{ org.år }}/x", &org), (String::new(), false));
        assert_eq!(
            known_prefix("file:{% if x %}", &org),
            ("file:".to_string(), false)
        );
    }
}
