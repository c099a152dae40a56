//! A case system that answers too much (a 400 MB answer, or one that never
//! ends) cannot fill the agent's memory: the answer is read up to the
//! configured limit and no further, and the message names the host and the
//! limit, in Danish. Against a local server that sends exactly that.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use genvej_desktop::http::HttpClient;
use genvej_engine::ports::{HttpError, HttpRequest};
use genvej_format::script::HttpMethod;

const MB: u64 = 1024 * 1024;

/// How the stand-in server answers every request.
#[derive(Clone, Copy)]
enum Answer {
    /// A chunked body that never ends.
    Endless,
    /// Says it is 400 MB long, sends a little, then waits.
    Announced400Mb,
    /// A small JSON answer.
    Small,
}

/// Starts the server; returns its port and how many body bytes it managed
/// to send before the client hung up.
fn server(answer: Answer) -> (u16, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&sent);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || serve(stream, answer, &counter));
        }
    });
    (port, sent)
}

fn serve(mut stream: TcpStream, answer: Answer, sent: &AtomicU64) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        line.clear();
    }
    match answer {
        Answer::Small => {
            let body = r#"{"navn": "Åse"}"#.as_bytes();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
        Answer::Announced400Mb => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 419430400\r\n\r\n[1,",
            );
            std::thread::sleep(Duration::from_secs(30));
        }
        Answer::Endless => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            let chunk = vec![b' '; 64 * 1024];
            let framed = [
                format!("{:x}\r\n", chunk.len()).into_bytes(),
                chunk,
                b"\r\n".to_vec(),
            ]
            .concat();
            while stream.write_all(&framed).is_ok() {
                sent.fetch_add(64 * 1024, Ordering::Relaxed);
            }
        }
    }
}

fn request(port: u16, max_bytes: u64) -> HttpRequest {
    HttpRequest {
        source: "borger".into(),
        method: HttpMethod::Get,
        url: format!("http://127.0.0.1:{port}/borgere/1"),
        headers: Vec::new(),
        body: None,
        timeout: Duration::from_secs(20),
        retries: 0,
        max_bytes,
        carries_secret: false,
    }
}

#[test]
fn an_endless_answer_is_read_up_to_the_limit_and_no_further() {
    let (port, sent) = server(Answer::Endless);
    let started = Instant::now();
    let error = HttpClient::new()
        .fetch(&request(port, 2 * MB))
        .expect_err("too big");
    assert_eq!(
        error,
        HttpError::TooBig {
            host: format!("127.0.0.1:{port}"),
            limit: 2 * MB
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "svaret fra 127.0.0.1:{port} er større end 2 MB og blev ikke læst færdigt (grænsen står under [limits] i genvej.toml)"
        )
    );
    // Stopped at the limit, not at the time limit.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The server could send only what the client read plus what the
    // sockets buffer before the client hung up.
    std::thread::sleep(Duration::from_millis(200));
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < 2 * MB + 32 * MB, "the server sent {sent} bytes");
}

#[test]
fn an_answer_announced_as_400_mb_is_refused_before_its_body_is_read() {
    let (port, _) = server(Answer::Announced400Mb);
    let started = Instant::now();
    let error = HttpClient::new()
        .download(&request(port, 50 * MB))
        .expect_err("too big");
    assert_eq!(
        error.to_string(),
        format!(
            "svaret fra 127.0.0.1:{port} er større end 50 MB og blev ikke læst færdigt (grænsen står under [limits] i genvej.toml)"
        )
    );
    // The server sends the rest never: only the announced length was read.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_answer_within_the_limit_is_read_whole() {
    let (port, _) = server(Answer::Small);
    let answer = HttpClient::new()
        .fetch(&request(port, 1024))
        .expect("small answer");
    assert_eq!(answer, serde_json::json!({"navn": "Åse"}));
    let error = HttpClient::new()
        .fetch(&request(port, 8))
        .expect_err("a limit below the answer's size");
    assert!(
        matches!(error, HttpError::TooBig { limit: 8, .. }),
        "{error}"
    );
}
