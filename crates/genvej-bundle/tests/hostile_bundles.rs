//! Hostile bundles: thousands of damaged copies of real, validly signed
//! bundles — bytes flipped, replaced, inserted or removed, cut short, lines
//! doubled or dropped, headers and payloads of two bundles spliced — go
//! through `verify`. None may panic and none may verify: a bundle is either
//! exactly what the IT office signed or refused.
//!
//! The seed is fixed so a failure replays; `GENVEJ_PROPTEST_SEED` and
//! `GENVEJ_PROPTEST_CASES` try others and more (as the checker's
//! hostile_input test does).

use std::panic::{AssertUnwindSafe, catch_unwind};

use genvej_bundle::{
    BundleError, KeyPair, Library, LibraryFile, LibraryPath, PublicKey, ScriptInfo, seal, verify,
};

const SCRIPTS: &[(&str, &str)] = &[
    (
        "Journal/signatur.toml",
        "id = \"signatur\"\nname = \"Signatur\"\nmanual_seconds = 20\nhotkey = \"Ctrl+Alt+S\"\n\n[[step]]\ntype = \"Med venlig hilsen\\nJobcentret\"\n",
    ),
    (
        "Borger/aabn-borger.toml",
        "id = \"aabn-borger\"\nname = \"Åbn borger\"\nmanual_seconds = 30\n\n[[input]]\nname = \"cpr\"\nkind = \"cpr\"\n\n[[step]]\nkey = \"Ctrl+F\"\n",
    ),
    (
        "Plan/indsatsplan.toml",
        "id = \"indsatsplan\"\nname = \"Indsatsplan – overskrifter\"\nmanual_seconds = 90\n\n[[step]]\npaste = \"Mål\\n\\nIndsats\\n\\nOpfølgning\"\n",
    ),
];

fn library(version: &str) -> Vec<(LibraryFile, ScriptInfo)> {
    SCRIPTS
        .iter()
        .map(|(path, text)| {
            let id = path
                .rsplit('/')
                .next()
                .and_then(|f| f.strip_suffix(".toml"))
                .expect("file name");
            (
                LibraryFile {
                    path: LibraryPath::parse(path).expect("path"),
                    text: format!("{text}# version {version}\n"),
                },
                ScriptInfo {
                    id: id.to_string(),
                    name: id.to_string(),
                    version: Some(version.to_string()),
                    owner: Some("IT-kontoret".to_string()),
                    ..ScriptInfo::default()
                },
            )
        })
        .collect()
}

fn sealed(sequence: u64, version: &str, key: &KeyPair) -> Vec<u8> {
    seal(sequence, chrono::Utc::now(), library(version), &key.secret).expect("sealed")
}

