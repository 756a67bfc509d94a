//! The API's conventions for lists and query strings, as types.
//!
//! Every list route takes `?limit=&cursor=` ([`PageParams`], parsed into [`PageRequest`] by its
//! extractor) and answers a [`Page`]: `{"items": […], "next_cursor": "…" | null}`. `limit` is
//! 1–[`MAX_LIMIT`] (default [`DEFAULT_LIMIT`]); `cursor` is the opaque `next_cursor` of the
//! previous page. A bad value is a 422 whose `details.field` names the parameter — the same on
//! every route. Other query parameters go through [`ApiQuery`], whose rejections are 422s
//! naming the parameter too.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::ApiError;

/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page.
pub const MAX_LIMIT: u32 = 200;

/// The paging parameters of every list route (documentation; handlers take [`PageRequest`]).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page; absent for the first page.
    pub cursor: Option<String>,
}

/// A validated page request: the extractor of every list route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// 1–[`MAX_LIMIT`].
    pub limit: u32,
    /// The previous page's `next_cursor`, as sent.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// Parses `limit` and `cursor` as they came in the query string.
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(l) => l
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| {
                    ApiError::validation(
                        "limit",
                        format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                    )
                })?,
        };
        let cursor = match cursor {
            Some(c) if c.is_empty() || c.len() > 200 => return Err(bad_cursor()),
            c => c.map(str::to_owned),
        };
        Ok(Self { limit, cursor })
    }

    /// `limit` as the stores take it.
    pub fn limit_i64(&self) -> i64 {
        i64::from(self.limit)
    }

    /// The cursor decoded by `parse`; a cursor it refuses is a 422 naming `cursor`.
    pub fn cursor_as<T>(
        &self,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        self.cursor
            .as_deref()
            .map(|c| parse(c).ok_or_else(bad_cursor))
            .transpose()
    }

    /// The cursor parsed as `T` (`FromStr`); one that does not parse is a 422 naming `cursor`.
    pub fn parsed_cursor<T: std::str::FromStr>(&self) -> Result<Option<T>, ApiError> {
        self.cursor_as(|c| c.parse().ok())
    }

    /// The page of `items`: `next_cursor` comes from the last item when the page is full (a
    /// store that knows better passes its own through [`Page::new`]).
    pub fn page<T>(&self, items: Vec<T>, cursor_of: impl FnOnce(&T) -> String) -> Page<T> {
        let next_cursor = (items.len() >= self.limit as usize)
            .then(|| items.last().map(cursor_of))
            .flatten();
        Page { items, next_cursor }
    }
}

fn bad_cursor() -> ApiError {
    ApiError::validation(
        "cursor",
        "cursor must be the next_cursor of a previous page of this list",
    )
}

impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(params) = ApiQuery::<PageParams>::from_request_parts(parts, state).await?;
        Self::parse(params.limit.as_deref(), params.cursor.as_deref())
    }
}

/// One page of a list, newest (or first) items first as the route documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page with the store's own `next_cursor`.
    pub fn new(items: Vec<T>, next_cursor: Option<String>) -> Self {
        Self { items, next_cursor }
    }

    /// The same page with every item converted (a store row into its API view).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// A query-string extractor whose rejections use the error envelope: 422 with
/// `details.field` naming the parameter that does not fit. Use it instead of `axum`'s `Query`.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|error| {
                let field = error.path().to_string();
                let field = if field == "." {
                    "query"
                } else {
                    field.as_str()
                };
                ApiError::validation(
                    field,
                    format!("invalid query parameter {field}: {}", error.inner()),
                )
            })
    }
}
