//! The configuration tree, loaded once at start-up.
//!
//! Layers, later ones winning: built-in defaults → TOML file (`--config`) →
//! `CISTERN_<SECTION>__<KEY>` environment variables → command-line flags.
//! Unknown keys are errors that name the key; secrets are [`Secret`]s and never print.
//! Every option is documented in the README's configuration reference.

mod call_log;
mod jobs;
mod load;
mod secret;

use std::net::IpAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use call_log::CallLogConfig;
pub use cistern_llm::LlmConfig;
pub use jobs::{JobsBackend, JobsConfig, JobsDurability, JobsNatsConfig};
pub use load::{ConfigError, LlmOverrides, LocalOverrides, Overrides, ServerOverrides, load};
pub use secret::{Secret, mask_url_password};

// The apps' sections: each app owns its config type (`apps/<app>/config.rs`).
pub use crate::apps::agent::AgentConfig;
pub use crate::apps::chat::ChatConfig;
pub use crate::apps::codegen::CodegenConfig;
pub use crate::apps::extensions::ExtensionsConfig;
pub use crate::apps::sage::{SageConfig, ScorerConfig};

/// The whole configuration of a Cistern process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Directory for embedded state: the SQLite file, local blobs, generated keys.
    pub data_dir: PathBuf,
    /// HTTP server.
    pub server: ServerConfig,
    /// SQL store.
    pub database: DatabaseConfig,
    /// Blob store.
    pub blobs: BlobsConfig,
    /// Logging.
    pub log: LogConfig,
    /// Accounts, tokens, external identity.
    pub auth: AuthConfig,
    /// Monthly token budgets.
    pub quota: QuotaConfig,
    /// Request rate limits.
    pub rate_limit: RateLimitConfig,
    /// Log risk scoring (Sage).
    pub scorer: ScorerConfig,
    /// The log dashboard (Sage).
    pub sage: SageConfig,
    /// The LLM gateway: models, deployments, retries, cache (see `cistern_llm::LlmConfig`).
    pub llm: LlmConfig,
    /// The stored log of LLM calls.
    pub call_log: CallLogConfig,
    /// The job engine and this process's workers.
    pub jobs: JobsConfig,
    /// The Chrome extension builder.
    pub extensions: ExtensionsConfig,
    /// The chat agents.
    pub chat: ChatConfig,
    /// The code generator.
    pub codegen: CodegenConfig,
    /// The coding agent.
    pub agent: AgentConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            blobs: BlobsConfig::default(),
            log: LogConfig::default(),
            auth: AuthConfig::default(),
            quota: QuotaConfig::default(),
            rate_limit: RateLimitConfig::default(),
            scorer: ScorerConfig::default(),
            sage: SageConfig::default(),
            llm: LlmConfig::default(),
            call_log: CallLogConfig::default(),
            jobs: JobsConfig::default(),
            extensions: ExtensionsConfig::default(),
            chat: ChatConfig::default(),
            codegen: CodegenConfig::default(),
            agent: AgentConfig::default(),
        }
    }
}

/// `[server]`: the HTTP listener and its guardrails.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to bind.
    pub host: IpAddr,
    /// Port to bind; 0 picks a free one (the chosen address is printed).
    pub port: u16,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Longest a request may take before it is answered 503, in seconds.
    pub request_timeout_secs: u64,
    /// Origins allowed to call the API from a browser (`https://app.example.com`); empty allows
    /// only same-origin requests; `"*"` allows any origin.
    pub cors_allowed_origins: Vec<String>,
    /// How long shutdown waits for in-flight requests before giving up, in seconds.
    pub shutdown_grace_secs: u64,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you control).
    pub trust_forwarded_for: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            body_limit_bytes: 2 * 1024 * 1024,
            request_timeout_secs: 30,
            cors_allowed_origins: Vec::new(),
            shutdown_grace_secs: 30,
            trust_forwarded_for: false,
        }
    }
}

