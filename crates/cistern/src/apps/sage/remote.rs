//! The HTTP client side of [`super::Scorer`]: posts to a `cistern scorer`'s `/score`.

use std::time::Duration;

use super::{Error, ScoreRequest, ScoreResponse};
use crate::config::{ScorerConfig, Secret};

/// A `cistern scorer` service reached over HTTP.
#[derive(Debug, Clone)]
pub struct RemoteScorer {
    client: reqwest::Client,
    endpoint: String,
    api_key: Secret,
}

impl RemoteScorer {
    /// A client for `config.url` with `config.api_key`.
    pub fn new(config: &ScorerConfig) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_secs))
            .build()
            .map_err(|e| Error::Unavailable(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            endpoint: format!("{}/score", config.url.trim_end_matches('/')),
            api_key: config.api_key.clone(),
        })
    }

    /// Posts `request` and reads the answer; the scorer's 4xx become [`Error::Refused`].
    pub async fn score(&self, request: &ScoreRequest) -> Result<ScoreResponse, Error> {
        let response = self
            .client
            .post(&self.endpoint)
            .bearer_auth(self.api_key.expose())
            .json(request)
            .send()
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            return response
                .json()
                .await
                .map_err(|e| Error::Unavailable(format!("unreadable answer: {e}")));
        }
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let message = body
            .pointer("/error/message")
            .and_then(|m| m.as_str())
            .unwrap_or("no error message")
            .to_owned();
        if status.is_client_error() {
            Err(Error::Refused {
                status: status.as_u16(),
                message,
            })
        } else {
            Err(Error::Unavailable(format!("{status}: {message}")))
        }
    }
}
