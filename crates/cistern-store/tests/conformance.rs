//! One conformance suite for every backend: each case runs on SQLite and PostgreSQL (SQL), and on
//! local disk and S3 (blobs). The PostgreSQL and S3 servers come from `scripts/test.sh`.

use std::sync::Arc;

use bytes::Bytes;
use cistern_store::blob::{self, BlobConfig};
use cistern_store::sql::{Backend, Error, PoolOptions, now_ms};
use cistern_store::{
    ApiKey, ApiKeyStore, AuditFilter, AuditStore, BlobStore, Db, MetaStore, NewAuditEvent, NewUser,
    RefreshToken, SessionStore, UsageRow, UsageStore, User, UserStore, testing,
};
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

struct SqliteDb {
    db: Db,
    _dir: tempfile::TempDir,
}

async fn sqlite() -> SqliteDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let db = Db::connect(&url, &PoolOptions::default())
        .await
        .expect("open sqlite");
    db.migrate().await.expect("migrate sqlite");
    SqliteDb { db, _dir: dir }
}

async fn postgres() -> Option<Db> {
    let url = testing::fresh_postgres_url().await?;
    let db = Db::connect(&url, &PoolOptions::default())
        .await
        .expect("open postgres");
    db.migrate().await.expect("migrate postgres");
    Some(db)
}

/// Generates `<case>_sqlite` and `<case>_postgres` tests from `async fn <case>(Db)`.
macro_rules! sql_suite {
    ($($case:ident),* $(,)?) => { $(
        mod $case {
            #[tokio::test]
            async fn sqlite() {
                let s = super::sqlite().await;
                super::$case(s.db.clone()).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(db) = super::postgres().await {
                    super::$case(db).await;
                }
            }
        }
    )* };
}

sql_suite!(
    migrations_are_idempotent,
    meta_round_trips,
    meta_first_writer_wins,
    concurrent_writers_all_land,
    users_have_unique_emails,
    refresh_tokens_rotate_once_and_families_revoke,
    api_keys_are_owner_scoped,
    audit_log_is_append_only_and_pages,
    usage_accumulates_per_month_model_and_app,
);

async fn migrations_are_idempotent(db: Db) {
    db.migrate().await.expect("second migrate is a no-op");
    db.migrate().await.expect("third migrate is a no-op");
    db.ping().await.expect("ping after migrations");
}

async fn meta_round_trips(db: Db) {
    assert_eq!(db.meta_get("missing").await.expect("get"), None);
    db.meta_put("k", "one").await.expect("put");
    assert_eq!(db.meta_get("k").await.expect("get").as_deref(), Some("one"));
    db.meta_put("k", "two — ünïcode ✓")
        .await
        .expect("overwrite");
    assert_eq!(
        db.meta_get("k").await.expect("get").as_deref(),
        Some("two — ünïcode ✓")
    );
    assert!(db.meta_delete("k").await.expect("delete"));
    assert!(!db.meta_delete("k").await.expect("delete again"));
    assert_eq!(db.meta_get("k").await.expect("get"), None);
}

async fn meta_first_writer_wins(db: Db) {
    let racers = (0..8).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            db.meta_get_or_insert("singleton", &format!("value-{i}"))
                .await
        })
    });
    let winners: Vec<String> = futures::future::try_join_all(racers)
        .await
        .expect("join")
        .into_iter()
        .map(|r| r.expect("insert"))
        .collect();
    assert!(
        winners.iter().all(|w| w == &winners[0]),
        "every racer sees the same value: {winners:?}"
    );
    assert_eq!(
        db.meta_get("singleton").await.expect("get"),
        Some(winners[0].clone())
    );
}

