//! Parsed credentials: emails, passwords, and the secrets Cistern mints (API keys, refresh
//! tokens). Parse, don't validate: a value of these types has already passed the rules.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::http::error::ApiError;

/// A credential that does not parse; `field` names the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// `email` or `password`.
    pub field: &'static str,
    /// The rule it breaks.
    pub message: String,
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::validation(e.field, e.message)
    }
}

/// A normalised email address (trimmed, lower-case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Normalises and checks the shape `local@domain.tld`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            })
            && !email.chars().any(char::is_whitespace);
        if valid {
            Ok(Self(email))
        } else {
            Err(Invalid {
                field: "email",
                message: "email must look like name@example.com".to_owned(),
            })
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Minimum password length, stated in the error users see.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Maximum password length (bounds the hashing work an attacker can ask for).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password that meets the rules. Its `Debug` never shows it.
pub struct Password(String);

impl Password {
    /// Checks the rules: 10–128 characters, not all the same character.
    pub fn parse(raw: String) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        let rule = format!(
            "password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters and not one repeated character"
        );
        let mut distinct = raw.chars();
        let first = distinct.next();
        let repeated = first.is_some_and(|c| distinct.all(|d| d == c));
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) || repeated {
            return Err(Invalid {
                field: "password",
                message: rule,
            });
        }
        Ok(Self(raw))
    }

    /// The password, for hashing or verifying only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(********)")
    }
}

/// `len` random bytes from the OS generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The system RNG only fails if the OS has none; nothing sensible can continue then.
    #[allow(clippy::expect_used)]
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random generator works");
    bytes
}

/// Base64url (no padding) of `N` random bytes.
pub fn random_token<const N: usize>() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<N>())
}

/// Prefix of every API key, so leaked keys are recognisable by secret scanners.
pub const API_KEY_PREFIX: &str = "cst_";

/// A freshly minted API key: `cst_<id>_<secret>`. `id` (12 hex chars) is stored in clear and
/// finds the row; the whole key is only stored as a keyed hash.
pub struct NewApiKey {
    /// The public identifier part.
    pub prefix: String,
    /// The whole key, to show once.
    pub key: String,
}

impl NewApiKey {
    /// Mints a key with 256 bits of secret.
    pub fn generate() -> Self {
        let prefix: String = random_bytes::<6>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let key = format!("{API_KEY_PREFIX}{prefix}_{}", random_token::<32>());
        Self { prefix, key }
    }
}

/// Splits a presented API key into its prefix; `None` if it is not shaped like one of ours.
pub fn api_key_prefix(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(API_KEY_PREFIX)?;
    let (prefix, secret) = rest.split_once('_')?;
    (prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_hexdigit()) && secret.len() >= 32)
        .then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Alice@Example.COM ").unwrap().as_str(),
            "alice@example.com"
        );
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a b@example.com",
            "a@.com",
            "a@b@c.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn password_rules_are_enforced_and_stated() {
        assert!(Password::parse("correct horse battery".into()).is_ok());
        let short = Password::parse("short".into()).unwrap_err();
        assert!(format!("{short:?}").contains("10 to 128"));
        assert!(Password::parse("aaaaaaaaaaaaaa".into()).is_err());
        assert!(Password::parse("x".repeat(129)).is_err());
        assert_eq!(
            format!(
                "{:?}",
                Password::parse("correct horse battery".into()).unwrap()
            ),
            "Password(********)"
        );
    }

    #[test]
    fn api_keys_have_a_recognisable_shape() {
        let k = NewApiKey::generate();
        assert!(k.key.starts_with("cst_"));
        assert_eq!(api_key_prefix(&k.key), Some(k.prefix.as_str()));
        assert_eq!(api_key_prefix("cst_zz_short"), None);
        assert_eq!(api_key_prefix("Bearer nonsense"), None);
        assert_ne!(NewApiKey::generate().key, k.key);
    }
}
