//! `genvej credential set|check|delete NAME`: the secrets request headers
//! name with `{ credential = "NAME" }`, kept in the OS credential store.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::CredentialAction;
use genvej_desktop::credentials;

pub(super) fn run(action: &CredentialAction) -> anyhow::Result<ExitCode> {
    match action {
        CredentialAction::Set { name } => {
            let mut secret = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut secret)
                .context("could not read the secret from standard input")?;
            let secret = secret.trim_end_matches(['\r', '\n']);
            if secret.is_empty() {
                bail!(
                    "no secret on standard input: pipe it in, e.g. `genvej credential set {name} < token.txt`"
                );
            }
            credentials::save(name, secret)
                .map_err(|e| anyhow::anyhow!("could not save «{name}»: {e}"))?;
            say!("saved «{name}» in the OS credential store")?;
            Ok(ExitCode::SUCCESS)
        }
        CredentialAction::Check { name } => match credentials::read(name) {
            Ok(secret) => {
                say!("«{name}» is saved ({} characters)", secret.chars().count())?;
                Ok(ExitCode::SUCCESS)
            }
            Err(why) => {
                say!("«{name}»: {why}")?;
                Ok(ExitCode::FAILURE)
            }
        },
        CredentialAction::Delete { name } => {
            credentials::delete(name)
                .map_err(|e| anyhow::anyhow!("could not remove «{name}»: {e}"))?;
            say!("removed «{name}»")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
