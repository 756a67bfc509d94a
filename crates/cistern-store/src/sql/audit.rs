//! The audit log: append-only (the database refuses UPDATE and DELETE), browsable per actor.

use super::{Db, Result, with_pool};

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct AuditEvent {
    /// Monotonic id; also the pagination cursor.
    pub id: i64,
    /// Who acted; `None` when nobody was authenticated (a failed login).
    pub actor_id: Option<String>,
    /// The actor's email at listing time (`None` without an actor or once the account is gone).
    pub actor_email: Option<String>,
    /// What happened: `auth.login`, `api_key.create`, `quota.change`, …
    pub action: String,
    /// What it happened to (a user id, a key id, an email for failed logins…).
    pub target: Option<String>,
    /// `success` or `failure`.
    pub outcome: String,
    /// The request that caused it.
    pub request_id: Option<String>,
    /// The client address.
    pub ip: Option<String>,
    /// Extra structured facts, as a JSON object string.
    pub metadata: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// An event to append.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEvent {
    /// Who acted.
    pub actor_id: Option<String>,
    /// What happened.
    pub action: String,
    /// What it happened to.
    pub target: Option<String>,
    /// `true` for success.
    pub success: bool,
    /// The request that caused it.
    pub request_id: Option<String>,
    /// The client address.
    pub ip: Option<String>,
    /// A JSON object.
    pub metadata: serde_json::Value,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this actor's events; `None` lists everyone's (admins only — the caller decides).
    pub actor_id: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only events older than this id (the cursor of the previous page).
    pub before: Option<i64>,
    /// Page size.
    pub limit: i64,
}

/// The audit log.
pub trait AuditStore {
    /// Appends an event and returns its id.
    fn append_audit(&self, event: &NewAuditEvent) -> impl Future<Output = Result<i64>> + Send;
    /// Events matching `filter`, newest first.
    fn list_audit(
        &self,
        filter: &AuditFilter,
    ) -> impl Future<Output = Result<Vec<AuditEvent>>> + Send;
}

const INSERT: &str = "INSERT INTO audit_events (actor_id, action, target, outcome, request_id, ip, metadata, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
const LIST: &str = "SELECT a.id, a.actor_id, u.email AS actor_email, a.action, a.target, a.outcome,
            a.request_id, a.ip, a.metadata, a.created_at
     FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id
     WHERE ($1 IS NULL OR a.actor_id = $1) AND ($2 IS NULL OR a.action = $2) AND ($3 IS NULL OR a.id < $3)
     ORDER BY a.id DESC LIMIT $4";

impl AuditStore for Db {
    async fn append_audit(&self, e: &NewAuditEvent) -> Result<i64> {
        let outcome = if e.success { "success" } else { "failure" };
        let metadata = if e.metadata.is_null() {
            "{}".to_owned()
        } else {
            e.metadata.to_string()
        };
        Ok(with_pool!(self, pool => sqlx::query_scalar(INSERT)
            .bind(&e.actor_id).bind(&e.action).bind(&e.target).bind(outcome).bind(&e.request_id).bind(&e.ip)
            .bind(&metadata).bind(e.created_at)
            .fetch_one(pool).await)?)
    }

    async fn list_audit(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>> {
        Ok(with_pool!(self, pool => sqlx::query_as(LIST)
            .bind(&f.actor_id).bind(&f.action).bind(f.before).bind(f.limit)
            .fetch_all(pool).await)?)
    }
}
