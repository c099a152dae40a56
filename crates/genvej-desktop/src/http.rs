//! HTTP for `fetch` steps: reqwest (blocking, rustls with the platform's
//! certificate store, the system's proxy settings). TLS verification is
//! always on. Logs say method, host and path (CPR masked), the status and
//! the time taken — never headers, query or bodies. An answer is read up to
//! its request's `max_bytes` (`[limits]` in the config) and no further.
//!
//! Redirects never lower https to http, and a request with a secret header
//! follows redirects only on its own scheme, host and port: reqwest drops
//! `Authorization` and cookies on a redirect to another host, but would
//! carry a custom header such as `X-Api-Key` along.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;

use genvej_engine::ports::{HttpError, HttpRequest};
use genvej_format::script::HttpMethod;

/// Pause before a retry, times the attempt number.
const RETRY_PAUSE: Duration = Duration::from_millis(200);
/// How much of an error answer's body goes into the message.
const REASON_CHARS: usize = 120;
/// How much of an error answer's body is read for that.
const REASON_BYTES: u64 = 4096;

/// At most this many redirects are followed for one request.
const MAX_REDIRECTS: usize = 10;

/// One client for the agent's life (connections are reused between runs);
/// requests with a secret header use a second one whose redirects stay on
/// the first address's origin.
#[derive(Default)]
pub struct HttpClient {
    client: Option<Client>,
    secret_client: Option<Client>,
    /// Extra root certificates (PEM), added to the system's.
    ca_file: Option<PathBuf>,
}

impl HttpClient {
    pub fn new() -> HttpClient {
        HttpClient::default()
    }

    /// Trusts the certificates in `ca_file` (PEM) besides the system's, e.g.
    /// an organisation's internal CA. Verification itself cannot be turned off.
    pub fn set_ca_file(&mut self, ca_file: Option<PathBuf>) {
        if self.ca_file != ca_file {
            self.ca_file = ca_file;
            self.client = None;
            self.secret_client = None;
        }
    }

    /// The answer as JSON.
    pub fn fetch(&mut self, request: &HttpRequest) -> Result<serde_json::Value, HttpError> {
        let bytes = self.send(request)?;
        serde_json::from_slice(&bytes).map_err(|e| HttpError::NotJson {
            host: request.host().to_string(),
            reason: e.to_string(),
        })
    }

    /// The answer's bytes (a document).
    pub fn download(&mut self, request: &HttpRequest) -> Result<Vec<u8>, HttpError> {
        self.send(request)
    }

    fn send(&mut self, request: &HttpRequest) -> Result<Vec<u8>, HttpError> {
        let client = self.client(request.carries_secret)?.clone();
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let result = once(&client, request);
            let ms = started.elapsed().as_millis();
            let retry = attempt < request.retries
                && request.method == HttpMethod::Get
                && is_transient(&result);
            match &result {
                Ok(_) => {
                    tracing::info!(source = %request.source, ms, "{} → ok", request.describe())
                }
                Err(e) => tracing::warn!(
                    source = %request.source,
                    ms,
                    "{} → {}{}",
                    request.describe(),
                    genvej_format::cpr::redact(&e.to_string()),
                    if retry { "; trying again" } else { "" }
                ),
            }
            if !retry {
                return result;
            }
            attempt += 1;
            std::thread::sleep(RETRY_PAUSE * attempt);
        }
    }

    fn client(&mut self, carries_secret: bool) -> Result<&Client, HttpError> {
        let slot = if carries_secret {
            &mut self.secret_client
        } else {
            &mut self.client
        };
        if slot.is_none() {
            let mut organisation = Vec::new();
            if let Some(path) = &self.ca_file {
                organisation =
                    organisation_certificates(path).map_err(|reason| HttpError::CaFile {
                        path: path.display().to_string(),
                        reason,
                    })?;
            }
            let builder = || {
                Client::builder()
                    .user_agent(concat!("genvej/", env!("CARGO_PKG_VERSION")))
                    .redirect(redirect_policy(carries_secret))
            };
            let client = match builder().tls_certs_merge(organisation.clone()).build() {
                Ok(client) => client,
                // A machine without the system's CA certificates (Debian's
                // ca-certificates not installed): plain http and the
                // organisation's own CA still work; https to anyone else
                // fails on the certificate, with that reason.
                Err(error) => {
                    tracing::warn!(
                        "the system's CA certificates cannot be used ({}); HTTPS is trusted only through agent.ca_file",
                        innermost(&error)
                    );
                    builder()
                        .tls_certs_only(organisation)
                        .build()
                        .map_err(|e| HttpError::Client {
                            reason: innermost(&e),
                        })?
                }
            };
            *slot = Some(client);
        }
        Ok(slot.as_ref().expect("just made"))
    }
}

/// The certificates in an organisation's CA file (PEM); `Err` says, in
/// Danish, why the file cannot be used.
pub(crate) fn organisation_certificates(path: &Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| e.to_string())?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| e.to_string())?;
    if certificates.is_empty() {
        return Err("den indeholder ingen certifikater".into());
    }
    Ok(certificates)
}

