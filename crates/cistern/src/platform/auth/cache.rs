//! A short memory of credential lookups, so that an authenticated request costs no database
//! round trip in steady state (issue #3's figure: `/api/v1/me` within 10% of `/health`).
//!
//! Architecture invariant: only *positive* facts are cached — "this session is live", "this key
//! row", "this user row" — and each for at most `auth.credential_cache_ms`. Every revocation
//! made by this instance forgets the fact at once; a revocation made by another instance sharing
//! the database is seen by this one within the TTL. A TTL of 0 turns the cache off.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cistern_store::{ApiKey, User};
use quick_cache::sync::Cache;

use super::jwt::Claims;

/// Entries per map; far more than the live sessions, keys and users of one installation.
const CAPACITY: usize = 16_384;

/// What this instance recently learnt about credentials.
pub struct CredentialCache {
    ttl: Duration,
    live_sessions: Cache<String, Instant>,
    keys: Cache<String, (Instant, Arc<ApiKey>)>,
    users: Cache<String, (Instant, Arc<User>)>,
    /// Access tokens whose signature was checked, by their exact text; expiry is still checked
    /// on every use.
    tokens: Cache<String, (Instant, Arc<Claims>)>,
}

impl CredentialCache {
    /// A cache whose entries live `ttl` (zero: nothing is kept).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            live_sessions: Cache::new(CAPACITY),
            keys: Cache::new(CAPACITY),
            users: Cache::new(CAPACITY),
            tokens: Cache::new(CAPACITY),
        }
    }

    fn fresh(&self, at: Instant) -> bool {
        at.elapsed() < self.ttl
    }

    /// Whether session `sid` was seen live within the TTL.
    pub fn session_live(&self, sid: &str) -> bool {
        self.live_sessions.get(sid).is_some_and(|at| self.fresh(at))
    }

    /// Remembers that session `sid` is live.
    pub fn remember_session(&self, sid: &str) {
        if !self.ttl.is_zero() {
            self.live_sessions.insert(sid.to_owned(), Instant::now());
        }
    }

    /// Forgets session `sid` (it was just revoked here).
    pub fn forget_session(&self, sid: &str) {
        self.live_sessions.remove(sid);
    }

    /// The key row with this prefix, if fetched within the TTL.
    pub fn key(&self, prefix: &str) -> Option<Arc<ApiKey>> {
        self.keys
            .get(prefix)
            .and_then(|(at, key)| self.fresh(at).then_some(key))
    }

    /// Remembers a key row under its prefix.
    pub fn remember_key(&self, prefix: &str, key: Arc<ApiKey>) {
        if !self.ttl.is_zero() {
            self.keys.insert(prefix.to_owned(), (Instant::now(), key));
        }
    }

    /// Forgets every key row (a key was just revoked here; revocations are rare).
    pub fn forget_keys(&self) {
        self.keys.clear();
    }

    /// The claims of this exact access token, if its signature was checked within the TTL.
    pub fn verified_token(&self, token: &str) -> Option<Arc<Claims>> {
        self.tokens
            .get(token)
            .and_then(|(at, claims)| self.fresh(at).then_some(claims))
    }

    /// Remembers that `token`'s signature is valid and what it claims.
    pub fn remember_token(&self, token: &str, claims: Arc<Claims>) {
        if !self.ttl.is_zero() {
            self.tokens
                .insert(token.to_owned(), (Instant::now(), claims));
        }
    }

    /// The user row with this id, if fetched within the TTL.
    pub fn user(&self, id: &str) -> Option<Arc<User>> {
        self.users
            .get(id)
            .and_then(|(at, user)| self.fresh(at).then_some(user))
    }

    /// Remembers a user row.
    pub fn remember_user(&self, user: Arc<User>) {
        if !self.ttl.is_zero() {
            self.users.insert(user.id.clone(), (Instant::now(), user));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_expire_and_revocations_forget_them() {
        let cache = CredentialCache::new(Duration::from_millis(50));
        cache.remember_session("s1");
        assert!(cache.session_live("s1"));
        cache.forget_session("s1");
        assert!(!cache.session_live("s1"), "a local revocation is immediate");
        cache.remember_session("s2");
        std::thread::sleep(Duration::from_millis(60));
        assert!(
            !cache.session_live("s2"),
            "an entry older than the TTL is a miss"
        );
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = CredentialCache::new(Duration::ZERO);
        cache.remember_session("s");
        assert!(!cache.session_live("s"));
    }
}
