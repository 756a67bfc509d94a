//! Loading and validating the configuration layers.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::Serialize;

use super::{BlobBackend, Config};

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A layer could not be read or parsed, or named an unknown key.
    #[error("{0}")]
    Parse(#[from] Box<figment::Error>),
    /// The file given with `--config` does not exist.
    #[error("config file {0} not found")]
    MissingFile(PathBuf),
    /// The values parsed but do not make sense together.
    #[error("invalid config: {0}")]
    Invalid(String),
}

/// Values given on the command line; `None` leaves the lower layers in charge.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    /// `--data-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--host` and `--port`.
    #[serde(skip_serializing_if = "ServerOverrides::is_empty")]
    pub server: ServerOverrides,
    /// `--model`.
    #[serde(skip_serializing_if = "LlmOverrides::is_empty")]
    pub llm: LlmOverrides,
}

/// The `[llm]` part of [`Overrides`].
#[derive(Debug, Default, Clone, Serialize)]
pub struct LlmOverrides {
    /// `[llm.local]`.
    pub local: LocalOverrides,
}

/// The `[llm.local]` part of [`Overrides`].
#[derive(Debug, Default, Clone, Serialize)]
pub struct LocalOverrides {
    /// `--model`: the GGUF file of the local model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<PathBuf>,
}

impl LlmOverrides {
    fn is_empty(&self) -> bool {
        self.local.model.is_none()
    }
}

/// The `[server]` part of [`Overrides`].
#[derive(Debug, Default, Clone, Serialize)]
pub struct ServerOverrides {
    /// `--host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<std::net::IpAddr>,
    /// `--port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl ServerOverrides {
    fn is_empty(&self) -> bool {
        self.host.is_none() && self.port.is_none()
    }
}

/// Top-level keys that have no section, so their variables carry no `__`.
const TOP_LEVEL_KEYS: &[&str] = &["data_dir"];

/// Loads the configuration: defaults → `file` → `env` (`CISTERN_SECTION__KEY`) → `overrides`.
///
/// `env` is passed in (rather than read from the process) so tests stay hermetic; callers pass
/// `std::env::vars()`. Only `CISTERN_` variables of the `SECTION__KEY` form (or a top-level key
/// such as `CISTERN_DATA_DIR`) are configuration; others, like `CISTERN_CONFIG`, are not.
pub fn load(
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
    overrides: &Overrides,
) -> Result<Config, ConfigError> {
    // Defaults as the bottom layer (not only serde's per-field defaults), so a partial override of
    // a nested table — `CISTERN_RATE_LIMIT__AUTH__BURST=5` — keeps the table's other defaults.
    // Every default secret is empty, so the masking `Serialize` of `Secret` loses nothing here.
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(path) = file {
        if !path.is_file() {
            return Err(ConfigError::MissingFile(path.to_owned()));
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    // figment's `Env` reads the process environment itself; we take the variables as an argument
    // (hermetic tests) and parse each value the same way `Env` does (`8080` → int, `[a, b]` → array).
    let vars: Vec<(String, String)> = env
        .into_iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("CISTERN_")?.to_ascii_lowercase();
            (key.contains("__") || TOP_LEVEL_KEYS.contains(&key.as_str())).then_some((key, v))
        })
        .collect();
    for (key, value) in vars {
        let dotted = key.replace("__", ".");
        let value: figment::value::Value = value.parse().unwrap_or_else(|e| match e {});
        figment = figment.merge(Serialized::default(&dotted, value));
    }
    figment = figment.merge(Serialized::defaults(overrides));
    let mut config: Config = figment.extract().map_err(Box::new)?;
    default_local_model(&mut config);
    validate(&config)?;
    Ok(config)
}

/// With no `[llm.local] model`, the default model under `<data_dir>/models/` when a build with
/// the local model finds it there (`scripts/fetch-model.sh` puts it there). Absent, the local
/// model stays off; a path that is set must load.
fn default_local_model(config: &mut Config) {
    let local = &mut config.llm.local;
    if !cistern_llm::LOCAL_MODEL_AVAILABLE || !local.enabled || local.model.is_some() {
        return;
    }
    let path = config
        .data_dir
        .join("models")
        .join(cistern_llm::DEFAULT_MODEL_FILE);
    if path.is_file() {
        local.model = Some(path);
    }
}

