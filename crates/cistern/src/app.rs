//! Wiring: from a [`Config`] to a bound, ready-to-run server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use axum::Router;
use cistern_llm::{Gateway, GatewayOptions};
use cistern_store::sql::PoolOptions;
use cistern_store::{Db, MetaStore};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::http;
use crate::http::metrics::Metrics;
use crate::http::ratelimit::Limits;
use crate::platform::auth::Auth;
use crate::platform::auth::keys::AuthKeys;
use crate::platform::jobs::Handlers;
use crate::platform::llm::call_log::{self, CallLogWriter};
use crate::platform::quota::QuotaCache;
use crate::state::AppState;
use crate::state::Background;

/// A Cistern server: stores opened and migrated, listener bound, not yet serving.
///
/// Binding happens in [`Application::build`], so port 0 works and [`Application::local_addr`]
/// tells the real port before anything is served.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    handlers: Handlers,
}

impl Application {
    /// Opens the stores, applies migrations, builds the router and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, Handlers::new()).await
    }

    /// Like [`Application::build`], with job handlers beyond the built-in ones (tests).
    pub async fn build_with(config: Config, handlers: Handlers) -> anyhow::Result<Self> {
        let state = open_state(config).await?;
        let handlers = crate::apps::handlers(&state).merge(handlers);
        let server = &state.config.server;
        let listener = TcpListener::bind((server.host, server.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", server.host, server.port))?;
        let router = http::router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
            handlers,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        // A bound TcpListener always has a local address; fall back to the configured one.
        self.listener.local_addr().unwrap_or_else(|_| {
            SocketAddr::new(self.state.config.server.host, self.state.config.server.port)
        })
    }

    /// The shared state (stores, config), for tests and sibling services.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves HTTP and runs the job workers until `shutdown` is cancelled, drains in-flight
    /// requests and running jobs, then closes the stores.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let grace = Duration::from_secs(self.state.config.server.shutdown_grace_secs);
        let stopping = self.state.shutdown.clone();
        let tasks = TaskTracker::new();
        tasks.spawn({
            let stopping = stopping.clone();
            async move {
                tokio::select! {
                    () = shutdown.cancelled() => stopping.cancel(),
                    () = stopping.cancelled() => {}
                }
            }
        });
        crate::platform::jobs::service::spawn_in_server(
            &tasks,
            &self.state,
            self.handlers,
            stopping.clone(),
        );
        let served = http::serve(self.listener, self.router, stopping.clone(), grace).await;
        // However HTTP ended, stop the workers and wait for them before closing the stores.
        stopping.cancel();
        tasks.close();
        tasks.wait().await;
        // HTTP and the workers have drained: the apps, the call-log writer and the stores
        // close in the one shutdown order.
        self.state.close().await;
        served.context("HTTP server failed")?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Opens and migrates the SQL store and opens the blob store.
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
    }
    let pool = PoolOptions {
        max_connections: config.database.max_connections,
        ..PoolOptions::default()
    };
    let shown = crate::config::mask_url_password(&url);
    let db = Db::connect(&url, &pool)
        .await
        .with_context(|| format!("cannot open the SQL store at {shown}"))?;
    db.migrate()
        .await
        .with_context(|| format!("cannot migrate the SQL store at {shown}"))?;
    Ok(db)
}

/// Opens everything a process of this configuration shares: stores, keys, the job engine.
pub(crate) async fn open_state(config: Config) -> anyhow::Result<AppState> {
    let db = open_db(&config).await?;
    let blob_config = config.blob_config();
    let blobs = blob_config.build().context("cannot open the blob store")?;
    let installation = uuid::Uuid::new_v4().to_string();
    let installation = db
        .meta_get_or_insert("installation_id", &installation)
        .await?;
    tracing::info!(
        installation_id = %installation,
        sql = db.backend().as_str(),
        blobs = blob_config.backend_name(),
        "stores ready"
    );
    let keys = AuthKeys::load(&db, &config.auth)
        .await
        .context("cannot load the authentication keys")?;
    let auth = Arc::new(Auth::new(keys, &config.auth));
    let limits = Limits::new(&config.rate_limit, config.server.trust_forwarded_for)
        .context("invalid rate limits")?;
    let quotas = Arc::new(QuotaCache::new(Duration::from_millis(
        config.quota.cache_ms,
    )));
    let background = Background::default();
    let (records, writer_inbox) = call_log::channel();
    let llm = Gateway::new(
        config.llm.clone(),
        GatewayOptions {
            sink: Some(Arc::new(records)),
            ..GatewayOptions::default()
        },
    )
    .context("cannot start the LLM gateway")?;
    if !llm.is_configured() {
        tracing::warn!("{}", cistern_llm::NOT_CONFIGURED);
    } else if let Some(model) = llm.local_default() {
        tracing::warn!(model, "{}", cistern_llm::LOCAL_ONLY);
    }
    let writer = CallLogWriter::new(db.clone(), quotas.clone(), &config.call_log);
    background.spawn(|stop| writer.run(writer_inbox, stop));
    let jobs_metrics = cistern_jobs::Metrics::new();
    let jobs = crate::platform::jobs::open(&config.jobs, &db, jobs_metrics.clone()).await?;
    let agents = cistern_agents::Agents::new(db.clone(), llm.clone(), config.chat.agents())
        .await
        .context("cannot start the chat agents")?;
    let codegen = crate::apps::codegen::Shared::open(&config.codegen)
        .context("invalid [codegen] templates")?;
    let scorer = crate::apps::sage::Scorer::from_config(&config.scorer)
        .context("invalid [scorer] settings")?;
    Ok(AppState {
        scorer,
        jobs,
        agents,
        shutdown: CancellationToken::new(),
        auth,
        limits: Arc::new(limits),
        config: Arc::new(config),
        db,
        blobs,
        blob_backend: blob_config.backend_name(),
        metrics: Metrics::with_collectors(|registry| {
            llm.register_metrics(registry);
            jobs_metrics.register(registry);
            codegen.cache_metrics.register(registry);
        }),
        codegen,
        started: Instant::now(),
        started_at: SystemTime::now(),
        llm,
        quotas,
        background,
    })
}
