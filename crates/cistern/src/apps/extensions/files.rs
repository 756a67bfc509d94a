//! `GET /api/v1/extensions/{id}/versions/{version}/files/{path}`: one file of a ready version,
//! for the UI's read-only code view.
//!
//! The bytes come from the blob store under the version's validated file list; a path is looked
//! up in that list, never joined blindly, so `..` or an absolute path cannot reach another blob.
//! Text is served as text (HTML and SVG deliberately as `text/plain`: an extension's page must
//! never render on Cistern's own origin), with `nosniff` and a sandboxing CSP.

use axum::extract::{Path, State};
use axum::response::Response;

use super::Extensions;
use crate::http::download;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;

/// The Content-Type a file is served with: by extension for the types a browser or the UI
/// needs, `text/plain` for any other UTF-8 text, `application/octet-stream` for other bytes.
pub fn content_type(path: &str, bytes: &[u8]) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => return "image/png",
        "jpg" | "jpeg" => return "image/jpeg",
        "gif" => return "image/gif",
        "webp" => return "image/webp",
        "ico" => return "image/x-icon",
        _ => {}
    }
    if std::str::from_utf8(bytes).is_err() {
        return "application/octet-stream";
    }
    match ext.as_str() {
        "json" => "application/json; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}

/// `GET /api/v1/extensions/{id}/versions/{version}/files/{path}`: one file's bytes.
#[utoipa::path(get, path = "/api/v1/extensions/{id}/versions/{version}/files/{path}", operation_id = "get_extension_file", tag = "extensions",
    params(("id" = String, Path, description = "Extension id"), ("version" = String, Path, description = "Version"),
           ("path" = String, Path, description = "The file's path inside the extension, e.g. `popup/popup.js` (may contain `/`)")),
    security(("bearer" = [])),
    responses((status = 200, description = "The file's bytes; text as `text/*` or `application/json` with charset, icons as `image/png`",
               content_type = "application/octet-stream"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_extension_file(
    State(extensions): State<Extensions>,
    principal: Principal,
    Path((id, version, path)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let id = ResourceId::parse(&id)?;
    let file = extensions
        .file(&principal.user_id, id.as_str(), &version, &path)
        .await?;
    Ok(download::stored_file(
        content_type(&file.path, &file.content),
        file.content,
    ))
}

#[cfg(test)]
mod tests {
    use super::content_type;

    #[test]
    fn types_by_extension_and_content() {
        assert_eq!(content_type("icons/icon16.png", b"\x89PNG"), "image/png");
        assert_eq!(
            content_type("a/b.JS", b"1;"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("manifest.json", b"{}"),
            "application/json; charset=utf-8"
        );
        assert_eq!(
            content_type("popup.html", b"<p>"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(content_type("README", b"hi"), "text/plain; charset=utf-8");
        assert_eq!(
            content_type("x.bin", &[0xff, 0xfe]),
            "application/octet-stream"
        );
    }
}
