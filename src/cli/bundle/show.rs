//! `genvej bundle verify FILE` and `genvej bundle show FILE`: a bundle
//! checked as every agent checks it (signature, trusted key, every
//! script's hash), and its manifest listed. Nothing of a bundle is shown
//! before it verified: an altered file's claims about approvals are not
//! worth printing.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use super::super::Cli;
use super::{ShowFormat, TrustArgs, fault_name, printable, read_bundle, trusted_keys};
use genvej_bundle::{ApprovalEntry, BundleError, Library};

pub(super) fn verify(cli: &Cli, file: &Path, trust: &TrustArgs) -> anyhow::Result<ExitCode> {
    let library = match verified(cli, file, trust)? {
        Ok(library) => library,
        Err(code) => return Ok(code),
    };
    let manifest = &library.manifest;
    say!(
        "{}: good — bundle {}, {} script{}, built {}, signed by trusted key {}",
        file.display(),
        manifest.sequence,
        library.files.len(),
        if library.files.len() == 1 { "" } else { "s" },
        manifest.built.format("%Y-%m-%d %H:%M:%S UTC"),
        manifest.key_id
    )?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn show(
    cli: &Cli,
    file: &Path,
    trust: &TrustArgs,
    format: ShowFormat,
) -> anyhow::Result<ExitCode> {
    let library = match verified(cli, file, trust)? {
        Ok(library) => library,
        Err(code) => return Ok(code),
    };
    let manifest = &library.manifest;
    match format {
        ShowFormat::Json => {
            let shown = serde_json::json!({
                "file": file.display().to_string(),
                "sequence": manifest.sequence,
                "built": manifest.built,
                "key_id": manifest.key_id,
                "scripts": manifest.scripts,
            });
            say!("{}", serde_json::to_string_pretty(&shown)?)?;
        }
        ShowFormat::Table => {
            say!(
                "bundle {}, built {}, signed by trusted key {}, {} script{} (verified)\n",
                manifest.sequence,
                manifest.built.format("%Y-%m-%d %H:%M:%S UTC"),
                manifest.key_id,
                manifest.scripts.len(),
                if manifest.scripts.len() == 1 { "" } else { "s" },
            )?;
            let approval = |a: &Option<ApprovalEntry>| {
                a.as_ref().map_or("-".to_string(), |a| {
                    format!("{} {}", printable(&a.by), a.on)
                })
            };
            let rows: Vec<BTreeMap<&str, String>> = manifest
                .scripts
                .iter()
                .map(|entry| {
                    let info = &entry.info;
                    let or_dash = |v: &Option<String>| v.as_deref().map_or("-".into(), printable);
                    BTreeMap::from([
                        ("path", printable(&entry.path)),
                        ("id", printable(&info.id)),
                        ("version", or_dash(&info.version)),
                        ("owner", or_dash(&info.owner)),
                        ("professional", approval(&info.professional)),
                        ("legal", approval(&info.legal)),
                    ])
                })
                .collect();
            super::super::commands::print_table(
                &rows,
                &["path", "id", "version", "owner", "professional", "legal"],
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The verified library, or the exit code of a refusal already reported
/// (exit 1, the reason and its kind on stderr).
fn verified(
    cli: &Cli,
    file: &Path,
    trust: &TrustArgs,
) -> anyhow::Result<Result<Library, ExitCode>> {
    let keys = trusted_keys(cli, trust)?;
    let bytes = read_bundle(file)?;
    Ok(genvej_bundle::verify(&bytes, &keys).map_err(|e| refused(file, &e)))
}

/// Reports a refused bundle: exit code 1.
pub(super) fn refused(file: &Path, error: &BundleError) -> ExitCode {
    let message = format!(
        "genvej: {} refused ({}): {error}",
        file.display(),
        fault_name(error.fault())
    );
    eprintln!("{}", genvej_format::cpr::redact(&message));
    ExitCode::from(1)
}
