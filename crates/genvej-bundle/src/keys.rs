//! The IT office's signing keys, in the minisign format: a public key is one
//! base64 line (the second line of `genvej.pub`, what the machine config's
//! `bundles.trusted_keys` holds); the secret key file is minisign's, with
//! the key encrypted by a password unless the IT office chose none.

use std::fmt;

/// A key that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "not a minisign public key (expected a line of 56 base64 characters starting `RW`, \
         or the whole genvej.pub file)"
    )]
    NotAPublicKey,
    #[error("not a minisign secret key file (the file `genvej bundle keygen` wrote as genvej.key)")]
    NotASecretKey,
    #[error("the secret key is protected by a password; give the password")]
    PasswordNeeded,
    #[error("wrong password for the secret key (or a damaged key file)")]
    WrongPassword,
    #[error("could not make a key: {0}")]
    Generate(String),
}

/// A public key whose signatures an agent trusts.
#[derive(Clone)]
pub struct PublicKey {
    key: minisign::PublicKey,
}

impl PublicKey {
    /// Reads a public key: its base64 line, or a whole `.pub` file (an
    /// `untrusted comment:` line and the base64 line).
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .ok_or(KeyError::NotAPublicKey)?;
        if line.len() > 100 {
            return Err(KeyError::NotAPublicKey);
        }
        let key = minisign::PublicKey::from_base64(line).map_err(|_| KeyError::NotAPublicKey)?;
        Ok(PublicKey { key })
    }

    /// The key's id as minisign shows it: 16 hexadecimal digits.
    pub fn id(&self) -> String {
        key_id(self.key.keynum())
    }

    /// The base64 line, for `bundles.trusted_keys`.
    pub fn to_line(&self) -> String {
        self.key.to_base64()
    }

    /// The contents of a `.pub` file.
    pub fn to_file_text(&self) -> String {
        format!(
            "untrusted comment: genvej bundle public key {}\n{}\n",
            self.id(),
            self.to_line()
        )
    }

    pub(crate) fn inner(&self) -> &minisign::PublicKey {
        &self.key
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.id())
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key.to_bytes() == other.key.to_bytes()
    }
}

/// A secret key, decrypted, ready to sign. Never written into a bundle.
pub struct SecretKey {
    key: minisign::SecretKey,
    public: PublicKey,
}

impl SecretKey {
    /// Reads a secret key file; `password` for an encrypted one.
    pub fn parse(text: &str, password: Option<&str>) -> Result<SecretKey, KeyError> {
        if text.len() > 4096 {
            return Err(KeyError::NotASecretKey);
        }
        let boxed = minisign::SecretKeyBox::from_string(text.trim())
            .map_err(|_| KeyError::NotASecretKey)?;
        let key = match boxed.clone().into_unencrypted_secret_key() {
            Ok(key) => key,
            // minisign says so when the key's KDF is not "none".
            Err(e) if e.to_string().contains("might be encrypted") => {
                let password = password.ok_or(KeyError::PasswordNeeded)?;
                boxed
                    .into_secret_key(Some(password.to_string()))
                    .map_err(|_| KeyError::WrongPassword)?
            }
            Err(_) => return Err(KeyError::NotASecretKey),
        };
        let public =
            minisign::PublicKey::from_secret_key(&key).map_err(|_| KeyError::WrongPassword)?;
        Ok(SecretKey {
            key,
            public: PublicKey { key: public },
        })
    }

    /// The public key that checks this key's signatures.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    pub(crate) fn inner(&self) -> &minisign::SecretKey {
        &self.key
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(for {})", self.public.id())
    }
}

/// A new key pair and the texts of its two files.
pub struct KeyPair {
    pub secret: SecretKey,
    /// The secret key file's text (encrypted when a password was given).
    pub secret_file_text: String,
}

impl KeyPair {
    /// Makes a new key pair. With a password (not empty) the secret key
    /// file is encrypted with it (scrypt, as minisign does); `None` leaves
    /// it unencrypted, for keys kept in a vault, and for tests.
    pub fn generate(password: Option<&str>) -> Result<KeyPair, KeyError> {
        let generated = match password {
            Some(p) if !p.is_empty() => {
                minisign::KeyPair::generate_encrypted_keypair(Some(p.to_string()))
            }
            _ => minisign::KeyPair::generate_unencrypted_keypair(),
        }
        .map_err(|e| KeyError::Generate(e.to_string()))?;
        let id = key_id(generated.pk.keynum());
        let comment = format!("genvej bundle secret key {id}");
        let secret_file_text = generated
            .sk
            .to_box(Some(&comment))
            .map_err(|e| KeyError::Generate(e.to_string()))?
            .to_string();
        let secret = SecretKey::parse(&secret_file_text, password)?;
        Ok(KeyPair {
            secret,
            secret_file_text,
        })
    }
}

/// minisign's key id: the 8-byte key number, little-endian, in hex.
pub(crate) fn key_id(keynum: &[u8]) -> String {
    keynum.iter().rev().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_public_key_reads_back_from_its_line_and_its_file() {
        let pair = KeyPair::generate(None).expect("keys");
        let public = pair.secret.public();
        assert_eq!(&PublicKey::parse(&public.to_line()).expect("line"), public);
        assert_eq!(
            &PublicKey::parse(&public.to_file_text()).expect("file"),
            public
        );
        assert_eq!(public.id().len(), 16);
    }

    #[test]
    fn a_secret_key_file_reads_back() {
        let pair = KeyPair::generate(None).expect("keys");
        let again = SecretKey::parse(&pair.secret_file_text, None).expect("unencrypted");
        assert_eq!(again.public(), pair.secret.public());
    }

    #[test]
    fn an_encrypted_secret_key_needs_its_password() {
        let pair = KeyPair::generate(Some("hemmeligt")).expect("keys");
        assert!(matches!(
            SecretKey::parse(&pair.secret_file_text, None),
            Err(KeyError::PasswordNeeded)
        ));
        assert!(matches!(
            SecretKey::parse(&pair.secret_file_text, Some("forkert")),
            Err(KeyError::WrongPassword)
        ));
        let opened = SecretKey::parse(&pair.secret_file_text, Some("hemmeligt")).expect("opens");
        assert_eq!(opened.public(), pair.secret.public());
    }

    #[test]
    fn junk_is_not_a_key() {
        for junk in [
            "",
            "RWQ",
            "untrusted comment: x\n",
            &"A".repeat(5000),
            "RW!!",
        ] {
            assert!(PublicKey::parse(junk).is_err(), "{junk:?}");
            assert!(SecretKey::parse(junk, None).is_err(), "{junk:?}");
        }
    }
}
