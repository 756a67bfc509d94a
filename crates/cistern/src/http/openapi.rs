//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations.
//!
//! Architecture invariant: every API route is registered through [`api_router`] (an
//! `OpenApiRouter`), so a route cannot exist without being documented. The document is
//! snapshot-tested (`docs/openapi.json`), which makes every API change visible in review.

use std::sync::LazyLock;

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::http::error::ErrorBody;
use crate::http::{health, metrics};
use crate::state::AppState;
use crate::{audit, auth, chat, extensions, jobs, llm, quota};

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
        (name = "extensions", description = "The Chrome extension builder: generate, iterate, download, diff"),
        (name = "chat", description = "Chat with your durable agent: turns (plain and streamed), conversations, standing instructions"),
        (name = "memory", description = "What your agent remembers: facts (searchable) and summaries of long conversations"),
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
        .routes(routes!(auth::routes::register))
        .routes(routes!(auth::routes::login))
        .routes(routes!(auth::routes::refresh))
        .routes(routes!(auth::routes::logout))
        .routes(routes!(auth::routes::oidc))
        .routes(routes!(auth::routes::me))
        .routes(routes!(auth::routes::create_key, auth::routes::list_keys))
        .routes(routes!(auth::routes::revoke_key))
        .routes(routes!(quota::usage))
        .routes(routes!(quota::set_quota))
        .routes(routes!(audit::list))
        .routes(routes!(llm::openai::chat_completions))
        .routes(routes!(llm::openai::embeddings))
        .routes(routes!(llm::openai::models))
        .routes(routes!(llm::calls::list))
        .routes(routes!(llm::calls::get))
        .merge(jobs_routes())
        .merge(extensions_routes())
        .merge(chat_routes())
}

/// The extension builder's API (`crate::extensions`).
fn extensions_routes() -> OpenApiRouter<AppState> {
    use extensions::routes as r;
    OpenApiRouter::new()
        .routes(routes!(r::create_extension, r::list_extensions))
        .routes(routes!(r::get_extension, r::delete_extension))
        .routes(routes!(r::iterate_extension))
        .routes(routes!(r::get_extension_version))
        .routes(routes!(r::download_extension_version))
        .routes(routes!(r::diff_extension_version))
        .rest_of_path(routes!(extensions::files::get_extension_file), "path")
}

/// Registering a route whose last parameter takes the rest of the path (it may contain `/`).
trait RestOfPath {
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

/// The chat and memory API (`crate::chat`).
fn chat_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(chat::routes::send_chat))
        .routes(routes!(chat::stream::stream_chat))
        .routes(routes!(chat::routes::list_conversations))
        .routes(routes!(
            chat::routes::get_conversation,
            chat::routes::rename_conversation,
            chat::routes::delete_conversation
        ))
        .routes(routes!(chat::routes::list_messages))
        .routes(routes!(chat::retry::retry_reply))
        .routes(routes!(chat::retry::stream_retry_reply))
        .routes(routes!(
            chat::memory::get_system_prompt,
            chat::memory::set_system_prompt
        ))
        .routes(routes!(chat::memory::add_fact, chat::memory::list_facts))
        .routes(routes!(chat::memory::delete_fact))
        .routes(routes!(chat::memory::list_episodes))
}

/// The job and queue API (`crate::jobs`).
fn jobs_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(jobs::routes::list_jobs))
        .routes(routes!(jobs::routes::get_job))
        .routes(routes!(jobs::events::job_events))
        .routes(routes!(jobs::routes::cancel_job))
        .routes(routes!(jobs::routes::retry_job))
        .routes(routes!(jobs::queues::list_queues))
        .routes(routes!(jobs::queues::send_messages))
        .routes(routes!(jobs::queues::lease_messages))
        .routes(routes!(jobs::queues::ack_messages))
        .routes(routes!(jobs::queues::nack_messages))
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
