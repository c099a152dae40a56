//! `genvej bundle publish FILE --to DIR [--ring NAME]`: puts a verified
//! bundle where the agents fetch it — `all.genvej-bundle` for everyone,
//! `NAME.genvej-bundle` for a ring — replacing the file atomically, so an
//! agent reading the share mid-copy gets the old bundle or the new one,
//! never half of one. A lower sequence than the one already published is
//! refused (agents would refuse it too); the same sequence only when the
//! file is byte for byte the one published (publishing twice is harmless).

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;

use super::super::Cli;
use super::show::refused;
use super::{TrustArgs, read_bundle, trusted_keys, write_atomically};

/// The longest ring name.
const MAX_RING: usize = 32;

pub(super) fn run(
    cli: &Cli,
    file: &Path,
    to: &Path,
    ring: Option<&str>,
    trust: &TrustArgs,
) -> anyhow::Result<ExitCode> {
    if let Some(ring) = ring {
        check_ring(ring)?;
    }
    if !to.is_dir() {
        bail!(
            "{} is not a folder; name the publishing folder (the file share or the web \
             server's folder bundles.from points at)",
            to.display()
        );
    }
    let keys = trusted_keys(cli, trust)?;
    let bytes = read_bundle(file)?;
    let library = match genvej_bundle::verify(&bytes, &keys) {
        Ok(library) => library,
        Err(e) => {
            eprintln!("genvej: not published");
            return Ok(refused(file, &e));
        }
    };
    let sequence = library.manifest.sequence;
    let name = match ring {
        Some(ring) => genvej_bundle::ring_file(ring),
        None => genvej_bundle::EVERYONE_FILE.to_string(),
    };
    let target = to.join(&name);
    if target.exists() {
        let published = read_bundle(&target)?;
        match genvej_bundle::verify(&published, &keys) {
            Ok(old) if old.manifest.sequence > sequence => {
                eprintln!(
                    "genvej: not published: {} already holds bundle {}, and {} is bundle \
                     {sequence}; agents never go back to a lower sequence (build the bundle \
                     again with --sequence {} or higher)",
                    target.display(),
                    old.manifest.sequence,
                    file.display(),
                    old.manifest.sequence + 1
                );
                return Ok(ExitCode::from(1));
            }
            Ok(old) if old.manifest.sequence == sequence => {
                if published == bytes {
                    say!(
                        "{} already holds this bundle ({sequence}); nothing to do",
                        target.display()
                    )?;
                    return Ok(ExitCode::SUCCESS);
                }
                eprintln!(
                    "genvej: not published: {} already holds another bundle with sequence \
                     {sequence}; one sequence number names one bundle (build it again with \
                     --sequence {})",
                    target.display(),
                    sequence + 1
                );
                return Ok(ExitCode::from(1));
            }
            Ok(_) => {}
            // A damaged file, or one signed by a key no longer trusted: the
            // agents refuse it anyway, so it is replaced, but said.
            Err(e) => eprintln!(
                "genvej: warning: replacing {}, which does not verify: {e}",
                target.display()
            ),
        }
    }
    write_atomically(&target, &bytes)?;
    if let Some(ring) = ring {
        warn_if_everyone_is_ahead(to, ring, sequence, &keys);
    }
    let who = match ring {
        Some(ring) => {
            format!("workstations in ring `{ring}` (bundles.ring = \"{ring}\") get it")
        }
        None => "every workstation gets it".to_string(),
    };
    say!(
        "published bundle {sequence} ({} scripts, key {}) as {}: {who} at the next check \
         (bundles.check_minutes)",
        library.files.len(),
        library.manifest.key_id,
        target.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A workstation in a ring runs the ring's bundle only while it is newer
/// than everyone's: say so when it is not.
fn warn_if_everyone_is_ahead(
    to: &Path,
    ring: &str,
    sequence: u64,
    keys: &[genvej_bundle::PublicKey],
) {
    let everyone = to.join(genvej_bundle::EVERYONE_FILE);
    let Ok(bytes) = read_bundle(&everyone) else {
        return;
    };
    if let Ok(library) = genvej_bundle::verify(&bytes, keys) {
        if library.manifest.sequence >= sequence {
            eprintln!(
                "genvej: note: everyone's bundle ({}) is bundle {}, not older than this one: \
                 ring `{ring}` keeps running everyone's until a higher sequence is published \
                 to the ring",
                everyone.display(),
                library.manifest.sequence
            );
        }
    }
}

/// A ring's name: 1–32 of `a-z`, `0-9` and `-`, and not `all` (the file
/// name of everyone's bundle).
fn check_ring(ring: &str) -> anyhow::Result<()> {
    let shape = !ring.is_empty()
        && ring.len() <= MAX_RING
        && ring
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !shape {
        bail!(
            "`{}` is not a ring name: use 1–{MAX_RING} of a–z, 0–9 and `-`, e.g. `pilot`",
            ring.chars()
                .take(40)
                .flat_map(char::escape_debug)
                .collect::<String>()
        );
    }
    if ring == "all" {
        bail!("`all` is everyone's bundle, not a ring: leave out --ring to publish to everyone");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_names_are_short_lower_case_words() {
        for good in ["pilot", "team-3", "a", &"x".repeat(32)] {
            assert!(check_ring(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "all",
            "Pilot",
            "../x",
            "pi lot",
            "pilot.x",
            &"x".repeat(33),
            "æ",
        ] {
            assert!(check_ring(bad).is_err(), "{bad:?}");
        }
    }
}
