//! Fetching the organisation's signed script bundles (`[bundles] from`):
//! from a web server with conditional requests, or from a folder such as a
//! file share. Only the bytes: whether they are a good bundle is decided
//! by the signature check above this layer.
//!
//! Whatever answers is hostile until checked: an answer is read up to
//! [`MAX_BUNDLE_BYTES`] and no further (a longer one is refused, not
//! buffered), within [`TOTAL_TIME`]; a redirect keeps its scheme (never
//! https → http) and plain http stays on this machine. Unchanged files are
//! not read again: the web server is asked with `If-None-Match` /
//! `If-Modified-Since` (a `304` reads no body), a folder's file is read
//! only when its size or modification time changed.
//!
//! A server that does not answer (or answers 5xx) and a share that cannot
//! be reached are [`FetchError::Unreachable`]: the agent keeps its cached
//! library and tries again later. A file that is not there is
//! [`Fetched::Missing`] (a ring may have no bundle of its own yet).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use genvej_format::config::{BundleLocation, web_file};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

/// A bundle larger than this is refused unread (80 scripts are ~0.5 MB).
pub const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;
/// The most one download may take, from connecting to the last byte.
pub const TOTAL_TIME: Duration = Duration::from_secs(60);
/// The most connecting may take.
const CONNECT_TIME: Duration = Duration::from_secs(10);
/// At most this many redirects are followed.
const MAX_REDIRECTS: usize = 5;
/// Validators longer than this are not kept (a hostile server's header).
const MAX_VALIDATOR_CHARS: usize = 200;

/// What is known of a file since it was last read, to ask "has it changed?".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The web server's `ETag`.
    pub etag: Option<String>,
    /// The web server's `Last-Modified`.
    pub last_modified: Option<String>,
    /// A folder file's size in bytes.
    pub size: Option<u64>,
    /// A folder file's modification time, nanoseconds since 1970.
    pub modified_ns: Option<u128>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        *self == Validators::default()
    }
}

/// The outcome of asking for one file.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    /// Not changed since the validators were taken; nothing was read.
    Unchanged,
    /// The file's bytes, and the validators to ask with next time.
    Changed {
        bytes: Vec<u8>,
        validators: Validators,
    },
    /// There is no such file (404/410, or not in the folder).
    Missing,
}

/// Why a file could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server or share does not answer, or answers that it is down.
    #[error("{place} cannot be reached: {reason}")]
    Unreachable { place: String, reason: String },
    /// Larger than [`MAX_BUNDLE_BYTES`]; not read.
    #[error("{place} is larger than {limit} bytes; not read")]
    TooLarge { place: String, limit: u64 },
    /// Any other refusal: an unexpected status, a redirect not followed.
    #[error("{place}: {reason}")]
    Failed { place: String, reason: String },
}

/// Where bundles come from, with the HTTP client kept between checks.
pub struct BundleSource {
    location: BundleLocation,
    ca_file: Option<PathBuf>,
    client: Option<Client>,
    max_bytes: u64,
    total_time: Duration,
}

impl BundleSource {
    /// `ca_file`: the organisation's CA (`agent.ca_file`), trusted besides
    /// the system's for https.
    pub fn new(location: BundleLocation, ca_file: Option<PathBuf>) -> BundleSource {
        BundleSource {
            location,
            ca_file,
            client: None,
            max_bytes: MAX_BUNDLE_BYTES,
            total_time: TOTAL_TIME,
        }
    }

    /// Lower limits, for tests.
    pub fn with_limits(mut self, max_bytes: u64, total_time: Duration) -> BundleSource {
        self.max_bytes = max_bytes;
        self.total_time = total_time;
        self
    }

    pub fn location(&self) -> &BundleLocation {
        &self.location
    }

