//! Verification of ID tokens from an external OpenID Connect provider (Firebase, Auth0, Clerk, …)
//! against its published JWKS. Keys are cached; an unknown `kid` (the provider rotated its keys)
//! triggers a refetch, at most once per `REFETCH_COOLDOWN` so forged kids cannot make us hammer
//! the provider.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::config::OidcConfig;

/// How long fetched keys are trusted before a refetch.
const KEYS_TTL: Duration = Duration::from_secs(600);
/// Minimum time between two fetches: a rotated key is picked up within a second, and tokens
/// with forged `kid`s cannot make us fetch more than once a second.
const REFETCH_COOLDOWN: Duration = Duration::from_secs(1);

/// Why an ID token was refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not a JWT, or a symmetric/unknown algorithm.
    #[error("malformed ID token: {0}")]
    Malformed(&'static str),
    /// No key of the provider has this `kid`.
    #[error("the ID token is signed with an unknown key")]
    UnknownKey,
    /// The provider's JWKS could not be fetched.
    #[error("cannot fetch the provider's keys: {0}")]
    Fetch(String),
    /// Signature, issuer, audience or time checks failed.
    #[error("invalid ID token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
}

/// The claims Cistern uses from an ID token.
#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    /// Issuer.
    pub iss: String,
    /// The provider's user id.
    pub sub: String,
    /// Email, when the provider shares it.
    pub email: Option<String>,
    /// Whether the provider verified the email.
    #[serde(default)]
    pub email_verified: bool,
}

struct Keys {
    by_kid: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

/// Verifies ID tokens of one configured provider.
pub struct Verifier {
    config: OidcConfig,
    client: reqwest::Client,
    keys: Mutex<Keys>,
}

impl Verifier {
    /// A verifier for `config` (which must have an issuer).
    pub fn new(config: OidcConfig) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            config,
            client,
            keys: Mutex::new(Keys {
                by_kid: HashMap::new(),
                fetched_at: None,
            }),
        }
    }

    /// Checks signature (asymmetric algorithms only), issuer, audience, expiry with leeway.
    pub async fn verify(&self, token: &str) -> Result<IdClaims, Error> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| Error::Malformed("not a JWT"))?;
        let kid = header.kid.ok_or(Error::Malformed("no kid in header"))?;
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
                | Algorithm::EdDSA
        ) {
            return Err(Error::Malformed("the algorithm must be asymmetric"));
        }
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.config.leeway_secs;
        Ok(jsonwebtoken::decode::<IdClaims>(token, &key, &validation)?.claims)
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, Error> {
        let mut keys = self.keys.lock().await;
        let fresh = keys.fetched_at.is_some_and(|at| at.elapsed() < KEYS_TTL);
        if fresh && let Some(key) = keys.by_kid.get(kid) {
            return Ok(key.clone());
        }
        let may_fetch = keys
            .fetched_at
            .is_none_or(|at| at.elapsed() >= REFETCH_COOLDOWN);
        if may_fetch {
            match self.fetch().await {
                Ok(by_kid) => {
                    keys.by_kid = by_kid;
                    keys.fetched_at = Some(Instant::now());
                }
                // Keep serving the keys we have if the provider is briefly down.
                Err(e) if keys.by_kid.is_empty() => return Err(e),
                Err(e) => tracing::warn!(error = %e, "JWKS refresh failed; using cached keys"),
            }
        }
        keys.by_kid.get(kid).cloned().ok_or(Error::UnknownKey)
    }

    async fn fetch(&self) -> Result<HashMap<String, DecodingKey>, Error> {
        let fetch_error = |e: reqwest::Error| Error::Fetch(e.without_url().to_string());
        let set: JwkSet = self
            .client
            .get(&self.config.jwks_url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(fetch_error)?
            .json()
            .await
            .map_err(fetch_error)?;
        let mut by_kid = HashMap::new();
        for jwk in &set.keys {
            let (Some(kid), Ok(key)) = (jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk))
            else {
                continue;
            };
            by_kid.insert(kid, key);
        }
        Ok(by_kid)
    }
}
