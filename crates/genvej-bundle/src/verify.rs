//! Checking a bundle (the agent's side). Everything in it is hostile until
//! the signature is checked: the size is bounded before anything is read,
//! the header is parsed line by line with bounded lines, and the JSON is
//! read only after the signature matched a trusted key. Then every file's
//! hash must match the manifest and every path must be a plain script path.

use std::collections::BTreeMap;

use crate::keys::{PublicKey, key_id};
use crate::manifest::{Library, LibraryFile, Manifest, Payload, sha256_hex};
use crate::path::LibraryPath;
use crate::seal::{trusted_comment, untrusted_comment};
use crate::{FORMAT, MAGIC, MAX_BUNDLE_BYTES, MAX_FILES};

/// The longest header line read (a minisign signature line is ~150 bytes).
const MAX_HEADER_LINE: usize = 1024;

/// What kind of problem a refused bundle has: for the caseworker's notice
/// and for tests; the error's text says it in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Not a bundle file at all (an HTML error page, a wrong file).
    NotABundle,
    /// A bundle without a signature.
    Unsigned,
    /// Signed, but by a key the agent does not trust (or it trusts none).
    UntrustedKey,
    /// The signature does not match: altered or truncated on the way.
    BadSignature,
    /// A script does not match its hash in the manifest.
    Altered,
    /// Signed and intact, but not a bundle this agent can use.
    Malformed,
    /// Larger than any bundle may be.
    TooLarge,
}

/// Why a bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not a genvej bundle (it does not start with `{MAGIC}`)")]
    NotABundle,
    #[error("the bundle is not signed")]
    Unsigned,
    #[error("no public keys are trusted (bundles.trusted_keys is empty)")]
    NoTrustedKeys,
    #[error("signed by key {key_id}, which is not a trusted key (trusted: {trusted})")]
    UntrustedKey { key_id: String, trusted: String },
    #[error(
        "the signature does not match the contents: the bundle was altered or is incomplete \
         ({bytes} bytes)"
    )]
    BadSignature { bytes: usize },
    #[error("{path} does not match its hash in the manifest")]
    Altered { path: String },
    #[error("the bundle is signed but unusable: {detail}")]
    Malformed { detail: String },
    #[error("the bundle is {bytes} bytes; at most {MAX_BUNDLE_BYTES} are read")]
    TooLarge { bytes: u64 },
}

impl BundleError {
    pub fn fault(&self) -> Fault {
        match self {
            BundleError::NotABundle => Fault::NotABundle,
            BundleError::Unsigned => Fault::Unsigned,
            BundleError::NoTrustedKeys | BundleError::UntrustedKey { .. } => Fault::UntrustedKey,
            BundleError::BadSignature { .. } => Fault::BadSignature,
            BundleError::Altered { .. } => Fault::Altered,
            BundleError::Malformed { .. } => Fault::Malformed,
            BundleError::TooLarge { .. } => Fault::TooLarge,
        }
    }
}

fn malformed(detail: impl Into<String>) -> BundleError {
    BundleError::Malformed {
        detail: detail.into(),
    }
}