/// `[auth]`: accounts and tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// HMAC key for access tokens. Empty: generated once and kept in the database, so every
    /// instance sharing it signs and accepts the same tokens.
    pub jwt_secret: Secret,
    /// Lifetime of an access token (JWT), in seconds.
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token, in seconds.
    pub refresh_token_ttl_secs: u64,
    /// Seconds after a rotation during which the spent refresh token still works once more
    /// (a page reloaded mid-refresh, two tabs refreshing together) instead of counting as a
    /// replay; each such use starts a new branch of the same session. 0: no grace.
    pub refresh_reuse_grace_secs: u64,
    /// How long, in milliseconds, an instance trusts what it recently read about a session, API
    /// key or user before asking the database again. Revocations made on this instance apply at
    /// once; those made on another instance sharing the database within this time. 0: always ask.
    pub credential_cache_ms: u64,
    /// `true`: anyone may register; `false`: invite-only (`cistern user create`).
    pub open_registration: bool,
    /// External identity provider (Firebase, Auth0, Clerk, …); off while `issuer` is empty.
    pub oidc: OidcConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            jwt_secret: Secret::default(),
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            refresh_reuse_grace_secs: 15,
            credential_cache_ms: 2_000,
            open_registration: true,
            oidc: OidcConfig::default(),
        }
    }
}

/// `[auth.oidc]`: verification of ID tokens from an external provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OidcConfig {
    /// Expected `iss`, e.g. `https://securetoken.google.com/<project>`; empty disables OIDC.
    pub issuer: String,
    /// Expected `aud` (the client id or project id).
    pub audience: String,
    /// Where the provider publishes its signing keys (JWKS).
    pub jwks_url: String,
    /// Tolerated clock difference with the provider, in seconds.
    pub leeway_secs: u64,
}

impl Default for OidcConfig {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            audience: String::new(),
            jwks_url: String::new(),
            leeway_secs: 60,
        }
    }
}

/// `[quota]`: monthly token budgets (admins can override per user).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuotaConfig {
    /// Tokens (in + out) a user may spend per calendar month (UTC); 0 means unlimited.
    pub default_monthly_tokens: i64,
    /// How long, in milliseconds, an instance trusts a budget it read before reading it again
    /// (its own spending counts at once; other instances' after this). 0: read before every call.
    pub cache_ms: u64,
}

impl Default for QuotaConfig {
    fn default() -> Self {
        Self {
            default_monthly_tokens: 1_000_000,
            cache_ms: 2_000,
        }
    }
}

/// `[rate_limit]`: request rates, in process or shared through Redis.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Turn every limit off (tests, or a trusted network behind another limiter).
    pub enabled: bool,
    /// `redis://HOST:PORT` to share limits across instances; empty keeps them in process.
    pub redis_url: Secret,
    /// Sign-in routes (`/api/v1/auth/*`) per client IP: slows password guessing.
    pub auth: Rate,
    /// Any API route per client IP.
    pub api_per_ip: Rate,
    /// Any authenticated API route per user.
    pub api_per_user: Rate,
    /// LLM-backed routes per user, by cost: each call spends its estimated prompt tokens plus
    /// its `max_tokens` (when set) from this budget, so one huge prompt counts as many small ones.
    pub llm_tokens_per_user: Rate,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            redis_url: Secret::default(),
            auth: Rate {
                burst: 10,
                per_secs: 60,
            },
            api_per_ip: Rate {
                burst: 600,
                per_secs: 60,
            },
            api_per_user: Rate {
                burst: 600,
                per_secs: 60,
            },
            llm_tokens_per_user: Rate {
                burst: 400_000,
                per_secs: 60,
            },
        }
    }
}

/// A rate: up to `burst` requests at once, refilling to `burst` over `per_secs` seconds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Requests allowed in a burst.
    pub burst: u32,
    /// Seconds to refill the whole burst.
    pub per_secs: u64,
}