async fn concurrent_writers_all_land(db: Db) {
    // SQLite allows one writer at a time; WAL plus the busy timeout must make writers queue, not fail.
    let writers = (0..50).map(|i| {
        let db = db.clone();
        tokio::spawn(async move { db.meta_put(&format!("w{i}"), &i.to_string()).await })
    });
    for result in futures::future::join_all(writers).await {
        result
            .expect("join")
            .expect("every concurrent write succeeds");
    }
    for i in 0..50 {
        assert_eq!(
            db.meta_get(&format!("w{i}")).await.expect("get"),
            Some(i.to_string())
        );
    }
}

async fn user(db: &Db, email: &str) -> User {
    db.create_user(NewUser {
        email,
        password_hash: Some("$argon2id$x"),
        role: "user",
        oidc_subject: None,
    })
    .await
    .expect("create user")
}

async fn users_have_unique_emails(db: Db) {
    let alice = user(&db, "alice@example.com").await;
    assert_eq!(alice.role, "user");
    assert_eq!(
        db.user_by_email("alice@example.com").await.expect("get"),
        Some(alice.clone())
    );
    assert_eq!(
        db.user_by_id(&alice.id).await.expect("get"),
        Some(alice.clone())
    );
    let dup = db
        .create_user(NewUser {
            email: "alice@example.com",
            password_hash: None,
            role: "user",
            oidc_subject: None,
        })
        .await
        .expect_err("duplicate email");
    assert!(matches!(dup, Error::Conflict(_)), "{dup}");
    let oidc = db
        .create_user(NewUser {
            email: "bob@example.com",
            password_hash: None,
            role: "admin",
            oidc_subject: Some("iss|123"),
        })
        .await
        .expect("oidc user");
    assert_eq!(
        db.user_by_oidc_subject("iss|123")
            .await
            .expect("get")
            .map(|u| u.id),
        Some(oidc.id)
    );
    assert!(
        db.set_user_quota(&alice.id, Some(5000))
            .await
            .expect("quota")
    );
    assert_eq!(
        db.user_by_id(&alice.id)
            .await
            .expect("get")
            .and_then(|u| u.monthly_token_quota),
        Some(5000)
    );
    assert!(!db.set_user_quota("nobody", Some(1)).await.expect("quota"));
    assert_eq!(db.count_users().await.expect("count"), 2);
}

async fn refresh_tokens_rotate_once_and_families_revoke(db: Db) {
    let u = user(&db, "carol@example.com").await;
    let token = RefreshToken {
        id: "t1".into(),
        user_id: u.id.clone(),
        family_id: "f1".into(),
        expires_at: now_ms() + 60_000,
        used_at: None,
        revoked_at: None,
    };
    db.insert_refresh_token(&token, "hash-1", now_ms())
        .await
        .expect("insert");
    assert_eq!(
        db.refresh_token_by_hash("hash-1").await.expect("get"),
        Some(token.clone())
    );
    assert!(
        db.use_refresh_token("t1", now_ms()).await.expect("use"),
        "first use wins"
    );
    assert!(
        !db.use_refresh_token("t1", now_ms()).await.expect("reuse"),
        "second use is refused"
    );
    assert!(
        db.refresh_token_used_at("t1")
            .await
            .expect("used at")
            .is_some_and(|at| at > 0)
    );
    assert_eq!(db.refresh_token_used_at("nope").await.expect("none"), None);
    let next = RefreshToken {
        id: "t2".into(),
        ..token
    };
    db.insert_refresh_token(&next, "hash-2", now_ms())
        .await
        .expect("insert");
    assert!(!db.family_revoked("f1").await.expect("revoked?"));
    assert_eq!(db.revoke_family("f1", now_ms()).await.expect("revoke"), 2);
    assert!(db.family_revoked("f1").await.expect("revoked?"));
    assert!(
        !db.use_refresh_token("t2", now_ms()).await.expect("use"),
        "revoked tokens cannot be used"
    );
}