    /// The file `name` (e.g. `all.genvej-bundle`), unless it is unchanged
    /// since `known` was taken.
    pub fn fetch(&mut self, name: &str, known: &Validators) -> Result<Fetched, FetchError> {
        match self.location.clone() {
            BundleLocation::Web(base) => self.fetch_web(&web_file(&base, name), known),
            BundleLocation::Folder(folder) => {
                read_folder_file(&folder, name, known, self.max_bytes)
            }
        }
    }

    fn fetch_web(&mut self, url: &reqwest::Url, known: &Validators) -> Result<Fetched, FetchError> {
        let place = url.to_string();
        let failed = |reason: String| FetchError::Failed {
            place: place.clone(),
            reason,
        };
        let client = self.client().map_err(failed)?;
        let mut request = client.get(url.clone()).timeout(self.total_time);
        if let Some(etag) = &known.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &known.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().map_err(|e| classify(&e, &place))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::Unchanged);
        }
        if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
            return Ok(Fetched::Missing);
        }
        if status.is_server_error() {
            return Err(FetchError::Unreachable {
                place,
                reason: format!("the server answered {status}"),
            });
        }
        if !status.is_success() {
            return Err(failed(format!("the server answered {status}")));
        }
        let too_large = || FetchError::TooLarge {
            place: place.clone(),
            limit: self.max_bytes,
        };
        if response
            .content_length()
            .is_some_and(|length| length > self.max_bytes)
        {
            return Err(too_large());
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .filter(|v| v.len() <= MAX_VALIDATOR_CHARS)
                .map(str::to_string)
        };
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
            ..Validators::default()
        };
        let mut bytes = Vec::new();
        response
            .by_ref()
            .take(self.max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| FetchError::Unreachable {
                place: place.clone(),
                reason: format!("the download stopped: {}", innermost(&e)),
            })?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(too_large());
        }
        Ok(Fetched::Changed { bytes, validators })
    }

    fn client(&mut self) -> Result<&Client, String> {
        if self.client.is_none() {
            let organisation = match &self.ca_file {
                Some(path) => crate::http::organisation_certificates(path)?,
                None => Vec::new(),
            };
            let builder = || {
                Client::builder()
                    .user_agent(concat!("genvej/", env!("CARGO_PKG_VERSION")))
                    .connect_timeout(CONNECT_TIME)
                    .redirect(same_scheme_redirects())
            };
            let client = match builder().tls_certs_merge(organisation.clone()).build() {
                Ok(client) => client,
                // No system CA certificates: the organisation's CA only.
                Err(_) => builder()
                    .tls_certs_only(organisation)
                    .build()
                    .map_err(|e| innermost(&e))?,
            };
            self.client = Some(client);
        }
        self.client
            .as_ref()
            .ok_or_else(|| "no HTTP client".to_string())
    }
}

/// Follows at most [`MAX_REDIRECTS`] redirects, each on the scheme the
/// request started with, and plain http only to this machine.
fn same_scheme_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first_scheme = attempt
            .previous()
            .first()
            .map(|u| u.scheme().to_string())
            .unwrap_or_default();
        let next = attempt.url();
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else if next.scheme() != first_scheme {
            let to = next.scheme().to_string();
            attempt.error(format!(
                "a redirect from {first_scheme} to {to} is not followed"
            ))
        } else if next.scheme() == "http" && BundleLocation::parse(next.as_str()).is_err() {
            attempt.error("a redirect to plain http on another machine is not followed")
        } else {
            attempt.follow()
        }
    })
}

