//! The server's own secrets: the JWT signing key and the API-key hashing key.
//!
//! Both live in the database (`meta`), generated on first start, so every instance sharing the
//! database signs and verifies alike; `auth.jwt_secret` overrides the JWT key from config.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cistern_store::{Db, MetaStore};
use jsonwebtoken::{DecodingKey, EncodingKey};

use super::credentials::random_token;
use crate::config::AuthConfig;

/// Key material for tokens and API keys.
pub struct AuthKeys {
    /// Signs access tokens (HS256).
    pub jwt_encoding: EncodingKey,
    /// Verifies access tokens.
    pub jwt_decoding: DecodingKey,
    /// Keyed hash of API keys: fast (no argon2 per request) yet useless without the key.
    pub api_key_hmac: hmac::Key,
}

impl AuthKeys {
    /// Loads the keys, generating and storing any that do not exist yet.
    pub async fn load(db: &Db, config: &AuthConfig) -> cistern_store::sql::Result<Self> {
        let jwt_secret = if config.jwt_secret.is_empty() {
            stored_secret(db, "auth.jwt_secret").await?
        } else {
            config.jwt_secret.expose().to_owned()
        };
        let pepper = stored_secret(db, "auth.api_key_pepper").await?;
        let pepper = URL_SAFE_NO_PAD
            .decode(&pepper)
            .unwrap_or_else(|_| pepper.into_bytes());
        Ok(Self {
            jwt_encoding: EncodingKey::from_secret(jwt_secret.as_bytes()),
            jwt_decoding: DecodingKey::from_secret(jwt_secret.as_bytes()),
            api_key_hmac: hmac::Key::new(hmac::HMAC_SHA256, &pepper),
        })
    }

    /// The stored form of an API key: hex HMAC-SHA256.
    pub fn hash_api_key(&self, key: &str) -> String {
        hex(hmac::sign(&self.api_key_hmac, key.as_bytes()).as_ref())
    }

    /// Whether `key` matches `stored` (hex HMAC), compared in constant time by aws-lc.
    pub fn verify_api_key(&self, key: &str, stored: &str) -> bool {
        let Some(tag) = unhex(stored) else {
            return false;
        };
        hmac::verify(&self.api_key_hmac, key.as_bytes(), &tag).is_ok()
    }
}

/// The secret stored under `key`, minted and stored if there is none yet (racing instances all
/// end up with the one that was stored first).
///
/// It is read first and minted only when missing: the first draw from aws-lc's random generator
/// seeds it from CPU jitter entropy, ~30 ms of CPU, and a restart would pay that (a third of its
/// start-up, `docs/benchmarks.md`) for a candidate secret it throws away.
async fn stored_secret(db: &Db, key: &str) -> cistern_store::sql::Result<String> {
    match db.meta_get(key).await? {
        Some(secret) => Ok(secret),
        None => db.meta_get_or_insert(key, &random_token::<32>()).await,
    }
}

/// SHA-256 of a high-entropy token (refresh tokens), hex.
pub fn sha256_hex(token: &str) -> String {
    hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes()).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
