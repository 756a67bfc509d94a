//! Responses that hand over stored files: one file of a generated project or extension, and
//! a ZIP as an attachment. The apps' routes find the bytes (owner-checked); these set the
//! headers, the same for every app.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// One stored file, as `content_type`. A generated file must never run on Cistern's own
/// origin: `nosniff` and a sandboxing CSP go with every one, and it is not cached shared.
pub fn stored_file(content_type: &'static str, content: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            ),
            (header::CACHE_CONTROL, "private, no-cache"),
        ],
        content,
    )
        .into_response()
}

/// A ZIP as an attachment named `name` (a name the app made: no quotes or path).
pub fn zip(name: &str, zip: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        zip,
    )
        .into_response()
}
