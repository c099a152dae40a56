//! Where a run may send the caseworker and the organisation's secrets.
//!
//! `open_url` hands its address to the browser or the desktop's opener,
//! which also opens files, network shares and programs. A value from a
//! selection, a form or an HTTP answer must not turn the address into one
//! of those, so after rendering the address is parsed strictly and opened
//! only when it is `http`/`https` (or a scheme the organisation allows in
//! `[policy] url_schemes`) with nothing hidden in it. A secret header goes
//! over plain `http://` only to loopback or a host the organisation names.
//! The checker applies the same rules to the parts it can see in advance.

use crate::policy::Policy;

/// Why an `open_url` address is not opened. The text is Danish (the
/// caseworker reads it) and never repeats the address, which may hold a
/// CPR number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("adressen er tom")]
    Empty,
    #[error(
        "adressen indeholder mellemrum, tabulatorer, linjeskift eller usynlige tegn, som kan skjule, hvad der åbnes"
    )]
    HiddenCharacters,
    #[error("adressen indeholder «\\», som ikke hører til i en webadresse")]
    Backslash,
    #[error("adressen er en netværkssti (\\\\server\\mappe), ikke en webadresse")]
    NetworkPath,
    #[error("adressen er en sti på pc'en ({drive}:\\…), ikke en webadresse")]
    WindowsPath { drive: char },
    #[error(
        "adressen begynder ikke med https:// (eller et andet tilladt skema), så den kunne åbne en fil eller starte et program"
    )]
    NoScheme,
    #[error("adresser med «{scheme}:» må ikke åbnes; tilladt er {allowed}")]
    Scheme { scheme: String, allowed: String },
    #[error("adressen har intet værtsnavn efter {scheme}://")]
    NoHost { scheme: String },
    #[error(
        "adressen har et brugernavn før værtsnavnet (…@vært), som kan skjule, hvor den fører hen"
    )]
    UserInfo,
    #[error("adressen kunne ikke læses som en webadresse – {reason}")]
    Invalid { reason: String },
    /// The URL parser read another scheme than the one written.
    #[error("adressens skema kunne ikke læses entydigt")]
    AmbiguousScheme,
}

impl UrlRefusal {
    /// The same, in English for the script's author (the checker).
    pub fn for_author(&self) -> String {
        match self {
            UrlRefusal::Empty => "the address is empty".into(),
            UrlRefusal::HiddenCharacters => {
                "the address contains spaces, tabs, line breaks or invisible characters".into()
            }
            UrlRefusal::Backslash => "the address contains `\\`".into(),
            UrlRefusal::NetworkPath => {
                "the address is a network path (`\\\\server\\share`), not a web address".into()
            }
            UrlRefusal::WindowsPath { drive } => {
                format!("the address is a file path (`{drive}:\\…`), not a web address")
            }
            UrlRefusal::NoScheme => {
                "the address has no scheme such as `https://`, so it could open a file or start a program".into()
            }
            UrlRefusal::Scheme { scheme, .. } => {
                format!("`open_url` may not open `{scheme}:` addresses")
            }
            UrlRefusal::NoHost { scheme } => format!("the address has no host after `{scheme}://`"),
            UrlRefusal::UserInfo => "the address has a user name before the host (`…@host`)".into(),
            UrlRefusal::Invalid { reason } => format!("the address is not a valid URL ({reason})"),
            UrlRefusal::AmbiguousScheme => "the address's scheme cannot be read unambiguously".into(),
        }
    }
}

/// Checks an `open_url` address after rendering: `Ok` only when it may be
/// handed to the browser exactly as it is.
pub fn check_open_url(url: &str, policy: &Policy) -> Result<(), UrlRefusal> {
    if url.is_empty() {
        return Err(UrlRefusal::Empty);
    }
    if url.chars().any(is_hiding) {
        return Err(UrlRefusal::HiddenCharacters);
    }
    if url.starts_with("\\\\") || url.starts_with("//") || url.starts_with("/\\") {
        return Err(UrlRefusal::NetworkPath);
    }
    let Some(scheme) = scheme_of(url) else {
        return Err(UrlRefusal::NoScheme);
    };
    if scheme.len() == 1 {
        return Err(UrlRefusal::WindowsPath {
            drive: scheme.chars().next().unwrap_or('C').to_ascii_uppercase(),
        });
    }
    if !policy.allows_url_scheme(scheme) {
        return Err(UrlRefusal::Scheme {
            scheme: shown_scheme(scheme),
            allowed: allowed_schemes(policy),
        });
    }
    if url.contains('\\') {
        return Err(UrlRefusal::Backslash);
    }
    let parsed = url::Url::parse(url).map_err(|e| UrlRefusal::Invalid {
        reason: e.to_string(),
    })?;
    if !parsed.scheme().eq_ignore_ascii_case(scheme) {
        return Err(UrlRefusal::AmbiguousScheme);
    }
    if is_web(scheme) {
        let no_host = || UrlRefusal::NoHost {
            scheme: scheme.to_ascii_lowercase(),
        };
        let authority = url[scheme.len() + 1..]
            .strip_prefix("//")
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .ok_or_else(no_host)?;
        if authority.is_empty() || parsed.host_str().is_none_or(str::is_empty) {
            return Err(no_host());
        }
        if authority.contains('@') {
            return Err(UrlRefusal::UserInfo);
        }
    }
    Ok(())
}

