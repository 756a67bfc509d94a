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

use crate::auth::Auth;
use crate::auth::keys::AuthKeys;
use crate::config::Config;
use crate::http;
use crate::http::metrics::Metrics;
use crate::http::ratelimit::Limits;
use crate::llm::call_log::{self, CallLogWriter};
use crate::quota::QuotaCache;
use crate::state::AppState;

/// A Cistern server: stores opened and migrated, listener bound, not yet serving.
///
/// Binding happens in [`Application::build`], so port 0 works and [`Application::local_addr`]
/// tells the real port before anything is served.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    background: Background,
}

/// Tasks that outlive requests (the call-log writer), stopped after the last request drained.
struct Background {
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl Application {
    /// Opens the stores, applies migrations, builds the router and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let (state, background) = open_state(config).await?;
        let server = &state.config.server;
        let listener = TcpListener::bind((server.host, server.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", server.host, server.port))?;
        let router = http::router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
            background,
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

    /// Serves until `shutdown` is cancelled, drains in-flight requests, then closes the stores.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let grace = Duration::from_secs(self.state.config.server.shutdown_grace_secs);
        http::serve(self.listener, self.router, shutdown, grace)
            .await
            .context("HTTP server failed")?;
        // Requests are done: let the writers finish what they hold, then close the stores.
        self.background.stop.cancel();
        self.background.tasks.close();
        self.background.tasks.wait().await;
        self.state.db.close().await;
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

async fn open_state(config: Config) -> anyhow::Result<(AppState, Background)> {
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
    let background = Background {
        stop: CancellationToken::new(),
        tasks: TaskTracker::new(),
    };
    let (records, writer_inbox) = call_log::channel();
    let llm = Gateway::new(
        config.llm.clone(),
        GatewayOptions {
            sink: Some(Arc::new(records)),
            ..GatewayOptions::default()
        },
    )
    .context("invalid [llm] config")?;
    if !llm.is_configured() {
        tracing::warn!("{}", cistern_llm::NOT_CONFIGURED);
    }
    let writer = CallLogWriter::new(db.clone(), quotas.clone(), &config.call_log);
    background
        .tasks
        .spawn(writer.run(writer_inbox, background.stop.clone()));
    let metrics = Metrics::with_collectors(|registry| llm.register_metrics(registry));
    let state = AppState {
        auth,
        limits: Arc::new(limits),
        config: Arc::new(config),
        db,
        blobs,
        blob_backend: blob_config.backend_name(),
        metrics,
        started: Instant::now(),
        started_at: SystemTime::now(),
        llm,
        quotas,
    };
    Ok((state, background))
}
