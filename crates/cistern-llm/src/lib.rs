//! The LLM gateway (work in progress).

mod error;
pub mod provider;
mod sse;
pub mod types;

pub use error::{Error, ErrorKind, NOT_CONFIGURED, Result};
pub use provider::ProviderKind;
pub use types::*;
