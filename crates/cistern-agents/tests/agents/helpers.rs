//! A database (SQLite in a temp dir, or a fresh PostgreSQL schema), users, a fake model and a
//! gateway pointed at it.

use cistern_agents::{Agents, AgentsConfig};
use cistern_llm::{
    BreakerConfig, CacheConfig, DeploymentConfig, Gateway, GatewayOptions, LlmConfig, ModelConfig,
    ProviderKind, RetryConfig, Secret,
};
use cistern_llm_fake::FakeLlm;
use cistern_store::Db;
use cistern_store::sql::{NewUser, PoolOptions, UserStore};

/// The chat model's name in the gateway.
pub const MODEL: &str = "fake";
/// The embedding model's name.
pub const EMBED: &str = "emb";

/// A database URL and what keeps it alive.
pub struct Database {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Database {
    pub async fn sqlite() -> Database {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("cistern.db").display());
        let db = Database {
            url,
            _dir: Some(dir),
        };
        db.connect().await.migrate().await.expect("migrate");
        db
    }

    /// A fresh PostgreSQL schema, when a test server is configured.
    pub async fn postgres() -> Option<Database> {
        let url = cistern_store::testing::fresh_postgres_url().await?;
        let db = Database { url, _dir: None };
        db.connect().await.migrate().await.expect("migrate");
        Some(db)
    }

    /// PostgreSQL when available, SQLite otherwise.
    pub async fn shared() -> Database {
        match Database::postgres().await {
            Some(db) => db,
            None => Database::sqlite().await,
        }
    }

    /// A new pool: each one stands for a separate process.
    pub async fn connect(&self) -> Db {
        let options = PoolOptions {
            max_connections: 8,
            ..PoolOptions::default()
        };
        Db::connect(&self.url, &options).await.expect("connect")
    }
}

pub async fn user(db: &Db, email: &str) -> String {
    db.create_user(NewUser {
        email,
        password_hash: None,
        role: "user",
        oidc_subject: None,
    })
    .await
    .expect("create user")
    .id
}

pub async fn fake() -> FakeLlm {
    FakeLlm::start().await.expect("fake starts")
}

/// A gateway with model [`MODEL`] (context window `window`) and [`EMBED`] on `fake`; fast
/// retries, no cache.
pub fn gateway(fake: &FakeLlm, window: u32) -> Gateway {
    gateway_on(fake, window, ProviderKind::OpenAi)
}

/// [`gateway`] speaking `provider`'s protocol to the fake.
pub fn gateway_on(fake: &FakeLlm, window: u32, provider: ProviderKind) -> Gateway {
    let base_url = match provider {
        ProviderKind::Anthropic => fake.anthropic_base_url(),
        ProviderKind::Gemini => fake.gemini_base_url(),
        _ => fake.openai_base_url(),
    };
    let deployment = |model: &str, window: Option<u32>| DeploymentConfig {
        name: None,
        provider,
        base_url: Some(base_url.clone()),
        api_key: Some(Secret::new("sk-test")),
        api_keys: Vec::new(),
        api_key_env: None,
        model: model.to_owned(),
        weight: 1,
        timeout_ms: None,
        input_price_per_mtok: 0.0,
        output_price_per_mtok: 0.0,
        context_window: window,
    };
    let mut config = LlmConfig {
        passthrough: false,
        timeout_ms: 5_000,
        deadline_ms: 20_000,
        retry: RetryConfig {
            max_attempts: 2,
            backoff_base_ms: 1,
            backoff_max_ms: 2,
            retry_after_max_ms: 2,
        },
        breaker: BreakerConfig {
            failure_threshold: 100_000,
            cooldown_ms: 1,
        },
        cache: CacheConfig {
            enabled: false,
            ..CacheConfig::default()
        },
        ..LlmConfig::default()
    };
    config.models.insert(
        MODEL.into(),
        ModelConfig {
            deployments: vec![deployment("gpt-4o-mini", Some(window))],
        },
    );
    config.models.insert(
        EMBED.into(),
        ModelConfig {
            deployments: vec![deployment("text-embedding-3-small", None)],
        },
    );
    Gateway::new(config, GatewayOptions::without_env()).expect("gateway")
}

pub fn config() -> AgentsConfig {
    AgentsConfig {
        default_model: MODEL.into(),
        ..AgentsConfig::default()
    }
}

pub async fn agents(db: Db, fake: &FakeLlm, window: u32, config: AgentsConfig) -> Agents {
    Agents::new(db, gateway(fake, window), config)
        .await
        .expect("agents start")
}

/// The chat requests the fake received (embeddings left out), as JSON bodies.
pub fn chat_bodies(fake: &FakeLlm) -> Vec<serde_json::Value> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .map(|r| r.body)
        .collect()
}
