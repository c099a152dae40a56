//! Packing and signing a library (the IT office's side).

use chrono::{DateTime, Utc};

use crate::keys::SecretKey;
use crate::manifest::{LibraryFile, ManifestEntry, Payload, PayloadFile, ScriptInfo, sha256_hex};
use crate::{FORMAT, MAGIC, MAX_BUNDLE_BYTES, MAX_FILES};

/// Why a bundle could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("a bundle needs at least one script")]
    Empty,
    #[error("{count} scripts: a bundle holds at most {MAX_FILES}")]
    TooManyFiles { count: usize },
    #[error("{path} is in the library twice")]
    Duplicate { path: String },
    #[error("the bundle would be {bytes} bytes; at most {MAX_BUNDLE_BYTES} are allowed")]
    TooLarge { bytes: usize },
    #[error("the sequence number must be 1 or more")]
    ZeroSequence,
    #[error("could not sign: {0}")]
    Sign(String),
}

/// Packs the scripts with their manifest entries and signs them: the bytes
/// of a bundle file.
pub fn seal(
    sequence: u64,
    built: DateTime<Utc>,
    scripts: Vec<(LibraryFile, ScriptInfo)>,
    key: &SecretKey,
) -> Result<Vec<u8>, SealError> {
    if sequence == 0 {
        return Err(SealError::ZeroSequence);
    }
    if scripts.is_empty() {
        return Err(SealError::Empty);
    }
    if scripts.len() > MAX_FILES {
        return Err(SealError::TooManyFiles {
            count: scripts.len(),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut entries = Vec::with_capacity(scripts.len());
    let mut files = Vec::with_capacity(scripts.len());
    for (file, info) in scripts {
        if !seen.insert(file.path.clone()) {
            return Err(SealError::Duplicate {
                path: file.path.to_string(),
            });
        }
        entries.push(ManifestEntry {
            path: file.path.to_string(),
            sha256: sha256_hex(&file.text),
            info,
        });
        files.push(PayloadFile {
            path: file.path.to_string(),
            text: file.text,
        });
    }
    let payload = Payload {
        format: FORMAT,
        sequence,
        built,
        scripts: entries,
        files,
    };
    let json = serde_json::to_vec(&payload).map_err(|e| SealError::Sign(e.to_string()))?;
    let signature = minisign::sign(
        Some(key.public().inner()),
        key.inner(),
        std::io::Cursor::new(&json),
        Some(&trusted_comment(sequence)),
        Some(
            untrusted_comment(key.public().inner().keynum())
                .trim_start_matches("untrusted comment: "),
        ),
    )
    .map_err(|e| SealError::Sign(e.to_string()))?;
    let mut bundle = format!("{MAGIC}\n{}\n", signature.into_string().trim_end()).into_bytes();
    bundle.push(b'\n');
    bundle.extend_from_slice(&json);
    if bundle.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(SealError::TooLarge {
            bytes: bundle.len(),
        });
    }
    Ok(bundle)
}

/// The signed comment: says which sequence the signature is for, so even
/// `minisign -V` shows it.
pub(crate) fn trusted_comment(sequence: u64) -> String {
    format!("genvej-bundle sequence {sequence}")
}

/// The signature's first line, which the signature does not cover: genvej
/// writes exactly this and refuses anything else.
pub(crate) fn untrusted_comment(keynum: &[u8]) -> String {
    format!(
        "untrusted comment: signed by genvej bundle key {}",
        crate::keys::key_id(keynum)
    )
}