/// Reads `folder/name` unless its size and modification time are the ones
/// in `known`.
fn read_folder_file(
    folder: &Path,
    name: &str,
    known: &Validators,
    max_bytes: u64,
) -> Result<Fetched, FetchError> {
    let path = folder.join(name);
    let place = path.display().to_string();
    let unreachable = |e: std::io::Error| FetchError::Unreachable {
        place: folder.display().to_string(),
        reason: e.to_string(),
    };
    if let Err(e) = std::fs::metadata(folder) {
        return Err(unreachable(e));
    }
    let meta = match std::fs::metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Fetched::Missing),
        Err(e) => return Err(unreachable(e)),
    };
    if !meta.is_file() {
        return Err(FetchError::Failed {
            place,
            reason: "is not a file".into(),
        });
    }
    let validators = Validators {
        size: Some(meta.len()),
        modified_ns: meta.modified().ok().and_then(nanos),
        ..Validators::default()
    };
    if validators.modified_ns.is_some()
        && validators.size == known.size
        && validators.modified_ns == known.modified_ns
    {
        return Ok(Fetched::Unchanged);
    }
    if meta.len() > max_bytes {
        return Err(FetchError::TooLarge {
            place,
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|file| {
            file.take(max_bytes.saturating_add(1))
                .read_to_end(&mut bytes)
        })
        .map_err(unreachable)?;
    // It grew while being read.
    if bytes.len() as u64 > max_bytes {
        return Err(FetchError::TooLarge {
            place,
            limit: max_bytes,
        });
    }
    Ok(Fetched::Changed { bytes, validators })
}

fn nanos(time: SystemTime) -> Option<u128> {
    time.duration_since(UNIX_EPOCH).ok().map(|d| d.as_nanos())
}

fn classify(error: &reqwest::Error, place: &str) -> FetchError {
    let reason = innermost(error);
    if error.is_connect() || error.is_timeout() {
        FetchError::Unreachable {
            place: place.to_string(),
            reason,
        }
    } else {
        FetchError::Failed {
            place: place.to_string(),
            reason,
        }
    }
}

/// The innermost cause's text (reqwest's own says less than what it wraps).
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    std::iter::successors(Some(error), |e| e.source())
        .last()
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with(bytes: &[u8]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("all.genvej-bundle"), bytes).expect("write");
        dir
    }

    #[test]
    fn a_folder_file_is_read_once_and_again_only_when_it_changes() {
        let dir = folder_with(b"v1");
        let mut source = BundleSource::new(BundleLocation::Folder(dir.path().into()), None);
        let Ok(Fetched::Changed { bytes, validators }) =
            source.fetch("all.genvej-bundle", &Validators::default())
        else {
            panic!("the first read reads the file");
        };
        assert_eq!(bytes, b"v1");
        assert_eq!(
            source.fetch("all.genvej-bundle", &validators),
            Ok(Fetched::Unchanged)
        );
        std::fs::write(dir.path().join("all.genvej-bundle"), b"v2 longer").expect("write");
        assert!(matches!(
            source.fetch("all.genvej-bundle", &validators),
            Ok(Fetched::Changed { bytes, .. }) if bytes == b"v2 longer"
        ));
    }

    #[test]
    fn a_missing_file_a_missing_share_and_a_large_file_differ() {
        let dir = folder_with(b"0123456789");
        let mut source = BundleSource::new(BundleLocation::Folder(dir.path().into()), None)
            .with_limits(9, TOTAL_TIME);
        assert_eq!(
            source.fetch("pilot.genvej-bundle", &Validators::default()),
            Ok(Fetched::Missing)
        );
        assert!(matches!(
            source.fetch("all.genvej-bundle", &Validators::default()),
            Err(FetchError::TooLarge { limit: 9, .. })
        ));
        let mut gone =
            BundleSource::new(BundleLocation::Folder(dir.path().join("not-mounted")), None);
        assert!(matches!(
            gone.fetch("all.genvej-bundle", &Validators::default()),
            Err(FetchError::Unreachable { .. })
        ));
    }

    #[test]
    fn a_server_that_is_not_there_is_unreachable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        let url = reqwest::Url::parse(&format!("http://127.0.0.1:{port}/b/")).expect("url");
        let mut source = BundleSource::new(BundleLocation::Web(url), None);
        assert!(matches!(
            source.fetch("all.genvej-bundle", &Validators::default()),
            Err(FetchError::Unreachable { .. })
        ));
    }
}
