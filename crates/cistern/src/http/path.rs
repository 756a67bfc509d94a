//! Ids from the path, parsed at the edge.
//!
//! Every resource id Cistern hands out (UUIDs, `seq-N` rows aside) is 1–64 characters of
//! `[A-Za-z0-9_-]`. [`ResourceId`] refuses anything else with a 422 naming the parameter, so a
//! malformed id never reaches a store query, and an id that is well-formed but unknown (or
//! someone else's) is the domain's 404.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::http::error::ApiError;

/// Longest id accepted.
const MAX_ID: usize = 64;

/// A well-formed resource id (`{id}` in a route).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceId(String);

impl ResourceId {
    /// Parses `raw` as the path parameter `field`.
    pub fn parse_as(field: &str, raw: &str) -> Result<Self, ApiError> {
        let ok = !raw.is_empty()
            && raw.len() <= MAX_ID
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ApiError::validation(
                field,
                format!("{field} must be an id: 1 to {MAX_ID} of A-Z, a-z, 0-9, '-' and '_'"),
            ))
        }
    }

    /// Parses `raw` as the path parameter `id`.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        Self::parse_as("id", raw)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ResourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Extracts the route's `{id}` (the only parameter, or one of several).
impl<S: Send + Sync> FromRequestParts<S> for ResourceId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        let raw = params
            .get("id")
            .ok_or_else(|| ApiError::internal("a route without {id} asked for a ResourceId"))?;
        Self::parse(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::ResourceId;

    #[test]
    fn ids_are_refused_unless_well_formed() {
        for good in ["0195f1c2-7b1e-7cc0-9c1a-2f3e4d5c6b7a", "key_ab12", "nope"] {
            assert_eq!(ResourceId::parse(good).expect("good").as_str(), good);
        }
        let long = "a".repeat(65);
        for bad in ["", "../etc", "a b", "x%2Fy", "é", long.as_str()] {
            let error = ResourceId::parse(bad).expect_err("bad");
            assert_eq!(error.status(), 422, "{bad}");
        }
    }
}
