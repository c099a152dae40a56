//! `genvej bundle keygen --out DIR`: the IT office's signing key pair.
//! The secret key is written once (never over an existing one: a lost
//! key means every workstation's config must change), readable by its
//! owner only on Unix, encrypted with a password unless `--no-password`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};

use genvej_bundle::KeyPair;

/// The secret key's file name in DIR.
pub(super) const SECRET_FILE: &str = "genvej.key";
/// The public key's file name in DIR.
pub(super) const PUBLIC_FILE: &str = "genvej.pub";

pub(super) fn run(
    out: &Path,
    password_file: Option<&Path>,
    no_password: bool,
) -> anyhow::Result<ExitCode> {
    let secret_path = out.join(SECRET_FILE);
    let public_path = out.join(PUBLIC_FILE);
    for existing in [&secret_path, &public_path] {
        if existing.exists() {
            bail!(
                "{} already exists; genvej never overwrites a signing key (the workstations \
                 trust its public key). Move it away first, or choose another --out folder",
                existing.display()
            );
        }
    }
    let password = if no_password {
        None
    } else if let Some(file) = password_file {
        Some(super::read_password_file(file)?)
    } else {
        Some(ask_new_password()?)
    };
    std::fs::create_dir_all(out).with_context(|| format!("cannot make {}", out.display()))?;
    let pair = KeyPair::generate(password.as_deref())?;
    let public = pair.secret.public();
    write_new(&secret_path, pair.secret_file_text.as_bytes(), true)?;
    if let Err(e) = write_new(&public_path, public.to_file_text().as_bytes(), false) {
        // A secret key without its public file is of no use; leave nothing.
        let _ = std::fs::remove_file(&secret_path);
        return Err(e);
    }
    say!(
        "made signing key {id}:\n  {secret}  the secret key ({protection}): keep it offline \
         (never on the share or a workstation), with a backup\n  {public_file}  the public key",
        id = public.id(),
        secret = secret_path.display(),
        protection = if password.is_some() {
            "password-protected"
        } else {
            "NOT password-protected: keep it in a vault"
        },
        public_file = public_path.display(),
    )?;
    say!(
        "put the public key in the machine-wide config (or the MSI's BUNDLEKEY property):\n\n\
         [bundles]\ntrusted_keys = [\"{}\"]",
        public.to_line()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Asks for the new key's password twice on the terminal, without echo.
fn ask_new_password() -> anyhow::Result<String> {
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt).context(
            "cannot ask for a password without a terminal: give --password-file FILE, or \
             --no-password for a key kept in a vault",
        )
    };
    let first = ask("password for the new signing key: ")?;
    if first.is_empty() {
        bail!("an empty password; give one, or use --no-password for a key kept in a vault");
    }
    let second = ask("the same password again: ")?;
    if first != second {
        bail!("the two passwords differ; nothing was written");
    }
    Ok(first)
}

/// Writes a file that must not exist yet; `secret`: readable by its owner
/// only (mode 0600 on Unix; on Windows the folder's permissions apply).
fn write_new(path: &Path, bytes: &[u8], secret: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let written = options.open(path).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    written.with_context(|| format!("cannot write {}", path.display()))
}