/// `[database]`: the SQL store.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`; empty means
    /// `sqlite://<data_dir>/cistern.db`. The password is masked when printed.
    pub url: Secret,
    /// Maximum pooled connections.
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: Secret::default(),
            max_connections: 16,
        }
    }
}

/// Which blob backend to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BlobBackend {
    /// A directory on local disk.
    #[default]
    Local,
    /// An S3-compatible bucket (`[blobs.s3]`).
    S3,
}

/// `[blobs]`: the blob store.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct BlobsConfig {
    /// `local` or `s3`.
    pub backend: BlobBackend,
    /// Directory of the local backend; empty means `<data_dir>/blobs`.
    pub path: Option<PathBuf>,
    /// Settings of the `s3` backend.
    pub s3: S3Section,
}

/// `[blobs.s3]`: an S3-compatible bucket (AWS, R2, B2, MinIO, Vultr).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3Section {
    /// Endpoint URL; empty means AWS S3 itself.
    pub endpoint: Option<String>,
    /// Bucket name (required for `backend = "s3"`).
    pub bucket: String,
    /// Region; `auto` for R2.
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: Secret,
    /// Path-style addressing (MinIO and most self-hosted servers need it).
    pub path_style: bool,
}

impl Default for S3Section {
    fn default() -> Self {
        Self {
            endpoint: None,
            bucket: String::new(),
            region: "us-east-1".to_owned(),
            access_key_id: String::new(),
            secret_access_key: Secret::default(),
            path_style: true,
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line (for log shippers).
    #[default]
    Json,
    /// Human-readable lines (for a terminal).
    Pretty,
}

/// `[log]`: logging.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `json` or `pretty`.
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `info,cistern=debug`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Json,
            level: "info".to_owned(),
        }
    }
}

impl Config {
    /// The SQL store URL, with the embedded default filled in.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("cistern.db").display())
        } else {
            self.database.url.expose().to_owned()
        }
    }

    /// The blob store settings, with the embedded default filled in.
    pub fn blob_config(&self) -> cistern_store::BlobConfig {
        match self.blobs.backend {
            BlobBackend::Local => cistern_store::BlobConfig::Local(
                self.blobs
                    .path
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join("blobs")),
            ),
            BlobBackend::S3 => {
                let s3 = &self.blobs.s3;
                cistern_store::BlobConfig::S3(cistern_store::S3Config {
                    endpoint: s3.endpoint.clone(),
                    bucket: s3.bucket.clone(),
                    region: s3.region.clone(),
                    access_key_id: s3.access_key_id.clone(),
                    secret_access_key: s3.secret_access_key.expose().to_owned(),
                    path_style: s3.path_style,
                })
            }
        }
    }

    /// The effective configuration as TOML, defaults filled in and secrets masked.
    pub fn to_masked_toml(&self) -> String {
        let mut table = toml::Table::try_from(self).unwrap_or_default();
        // Show the resolved URL with only its password masked: more useful than a blanket mask.
        if let Some(toml::Value::Table(db)) = table.get_mut("database") {
            db.insert("url".into(), mask_url_password(&self.database_url()).into());
        }
        toml::to_string_pretty(&table).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's configuration reference is real config: every key it shows exists (unknown
    /// keys are errors) and every value has the right type.
    #[test]
    fn the_readme_configuration_reference_parses() {
        let readme = include_str!("../../../../README.md");
        let start = readme
            .find("```toml\ndata_dir")
            .expect("the README has the configuration block");
        let block = &readme[start + "```toml\n".len()..];
        let block = &block[..block.find("```").expect("block ends")];
        let config: Config = toml::from_str(block).unwrap_or_else(|e| panic!("README config: {e}"));
        assert!(config.llm.models.contains_key("fast"));
        assert_eq!(config.call_log.retention_days, 30);
    }
}
