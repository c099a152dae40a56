//! Secrets for request headers, kept in the OS credential store: Windows
//! Credential Manager, or the Secret Service (GNOME Keyring, KWallet) on
//! Linux, through the `keyring` crate. A credential named NAME is the entry
//! with service `genvej` and user NAME (on Windows the generic credential
//! `NAME.genvej`). Secrets never pass through logs or messages.

use keyring::Entry;

/// The service every genvej credential is saved under.
pub const SERVICE: &str = "genvej";

use genvej_engine::ports::CredentialError;

fn entry(name: &str) -> Result<Entry, CredentialError> {
    Entry::new(SERVICE, name).map_err(|e| describe(name, e))
}

/// The kind of a keyring failure; its Danish text is the engine's
/// ([`CredentialError`]), the store's own detail follows it.
fn describe(name: &str, error: keyring::Error) -> CredentialError {
    match error {
        keyring::Error::NoEntry => CredentialError::NotSaved { name: name.into() },
        keyring::Error::NoStorageAccess(e) | keyring::Error::PlatformFailure(e) => {
            CredentialError::StoreUnavailable {
                detail: e.to_string(),
            }
        }
        keyring::Error::BadEncoding(_) => CredentialError::NotText,
        keyring::Error::Invalid(what, why) => CredentialError::InvalidName {
            detail: format!("{what}: {why}"),
        },
        keyring::Error::TooLong(what, limit) => CredentialError::TooLong { what, limit },
        keyring::Error::Ambiguous(_) => CredentialError::Ambiguous { name: name.into() },
        other => CredentialError::Store {
            detail: other.to_string(),
        },
    }
}

/// Reads the secret saved under `name`.
pub fn read(name: &str) -> Result<String, CredentialError> {
    entry(name)?.get_password().map_err(|e| describe(name, e))
}

/// Saves (or replaces) the secret under `name`.
pub fn save(name: &str, secret: &str) -> Result<(), CredentialError> {
    entry(name)?
        .set_password(secret)
        .map_err(|e| describe(name, e))
}

/// Removes the secret saved under `name`.
pub fn delete(name: &str) -> Result<(), CredentialError> {
    entry(name)?
        .delete_credential()
        .map_err(|e| describe(name, e))
}
