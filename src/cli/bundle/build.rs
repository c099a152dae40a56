//! `genvej bundle build DIR --key FILE --sequence N --out FILE`: checks the
//! library as `genvej check` does, refuses to pack one with errors, and
//! seals every script file with its manifest entry into one signed file.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::super::{Cli, Setup};
use genvej_bundle::{KeyError, LibraryFile, LibraryPath, ScriptInfo, SecretKey};
use genvej_format::config::Config;
use genvej_format::script::{self, ScriptSet};

pub(super) fn run(
    cli: &Cli,
    dir: &Path,
    key_file: &Path,
    sequence: u64,
    out: &Path,
    password_file: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    if !dir.is_dir() {
        bail!("{} is not a folder of scripts", dir.display());
    }
    refuse_output_inside(dir, out)?;
    let setup = Setup::resolve(cli)?;
    let set = check_library(dir, &setup.config);
    if set.error_count() > 0 {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", set.render_diagnostics())?;
        writeln!(
            stdout,
            "checked {} script files: {} errors, {} warnings — no bundle was built",
            set.files_checked,
            set.error_count(),
            set.warning_count()
        )?;
        return Ok(ExitCode::from(1));
    }
    if !set.diagnostics.is_empty() {
        eprintln!("{}", set.render_diagnostics());
    }
    if set.scripts.len() != set.files_checked {
        bail!(
            "{} script files were read but {} scripts came out of them; run `genvej check {}`",
            set.files_checked,
            set.scripts.len(),
            dir.display()
        );
    }
    let files = pack(dir, &set)?;
    let count = files.len();
    let key = load_secret_key(key_file, password_file)?;
    let bytes = genvej_bundle::seal(sequence, chrono::Utc::now(), files, &key)
        .context("cannot build the bundle")?;
    super::write_atomically(out, &bytes)?;
    say!(
        "built bundle {sequence}: {count} script{}, {} bytes, signed by key {} → {}",
        if count == 1 { "" } else { "s" },
        bytes.len(),
        key.public().id(),
        out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The one place `bundle build` checks the library: the release check
/// (`genvej check --release`: owner, version and both approvals required),
/// so a bundle is only ever built from a library fit to release.
fn check_library(dir: &Path, config: &Config) -> ScriptSet {
    script::load_release(&[dir.to_path_buf()], config)
}

/// Every checked script with its path inside the bundle (relative to DIR,
/// `/`-separated) and its text as checked.
fn pack(dir: &Path, set: &ScriptSet) -> anyhow::Result<Vec<(LibraryFile, ScriptInfo)>> {
    let mut files = Vec::with_capacity(set.scripts.len());
    for script in &set.scripts {
        let path = &script.file.path;
        let text = set
            .texts
            .get(path)
            .with_context(|| format!("{}: its checked text is missing", path.display()))?;
        let inside = library_path(dir, path)?;
        files.push((
            LibraryFile {
                path: inside,
                text: text.clone(),
            },
            ScriptInfo::of(script),
        ));
    }
    Ok(files)
}

/// A script file's path inside the bundle; one the bundle format refuses
/// (`..`, a hidden folder, too deep, an odd character) is an error naming
/// the file.
fn library_path(dir: &Path, file: &Path) -> anyhow::Result<LibraryPath> {
    let relative = file
        .strip_prefix(dir)
        .with_context(|| format!("{} is not inside {}", file.display(), dir.display()))?;
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => {
                parts.push(part.to_str().with_context(|| {
                    format!("{}: a file name that is not Unicode", file.display())
                })?)
            }
            _ => bail!(
                "{}: cannot stand in a bundle (an odd path component)",
                file.display()
            ),
        }
    }
    LibraryPath::parse(&parts.join("/")).map_err(|e| {
        anyhow::anyhow!(
            "{}: cannot stand in a bundle ({}); rename or move it",
            file.display(),
            e.problem
        )
    })
}

/// `--out` inside the library would be packed into the next bundle (or
/// checked as a script); it is refused.
fn refuse_output_inside(dir: &Path, out: &Path) -> anyhow::Result<()> {
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    let name = out
        .file_name()
        .with_context(|| format!("--out {} names no file", out.display()))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = parent.canonicalize().with_context(|| {
        format!(
            "cannot write {}: its folder {} does not exist",
            out.display(),
            parent.display()
        )
    })?;
    if parent.join(name).starts_with(&dir) {
        bail!(
            "--out {} is inside the library {}; write the bundle elsewhere",
            out.display(),
            dir.display()
        );
    }
    Ok(())
}

/// The secret key, decrypted with the password from `--password-file` or,
/// when the key has one and no file is given, asked on the terminal.
fn load_secret_key(file: &Path, password_file: Option<&Path>) -> anyhow::Result<SecretKey> {
    let text = super::read_small_text(file, 4096, "secret key")?;
    let password = password_file.map(super::read_password_file).transpose()?;
    let opened = match SecretKey::parse(&text, password.as_deref()) {
        Err(KeyError::PasswordNeeded) => {
            let asked = rpassword::prompt_password(format!("password for {}: ", file.display()))
                .with_context(|| {
                    format!(
                        "{} is password-protected and there is no terminal to ask on: give \
                         --password-file FILE",
                        file.display()
                    )
                })?;
            SecretKey::parse(&text, Some(&asked))
        }
        other => other,
    };
    opened.with_context(|| format!("cannot use the secret key {}", file.display()))
}
