//! HTTPS for `fetch`: certificates are always checked; an organisation's own
//! CA can be added with `agent.ca_file`; a redirect never leads from https
//! to plain http. Against a local HTTPS server with a
//! self-signed certificate made by openssl (Debian package `openssl`) and
//! served by python3; without them those tests skip (outside CI).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::require_tools;
use crate::support::tools::Tool;
use genvej_desktop::http::HttpClient;
use genvej_engine::ports::{HttpError, HttpRequest};
use genvej_format::script::HttpMethod;

struct Server {
    child: Child,
    port: u16,
    /// The test CA that signed the server's certificate.
    ca: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private CA (`ca.pem`), a server certificate for 127.0.0.1 signed by
/// it, and an HTTPS server using that certificate.
fn https_server(dir: &Path) -> Server {
    let made = crate::support::test_ca::make(dir);
    let (cert, key) = (made.cert, made.key);
    let port_file = dir.join("port");
    let child = Command::new("python3")
        .arg(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/support/https_server.py"
        )))
        .args([&cert, &key, &port_file])
        .stdin(Stdio::null())
        .spawn()
        .expect("python3 runs");
    // Owned from here on, so the server is stopped even if it never starts.
    let mut server = Server {
        child,
        port: 0,
        ca: made.ca,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.port == 0 {
        let text = std::fs::read_to_string(&port_file).unwrap_or_default();
        server.port = text.trim().parse().unwrap_or(0);
        assert!(Instant::now() < deadline, "the HTTPS server did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    server
}

fn request(port: u16) -> HttpRequest {
    HttpRequest {
        source: "borger".into(),
        method: HttpMethod::Get,
        url: format!("https://127.0.0.1:{port}/borgere/0707614285"),
        headers: Vec::new(),
        carries_secret: false,
        body: None,
        timeout: Duration::from_secs(5),
        retries: 0,
        max_bytes: 1024 * 1024,
    }
}

#[test]
fn an_unknown_certificate_is_refused_and_the_organisations_ca_is_trusted() {
    require_tools!(Tool::Openssl, Tool::Python3);
    let dir = tempfile::tempdir().expect("temp dir");
    let server = https_server(dir.path());

    let mut client = HttpClient::new();
    let refused = client
        .fetch(&request(server.port))
        .expect_err("self-signed");
    match &refused {
        HttpError::Connect { reason, .. }
        | HttpError::Failed { reason, .. }
        | HttpError::Other(reason) => assert!(
            reason.to_lowercase().contains("certificate") || reason.contains("UnknownIssuer"),
            "{refused}"
        ),
        other => panic!("expected a certificate error, got {other:?}"),
    }

    client.set_ca_file(Some(server.ca.clone()));
    let answer = client
        .fetch(&request(server.port))
        .expect("trusted with the CA file");
    assert_eq!(answer, serde_json::json!({"ok": true}));
}

#[test]
fn a_ca_file_that_cannot_be_used_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("ca.pem");
    std::fs::write(&bad, "not a certificate").expect("write");
    let mut client = HttpClient::new();
    client.set_ca_file(Some(bad.clone()));
    let error = client.fetch(&request(1)).expect_err("bad CA file");
    assert!(
        error
            .to_string()
            .starts_with(&format!("CA-filen {} kan ikke bruges", bad.display())),
        "{error}"
    );
}

#[test]
fn a_redirect_from_https_to_plain_http_is_not_followed() {
    require_tools!(Tool::Openssl, Tool::Python3);
    let dir = tempfile::tempdir().expect("temp dir");
    let server = https_server(dir.path());
    // A plain-http server that notes whether anyone connected.
    let plain = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let plain_port = plain.local_addr().expect("an address").port();
    let reached = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let noted = std::sync::Arc::clone(&reached);
    std::thread::spawn(move || {
        if plain.accept().is_ok() {
            noted.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    });

    let mut client = HttpClient::new();
    client.set_ca_file(Some(server.ca.clone()));
    let mut downgraded = request(server.port);
    downgraded.url = format!(
        "https://127.0.0.1:{}/videre/{plain_port}/borgere/0707614285",
        server.port
    );
    let refused = client.fetch(&downgraded).expect_err("no downgrade");

    assert_eq!(
        refused.to_string(),
        format!(
            "127.0.0.1:{}: den videresendte fra https til http (ukrypteret) hos \
             http://127.0.0.1:{plain_port}; det følges ikke",
            server.port
        )
    );
    assert!(
        !reached.load(std::sync::atomic::Ordering::SeqCst),
        "nothing reached the plain-http server"
    );
}