async fn api_keys_are_owner_scoped(db: Db) {
    let a = user(&db, "dave@example.com").await;
    let b = user(&db, "erin@example.com").await;
    let key = ApiKey {
        id: "k1".into(),
        user_id: a.id.clone(),
        name: "ci".into(),
        prefix: "abcd1234".into(),
        key_hash: "h".into(),
        created_at: now_ms(),
        last_used_at: None,
        expires_at: None,
        revoked_at: None,
    };
    db.insert_api_key(&key).await.expect("insert");
    let clash = db
        .insert_api_key(&ApiKey {
            id: "k2".into(),
            ..key.clone()
        })
        .await
        .expect_err("same prefix");
    assert!(matches!(clash, Error::Conflict(_)));
    assert_eq!(
        db.api_keys_of(&a.id).await.expect("list"),
        vec![key.clone()]
    );
    assert!(db.api_keys_of(&b.id).await.expect("list").is_empty());
    assert!(
        !db.revoke_api_key(&b.id, "k1", now_ms())
            .await
            .expect("revoke"),
        "B cannot revoke A's key"
    );
    db.touch_api_key("k1", 1_000_000).await.expect("touch");
    db.touch_api_key("k1", 1_000_500)
        .await
        .expect("touch again within a minute");
    let stored = db
        .api_key_by_prefix("abcd1234")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(
        stored.last_used_at,
        Some(1_000_000),
        "touches are debounced to a minute"
    );
    assert!(
        db.revoke_api_key(&a.id, "k1", now_ms())
            .await
            .expect("revoke")
    );
    assert!(
        db.api_key_by_prefix("abcd1234")
            .await
            .expect("get")
            .expect("exists")
            .revoked_at
            .is_some()
    );
}

