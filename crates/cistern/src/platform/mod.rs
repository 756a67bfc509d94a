//! The platform under the apps: services every app uses, none of which knows an app.
//!
//! * [`auth`] — identity: accounts, sessions, API keys, OIDC, the `Principal` extractor.
//! * [`audit`] — the append-only audit log. [`quota`] — monthly token budgets.
//! * [`llm`] — the LLM gateway in the server: `/v1` (OpenAI-compatible), admission, call log.
//! * [`jobs`] — the job engine in the server: handlers registry, workers, `/api/v1/jobs`,
//!   `/api/v1/queues`.
//! * [`admin`] — `cistern user|apikey create`.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod jobs;
pub mod llm;
pub mod quota;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The platform's own HTTP API: identity, usage and quotas, audit, the LLM gateway, jobs and
/// queues.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
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
        .merge(llm::routes())
        .merge(jobs::routes())
}
