//! Payloads the IT office's own tool never writes, signed with a trusted
//! key anyway (a stolen key, a bug in an older genvej, a hand-made file):
//! the checks behind the signature must still refuse them as
//! [`Fault::Malformed`] — a path that leaves the library, a file twice, a
//! manifest that does not match the files.

use serde_json::{Value, json};

use crate::keys::KeyPair;
use crate::manifest::sha256_hex;
use crate::seal::sign_payload_for_tests;
use crate::verify::{BundleError, Fault, verify};

const TEXT: &str = "id = \"x\"\nname = \"X\"\nmanual_seconds = 5\n\n[[step]]\ntype = \"x\"\n";

fn entry(path: &str) -> Value {
    json!({ "path": path, "sha256": sha256_hex(TEXT), "id": "x", "name": "X" })
}

fn file(path: &str) -> Value {
    json!({ "path": path, "text": TEXT })
}

fn payload(sequence: u64, scripts: Vec<Value>, files: Vec<Value>) -> Value {
    json!({
        "format": 1,
        "sequence": sequence,
        "built": "2026-12-07T05:00:00Z",
        "scripts": scripts,
        "files": files,
    })
}

/// Signs `payload` for `sequence` and verifies it with the same key.
fn verify_signed(sequence: u64, payload: &[u8]) -> Result<crate::Library, BundleError> {
    let key = KeyPair::generate(None).expect("key");
    let bundle = sign_payload_for_tests(sequence, payload, &key.secret).expect("signed");
    verify(&bundle, &[key.secret.public().clone()])
}

fn refused_as_malformed(sequence: u64, payload: &Value) -> String {
    let bytes = serde_json::to_vec(payload).expect("json");
    let error = verify_signed(sequence, &bytes).expect_err("refused");
    assert_eq!(error.fault(), Fault::Malformed, "{error}");
    error.to_string()
}

#[test]
fn a_signed_payload_of_the_right_shape_verifies() {
    // The forging helper itself makes good bundles: the refusals below are
    // the checks' doing, not the signature's.
    let good = payload(3, vec![entry("Borger/x.toml")], vec![file("Borger/x.toml")]);
    let library = verify_signed(3, &serde_json::to_vec(&good).expect("json")).expect("verifies");
    assert_eq!(library.files[0].path.as_str(), "Borger/x.toml");
}

#[test]
fn a_path_that_leaves_the_library_is_refused() {
    for path in [
        "../x.toml",
        "Borger/../../x.toml",
        "/etc/x.toml",
        "C:\\x.toml",
        ".x/y.toml",
    ] {
        let text = refused_as_malformed(1, &payload(1, vec![entry(path)], vec![file(path)]));
        assert!(text.contains("unusable"), "{path}: {text}");
    }
    let text = refused_as_malformed(
        1,
        &payload(1, vec![entry("../x.toml")], vec![file("../x.toml")]),
    );
    assert!(text.contains("`.` or `..`"), "{text}");
}

#[test]
fn a_file_twice_is_refused() {
    let text = refused_as_malformed(
        1,
        &payload(
            1,
            vec![entry("a.toml"), entry("a.toml")],
            vec![file("a.toml"), file("a.toml")],
        ),
    );
    assert!(text.contains("a.toml is in the bundle twice"), "{text}");
}

#[test]
fn a_manifest_entry_twice_is_refused() {
    let text = refused_as_malformed(
        1,
        &payload(
            1,
            vec![entry("a.toml"), entry("a.toml")],
            vec![file("a.toml"), file("b.toml")],
        ),
    );
    assert!(text.contains("a.toml"), "{text}");
}

#[test]
fn a_manifest_that_does_not_match_the_files_is_refused() {
    refused_as_malformed(1, &payload(1, vec![entry("a.toml")], vec![file("b.toml")]));
    refused_as_malformed(
        1,
        &payload(
            1,
            vec![entry("a.toml")],
            vec![file("a.toml"), file("b.toml")],
        ),
    );
    refused_as_malformed(
        1,
        &payload(
            1,
            vec![entry("a.toml"), entry("b.toml")],
            vec![file("a.toml")],
        ),
    );
}

#[test]
fn a_payload_whose_sequence_differs_from_the_signed_comment_is_refused() {
    // Signed for sequence 2, claiming 9: the agent's rollback rule reads the
    // payload's number, so both must agree.
    let text = refused_as_malformed(2, &payload(9, vec![entry("a.toml")], vec![file("a.toml")]));
    assert!(text.contains("another sequence"), "{text}");
}

#[test]
fn other_formats_unknown_fields_zero_and_junk_are_refused() {
    let mut future = payload(1, vec![entry("a.toml")], vec![file("a.toml")]);
    future["format"] = json!(2);
    refused_as_malformed(1, &future);
    let mut extra = payload(1, vec![entry("a.toml")], vec![file("a.toml")]);
    extra["run_first"] = json!("rm -rf /");
    refused_as_malformed(1, &extra);
    let mut entry_extra = entry("a.toml");
    entry_extra["hotkey_override"] = json!("Ctrl+Alt+Delete");
    refused_as_malformed(1, &payload(1, vec![entry_extra], vec![file("a.toml")]));
    refused_as_malformed(0, &payload(0, vec![entry("a.toml")], vec![file("a.toml")]));
    for junk in [
        &b""[..],
        b"null",
        b"[]",
        b"{",
        b"\xff\xfe",
        b"{\"format\":1}",
    ] {
        let error = verify_signed(1, junk).expect_err("refused");
        assert_eq!(error.fault(), Fault::Malformed, "{junk:?}: {error}");
    }
}

#[test]
fn more_files_than_allowed_are_refused() {
    let paths: Vec<String> = (0..=crate::MAX_FILES)
        .map(|n| format!("s{n}.toml"))
        .collect();
    let many = payload(
        1,
        paths.iter().map(|p| entry(p)).collect(),
        paths.iter().map(|p| file(p)).collect(),
    );
    let text = refused_as_malformed(1, &many);
    assert!(text.contains("more than 2000 files"), "{text}");
}
