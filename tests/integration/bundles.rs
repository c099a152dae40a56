//! Signed bundles fetched from a local web server (bundle_server.py: ETag,
//! 304, a log of every request), over http on loopback and over https with
//! the organisation's CA; and the command line reading the cached library.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::require_tools;
use crate::support::bundles::{BundleServer, flipped, key, publish, sealed, trusted};
use crate::support::tools::Tool;
use genvej::agent::library::{Bundles, Checker, Store};
use genvej_desktop::bundle_source::{BundleSource, FetchError, Fetched, Validators};
use genvej_format::config::Config;

const ALL: &str = "all.genvej-bundle";

fn script(id: &str, hotkey: &str, text: &str) -> String {
    format!(
        "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"{hotkey}\"\nmanual_seconds = 60\n\n[[step]]\ntype = \"{text}\"\n"
    )
}

fn checker(
    from: &str,
    trusted_key: &str,
    ca_file: Option<&Path>,
    cache: &Path,
) -> (Checker, Bundles) {
    let mut config = Config::default();
    config.bundles.from = Some(from.to_string());
    config.bundles.trusted_keys = vec![trusted_key.to_string()];
    config.agent.ca_file = ca_file.map(Path::to_path_buf);
    let bundles = Bundles::with_store(&config, Store::at(cache))
        .expect("usable")
        .expect("configured");
    let _ = bundles.load_cache();
    let checker = Checker::new(bundles.clone(), Box::new(|_: &str, _: &str| {}));
    (checker, bundles)
}

#[test]
fn an_unchanged_bundle_is_asked_for_with_its_etag_and_not_downloaded_again() {
    require_tools!(Tool::Python3);
    let dir = tempfile::tempdir().expect("temp dir");
    let served = dir.path().join("udgivet");
    let signer = key();
    let v1 = sealed(
        1,
        &signer,
        &[("Journal/note.toml", &script("note", "Ctrl+Alt+N", "v1"))],
    );
    publish(&served, ALL, &v1);
    let server = BundleServer::start(dir.path(), &served);
    let (mut checker, bundles) = checker(
        &server.url(),
        &trusted(&signer),
        None,
        &dir.path().join("cache"),
    );

    assert_eq!(checker.check().took, Some(1));
    let second = checker.check();
    assert_eq!((second.took, second.downloaded), (None, 0));
    assert_eq!(
        server.requests(),
        [
            format!("GET /{ALL} 200 {}", v1.len()),
            format!("GET /{ALL} 304 0"),
        ],
        "the second check is answered 304 and reads no body"
    );

    let v2 = sealed(
        2,
        &signer,
        &[("Journal/note.toml", &script("note", "Ctrl+Alt+N", "v2"))],
    );
    publish(&served, ALL, &v2);
    assert_eq!(checker.check().took, Some(2));
    assert_eq!(bundles.current.get().map(|c| c.sequence()), Some(2));
    assert_eq!(
        server.requests().last().map(String::as_str),
        Some(format!("GET /{ALL} 200 {}", v2.len()).as_str())
    );

    // One flipped byte is refused; the server's ETag for it is kept, so the
    // next check asks with it and is answered 304.
    publish(
        &served,
        ALL,
        &flipped(&sealed(
            3,
            &signer,
            &[("a/x.toml", &script("x", "Ctrl+Alt+X", "v3"))],
        )),
    );
    let refused = checker.check();
    assert_eq!(refused.refused.len(), 1, "{refused:?}");
    assert!(refused.refused[0].1.contains("signature"), "{refused:?}");
    assert_eq!(checker.check().downloaded, 0);
    assert_eq!(bundles.current.get().map(|c| c.sequence()), Some(2));
}

