//! Redis: one connection setup shared by the rate limiter (and later the response cache).

mod rate_limit;

pub use rate_limit::{KEY_PREFIX, OnRedisError, RedisLimiter, RedisLimiterOptions};

use std::fmt;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::Error;

/// Where and how to reach Redis.
#[derive(Clone)]
pub struct RedisConfig {
    /// `redis://[user:password@]host:port[/db]`. May hold a password: never printed.
    pub url: String,
    /// Bound on one TCP connect (and on the first PING in [`RedisConnection::connect`]).
    /// Default 2 s.
    pub connect_timeout: Duration,
    /// Bound on one command's reply; past it the command fails. Default 1 s.
    pub response_timeout: Duration,
}

impl RedisConfig {
    /// The defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(1),
        }
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &redact_url(&self.url))
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .finish()
    }
}

/// `redis://user:secret@host` → `redis://***@host`, so a config dump never shows a password.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// A multiplexed Redis connection that reconnects by itself after errors. Cheap to clone:
/// clones share the one connection, on which concurrent commands are pipelined.
#[derive(Clone)]
pub struct RedisConnection {
    manager: ConnectionManager,
}

impl fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConnection").finish_non_exhaustive()
    }
}

impl RedisConnection {
    /// Connects and checks the server answers a PING within `connect_timeout`, so that a wrong
    /// URL or a server that is down fails at startup rather than on the first request.
    pub async fn connect(config: &RedisConfig) -> Result<Self, Error> {
        let connection = Self::lazy(config)?;
        let mut manager = connection.manager.clone();
        let ping_cmd = ::redis::cmd("PING");
        let ping = ping_cmd.query_async::<String>(&mut manager);
        tokio::time::timeout(config.connect_timeout, ping)
            .await
            .map_err(|_| Error::Timeout(config.connect_timeout))??;
        Ok(connection)
    }

    /// A connection opened on first use: for starting while Redis is (still) down. Only a
    /// malformed URL fails here.
    pub fn lazy(config: &RedisConfig) -> Result<Self, Error> {
        let client = ::redis::Client::open(config.url.as_str())?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.connect_timeout))
            .set_response_timeout(Some(config.response_timeout))
            // Keep reconnect attempts going at a steady pace during an outage rather than
            // backing off for minutes; the limiter's circuit breaker keeps callers off it.
            .set_max_delay(Duration::from_secs(2));
        let manager = ConnectionManager::new_lazy_with_config(client, manager_config)?;
        Ok(Self { manager })
    }

    /// The connection manager, for the modules of this crate that talk to Redis.
    pub(crate) fn manager(&self) -> ConnectionManager {
        self.manager.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_password() {
        let config = RedisConfig::new("redis://cistern:hunter2@10.0.0.5:6379/2");
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redis://***@10.0.0.5:6379/2"), "{shown}");
    }
}