fn validate(config: &Config) -> Result<(), ConfigError> {
    let invalid = |msg: String| Err(ConfigError::Invalid(msg));
    let url = config.database_url();
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres:")
        || url.starts_with("postgresql:"))
    {
        return invalid("database.url must start with sqlite:// or postgres://".into());
    }
    if config.blobs.backend == BlobBackend::S3 && config.blobs.s3.bucket.is_empty() {
        return invalid("blobs.s3.bucket is required when blobs.backend = \"s3\"".into());
    }
    if config.server.body_limit_bytes == 0 {
        return invalid("server.body_limit_bytes must be greater than 0".into());
    }
    if config.server.request_timeout_secs == 0 {
        return invalid("server.request_timeout_secs must be greater than 0".into());
    }
    for origin in &config.server.cors_allowed_origins {
        let ok = origin == "*"
            || ((origin.starts_with("http://") || origin.starts_with("https://"))
                && !origin.trim_end_matches('/').contains(['?', '#'])
                && origin
                    .split("://")
                    .nth(1)
                    .is_some_and(|h| !h.is_empty() && !h.contains('/')));
        if !ok {
            return invalid(format!(
                "server.cors_allowed_origins: {origin:?} is not an origin like https://app.example.com"
            ));
        }
    }
    let oidc = &config.auth.oidc;
    if !oidc.issuer.is_empty() && (oidc.audience.is_empty() || oidc.jwks_url.is_empty()) {
        return invalid("auth.oidc needs audience and jwks_url when issuer is set".into());
    }
    if !config.auth.jwt_secret.is_empty() && config.auth.jwt_secret.expose().len() < 32 {
        return invalid(
            "auth.jwt_secret must be at least 32 characters (or empty to generate one)".into(),
        );
    }
    if config.auth.access_token_ttl_secs == 0 || config.auth.refresh_token_ttl_secs == 0 {
        return invalid("auth token lifetimes must be greater than 0".into());
    }
    let rl = &config.rate_limit;
    for (name, rate) in [
        ("auth", rl.auth),
        ("api_per_ip", rl.api_per_ip),
        ("api_per_user", rl.api_per_user),
        ("llm_tokens_per_user", rl.llm_tokens_per_user),
    ] {
        if rate.burst == 0 || rate.per_secs == 0 {
            return invalid(format!(
                "rate_limit.{name}: burst and per_secs must be greater than 0"
            ));
        }
    }
    if !rl.redis_url.is_empty() && !rl.redis_url.expose().starts_with("redis://") {
        return invalid("rate_limit.redis_url must start with redis://".into());
    }
    let scorer = &config.scorer;
    if !scorer.url.is_empty() {
        if !(scorer.url.starts_with("http://") || scorer.url.starts_with("https://")) {
            return invalid("scorer.url must start with http:// or https://".into());
        }
        if scorer.api_key.is_empty() {
            return invalid("scorer.api_key is required when scorer.url is set".into());
        }
    }
    if scorer.max_request_bytes == 0 || scorer.timeout_secs == 0 {
        return invalid(
            "scorer.max_request_bytes and scorer.timeout_secs must be greater than 0".into(),
        );
    }
    for pattern in &config.call_log.redact {
        if let Err(e) = regex::Regex::new(pattern) {
            return invalid(format!(
                "call_log.redact: {pattern:?} is not a valid regular expression: {e}"
            ));
        }
    }
    // The gateway checks its own section (providers, URLs, weights, `api_key_env` set); the
    // local model's file is checked without loading it (the server loads it once, at start).
    if let Err(e) = cistern_llm::check_local_model(&config.llm.local) {
        return invalid(e.to_string());
    }
    let mut llm = config.llm.clone();
    if llm.local.model.is_some() {
        // Stand in for the model: deployments naming `provider = "local"` still check.
        llm.local.enabled = false;
        for model in llm.models.values_mut() {
            model
                .deployments
                .retain(|d| d.provider != cistern_llm::ProviderKind::Local);
        }
        llm.models.retain(|_, m| !m.deployments.is_empty());
    }
    if let Err(e) = cistern_llm::Gateway::new(llm, cistern_llm::GatewayOptions::default()) {
        return invalid(e.to_string());
    }
    if config.quota.default_monthly_tokens < 0 {
        return invalid("quota.default_monthly_tokens must be 0 (unlimited) or more".into());
    }
    config.jobs.validate().map_err(ConfigError::Invalid)?;
    if tracing_subscriber::EnvFilter::try_new(&config.log.level).is_err() {
        return invalid(format!(
            "log.level: {:?} is not a valid filter",
            config.log.level
        ));
    }
    Ok(())
}