#[test]
fn a_server_that_is_down_is_unreachable_and_the_library_stays() {
    require_tools!(Tool::Python3);
    let dir = tempfile::tempdir().expect("temp dir");
    let served = dir.path().join("udgivet");
    let signer = key();
    publish(
        &served,
        ALL,
        &sealed(1, &signer, &[("a/b.toml", &script("b", "Ctrl+Alt+B", "b"))]),
    );
    let server = BundleServer::start(dir.path(), &served);
    let (mut checker, bundles) = checker(
        &server.url(),
        &trusted(&signer),
        None,
        &dir.path().join("cache"),
    );
    assert_eq!(checker.check().took, Some(1));

    server.answer_all(Some(503));
    publish(
        &served,
        ALL,
        &sealed(2, &signer, &[("a/b.toml", &script("b", "Ctrl+Alt+B", "c"))]),
    );
    let down = checker.check();
    assert_eq!(
        (down.unreachable, down.refused.len(), down.took),
        (1, 0, None)
    );
    assert_eq!(bundles.current.get().map(|c| c.sequence()), Some(1));

    server.answer_all(None);
    assert_eq!(
        checker.check().took,
        Some(2),
        "picked up when the server is back"
    );
}

#[test]
fn a_bundle_over_https_is_trusted_through_the_organisations_ca_only() {
    require_tools!(Tool::Python3, Tool::Openssl);
    let dir = tempfile::tempdir().expect("temp dir");
    let served = dir.path().join("udgivet");
    let signer = key();
    publish(
        &served,
        ALL,
        &sealed(4, &signer, &[("a/b.toml", &script("b", "Ctrl+Alt+B", "b"))]),
    );
    let (server, ca) = BundleServer::start_https(dir.path(), &served);

    let (mut unknown_ca, _) = checker(
        &server.url(),
        &trusted(&signer),
        None,
        &dir.path().join("c1"),
    );
    let refused = unknown_ca.check();
    assert_eq!(
        (refused.took, refused.unreachable),
        (None, 1),
        "{refused:?}"
    );

    let (mut with_ca, bundles) = checker(
        &server.url(),
        &trusted(&signer),
        Some(&ca),
        &dir.path().join("c2"),
    );
    assert_eq!(with_ca.check().took, Some(4));
    assert_eq!(bundles.current.get().map(|c| c.sequence()), Some(4));
}

fn genvej(config: &Path, data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genvej"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("XDG_DATA_HOME", data)
        .env("HOME", data)
        .output()
        .expect("genvej runs")
}