/// The seeded generator: GENVEJ_PROPTEST_SEED or a fixed seed.
fn rng() -> (fastrand::Rng, u64) {
    let seed = std::env::var("GENVEJ_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6e76_656a_6275_6e64);
    (fastrand::Rng::with_seed(seed), seed)
}

fn cases(default: usize) -> usize {
    std::env::var("GENVEJ_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Verifies without letting a panic escape: the test names the case.
fn verify_caught(bytes: &[u8], trusted: &[PublicKey]) -> Result<Result<Library, BundleError>, ()> {
    catch_unwind(AssertUnwindSafe(|| verify(bytes, trusted))).map_err(|_| ())
}

/// One random damage to a bundle; the name says what was done.
fn mutate(rng: &mut fastrand::Rng, bundle: &[u8]) -> (Vec<u8>, String) {
    let mut bytes = bundle.to_vec();
    // Damage the header (the unsigned part) more often than its share of
    // the bytes: that is where a lenient reader would let a change through.
    let header_end = bundle
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(bundle.len(), |p| p + 2);
    let at = if rng.bool() {
        rng.usize(..header_end)
    } else {
        rng.usize(..bundle.len())
    };
    let odd = [
        b' ', b'\r', b'\n', b'\t', b'=', b'A', b'/', b'+', 0, 0xff, b'"', b'{',
    ];
    let name = match rng.u8(..9) {
        0 => {
            let bit = 1 << rng.u8(..8);
            bytes[at] ^= bit;
            format!("bit {bit:#x} flipped at {at}")
        }
        1 => {
            let value = if rng.bool() {
                rng.u8(..)
            } else {
                odd[rng.usize(..odd.len())]
            };
            if bytes[at] == value {
                bytes[at] = value.wrapping_add(1);
            } else {
                bytes[at] = value;
            }
            format!("byte {at} replaced")
        }
        2 => {
            let value = odd[rng.usize(..odd.len())];
            bytes.insert(at, value);
            format!("{value:#x} inserted at {at}")
        }
        3 => {
            bytes.remove(at);
            format!("byte {at} removed")
        }
        4 => {
            let len = rng.usize(..bundle.len());
            bytes.truncate(len);
            format!("cut to {len} bytes")
        }
        5 => {
            let len = rng.usize(1..=bundle.len().min(64));
            let end = (at + len).min(bytes.len());
            bytes.drain(at..end);
            format!("bytes {at}..{end} removed")
        }
        6 => {
            let lines: Vec<&[u8]> = bundle.split(|&b| b == b'\n').collect();
            let line = rng.usize(..lines.len());
            let mut lines = lines;
            if rng.bool() {
                lines.insert(line, lines[line]);
                bytes = lines.join(&b'\n');
                format!("line {line} doubled")
            } else {
                lines.remove(line);
                bytes = lines.join(&b'\n');
                format!("line {line} dropped")
            }
        }
        7 => {
            bytes = bundle
                .iter()
                .flat_map(|&b| {
                    if b == b'\n' {
                        vec![b'\r', b'\n']
                    } else {
                        vec![b]
                    }
                })
                .collect();
            "line endings turned into CRLF".to_string()
        }
        _ => {
            let extra = [b"\n".as_slice(), b" ", b"\0", b"{}", b"\n\n"];
            bytes.extend_from_slice(extra[rng.usize(..extra.len())]);
            "bytes appended".to_string()
        }
    };
    (bytes, name)
}

#[test]
fn damaged_copies_of_a_signed_bundle_never_verify_and_never_panic() {
    let key = KeyPair::generate(None).expect("key");
    let trusted = [key.secret.public().clone()];
    let originals = [sealed(4, "1.0", &key), sealed(5, "1.1", &key)];
    for original in &originals {
        verify(original, &trusted).expect("the undamaged bundle verifies");
    }
    let (mut rng, seed) = rng();
    let total = cases(4_000);
    for case in 0..total {
        let original = &originals[case % originals.len()];
        let (damaged, what) = mutate(&mut rng, original);
        if &damaged == original {
            continue;
        }
        match verify_caught(&damaged, &trusted) {
            Err(()) => panic!("seed {seed}, case {case}: verify panicked on a bundle with {what}"),
            Ok(Ok(_)) => panic!(
                "seed {seed}, case {case}: a bundle with {what} verified:\n{}",
                String::from_utf8_lossy(&damaged)
            ),
            Ok(Err(_)) => {}
        }
    }
}

#[test]
fn the_header_of_one_signed_bundle_with_the_payload_of_another_is_refused() {
    let key = KeyPair::generate(None).expect("key");
    let trusted = [key.secret.public().clone()];
    let bundles = [
        sealed(1, "1.0", &key),
        sealed(2, "2.0", &key),
        sealed(2, "2.0-b", &key),
        sealed(3, "3.0", &key),
    ];
    let split = |bundle: &[u8]| {
        let at = bundle
            .windows(2)
            .position(|w| w == b"\n\n")
            .expect("a header and a payload")
            + 2;
        (bundle[..at].to_vec(), bundle[at..].to_vec())
    };
    for (a, first) in bundles.iter().enumerate() {
        for (b, second) in bundles.iter().enumerate() {
            if a == b {
                continue;
            }
            let (header, _) = split(first);
            let (_, payload) = split(second);
            let spliced = [header, payload].concat();
            let error = verify(&spliced, &trusted).expect_err("spliced bundle refused");
            assert_eq!(
                error,
                BundleError::BadSignature {
                    bytes: spliced.len()
                },
                "header of {a}, payload of {b}"
            );
        }
    }
    // The two halves of two bundles signed by different trusted keys.
    let other = KeyPair::generate(None).expect("key");
    let both = [key.secret.public().clone(), other.secret.public().clone()];
    let (header, _) = split(&sealed(9, "9.0", &other));
    let (_, payload) = split(&bundles[0]);
    let spliced = [header, payload].concat();
    assert!(verify(&spliced, &both).is_err());
}

#[test]
fn random_bytes_and_random_lines_after_the_magic_never_panic() {
    let key = KeyPair::generate(None).expect("key");
    let trusted = [key.secret.public().clone()];
    let (mut rng, seed) = rng();
    let pieces: [&[u8]; 8] = [
        b"genvej-bundle 1\n",
        b"untrusted comment: signed by genvej bundle key 0000000000000000\n",
        b"trusted comment: genvej-bundle sequence 1\n",
        b"RUQ=\n",
        b"\n",
        b"{\"format\":1}",
        b"\xff\xfe",
        b"RWQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    ];
    for case in 0..cases(2_000) {
        let mut bytes = Vec::new();
        for _ in 0..rng.usize(1..10) {
            if rng.u8(..4) == 0 {
                bytes.extend((0..rng.usize(..200)).map(|_| rng.u8(..)));
            } else {
                bytes.extend_from_slice(pieces[rng.usize(..pieces.len())]);
            }
        }
        match verify_caught(&bytes, &trusted) {
            Err(()) => panic!("seed {seed}, case {case}: verify panicked on {bytes:?}"),
            Ok(Ok(_)) => panic!("seed {seed}, case {case}: random bytes verified: {bytes:?}"),
            Ok(Err(_)) => {}
        }
    }
}