/// A redirect genvej does not follow; the text is Danish and names hosts
/// only (a path may hold a CPR number).
#[derive(Debug, thiserror::Error)]
enum RedirectRefused {
    #[error("den videresendte fra https til http (ukrypteret) hos {to}; det følges ikke")]
    Downgrade { to: String },
    #[error(
        "den videresendte til {to}, men forespørgslen har en hemmelig header, som kun sendes til {from}; det følges ikke"
    )]
    OtherOrigin { from: String, to: String },
    #[error("den videresendte mere end {MAX_REDIRECTS} gange")]
    TooMany,
}

/// Follows at most [`MAX_REDIRECTS`] redirects, never from https to http,
/// and for a request with a secret header only on the first address's
/// scheme, host and port.
fn redirect_policy(carries_secret: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        let previous = attempt.previous();
        let next = attempt.url();
        let refused = if previous.len() > MAX_REDIRECTS {
            Some(RedirectRefused::TooMany)
        } else if next.scheme() != "https" && previous.iter().any(|u| u.scheme() == "https") {
            Some(RedirectRefused::Downgrade { to: origin(next) })
        } else {
            match previous.first() {
                Some(first) if carries_secret && origin(first) != origin(next) => {
                    Some(RedirectRefused::OtherOrigin {
                        from: origin(first),
                        to: origin(next),
                    })
                }
                _ => None,
            }
        };
        match refused {
            Some(why) => attempt.error(why),
            None => attempt.follow(),
        }
    })
}

/// `scheme://host:port` of an address, the port always written.
fn origin(url: &reqwest::Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    )
}

fn once(client: &Client, request: &HttpRequest) -> Result<Vec<u8>, HttpError> {
    let host = request.host().to_string();
    let mut builder = match request.method {
        HttpMethod::Get => client.get(&request.url),
        HttpMethod::Post => client.post(&request.url),
    }
    .timeout(request.timeout)
    .header("Accept", "application/json");
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &request.body {
        builder = builder
            .header("Content-Type", "application/json")
            .body(body.clone());
    }
    let mut response = builder
        .send()
        .map_err(|e| classify(&e, &host, request.timeout))?;
    let status = response.status();
    if !status.is_success() {
        let bytes = read_at_most(&mut response, REASON_BYTES, &host, request.timeout)?;
        let body = String::from_utf8_lossy(&bytes);
        let first_line = body.lines().map(str::trim).find(|l| !l.is_empty());
        let mut reason = status.canonical_reason().unwrap_or_default().to_string();
        if let Some(line) = first_line {
            let line: String = line.chars().take(REASON_CHARS).collect();
            reason = format!("{reason} – {}", genvej_format::cpr::redact(&line));
        }
        return Err(HttpError::Status {
            host,
            status: status.as_u16(),
            reason,
        });
    }
    let too_big = || HttpError::TooBig {
        host: host.clone(),
        limit: request.max_bytes,
    };
    // An answer that says it is too big is not read at all.
    if response
        .content_length()
        .is_some_and(|length| length > request.max_bytes)
    {
        return Err(too_big());
    }
    // One that does not say (or lies) is read up to the limit and no further.
    let bytes = read_at_most(
        &mut response,
        request.max_bytes.saturating_add(1),
        &host,
        request.timeout,
    )?;
    if bytes.len() as u64 > request.max_bytes {
        return Err(too_big());
    }
    Ok(bytes)
}

/// Reads at most `limit` bytes of the answer's body.
fn read_at_most(
    response: &mut reqwest::blocking::Response,
    limit: u64,
    host: &str,
    timeout: Duration,
) -> Result<Vec<u8>, HttpError> {
    let mut bytes = Vec::new();
    response
        .by_ref()
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| classify_read(&e, host, timeout))?;
    Ok(bytes)
}

/// A body that stopped arriving: the time limit, or the connection.
fn classify_read(error: &std::io::Error, host: &str, timeout: Duration) -> HttpError {
    if let Some(inner) = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<reqwest::Error>())
    {
        return classify(inner, host, timeout);
    }
    if error.kind() == std::io::ErrorKind::TimedOut {
        return HttpError::Timeout {
            host: host.to_string(),
            timeout,
        };
    }
    HttpError::Failed {
        host: host.to_string(),
        reason: genvej_format::cpr::redact(&error.to_string()),
    }
}

fn is_transient(result: &Result<Vec<u8>, HttpError>) -> bool {
    match result {
        Err(HttpError::Connect { .. } | HttpError::Timeout { .. }) => true,
        Err(HttpError::Status { status, .. }) => *status >= 500,
        _ => false,
    }
}

/// An error and everything it wraps, outermost first.
fn causes<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'e (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |e| e.source())
}

/// The innermost cause's text, CPR-masked: reqwest's own text ("builder
/// error") says less than what it wraps ("Connection refused (os error 111)").
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let text = causes(error)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    genvej_format::cpr::redact(&text)
}

fn classify(error: &reqwest::Error, host: &str, timeout: Duration) -> HttpError {
    if error.is_timeout() {
        return HttpError::Timeout {
            host: host.to_string(),
            timeout,
        };
    }
    if let Some(refused) = causes(error).find_map(|e| e.downcast_ref::<RedirectRefused>()) {
        return HttpError::Other(format!(
            "{host}: {}",
            genvej_format::cpr::redact(&refused.to_string())
        ));
    }
    let reason = innermost(error);
    if error.is_connect() {
        HttpError::Connect {
            host: host.to_string(),
            reason,
        }
    } else {
        HttpError::Failed {
            host: host.to_string(),
            reason,
        }
    }
}
