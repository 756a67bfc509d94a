//! The LLM gateway (work in progress).

mod accounting;
mod breaker;
mod cache;
mod clock;
mod config;
mod env;
mod error;
mod gateway;
mod metrics;
pub mod provider;
mod retry;
mod router;
mod sse;
mod tokens;
mod tools;
pub mod types;

pub use accounting::{CallContext, CallKind, CallRecord, CallSink, CallStatus, CostEstimate};
pub use breaker::BreakerState;
pub use cache::CacheStats;
pub use clock::ManualClock;
pub use config::{
    BreakerConfig, CacheConfig, DeploymentConfig, LlmConfig, ModelConfig, RetryConfig, Secret,
};
pub use env::{EnvProvider, providers_from_env};
pub use error::{Error, ErrorKind, NOT_CONFIGURED, Result};
pub use gateway::{
    ChatStream, DeploymentInfo, EnvLookup, Gateway, GatewayOptions, HealthReport, ModelInfo,
    ModelsInfo,
};
pub use provider::ProviderKind;
pub use types::*;
