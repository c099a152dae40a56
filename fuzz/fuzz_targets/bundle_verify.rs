//! Fuzz target: bytes → `genvej_bundle::verify`, as an agent reads a file
//! it fetched from a share or a web server: the whole input as a bundle,
//! checked against a fixed trusted key (the corpus holds a real bundle
//! signed by it, so mutations start from a good one). A signature cannot
//! be forged by mutation, so the checks behind it (JSON, manifest, paths,
//! hashes) are fuzzed too: what follows the first empty line is signed
//! with the fixed key as a payload and verified. Nothing may panic, and
//! only a payload genvej's checks accept may verify.

#![no_main]

use std::sync::LazyLock;

use genvej_bundle::{PublicKey, SecretKey, sign_payload_for_tests, verify};
use libfuzzer_sys::fuzz_target;

/// A key made for this fuzz target only (`genvej bundle keygen
/// --no-password`); no config anywhere trusts it. The corpus's bundles
/// are signed with it.
const FUZZ_ONLY_SECRET_KEY: &str = "untrusted comment: genvej bundle secret key 2964B7985915708D
RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAjXAVWZi3ZCl7mz51kzuaR7d2AlsnzbmGBHdL2M3l1rBNv/ksCdpmoZaGX7z746GQtM8YBcPyppIZ9HaPgxpGNRvbZ/9e4/uPdjONxhz995+Xv6WnAfrMvgYLQdWpNS39ekNpQ1BccZI=
";

static KEY: LazyLock<SecretKey> =
    LazyLock::new(|| SecretKey::parse(FUZZ_ONLY_SECRET_KEY, None).expect("the fuzz key"));
static TRUSTED: LazyLock<[PublicKey; 1]> = LazyLock::new(|| [KEY.public().clone()]);

fuzz_target!(|data: &[u8]| {
    let _ = verify(data, &TRUSTED[..]);
    let _ = verify(data, &[]);
    let Some(at) = data.windows(2).position(|w| w == b"\n\n") else {
        return;
    };
    let payload = &data[at + 2..];
    let Ok(bundle) = sign_payload_for_tests(sequence_in(payload), payload, &KEY) else {
        return;
    };
    if let Ok(library) = verify(&bundle, &TRUSTED[..]) {
        // What verify promises the agent about a library it returns.
        assert!(library.manifest.sequence > 0);
        assert_eq!(library.files.len(), library.manifest.scripts.len());
        for (file, entry) in library.files.iter().zip(&library.manifest.scripts) {
            assert_eq!(file.path.as_str(), entry.path);
            assert!(
                file.path
                    .as_str()
                    .split('/')
                    .all(|part| !part.is_empty() && part != "." && part != "..")
            );
        }
    }
});

/// The number after the payload's first `"sequence":`, so the signed
/// comment matches it (else every signed payload is refused for that).
fn sequence_in(payload: &[u8]) -> u64 {
    let key = b"\"sequence\":";
    payload
        .windows(key.len())
        .position(|w| w == key)
        .map(|at| {
            payload[at + key.len()..]
                .iter()
                .take(20)
                .take_while(|b| b.is_ascii_digit())
                .fold(0u64, |n, &b| n.saturating_mul(10).saturating_add(u64::from(b - b'0')))
        })
        .unwrap_or(1)
}