/// Checks a bundle's signature against the trusted keys, then its manifest
/// and files; the library if everything holds.
pub fn verify(bytes: &[u8], trusted: &[PublicKey]) -> Result<Library, BundleError> {
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge {
            bytes: bytes.len() as u64,
        });
    }
    let mut rest = bytes;
    let first = next_line(&mut rest).ok_or(BundleError::NotABundle)?;
    if first != MAGIC.as_bytes() {
        return Err(match first.strip_prefix(b"genvej-bundle ") {
            // The rest of the line is unsigned and may be anything (even a
            // CPR number): a number is shown, anything else is not.
            Some(version) => malformed(match std::str::from_utf8(version) {
                Ok(number) if number.len() <= 4 && number.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("format {number} is not known to this genvej (it reads `{MAGIC}`)")
                }
                _ => format!("its first line is not `{MAGIC}`"),
            }),
            None => BundleError::NotABundle,
        });
    }
    let signature_text = signature_lines(&mut rest)?;
    let signature = read_signature(&signature_text)?;
    let payload = rest;
    // The first line is not covered by the signature; it must be exactly
    // what genvej writes, so that no byte of a bundle can change unnoticed.
    if !signature_text.starts_with(&format!("{}\n", untrusted_comment(signature.keynum()))) {
        return Err(malformed("its first signature line is not genvej's"));
    }
    if trusted.is_empty() {
        return Err(BundleError::NoTrustedKeys);
    }
    let key = trusted
        .iter()
        .find(|k| k.inner().keynum() == signature.keynum())
        .ok_or_else(|| BundleError::UntrustedKey {
            key_id: key_id(signature.keynum()),
            trusted: trusted
                .iter()
                .map(PublicKey::id)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    minisign::verify(
        key.inner(),
        &signature,
        std::io::Cursor::new(payload),
        true,
        false,
        false,
    )
    .map_err(|_| BundleError::BadSignature { bytes: bytes.len() })?;
    // Signed by a trusted key from here on; still checked, never trusted
    // to be well-formed.
    let comment = signature
        .trusted_comment()
        .map_err(|_| malformed("its signature has no signed comment"))?;
    let payload: Payload = serde_json::from_slice(payload)
        .map_err(|e| malformed(format!("its contents are not a bundle's JSON ({e})")))?;
    check_payload(payload, &comment, key)
}

fn check_payload(payload: Payload, comment: &str, key: &PublicKey) -> Result<Library, BundleError> {
    if payload.format != FORMAT {
        return Err(malformed(format!(
            "payload format {} (this genvej reads {FORMAT})",
            payload.format
        )));
    }
    if payload.sequence == 0 {
        return Err(malformed("sequence number 0"));
    }
    if comment != trusted_comment(payload.sequence) {
        return Err(malformed(
            "the signed comment names another sequence number",
        ));
    }
    if payload.files.len() > MAX_FILES {
        return Err(malformed(format!("more than {MAX_FILES} files")));
    }
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for file in payload.files {
        if texts.contains_key(&file.path) {
            return Err(malformed(format!("{} is in the bundle twice", file.path)));
        }
        texts.insert(file.path, file.text);
    }
    if payload.scripts.len() != texts.len() {
        return Err(malformed(
            "the manifest and the files do not list the same scripts",
        ));
    }
    let mut files = Vec::with_capacity(payload.scripts.len());
    for entry in &payload.scripts {
        let path = LibraryPath::parse(&entry.path).map_err(|e| malformed(e.to_string()))?;
        let text = texts.remove(&entry.path).ok_or_else(|| {
            malformed(format!("{} is in the manifest but not in the bundle", path))
        })?;
        if sha256_hex(&text) != entry.sha256 {
            return Err(BundleError::Altered {
                path: path.to_string(),
            });
        }
        files.push(LibraryFile { path, text });
    }
    Ok(Library {
        manifest: Manifest {
            sequence: payload.sequence,
            built: payload.built,
            key_id: key.id(),
            scripts: payload.scripts,
        },
        files,
    })
}

/// The minisign signature, read strictly. minisign's own reader trims
/// spaces and `\r` around the lines and does not check the length of the
/// comment's signature (a short one panics in its Ed25519 code), so the
/// lines must be exactly what minisign writes: the signature read back and
/// written again gives the same text, and the comment's signature is 64
/// bytes (86 base64 characters and `==`). Then no byte of the header can
/// change while the bundle still verifies.
fn read_signature(text: &str) -> Result<minisign::SignatureBox, BundleError> {
    let global = text.lines().nth(3).unwrap_or_default();
    let base64 = |c: u8| c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
    let well_formed_global =
        global.len() == 88 && global.ends_with("==") && global.bytes().take(86).all(base64);
    if !well_formed_global {
        return Err(malformed(
            "its comment's signature is not 64 bytes of base64",
        ));
    }
    let signature = minisign::SignatureBox::from_string(text)
        .map_err(|_| malformed("its signature lines cannot be read"))?;
    if signature.to_string() != text {
        return Err(malformed(
            "its signature lines are not exactly as genvej writes them (spaces, line ends or \
             padding changed)",
        ));
    }
    Ok(signature)
}

/// The next line (without its `\n`), at most [`MAX_HEADER_LINE`] long.
fn next_line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let end = rest
        .iter()
        .take(MAX_HEADER_LINE + 1)
        .position(|&b| b == b'\n')?;
    let line = &rest[..end];
    *rest = &rest[end + 1..];
    Some(line)
}

