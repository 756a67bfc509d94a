//! The apps Cistern ships, each in its own folder with the same surface ([`App`]).
//!
//! An app is a domain handle (chat's `Agents`, the extension builder's `Extensions`, …) and, in
//! its folder: `routes` (an `OpenApiRouter` whose long-running routes carry their own
//! [`timeout::allow`](crate::http::timeout::allow) layer), its job handlers, its config section
//! (`config.rs`, a field of [`Config`](crate::config::Config)), views (API shapes) and a CLI.
//! The server's edge (`crate::http`) knows no app by name: it merges [`routes`], installs
//! [`handlers`] and calls [`shutdown`].
//!
//! Adding an app: a folder here with a `pub const APP: App`, one line in [`ALL`], its config
//! section in `Config`, its migrations in `cistern-store` — see ARCHITECTURE.md's checklist.

pub mod agent;
pub mod blobs;
pub mod chat;
pub mod codegen;
pub mod extensions;
pub mod sage;

use futures::future::BoxFuture;
use utoipa_axum::router::OpenApiRouter;

use crate::platform::jobs::Handlers;
use crate::state::AppState;

/// What an app gives the server.
pub struct App {
    /// Short name, for logs.
    pub name: &'static str,
    /// Its HTTP API, documented (tags included); long-running routes carry their timeout
    /// allowance as a route layer.
    pub routes: fn() -> OpenApiRouter<AppState>,
    /// Its job handlers, given the capabilities they need from the state.
    pub jobs: fn(&AppState) -> Handlers,
    /// Runs once requests and workers have drained, before the platform's services close
    /// (chat: turns still running store their replies).
    pub shutdown: Option<for<'a> fn(&'a AppState) -> BoxFuture<'a, ()>>,
}

/// Every app, in the order their routes are merged and their shutdown hooks run.
pub const ALL: &[App] = &[
    chat::APP,
    extensions::APP,
    sage::APP,
    codegen::APP,
    agent::APP,
];

/// The routes of every app.
pub fn routes() -> OpenApiRouter<AppState> {
    ALL.iter().fold(OpenApiRouter::new(), |router, app| {
        router.merge((app.routes)())
    })
}

/// The job handlers of every app.
pub fn handlers(state: &AppState) -> Handlers {
    ALL.iter().fold(Handlers::new(), |handlers, app| {
        handlers.merge((app.jobs)(state))
    })
}

/// Runs every app's shutdown hook, in [`ALL`]'s order.
pub async fn shutdown(state: &AppState) {
    for app in ALL {
        if let Some(hook) = app.shutdown {
            tracing::debug!(app = app.name, "app shutting down");
            hook(state).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::ALL;

    /// Merging routers keeps one schema per name and drops the others without a word, so
    /// two apps' `FileEntry` would leave one app documented (and typed in the web client)
    /// with the other's shape. Every schema name must mean one shape across the platform and
    /// every app.
    #[test]
    fn no_two_parts_document_different_schemas_under_one_name() {
        let parts = std::iter::once(("platform", crate::platform::routes()))
            .chain(ALL.iter().map(|app| (app.name, (app.routes)())));
        let mut seen: BTreeMap<String, (&str, serde_json::Value)> = BTreeMap::new();
        let mut clashes = Vec::new();
        for (part, router) in parts {
            let schemas = router.into_openapi().components.map(|c| c.schemas);
            for (name, schema) in schemas.into_iter().flatten() {
                let schema = serde_json::to_value(schema).expect("schema serialises");
                match seen.get(&name) {
                    Some((first, earlier)) if *earlier != schema => {
                        clashes.push(format!("{name}: {first} and {part}"));
                    }
                    Some(_) => {}
                    None => {
                        seen.insert(name, (part, schema));
                    }
                }
            }
        }
        assert!(
            clashes.is_empty(),
            "schema names with two shapes: {clashes:?}"
        );
    }
}