/// The scheme of `url` (`https` in `https://…`): the text before the first
/// `:` when it is a valid RFC 3986 scheme (a letter, then letters, digits,
/// `+`, `-`, `.`); `None` for anything else, such as a path or a name.
pub fn scheme_of(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// When `url` is plain `http://` to a host that may not receive secrets,
/// that host; `None` when secrets may go there (https, loopback, a host
/// in `[policy] plain_http_secret_hosts`) or the address is not a URL
/// reqwest would send anything to.
pub fn plain_http_host_refused(url: &str, policy: &Policy) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if parsed.scheme() != "http" {
        return None;
    }
    let host = parsed.host_str()?;
    (!policy.allows_plain_http_secrets_to(host)).then(|| host.to_string())
}

/// A scheme as shown in a message: lower case, at most 20 characters.
fn shown_scheme(scheme: &str) -> String {
    let mut shown: String = scheme.chars().take(20).collect();
    shown.make_ascii_lowercase();
    if scheme.chars().count() > 20 {
        shown.push('…');
    }
    shown
}

/// `http og https`, or `http, https og fasit` when the organisation allows more.
fn allowed_schemes(policy: &Policy) -> String {
    let mut all: Vec<String> = vec!["http".into(), "https".into()];
    all.extend(policy.url_schemes.iter().map(|s| s.to_ascii_lowercase()));
    match all.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} og {last}", rest.join(", ")),
        _ => all.join(""),
    }
}

fn is_web(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

/// Characters that are not visible as what they are: white space, control
/// characters, and the invisible formatting marks (zero-width spaces, bidi
/// overrides, the byte-order mark) that can disguise an address.
fn is_hiding(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str) -> Result<(), UrlRefusal> {
        check_open_url(url, &Policy::default())
    }

    #[test]
    fn web_addresses_open() {
        for url in [
            "https://fasit.example/borgere/0707614285",
            "http://localhost:8080/x?y=1#z",
            "HTTPS://Fasit.Example/",
        ] {
            assert_eq!(check(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn other_schemes_do_not_open_unless_the_organisation_allows_them() {
        for url in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>",
            "vbscript:msgbox",
            "ms-settings:privacy",
            "fasit:sag/1",
        ] {
            assert!(
                matches!(check(url), Err(UrlRefusal::Scheme { .. })),
                "{url}: {:?}",
                check(url)
            );
        }
        let policy = Policy {
            url_schemes: vec!["fasit".into()],
            ..Policy::default()
        };
        assert_eq!(check_open_url("fasit:sag/1", &policy), Ok(()));
        assert_eq!(
            check("file:///etc/passwd").map_err(|e| e.to_string()),
            Err("adresser med «file:» må ikke åbnes; tilladt er http og https".into())
        );
        assert_eq!(
            check_open_url("file:///x", &policy).map_err(|e| e.to_string()),
            Err("adresser med «file:» må ikke åbnes; tilladt er http, https og fasit".into())
        );
    }

    #[test]
    fn paths_and_program_names_do_not_open() {
        assert_eq!(
            check("\\\\server\\share\\x.exe"),
            Err(UrlRefusal::NetworkPath)
        );
        assert_eq!(check("//server/share"), Err(UrlRefusal::NetworkPath));
        assert_eq!(
            check("C:\\Windows\\System32\\calc.exe"),
            Err(UrlRefusal::WindowsPath { drive: 'C' })
        );
        assert_eq!(check("c:/x"), Err(UrlRefusal::WindowsPath { drive: 'C' }));
        for url in [
            "calc",
            "calc.exe",
            "/usr/bin/xterm",
            "fasit.example/borger",
            "%66ile:///x",
        ] {
            assert_eq!(check(url), Err(UrlRefusal::NoScheme), "{url}");
        }
        assert_eq!(check(""), Err(UrlRefusal::Empty));
    }

    #[test]
    fn white_space_and_control_characters_smuggle_nothing() {
        for url in [
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "https://fasit.example/\n",
            "\u{0}https://x",
            "https://x/\u{7f}",
            "\u{202E}https://x",
            "https://fasit.example/ javascript:",
            "\u{200B}javascript:x",
        ] {
            assert_eq!(check(url), Err(UrlRefusal::HiddenCharacters), "{url:?}");
        }
    }

    #[test]
    fn web_addresses_need_a_plain_host() {
        assert!(matches!(
            check("https:fasit.example"),
            Err(UrlRefusal::NoHost { .. })
        ));
        assert!(matches!(check("http:///x"), Err(UrlRefusal::NoHost { .. })));
        assert_eq!(
            check("https://fasit.example@evil.example/"),
            Err(UrlRefusal::UserInfo)
        );
        assert_eq!(check("https:\\\\evil.example"), Err(UrlRefusal::Backslash));
    }

    #[test]
    fn secrets_go_over_plain_http_only_to_allowed_hosts() {
        let policy = Policy {
            plain_http_secret_hosts: vec!["api.intern".into()],
            ..Policy::default()
        };
        let refused = |url: &str| plain_http_host_refused(url, &policy);
        assert_eq!(
            refused("http://fasit.example/x"),
            Some("fasit.example".into())
        );
        assert_eq!(
            refused("http://FASIT.example:8080/x"),
            Some("fasit.example".into())
        );
        assert_eq!(refused("https://fasit.example/x"), None);
        assert_eq!(refused("http://127.0.0.1:9/x"), None);
        assert_eq!(refused("http://localhost/x"), None);
        assert_eq!(refused("http://[::1]/x"), None);
        assert_eq!(refused("http://api.intern/x"), None);
    }
}
