//! The web UI, embedded in the binary, and the catch-all route.
//!
//! `web/dist` is embedded at compile time (see `build.rs`; a placeholder page when the UI was not
//! built). Hashed assets are cached forever; `index.html` is served for every other page path so
//! client-side routes survive a reload. Paths under the API prefixes never fall back to the UI:
//! they get a JSON 404.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::http::error::{ApiError, not_found};

#[derive(RustEmbed)]
#[folder = "$CISTERN_UI_DIR"]
struct Assets;

/// Path prefixes owned by the API; unknown paths under them are JSON 404s, not UI pages.
const API_PREFIXES: &[&str] = &["/api/", "/v1/", "/health/", "/mcp/"];

/// Fallback handler: embedded asset, SPA page, or JSON 404.
pub async fn fallback(request: Request) -> Response {
    let path = request.uri().path();
    let is_api = API_PREFIXES
        .iter()
        .any(|p| path.starts_with(p) || path == p.trim_end_matches('/'));
    if is_api || !(request.method() == Method::GET || request.method() == Method::HEAD) {
        return not_found(request).await.into_response();
    }
    let file = path.trim_start_matches('/');
    if let Some(asset) = Assets::get(file).filter(|_| !file.is_empty()) {
        let cache = if file.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return asset_response(asset, cache);
    }
    if let Some(response) = precompressed(&request, file) {
        return response;
    }
    // A missing file with an extension is a missing asset, not a client-side route.
    let last = file.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return ApiError::not_found(format!("no file {path}")).into_response();
    }
    match Assets::get("index.html") {
        Some(index) => asset_response(index, "no-cache"),
        None => ApiError::not_found("the web UI is not part of this build").into_response(),
    }
}

/// A response's own security policy, for the two files of the coding workspace's live preview
/// that cannot live under the app's (see docs/agent.md, "Live preview").
pub struct PreviewPolicy {
    /// The Content-Security-Policy header.
    pub csp: &'static str,
    /// The X-Frame-Options header.
    pub frame_options: &'static str,
}

/// The preview's shell page, loaded in a `sandbox="allow-scripts"` iframe (an opaque origin) by
/// our own pages: it runs the user's code, handed over by `postMessage` and turned into `blob:`
/// modules with an inline import map. Scripts only inline or `blob:`, no network at all (nothing
/// allows `connect-src`), framed only by our origin.
const SHELL_PATH: &str = "/preview/shell.html";
const SHELL: PreviewPolicy = PreviewPolicy {
    csp: "default-src 'none'; script-src 'unsafe-inline' blob:; style-src 'unsafe-inline' blob:; \
          img-src data: blob:; font-src data: blob:; media-src data: blob:; base-uri 'none'; \
          form-action 'none'; frame-ancestors 'self'",
    frame_options: "SAMEORIGIN",
};

/// The preview's build worker (`assets/preview-builder.worker-<hash>.js`, Vite's name for
/// `web/src/agent/preview/preview-builder.worker.ts`): esbuild compiled to WebAssembly, which the
/// app's `script-src 'self'` forbids. A worker loaded from a URL runs under its response's
/// policy, so this one file may compile WebAssembly and fetch our own origin (esbuild.wasm),
/// while the pages keep their policy.
const WORKER_PREFIX: &str = "/assets/preview-builder.worker-";
const WORKER: PreviewPolicy = PreviewPolicy {
    csp: "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'",
    frame_options: "DENY",
};

/// The policy of `path` when it is one of the preview's files, else `None` (the app's policy).
pub fn preview_policy(path: &str) -> Option<&'static PreviewPolicy> {
    if path == SHELL_PATH {
        Some(&SHELL)
    } else if path.starts_with(WORKER_PREFIX)
        && path.ends_with(".js")
        && !path[WORKER_PREFIX.len()..].contains('/')
    {
        Some(&WORKER)
    } else {
        None
    }
}

/// An asset the UI's build stored gzipped only, as `<file>.gz` (the live preview's
/// `esbuild-<hash>.wasm`: 14 MB, 3.8 MB gzipped; see `web/vite-plugins/preview-vendor.ts`). Sent
/// as stored with `content-encoding: gzip` (compressing 14 MB on every cold request would cost
/// the server seconds and the user the wait), or inflated for a client that does not take gzip.
fn precompressed(request: &Request, file: &str) -> Option<Response> {
    if !file.starts_with("assets/") {
        return None;
    }
    let asset = Assets::get(&format!("{file}.gz"))?;
    // Only the wasm is stored this way; anything else would be sent as bytes.
    let content_type = if file.ends_with(".wasm") {
        "application/wasm"
    } else {
        "application/octet-stream"
    };
    let gzip = accepts_gzip(request);
    let mut response = if gzip {
        asset.data.into_response()
    } else {
        let mut body = Vec::new();
        let mut inflate = flate2::read::GzDecoder::new(&asset.data[..]);
        if let Err(error) = std::io::Read::read_to_end(&mut inflate, &mut body) {
            let source = format!("precompressed asset {file} does not inflate: {error}");
            return Some(ApiError::internal(source).into_response());
        }
        body.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Some(response)
}

/// Whether `accept-encoding` lists gzip (or `*`) without `q=0`.
fn accepts_gzip(request: &Request) -> bool {
    let Some(accept) = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

fn asset_response(asset: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let mime = asset.metadata.mimetype();
    let content_type =
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.data,
    )
        .into_response()
}
