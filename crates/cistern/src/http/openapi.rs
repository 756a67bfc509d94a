//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations.
//!
//! Architecture invariant: every API route is registered through [`api_router`] (an
//! `OpenApiRouter`): the edge's own operations routes, [`crate::platform::routes`] and
//! [`crate::apps::routes`], so a route cannot exist without being documented. The document is
//! snapshot-tested (`docs/openapi.json`), which makes every API change visible in review.
//! Statuses the middleware stack can produce on any route are added to every operation by
//! `stack_statuses`, so the document lists every status a route can answer.

use std::sync::LazyLock;

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::http::error::ErrorBody;
use crate::http::{health, metrics};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cistern",
        description = "Self-hosted AI application server: agents, jobs, SQL, blobs, memory, an LLM gateway and five apps.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, metrics and the API document itself"),
        (name = "identity", description = "Accounts, sessions, API keys, usage and quotas, the audit log"),
        (name = "llm", description = "The OpenAI-compatible LLM gateway (`/v1`) and its call log"),
        (name = "jobs", description = "Your background jobs: status, live events, cancel, retry"),
        (name = "queues", description = "Pull queues for your apps: send, lease (long poll), ack, nack"),
    )
)]
struct ApiDoc;

/// Declares the `bearer` scheme: an access token (JWT) or an API key (`cst_…`). Operations that
/// list it require a credential; the others are public.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = Http::builder()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An access token from /api/v1/auth/login, or an API key (cst_…)",
            ))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Every documented route, with its OpenAPI description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::health_detailed))
        .routes(routes!(metrics::metrics))
        .routes(routes!(openapi_json))
        .merge(crate::platform::routes())
        .merge(crate::apps::routes())
}

/// Registering a route whose last parameter takes the rest of the path (it may contain `/`).
pub trait RestOfPath {
    /// Routes `{name}` as axum's `{*name}`; the document keeps OpenAPI's plain `{name}`.
    fn rest_of_path(self, route: UtoipaMethodRouter<AppState>, name: &str) -> Self;
}

impl RestOfPath for OpenApiRouter<AppState> {
    fn rest_of_path(mut self, route: UtoipaMethodRouter<AppState>, name: &str) -> Self {
        let (schemas, paths, method_router) = route;
        let (plain, rest) = (format!("{{{name}}}"), format!("{{*{name}}}"));
        for path in paths.paths.keys() {
            self = self.route(&path.replace(&plain, &rest), method_router.clone());
        }
        let doc = self.get_openapi_mut();
        doc.paths.paths.extend(paths.paths);
        doc.components
            .get_or_insert_with(Default::default)
            .schemas
            .extend(schemas);
        self
    }
}

/// The OpenAPI document as served; generated once, on first use.
pub fn document() -> &'static Document {
    static DOCUMENT: LazyLock<Document> = LazyLock::new(|| {
        let mut document = api_router().into_openapi();
        stack_statuses(&mut document);
        document
    });
    &DOCUMENT
}

/// `GET /api/openapi.json`: this API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> Json<&'static Document> {
    Json(document())
}

/// Adds to every operation the error statuses the middleware stack answers on any route, so the
/// document lists every status a client can get (an OpenAPI-driven fuzzer checks this):
/// 429 from the per-IP rate limit (`/api/v1/…` and `/v1/…`), 503 from the request timeout
/// (and shutdown), and for routes that take a JSON body 400 (malformed JSON), 413 (larger than
/// `server.body_limit_bytes`), 415 (not `application/json`) and 422 (the wrong shape); routes
/// with query parameters, or an `{id}` (parsed by `path::ResourceId`), may answer 422 naming
/// the parameter. A status the handler already documents keeps the handler's description.
fn stack_statuses(document: &mut Document) {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::{RefOr, Response};

    fn error(description: &str) -> RefOr<Response> {
        let content = utoipa::openapi::ContentBuilder::new()
            .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
            .build();
        RefOr::T(
            utoipa::openapi::ResponseBuilder::new()
                .description(description)
                .content("application/json", content)
                .build(),
        )
    }
    fn add(operation: &mut Operation, status: &str, description: &str) {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error(description));
    }

    for (path, item) in document.paths.paths.iter_mut() {
        let rate_limited = path.starts_with("/api/v1/") || path.starts_with("/v1/");
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            add(
                operation,
                "503",
                "Not answered within the request timeout, or the server is shutting down",
            );
            if rate_limited {
                add(
                    operation,
                    "429",
                    "Too many requests from this address; `Retry-After` says when to try again",
                );
            }
            if operation.request_body.is_some() {
                add(operation, "400", "The body is not well-formed JSON");
                add(
                    operation,
                    "413",
                    "The body is larger than the server accepts (`server.body_limit_bytes`)",
                );
                add(operation, "415", "The body is not `application/json`");
                add(
                    operation,
                    "422",
                    "The body does not have the documented shape; the message names the field",
                );
            }
            let has_query = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
            if has_query || path.contains("{id}") {
                add(
                    operation,
                    "422",
                    "A query parameter or the id in the path is malformed; `details.field` names it",
                );
            }
        }
    }
}
