//! Secrets for request headers, kept in the OS credential store: Windows
//! Credential Manager, or the Secret Service (GNOME Keyring, KWallet) on
//! Linux, through the `keyring` crate. A credential named NAME is the entry
//! with service `genvej` and user NAME (on Windows the generic credential
//! `NAME.genvej`). Secrets never pass through logs or messages.

use keyring::Entry;

/// The service every genvej credential is saved under.
pub const SERVICE: &str = "genvej";

pub use genvej_engine::ports::credential_not_saved as not_saved;

fn entry(name: &str) -> Result<Entry, String> {
    Entry::new(SERVICE, name).map_err(|e| describe(name, e))
}

fn describe(name: &str, error: keyring::Error) -> String {
    match error {
        keyring::Error::NoEntry => not_saved(name),
        keyring::Error::NoStorageAccess(e) | keyring::Error::PlatformFailure(e) => {
            format!("nøgleringen kunne ikke bruges ({e})")
        }
        keyring::Error::BadEncoding(_) => "den gemte værdi er ikke tekst".into(),
        keyring::Error::Invalid(what, why) => format!("ugyldigt navn ({what}: {why})"),
        keyring::Error::TooLong(what, limit) => {
            format!("for lang til nøgleringen ({what}, højst {limit})")
        }
        keyring::Error::Ambiguous(_) => {
            format!("der er flere end én legitimation med navnet «{name}» i nøgleringen")
        }
        other => format!("nøgleringen svarede med en fejl ({other})"),
    }
}

/// Reads the secret saved under `name`.
pub fn read(name: &str) -> Result<String, String> {
    entry(name)?.get_password().map_err(|e| describe(name, e))
}

/// Saves (or replaces) the secret under `name`.
pub fn save(name: &str, secret: &str) -> Result<(), String> {
    entry(name)?
        .set_password(secret)
        .map_err(|e| describe(name, e))
}

/// Removes the secret saved under `name`.
pub fn delete(name: &str) -> Result<(), String> {
    entry(name)?
        .delete_credential()
        .map_err(|e| describe(name, e))
}