async fn audit_log_is_append_only_and_pages(db: Db) {
    for i in 0..5 {
        let event = NewAuditEvent {
            actor_id: Some(if i % 2 == 0 { "u1" } else { "u2" }.into()),
            action: if i < 3 {
                "auth.login"
            } else {
                "api_key.create"
            }
            .into(),
            success: true,
            metadata: serde_json::json!({ "i": i }),
            created_at: now_ms(),
            ..NewAuditEvent::default()
        };
        db.append_audit(&event).await.expect("append");
    }
    let all = db
        .list_audit(&AuditFilter {
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("list");
    assert_eq!(all.len(), 5);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let u1 = db
        .list_audit(&AuditFilter {
            actor_id: Some("u1".into()),
            limit: 2,
            ..AuditFilter::default()
        })
        .await
        .expect("list");
    assert_eq!(u1.len(), 2);
    let page2 = db
        .list_audit(&AuditFilter {
            actor_id: Some("u1".into()),
            before: Some(u1[1].id),
            limit: 2,
            ..AuditFilter::default()
        })
        .await
        .expect("list");
    assert_eq!(page2.len(), 1, "three u1 events in all");
    assert_eq!(page2[0].metadata, r#"{"i":0}"#);
    let logins = db
        .list_audit(&AuditFilter {
            action: Some("auth.login".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("list");
    assert_eq!(logins.len(), 3);
    let tamper = match &db {
        Db::Sqlite(p) => sqlx::query("UPDATE audit_events SET action = 'x'")
            .execute(p)
            .await
            .map(|_| ()),
        Db::Postgres(p) => sqlx::query("DELETE FROM audit_events")
            .execute(p)
            .await
            .map(|_| ()),
    };
    assert!(
        tamper
            .expect_err("the database refuses")
            .to_string()
            .contains("append-only")
    );
}

async fn usage_accumulates_per_month_model_and_app(db: Db) {
    let u = user(&db, "frank@example.com").await;
    let row = |month: &str, model: &str, tin, tout| UsageRow {
        month: month.into(),
        model: model.into(),
        app: "chat".into(),
        requests: 1,
        tokens_in: tin,
        tokens_out: tout,
        cost_micros: 7,
    };
    db.add_usage(&u.id, &row("2026-11", "fast", 100, 20))
        .await
        .expect("add");
    db.add_usage(&u.id, &row("2026-11", "fast", 50, 5))
        .await
        .expect("add");
    db.add_usage(&u.id, &row("2026-11", "smart", 1, 1))
        .await
        .expect("add");
    db.add_usage(&u.id, &row("2026-10", "fast", 1000, 1000))
        .await
        .expect("add");
    let nov = db.usage_of(&u.id, "2026-11").await.expect("usage");
    assert_eq!(nov.len(), 2);
    assert_eq!(
        (
            nov[0].requests,
            nov[0].tokens_in,
            nov[0].tokens_out,
            nov[0].cost_micros
        ),
        (2, 150, 25, 14)
    );
    assert_eq!(db.tokens_used(&u.id, "2026-11").await.expect("sum"), 177);
    assert_eq!(db.tokens_used(&u.id, "2026-09").await.expect("sum"), 0);
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    let s = sqlite().await;
    assert_eq!(s.db.backend(), Backend::Sqlite);
    let Db::Sqlite(pool) = &s.db else {
        unreachable!("sqlite() returns SQLite")
    };
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn unknown_url_scheme_is_a_clear_error() {
    let err = Db::connect("mysql://x", &PoolOptions::default())
        .await
        .expect_err("mysql is not supported");
    assert!(
        err.to_string().contains("sqlite:// or postgres://"),
        "{err}"
    );
}

// ---- blobs ----

fn local() -> (BlobStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = BlobConfig::Local(dir.path().join("blobs"))
        .build()
        .expect("local store");
    (store, dir)
}

async fn s3() -> Option<BlobStore> {
    Some(testing::fresh_s3_bucket().await?.build().expect("s3 store"))
}

#[tokio::test]
async fn blobs_local() {
    let (store, _dir) = local();
    blob_suite(store).await;
}

#[tokio::test]
async fn blobs_s3() {
    if let Some(store) = s3().await {
        blob_suite(store).await;
    }
}

async fn blob_suite(store: Arc<dyn ObjectStore>) {
    blob::ping(store.as_ref())
        .await
        .expect("ping an empty store");
    let key = Path::from("users/u1/extensions/e1/v1.zip");
    let missing = store.get(&key).await.expect_err("nothing stored yet");
    assert!(
        matches!(missing, object_store::Error::NotFound { .. }),
        "{missing}"
    );

    let body = Bytes::from((0..=255u8).cycle().take(300_000).collect::<Vec<u8>>());
    store
        .put(&key, PutPayload::from(body.clone()))
        .await
        .expect("put");
    let got = store
        .get(&key)
        .await
        .expect("get")
        .bytes()
        .await
        .expect("read");
    assert_eq!(got, body, "bytes come back unchanged");
    assert_eq!(
        store.head(&key).await.expect("head").size,
        body.len() as u64
    );

    store
        .put(&key, PutPayload::from_static(b"v2"))
        .await
        .expect("overwrite");
    assert_eq!(
        store
            .get(&key)
            .await
            .expect("get")
            .bytes()
            .await
            .expect("read"),
        Bytes::from_static(b"v2")
    );

    store
        .put(
            &Path::from("users/u1/other.txt"),
            PutPayload::from_static(b"x"),
        )
        .await
        .expect("put");
    store
        .put(
            &Path::from("users/u2/secret.txt"),
            PutPayload::from_static(b"y"),
        )
        .await
        .expect("put");
    let mut listed: Vec<String> = store
        .list(Some(&Path::from("users/u1")))
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .expect("list");
    listed.sort();
    assert_eq!(
        listed,
        ["users/u1/extensions/e1/v1.zip", "users/u1/other.txt"],
        "prefix listing stays in its prefix"
    );

    store.delete(&key).await.expect("delete");
    assert!(matches!(
        store.head(&key).await,
        Err(object_store::Error::NotFound { .. })
    ));
    blob::ping(store.as_ref()).await.expect("ping a used store");
}
