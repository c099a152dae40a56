//! `genvej bundle …`: the IT office's commands for signed script bundles —
//! make a signing key, build a checked library into one signed file,
//! verify and show a bundle, and publish it to where the agents fetch it,
//! for everyone or one ring first. The format and its checks are
//! `genvej_bundle`'s; this module reads and writes the files around them.

mod build;
mod keygen;
mod publish;
mod show;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};

use super::{Cli, Setup};
use genvej_bundle::{Fault, PublicKey};
use genvej_format::config::LayerRole;

#[derive(Debug, Subcommand)]
pub enum BundleAction {
    /// Make a signing key pair: DIR/genvej.key (secret; keep it offline)
    /// and DIR/genvej.pub (the public key every agent trusts).
    Keygen {
        /// The folder to write the two files to (made if missing). An
        /// existing key there is never overwritten.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Read the key's password from this file (first line) instead of
        /// asking twice on the terminal.
        #[arg(long, value_name = "FILE", conflicts_with = "no_password")]
        password_file: Option<PathBuf>,
        /// Write the secret key unencrypted. Only for a key kept in a vault
        /// (a password manager, an HSM-backed store): anyone who copies an
        /// unencrypted genvej.key can sign scripts every workstation runs.
        #[arg(long)]
        no_password: bool,
    },
    /// Check a script folder and pack it into one signed bundle file.
    Build {
        /// The library: a folder of checked scripts (as `genvej check DIR`).
        dir: PathBuf,
        /// The secret key file (genvej.key from `genvej bundle keygen`).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The bundle's number: higher than every bundle published before
        /// (agents never go back to a lower one).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        sequence: u64,
        /// The bundle file to write (not inside DIR).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Read the key's password from this file (first line) instead of
        /// asking on the terminal.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// Check a bundle's signature and every script's hash.
    Verify {
        /// The bundle file.
        file: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
    },
    /// Verify a bundle, then list its scripts with versions and approvals.
    Show {
        /// The bundle file.
        file: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Verify a bundle and copy it, atomically, to where agents fetch
    /// bundles: DIR/all.genvej-bundle, or DIR/RING.genvej-bundle.
    Publish {
        /// The bundle file.
        file: PathBuf,
        /// The publishing folder (the file share, or the web server's
        /// folder behind `bundles.from`).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// Publish to this ring only (e.g. `pilot`: the workstations whose
        /// `bundles.ring` names it), not to everyone.
        #[arg(long, value_name = "NAME")]
        ring: Option<String>,
        #[command(flatten)]
        trust: TrustArgs,
    },
    /// Which library this workstation has cached (sequence, build date,
    /// key, scripts), where bundles come from, and how the last check went.
    Status,
}

/// Which public key a bundle is checked against.
#[derive(Debug, Clone, clap::Args)]
pub struct TrustArgs {
    /// The public key file (genvej.pub) or its line; default: the config's
    /// `bundles.trusted_keys`, as the agents check.
    #[arg(long, value_name = "PUBFILE")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Table,
    Json,
}

pub(super) fn run(action: &BundleAction, cli: &Cli) -> anyhow::Result<ExitCode> {
    match action {
        BundleAction::Keygen {
            out,
            password_file,
            no_password,
        } => keygen::run(out, password_file.as_deref(), *no_password),
        BundleAction::Build {
            dir,
            key,
            sequence,
            out,
            password_file,
        } => build::run(cli, dir, key, *sequence, out, password_file.as_deref()),
        BundleAction::Verify { file, trust } => show::verify(cli, file, trust),
        BundleAction::Show {
            file,
            trust,
            format,
        } => show::show(cli, file, trust, *format),
        BundleAction::Publish {
            file,
            to,
            ring,
            trust,
        } => publish::run(cli, file, to, ring.as_deref(), trust),
        BundleAction::Status => super::bundle_status::status(&Setup::resolve(cli)?),
    }
}

/// The keys a bundle is checked against: `--key`, else the config's
/// `bundles.trusted_keys`; none at all is refused here, saying where to
/// name one.
fn trusted_keys(cli: &Cli, trust: &TrustArgs) -> anyhow::Result<Vec<PublicKey>> {
    if let Some(file) = &trust.key {
        // The key's line itself, as in `bundles.trusted_keys`, also does.
        if !file.exists() {
            if let Some(key) = file.to_str().and_then(|l| PublicKey::parse(l).ok()) {
                return Ok(vec![key]);
            }
        }
        let text = read_small_text(file, 4096, "public key")?;
        let key = PublicKey::parse(&text).with_context(|| format!("{}", file.display()))?;
        return Ok(vec![key]);
    }
    let setup = Setup::resolve(cli)?;
    let configured = &setup.config.bundles.trusted_keys;
    if configured.is_empty() {
        // Only the machine-wide config may name trusted keys (the policy
        // drops them from a personal one).
        let files: Vec<String> = setup
            .config_layers
            .iter()
            .filter(|layer| layer.role == LayerRole::Machine)
            .map(|layer| layer.path.display().to_string())
            .collect();
        bail!(
            "no public key to check the bundle with: give --key genvej.pub, or set \
             [bundles] trusted_keys in the machine-wide config ({})",
            if files.is_empty() {
                "none was found".to_string()
            } else {
                files.join(", ")
            }
        );
    }
    configured
        .iter()
        .enumerate()
        .map(|(n, line)| {
            PublicKey::parse(line)
                .with_context(|| format!("bundles.trusted_keys entry {} of the config", n + 1))
        })
        .collect()
}

/// A bundle file's bytes: at most one byte more than any bundle may have,
/// so `verify` names a too-large file without it being read whole.
fn read_bundle(file: &Path) -> anyhow::Result<Vec<u8>> {
    let metadata =
        std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
    if !metadata.is_file() {
        bail!("{} is not a file", file.display());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| {
            f.take(genvej_bundle::MAX_BUNDLE_BYTES + 1)
                .read_to_end(&mut bytes)
        })
        .with_context(|| format!("cannot read {}", file.display()))?;
    Ok(bytes)
}

/// A small text file (a key, a password file), refused when larger than
/// `max` bytes or not UTF-8.
fn read_small_text(file: &Path, max: u64, what: &str) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read the {what} file {}", file.display()))?;
    if bytes.len() as u64 > max {
        bail!(
            "{} is larger than a {what} file can be ({max} bytes)",
            file.display()
        );
    }
    String::from_utf8(bytes)
        .with_context(|| format!("the {what} file {} is not UTF-8 text", file.display()))
}

/// A password from a file: its first line, without the line end.
fn read_password_file(file: &Path) -> anyhow::Result<String> {
    let text = read_small_text(file, 1024, "password")?;
    let password = text.lines().next().unwrap_or_default().to_string();
    if password.is_empty() {
        bail!("the password file {} is empty", file.display());
    }
    Ok(password)
}

/// A short, stable name of a refusal's kind, for scripts reading the output.
fn fault_name(fault: Fault) -> &'static str {
    match fault {
        Fault::NotABundle => "not-a-bundle",
        Fault::Unsigned => "unsigned",
        Fault::UntrustedKey => "untrusted-key",
        Fault::BadSignature => "bad-signature",
        Fault::Altered => "altered",
        Fault::Malformed => "malformed",
        Fault::TooLarge => "too-large",
    }
}

/// Writes `bytes` to `target` so that a reader never sees half a file: a
/// temporary file beside it is written, flushed to disk, then renamed over
/// the target (an atomic replace on the same file system, also on Windows
/// and on an SMB share).
fn write_atomically(target: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .with_context(|| format!("{} names no file", target.display()))?
        .to_string_lossy()
        .into_owned();
    let temporary = folder.join(format!(".{name}.{}.part", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.flush()?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, target)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(e).with_context(|| format!("cannot write {}", target.display()));
    }
    // The rename itself reaches the disk when the folder is synced (Unix;
    // Windows has no folder handles to sync).
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(&folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Text from a bundle's manifest for the terminal: control characters
/// (an escape sequence could rewrite the screen) shown escaped.
fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_a_manifest_are_shown_escaped() {
        assert_eq!(printable("Anne\u{1b}[2J Holm"), "Anne\\u{1b}[2J Holm");
        assert_eq!(printable("Åbn borger"), "Åbn borger");
    }

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("all.genvej-bundle");
        std::fs::write(&target, b"old").expect("write");
        write_atomically(&target, b"new").expect("written");
        assert_eq!(std::fs::read(&target).expect("read"), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("all.genvej-bundle")]);
    }
}
