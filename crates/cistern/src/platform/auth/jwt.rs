//! Access tokens: short-lived HS256 JWTs naming the user, their role and their session.

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::AuthKeys;

/// Issuer and audience of our own tokens (an OIDC provider's tokens never pass as ours).
pub const ISSUER: &str = "cistern";

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// `user` or `admin`.
    pub role: String,
    /// Session (refresh-token family); logout revokes it and with it this token.
    pub sid: String,
    /// Issuer: always [`ISSUER`].
    pub iss: String,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Expires at, Unix seconds.
    pub exp: u64,
}

/// Signs `claims`.
pub fn issue(keys: &AuthKeys, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &keys.jwt_encoding)
}

/// Verifies signature, algorithm (HS256 only: `none` and every other algorithm are refused),
/// issuer and expiry (no leeway: we issue and check with the same clock).
pub fn verify(keys: &AuthKeys, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    validation.leeway = 0;
    jsonwebtoken::decode::<Claims>(token, &keys.jwt_decoding, &validation).map(|data| data.claims)
}
