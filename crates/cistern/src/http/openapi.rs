//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations.
//!
//! Architecture invariant: every API route is registered through [`api_router`] (an
//! `OpenApiRouter`), so a route cannot exist without being documented. The document is
//! snapshot-tested (`docs/openapi.json`), which makes every API change visible in review.

use std::sync::LazyLock;

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa_axum::router::OpenApiRouter;
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
    tags(
        (name = "operations", description = "Health, metrics and the API document itself"),
    )
)]
struct ApiDoc;

/// Every documented route, with its OpenAPI description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::health_detailed))
        .routes(routes!(metrics::metrics))
        .routes(routes!(openapi_json))
}

/// The OpenAPI document as served; generated once, on first use.
pub fn document() -> &'static Document {
    static DOCUMENT: LazyLock<Document> = LazyLock::new(|| api_router().into_openapi());
    &DOCUMENT
}

/// `GET /api/openapi.json`: this API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> Json<&'static Document> {
    Json(document())
}
