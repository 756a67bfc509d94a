//! The one error envelope of the HTTP API: `{"error": {"code", "message", "details"}}`.
//!
//! Architecture invariant: every 4xx/5xx the server sends has this shape — handler errors through
//! [`ApiError`], rejected JSON bodies through [`ApiJson`], and everything produced by the
//! framework or a middleware (unknown route, wrong method, body too large, timeout) through
//! [`envelope_errors`], which rewrites any error response that is not JSON yet.
//! Internal error text is logged, never sent.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and people (`message`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code, e.g. `not_found`, `invalid_json`.
    pub code: String,
    /// A sentence saying what is wrong and, where possible, how to fix it.
    pub message: String,
    /// Structured extra information (which field, which limit), or null.
    #[schema(value_type = Option<Object>)]
    pub details: serde_json::Value,
}

/// An error a handler returns; converts into the envelope with the right status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: serde_json::Value,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl ApiError {
    /// An error with an explicit status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: serde_json::Value::Null,
            headers: Vec::new(),
        }
    }

    /// Adds a response header (`Retry-After`, `WWW-Authenticate`, …).
    pub fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 401: missing or invalid credentials. Says what was wrong without helping an attacker.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    /// 403: authenticated, but not allowed (an admin-only route).
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 409: the write conflicts with existing data (a duplicate).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// 422: a field of a well-formed request breaks a rule; `details.field` names it.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
            .with_details(serde_json::json!({ "field": field }))
    }

    /// Attaches structured details.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// 400: the request is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 415 `unsupported_media_type`: the body's type or encoding is not one the route reads.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
    }

    /// 404: the resource does not exist (or belongs to someone else).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500: an internal failure; `source` is logged here, once, and never sent to the client.
    pub fn internal(source: impl std::fmt::Display) -> Self {
        tracing::error!(error = %source, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message sent to the client.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The stable code sent to the client.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

impl From<cistern_store::sql::Error> for ApiError {
    fn from(error: cistern_store::sql::Error) -> Self {
        match error {
            cistern_store::sql::Error::Conflict(what) => {
                ApiError::conflict(format!("{what} already exists"))
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            JsonRejection::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            JsonRejection::JsonDataError(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            JsonRejection::BytesRejection(_) => (rejection.status(), code_for(rejection.status())),
            _ => (rejection.status(), code_for(rejection.status())),
        };
        // serde's messages name the field and the problem ("missing field `name` at line 1 column 2").
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            message_for(status, "", "")
        } else {
            rejection.body_text()
        };
        ApiError::new(status, code, message)
    }
}

/// A JSON body extractor whose rejections use the error envelope (400 malformed JSON,
/// 415 wrong content type, 422 wrong shape, 413 too large). Use it instead of `axum::Json`.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Stable code for a status the framework or a middleware produced.
fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        StatusCode::GATEWAY_TIMEOUT => "timeout",
        s if s.is_server_error() => "internal",
        _ => "error",
    }
}

fn message_for(status: StatusCode, method: &str, path: &str) -> String {
    match status {
        StatusCode::NOT_FOUND => format!("no route for {method} {path}"),
        StatusCode::METHOD_NOT_ALLOWED => format!("{method} is not allowed on {path}"),
        StatusCode::PAYLOAD_TOO_LARGE => "request body is larger than the server accepts".into(),
        StatusCode::SERVICE_UNAVAILABLE => "the server could not finish the request in time".into(),
        s => s.canonical_reason().unwrap_or("error").to_lowercase(),
    }
}

/// Middleware: turns any error response that is not already JSON (axum's 405, tower-http's 413
/// and timeouts, a plain-text rejection) into the envelope, keeping status and headers. Under
/// `/v1/` (the OpenAI-compatible API) every error is then given OpenAI's shape instead, which
/// the providers' SDKs parse.
pub async fn envelope_errors(request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let response = if is_json {
        response
    } else {
        envelope(response, &method, &path)
    };
    if path.starts_with("/v1/") {
        openai_shape(response).await
    } else {
        response
    }
}

fn envelope(response: Response, method: &str, path: &str) -> Response {
    let status = response.status();
    let (mut parts, _body) = response.into_parts();
    let message = message_for(status, method, path);
    let envelope = ApiError::new(status, code_for(status), message).into_response();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, envelope.into_body())
}

/// Rewrites an error in the envelope into OpenAI's `{"error": {"message", "type", "param",
/// "code"}}`, keeping status and headers.
async fn openai_shape(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let envelope: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let error = &envelope["error"];
    let code = error["code"]
        .as_str()
        .unwrap_or_else(|| code_for(parts.status));
    let message = error["message"]
        .as_str()
        .unwrap_or_else(|| parts.status.canonical_reason().unwrap_or("error"));
    let param = error["details"]["field"].as_str();
    let body = crate::platform::llm::openai::error_body(parts.status, code, message, param);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Fallback for unknown API routes: 404 in the envelope.
pub async fn not_found(request: Request) -> ApiError {
    ApiError::not_found(message_for(
        StatusCode::NOT_FOUND,
        request.method().as_str(),
        request.uri().path(),
    ))
}