#[test]
fn list_and_bundle_status_read_the_cached_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (share, data) = (dir.path().join("share"), dir.path().join("data"));
    let signer = key();
    let config = dir.path().join("genvej.toml");
    std::fs::write(
        &config,
        format!(
            "[bundles]\nfrom = \"share\"\ntrusted_keys = [\"{}\"]\nring = \"pilot\"\n",
            trusted(&signer)
        ),
    )
    .expect("config");

    let status = genvej(&config, &data, &["bundle", "status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert_eq!(status.status.code(), Some(1), "no library yet:\n{text}");
    assert!(
        text.contains("library:  none (no cached library yet"),
        "{text}"
    );
    assert!(
        text.contains("reads all.genvej-bundle, pilot.genvej-bundle"),
        "{text}"
    );

    // What the agent would have fetched and cached.
    let bundle = sealed(
        7,
        &signer,
        &[("Journal/note.toml", &script("note", "Ctrl+Alt+N", "x"))],
    );
    publish(&share, "pilot.genvej-bundle", &bundle);
    let mut cfg = Config::load(&config).expect("config loads");
    cfg.bundles.from = Some(share.display().to_string());
    let bundles = Bundles::with_store(&cfg, Store::at(data.join("genvej/bundles")))
        .expect("usable")
        .expect("configured");
    let mut checker = Checker::new(bundles, Box::new(|_: &str, _: &str| {}));
    assert_eq!(checker.check().took, Some(7));

    let status = genvej(&config, &data, &["bundle", "status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert_eq!(status.status.code(), Some(0), "{text}");
    assert!(text.contains("library:  sequence 7, built "), "{text}");
    assert!(
        text.contains("from ") && text.contains("pilot.genvej-bundle"),
        "{text}"
    );
    assert!(text.contains("Journal/note.toml"), "{text}");
    assert!(
        text.contains("checked:  ") && text.contains("took sequence 7"),
        "{text}"
    );

    let list = genvej(&config, &data, &["list", "--format", "json"]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert_eq!(
        list.status.code(),
        Some(0),
        "{listed}\n{}",
        String::from_utf8_lossy(&list.stderr)
    );
    assert!(listed.contains("\"id\": \"note\""), "{listed}");
    assert!(listed.contains("bundle 7/Journal/note.toml"), "{listed}");
    let dry = genvej(&config, &data, &["exec", "note", "--dry-run"]);
    assert_eq!(
        dry.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&dry.stdout)
    );
    let check = genvej(&config, &data, &["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("checked 1 script file"));
}

#[test]
fn a_bad_bundles_setting_is_named_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("genvej.toml");
    std::fs::write(
        &config,
        "[bundles]\nfrom = \"http://intra.example.dk/genvej\"\ntrusted_keys = []\n",
    )
    .expect("config");
    let out = genvej(&config, dir.path(), &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "genvej.toml:2:8: error: bundles.from: `http://intra.example.dk/genvej` is plain http"
        ),
        "{stderr}"
    );

    std::fs::write(
        &config,
        "[bundles]\nfrom = \"share\"\ntrusted_keys = [\"RWnot-a-key\"]\n",
    )
    .expect("config");
    let out = genvej(&config, dir.path(), &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bundles.trusted_keys[0] is not a public key"),
        "{stderr}"
    );
}

#[test]
fn an_answer_larger_than_the_limit_is_refused_without_being_read() {
    require_tools!(Tool::Python3);
    let dir = tempfile::tempdir().expect("temp dir");
    let served = dir.path().join("udgivet");
    publish(&served, ALL, &vec![b'x'; 4096]);
    let server = BundleServer::start(dir.path(), &served);
    let location = genvej_format::config::BundleLocation::parse(&server.url()).expect("url");
    let mut source = BundleSource::new(location, None).with_limits(1024, Duration::from_secs(10));
    let answer = source.fetch(ALL, &Validators::default());
    assert!(
        matches!(answer, Err(FetchError::TooLarge { limit: 1024, .. })),
        "{answer:?}"
    );
    assert!(source.fetch("pilot.genvej-bundle", &Validators::default()) == Ok(Fetched::Missing));
}

#[test]
fn a_redirect_from_https_to_plain_http_is_not_followed() {
    require_tools!(Tool::Python3, Tool::Openssl);
    let dir = tempfile::tempdir().expect("temp dir");
    let signer = key();
    let plain_folder = dir.path().join("plain");
    publish(
        &plain_folder,
        ALL,
        &sealed(9, &signer, &[("a/b.toml", &script("b", "Ctrl+Alt+B", "b"))]),
    );
    let plain_dir = dir.path().join("plain-server");
    std::fs::create_dir_all(&plain_dir).expect("dir");
    let plain = BundleServer::start(&plain_dir, &plain_folder);

    let served = dir.path().join("udgivet");
    std::fs::create_dir_all(&served).expect("dir");
    std::fs::write(served.join(".redirect"), format!("{}{ALL}", plain.url())).expect("redirect");
    let (server, ca) = BundleServer::start_https(dir.path(), &served);
    let (mut checker, bundles) = checker(
        &server.url(),
        &trusted(&signer),
        Some(&ca),
        &dir.path().join("c"),
    );
    let summary = checker.check();
    assert_eq!(
        (summary.took, summary.unreachable),
        (None, 1),
        "{summary:?}"
    );
    assert_eq!(bundles.current.get().map(|c| c.sequence()), None);
    assert_eq!(server.requests(), [format!("GET /{ALL} 302 0")]);
    assert!(plain.requests().is_empty(), "{:?}", plain.requests());
}