/// The four lines of the minisign signature and the empty line after them.
fn signature_lines(rest: &mut &[u8]) -> Result<String, BundleError> {
    let mut lines = Vec::with_capacity(4);
    for index in 0..4 {
        let line = next_line(rest).ok_or_else(|| {
            if index == 0 {
                BundleError::Unsigned
            } else {
                malformed("its signature is cut short")
            }
        })?;
        let line = std::str::from_utf8(line).map_err(|_| malformed("its signature is not text"))?;
        if index == 0 && !line.starts_with("untrusted comment:") {
            return Err(BundleError::Unsigned);
        }
        lines.push(line);
    }
    match next_line(rest) {
        Some([]) => Ok(lines.join("\n") + "\n"),
        _ => Err(malformed("no empty line after its signature")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyPair;
    use crate::manifest::ScriptInfo;
    use crate::seal::seal;

    const SCRIPT: &str = "id = \"signatur\"\nname = \"Signatur\"\nmanual_seconds = 20\n\n[[step]]\ntype = \"Med venlig hilsen\"\n";

    fn library_of(paths: &[&str]) -> Vec<(LibraryFile, ScriptInfo)> {
        paths
            .iter()
            .map(|p| {
                let file = LibraryFile {
                    path: LibraryPath::parse(p).expect("path"),
                    text: SCRIPT.to_string(),
                };
                let info = ScriptInfo {
                    id: "signatur".into(),
                    name: "Signatur".into(),
                    version: Some("1.0".into()),
                    ..ScriptInfo::default()
                };
                (file, info)
            })
            .collect()
    }

    fn sealed(sequence: u64, key: &KeyPair) -> Vec<u8> {
        seal(
            sequence,
            chrono::Utc::now(),
            library_of(&["Journal/signatur.toml"]),
            &key.secret,
        )
        .expect("sealed")
    }

    #[test]
    fn a_sealed_bundle_verifies_with_its_key() {
        let key = KeyPair::generate(None).expect("key");
        let bundle = sealed(7, &key);
        let library = verify(&bundle, &[key.secret.public().clone()]).expect("verifies");
        assert_eq!(library.manifest.sequence, 7);
        assert_eq!(library.manifest.key_id, key.secret.public().id());
        assert_eq!(library.files.len(), 1);
        assert_eq!(library.files[0].path.as_str(), "Journal/signatur.toml");
        assert_eq!(library.files[0].text, SCRIPT);
        assert_eq!(
            library.manifest.scripts[0].info.version.as_deref(),
            Some("1.0")
        );
    }

    #[test]
    fn a_bundle_signed_by_another_key_is_refused_and_names_the_key() {
        let ours = KeyPair::generate(None).expect("key");
        let theirs = KeyPair::generate(None).expect("key");
        let bundle = sealed(1, &theirs);
        let error = verify(&bundle, &[ours.secret.public().clone()]).expect_err("refused");
        assert_eq!(error.fault(), Fault::UntrustedKey);
        assert!(
            error.to_string().contains(&theirs.secret.public().id()),
            "{error}"
        );
        let error = verify(&bundle, &[]).expect_err("no keys");
        assert_eq!(error, BundleError::NoTrustedKeys);
    }

    #[test]
    fn every_flipped_byte_and_every_truncation_is_refused() {
        let key = KeyPair::generate(None).expect("key");
        let trusted = [key.secret.public().clone()];
        let bundle = sealed(3, &key);
        for at in 0..bundle.len() {
            let mut altered = bundle.clone();
            altered[at] ^= 0x01;
            assert!(
                verify(&altered, &trusted).is_err(),
                "flipped byte {at} accepted"
            );
        }
        for len in 0..bundle.len() {
            assert!(
                verify(&bundle[..len], &trusted).is_err(),
                "truncated to {len} accepted"
            );
        }
    }

    #[test]
    fn a_signed_payload_whose_file_differs_from_its_hash_is_refused() {
        let key = KeyPair::generate(None).expect("key");
        let bundle = sealed(2, &key);
        let text = String::from_utf8(bundle).expect("utf-8");
        let (_, json) = text.split_once("\n\n").expect("payload");
        let mut payload: Payload = serde_json::from_str(json).expect("json");
        payload.files[0].text.push_str("# tilføjet\n");
        let json = serde_json::to_vec(&payload).expect("json");
        let signature = minisign::sign(
            None,
            key.secret.inner(),
            std::io::Cursor::new(&json),
            Some(&trusted_comment(2)),
            Some(
                untrusted_comment(key.secret.public().inner().keynum())
                    .trim_start_matches("untrusted comment: "),
            ),
        )
        .expect("signed");
        let mut forged =
            format!("{MAGIC}\n{}\n\n", signature.into_string().trim_end()).into_bytes();
        forged.extend_from_slice(&json);
        let error = verify(&forged, &[key.secret.public().clone()]).expect_err("refused");
        assert_eq!(
            error,
            BundleError::Altered {
                path: "Journal/signatur.toml".into()
            }
        );
    }

    /// The bundle with one header line (0: the magic line) changed.
    fn with_header_line(bundle: &[u8], index: usize, change: impl Fn(&str) -> String) -> Vec<u8> {
        let text = String::from_utf8(bundle.to_vec()).expect("utf-8");
        let (header, payload) = text.split_once("\n\n").expect("payload");
        let mut lines: Vec<String> = header.lines().map(str::to_string).collect();
        lines[index] = change(&lines[index]);
        format!("{}\n\n{payload}", lines.join("\n")).into_bytes()
    }

    #[test]
    fn spaces_and_carriage_returns_in_the_signature_lines_are_refused() {
        // minisign's reader trims them; a bundle is only good byte for byte.
        let key = KeyPair::generate(None).expect("key");
        let trusted = [key.secret.public().clone()];
        let bundle = sealed(3, &key);
        for line in 2..=4 {
            for change in [
                |l: &str| format!("{l} "),
                |l: &str| format!("{l}\r"),
                |l: &str| format!(" {l}"),
                |l: &str| format!("{l}\t"),
            ] {
                let altered = with_header_line(&bundle, line, change);
                let error = verify(&altered, &trusted).expect_err("refused");
                assert_eq!(error.fault(), Fault::Malformed, "line {line}: {error}");
            }
        }
    }

    #[test]
    fn a_short_comment_signature_is_refused_without_a_panic() {
        // minisign's Ed25519 code slices 64 bytes without checking.
        let key = KeyPair::generate(None).expect("key");
        let trusted = [key.secret.public().clone()];
        let bundle = sealed(3, &key);
        for keep in [0, 4, 8, 60, 72, 84, 87] {
            let altered = with_header_line(&bundle, 4, |l| l[..keep].to_string());
            let error = verify(&altered, &trusted).expect_err("refused");
            assert_eq!(error.fault(), Fault::Malformed, "{keep}: {error}");
        }
        let altered = with_header_line(&bundle, 4, |_| "AAAA".repeat(10));
        assert!(verify(&altered, &trusted).is_err());
    }

    #[test]
    fn the_unsigned_first_line_is_never_echoed_but_a_format_number() {
        let key = KeyPair::generate(None).expect("key");
        let trusted = [key.secret.public().clone()];
        let error = verify(b"genvej-bundle 070761-4285\n", &trusted).expect_err("refused");
        assert!(!error.to_string().contains("070761"), "{error}");
        let error = verify(b"genvej-bundle 2\n", &trusted).expect_err("refused");
        assert!(
            error.to_string().contains("format 2 is not known"),
            "{error}"
        );
    }

    #[test]
    fn files_that_are_not_bundles_are_named_so() {
        let key = KeyPair::generate(None).expect("key");
        let trusted = [key.secret.public().clone()];
        let html = b"<html><body>502 Bad Gateway</body></html>";
        assert_eq!(
            verify(html, &trusted).expect_err("html").fault(),
            Fault::NotABundle
        );
        let bare = format!("{MAGIC}\n{{\"format\":1}}\n");
        assert_eq!(
            verify(bare.as_bytes(), &trusted).expect_err("bare").fault(),
            Fault::Unsigned
        );
        let future = b"genvej-bundle 9\n";
        assert_eq!(
            verify(future, &trusted).expect_err("v9").fault(),
            Fault::Malformed
        );
        let huge = vec![b'x'; (MAX_BUNDLE_BYTES + 1) as usize];
        assert_eq!(
            verify(&huge, &trusted).expect_err("huge").fault(),
            Fault::TooLarge
        );
    }
}
