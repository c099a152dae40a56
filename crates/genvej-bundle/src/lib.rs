//! Signed script bundles: the IT office's checked library in one file.
//!
//! The IT office checks its scripts (`genvej check --release`), packs them
//! with a manifest into one file and signs it with its private key
//! (`genvej bundle build`). Every agent fetches that file, verifies the
//! signature against the public keys its machine-wide config trusts and
//! every file's hash against the manifest, and only then runs the scripts.
//!
//! A bundle is a small text header and a signed JSON payload:
//!
//! ```text
//! genvej-bundle 1
//! untrusted comment: …            ┐
//! <signature>                     │ a minisign signature of the payload
//! trusted comment: genvej-bundle sequence 7
//! <signature of the comment>      ┘
//!
//! {"format":1,"sequence":7,"built":"…","scripts":[…],"files":[…]}
//! ```
//!
//! The signature is minisign's (Ed25519 over a BLAKE2b hash of the
//! payload), so `minisign -V -p genvej.pub -x sig -m payload` can check a
//! bundle without genvej. Nothing in the payload is trusted before the
//! signature is: a flipped byte, a truncated download or a key the agent
//! does not know is refused before the JSON is read.

mod keys;
mod manifest;
mod path;
mod seal;
mod verify;

pub use keys::{KeyError, KeyPair, PublicKey, SecretKey};
pub use manifest::{ApprovalEntry, Library, LibraryFile, Manifest, ManifestEntry, ScriptInfo};
pub use path::{LibraryPath, PathError};
pub use seal::{SealError, seal};
pub use verify::{BundleError, Fault, verify};

/// The first line of every bundle.
pub const MAGIC: &str = "genvej-bundle 1";

/// The payload format this genvej writes and reads.
pub const FORMAT: u32 = 1;

/// The largest bundle read at all (about 200 times a library of 80 scripts):
/// more is refused before it is read into memory.
pub const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;

/// The most files one bundle may hold.
pub const MAX_FILES: usize = 2_000;

/// The file name of everyone's bundle at a publishing location.
pub const EVERYONE_FILE: &str = "all.genvej-bundle";

/// The file name of a ring's bundle at a publishing location, e.g.
/// `pilot.genvej-bundle`.
pub fn ring_file(ring: &str) -> String {
    format!("{ring}.genvej-bundle")
}
