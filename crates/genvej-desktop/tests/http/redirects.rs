//! Redirects never carry a secret to another host: reqwest drops
//! `Authorization` on a redirect to another host, but not a custom header
//! such as `X-Api-Key`. A request with a secret header follows redirects
//! only on its own scheme, host and port; any request refuses a redirect
//! from https to http. Against local HTTP servers that record what they get.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genvej_desktop::http::HttpClient;
use genvej_engine::ports::{HttpError, HttpRequest};
use genvej_format::script::HttpMethod;

/// A local HTTP server: answers each request with `answer(path)` (status
/// line and extra headers, body) and records every request's headers.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Vec<String>>>>,
}

type Answer = fn(&str, u16) -> (String, String);

fn server(answer: Answer, other_port: u16) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            serve(stream, answer, other_port, &record);
        }
    });
    Server { port, seen }
}

fn serve(stream: TcpStream, answer: Answer, other_port: u16, seen: &Mutex<Vec<Vec<String>>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(n) if n > 0 && line.trim() != "" => headers.push(line.trim().to_lowercase()),
            _ => break,
        }
    }
    seen.lock().expect("not poisoned").push(headers);
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let (head, body) = answer(&path, other_port);
    let response = format!(
        "{head}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = &stream;
    let _ = stream.write_all(response.as_bytes());
}

/// `/videre/PORT/…` redirects to the same path on `PORT` (or on this
/// server's own host and port when PORT is `selv`); anything else is JSON.
fn redirecting(path: &str, other_port: u16) -> (String, String) {
    match path.strip_prefix("/videre/") {
        Some(rest) if rest.starts_with("selv/") => (
            format!(
                "HTTP/1.1 302 Found\r\nLocation: /{}",
                &rest["selv/".len()..]
            ),
            String::new(),
        ),
        Some(rest) => (
            format!(
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{other_port}/{}",
                rest.split_once('/').map_or("", |(_, p)| p)
            ),
            String::new(),
        ),
        None => ("HTTP/1.1 200 OK".into(), r#"{"ok": true}"#.into()),
    }
}

fn json(_path: &str, _other_port: u16) -> (String, String) {
    ("HTTP/1.1 200 OK".into(), r#"{"ok": true}"#.into())
}

fn request(url: String, secret: bool) -> HttpRequest {
    HttpRequest {
        source: "borger".into(),
        method: HttpMethod::Get,
        url,
        headers: vec![("X-Api-Key".into(), "s3cret-key".into())],
        carries_secret: secret,
        body: None,
        timeout: Duration::from_secs(5),
        retries: 0,
        max_bytes: 1024 * 1024,
    }
}

fn key_seen(server: &Server) -> bool {
    server
        .seen
        .lock()
        .expect("not poisoned")
        .iter()
        .flatten()
        .any(|h| h.contains("s3cret-key"))
}

#[test]
fn a_redirect_to_another_port_does_not_get_the_secret_header() {
    let second = server(json, 0);
    let first = server(redirecting, second.port);

    let answer = HttpClient::new().fetch(&request(
        format!(
            "http://127.0.0.1:{}/videre/andet/borgere/0707614285",
            first.port
        ),
        true,
    ));

    let Err(HttpError::Other(text)) = answer else {
        panic!("expected the redirect to be refused, got {answer:?}");
    };
    assert_eq!(
        text,
        format!(
            "127.0.0.1:{}: den videresendte til http://127.0.0.1:{}, men forespørgslen har en \
             hemmelig header, som kun sendes til http://127.0.0.1:{}; det følges ikke",
            first.port, second.port, first.port
        )
    );
    assert!(key_seen(&first), "the first server got the key");
    assert!(
        second.seen.lock().expect("not poisoned").is_empty(),
        "the second server got no request at all"
    );
    assert!(!text.contains("4285"));
}

#[test]
fn a_redirect_on_the_same_host_and_port_is_followed_with_the_secret() {
    let first = server(redirecting, 0);

    let answer = HttpClient::new().fetch(&request(
        format!("http://127.0.0.1:{}/videre/selv/borgere/1", first.port),
        true,
    ));

    assert_eq!(answer, Ok(serde_json::json!({"ok": true})));
    assert_eq!(first.seen.lock().expect("not poisoned").len(), 2);
}

#[test]
fn a_request_without_a_secret_follows_a_redirect_to_another_port() {
    let second = server(json, 0);
    let first = server(redirecting, second.port);

    let mut request = request(
        format!("http://127.0.0.1:{}/videre/andet/borgere/1", first.port),
        false,
    );
    request.headers.clear();
    let answer = HttpClient::new().fetch(&request);

    assert_eq!(answer, Ok(serde_json::json!({"ok": true})));
    assert_eq!(second.seen.lock().expect("not poisoned").len(), 1);
}
