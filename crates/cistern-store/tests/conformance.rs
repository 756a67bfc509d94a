//! One conformance suite for every backend: each case runs on SQLite and PostgreSQL (SQL), and on
//! local disk and S3 (blobs). The PostgreSQL and S3 servers come from `scripts/test.sh`.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;

use bytes::Bytes;
use cistern_store::blob::{self, BlobConfig};
use cistern_store::sql::{
    Backend, Error, Expect, Ingest, PoolOptions, Project, Scored, TemplateSeen, TreeWrite, now_ms,
};
use cistern_store::{
    AgentStore, ApiKey, ApiKeyStore, AuditFilter, AuditStore, BlobStore, CodegenStore, Db,
    Extension, ExtensionStore, ForecastStore, Generation, ListedExtension, LlmCall, LlmCallCursor,
    LlmCallFilter, LlmCallStatus, LlmCallStore, LlmCallSummary, MetaStore, NewAuditEvent,
    NewLlmCall, NewUser, RefreshToken, SageStore, SessionStore, UsageRow, UsageStore, User,
    UserStore, VersionOutcome, VersionStatus, testing,
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
    llm_calls_insert_in_batches_and_read_back,
    llm_calls_are_owner_scoped,
    llm_calls_filter_by_model_status_and_app,
    llm_calls_page_without_gaps_or_duplicates,
    llm_call_bodies_only_in_the_single_read,
    llm_calls_prune_by_age,
    extensions_are_owner_scoped_and_ordered,
    extension_versions_number_and_finish,
    extension_versions_stay_distinct,
    concurrent_extension_versions_get_distinct_seqs,
    deleting_an_extension_removes_its_versions,
    generations_are_owner_scoped_paged_and_finish,
    codegen_cache_is_per_owner_expires_and_follows_deletes,
    agent_tree_writes_are_all_or_nothing_and_snapshots_copy_it,
    agent_workspaces_and_tasks_are_owner_scoped_and_reviews_swap_once,
    sage_projects_are_owner_scoped_and_scores_accumulate_what_they_learn,
    sage_forecasts_are_claimed_once_a_day_and_keep_their_feedback,
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

// ---- the LLM call log ----

/// A call by `user` at `at` with every column set, bodies included.
fn new_call(user: Option<&str>, at: i64) -> NewLlmCall {
    LlmCall {
        summary: LlmCallSummary {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user.map(str::to_owned),
            api_key_id: Some("key-1".into()),
            app: "api".into(),
            model: "fast".into(),
            provider: Some("openai".into()),
            deployment: Some("openai-1".into()),
            upstream_model: Some("gpt-4o-mini".into()),
            status: LlmCallStatus::Ok,
            error_kind: None,
            error_message: None,
            stream: true,
            cache_hit: false,
            attempts: 2,
            fallbacks: 1,
            tokens_in: 120,
            tokens_out: 30,
            tokens_estimated: true,
            cost_micros: 4_567,
            first_token_ms: Some(85),
            total_ms: 912,
            created_at: at,
        },
        request_body: Some(r#"{"messages":[{"role":"user","content":"héllo ✓"}]}"#.into()),
        response_body: Some("Hello!".into()),
    }
}

fn first(limit: i64) -> LlmCallFilter {
    LlmCallFilter {
        limit,
        ..LlmCallFilter::default()
    }
}

/// Every stored call, whoever owns it (the API has no such query on purpose).
async fn count_llm_calls(db: &Db) -> i64 {
    let sql = "SELECT COUNT(*) FROM llm_calls";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .expect("count")
}

async fn llm_calls_insert_in_batches_and_read_back(db: Db) {
    let a = user(&db, "calls-a@example.com").await;
    let t = now_ms();
    let batch: Vec<NewLlmCall> = (0..250).map(|i| new_call(Some(&a.id), t + i)).collect();
    db.insert_llm_calls(&batch).await.expect("insert batch");
    db.insert_llm_calls(&[]).await.expect("an empty batch");
    // NULLs and the other boolean values round-trip too.
    let mut failed = new_call(Some(&a.id), t + 1000);
    let s = &mut failed.summary;
    (s.api_key_id, s.provider, s.deployment, s.upstream_model) = (None, None, None, None);
    s.status = LlmCallStatus::Error;
    s.error_kind = Some("timeout".into());
    s.error_message = Some("deployment openai-1 timed out after 30 s".into());
    (s.stream, s.cache_hit, s.tokens_estimated) = (false, true, false);
    s.first_token_ms = None;
    (failed.request_body, failed.response_body) = (None, None);
    db.insert_llm_calls(std::slice::from_ref(&failed))
        .await
        .expect("insert one");
    for expected in [&batch[0], &batch[249], &failed] {
        let got = db
            .llm_call(&a.id, &expected.summary.id)
            .await
            .expect("read");
        assert_eq!(got.as_ref(), Some(expected));
    }
    let listed = db.list_llm_calls(&a.id, &first(1000)).await.expect("list");
    assert_eq!(listed.len(), 251);
    assert_eq!(listed[0], failed.summary);
    assert_eq!(listed[250], batch[0].summary);

    // A retried batch (the writer cannot tell whether a lost commit landed) is harmless, and a
    // call whose user was deleted meanwhile does not sink the others.
    let fresh = new_call(Some(&a.id), t + 2000);
    let mut retry = batch[..10].to_vec();
    retry.push(new_call(Some("deleted-user"), t + 2000));
    retry.push(fresh.clone());
    db.insert_llm_calls(&retry).await.expect("retried batch");
    let listed = db.list_llm_calls(&a.id, &first(1000)).await.expect("list");
    assert_eq!(listed.len(), 252, "no duplicates, the fresh call landed");
    assert_eq!(listed[0], fresh.summary);

    // Calls the server makes for itself are stored but listed for nobody.
    let system = new_call(None, t);
    db.insert_llm_calls(std::slice::from_ref(&system))
        .await
        .expect("system call");
    assert_eq!(count_llm_calls(&db).await, 253);
    assert_eq!(
        db.llm_call(&a.id, &system.summary.id).await.expect("read"),
        None
    );
}

async fn llm_calls_are_owner_scoped(db: Db) {
    let a = user(&db, "owner-a@example.com").await;
    let b = user(&db, "owner-b@example.com").await;
    let t = now_ms();
    let a_calls: Vec<_> = (0..3).map(|_| new_call(Some(&a.id), t)).collect();
    let b_calls: Vec<_> = (0..2).map(|_| new_call(Some(&b.id), t)).collect();
    db.insert_llm_calls(&[a_calls.clone(), b_calls.clone()].concat())
        .await
        .expect("insert");
    let seen_by_b = db.list_llm_calls(&b.id, &first(100)).await.expect("list");
    assert_eq!(seen_by_b.len(), 2);
    assert!(
        seen_by_b
            .iter()
            .all(|c| c.user_id.as_deref() == Some(&*b.id))
    );
    let seen_by_a = db.list_llm_calls(&a.id, &first(100)).await.expect("list");
    assert_eq!(seen_by_a.len(), 3);
    for c in &a_calls {
        let id = &c.summary.id;
        assert_eq!(
            db.llm_call(&b.id, id).await.expect("read"),
            None,
            "B opens A's call"
        );
        assert!(db.llm_call(&a.id, id).await.expect("read").is_some());
    }
    assert_eq!(db.llm_call(&a.id, "no-such-id").await.expect("read"), None);
    let nobody = db
        .list_llm_calls("nobody", &first(100))
        .await
        .expect("list");
    assert!(nobody.is_empty());

    // Deleting an account deletes its log.
    let sql = "DELETE FROM users WHERE id = $1";
    match &db {
        Db::Sqlite(p) => sqlx::query(sql).bind(&a.id).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql).bind(&a.id).execute(p).await.map(|_| ()),
    }
    .expect("delete user");
    assert_eq!(count_llm_calls(&db).await, 2);
}

async fn llm_calls_filter_by_model_status_and_app(db: Db) {
    let a = user(&db, "filters-a@example.com").await;
    let b = user(&db, "filters-b@example.com").await;
    let t = now_ms();
    // Every combination of (model, status, app) twice, for A and for B.
    let mut calls = Vec::new();
    for owner in [&a.id, &b.id] {
        for i in 0..16 {
            let mut c = new_call(Some(owner), t + i);
            c.summary.model = if i & 1 == 0 { "fast" } else { "smart" }.into();
            c.summary.status = if i & 2 == 0 {
                LlmCallStatus::Ok
            } else {
                LlmCallStatus::Error
            };
            c.summary.app = if i & 4 == 0 { "api" } else { "chat" }.into();
            calls.push(c);
        }
    }
    db.insert_llm_calls(&calls).await.expect("insert");
    let list = |model: Option<&str>, status: Option<LlmCallStatus>, app: Option<&str>| {
        let filter = LlmCallFilter {
            model: model.map(str::to_owned),
            status,
            app: app.map(str::to_owned),
            limit: 100,
            ..LlmCallFilter::default()
        };
        let (db, owner) = (db.clone(), a.id.clone());
        async move { db.list_llm_calls(&owner, &filter).await.expect("list") }
    };
    let smart = list(Some("smart"), None, None).await;
    assert_eq!(smart.len(), 8);
    assert!(smart.iter().all(|c| c.model == "smart"));
    let errors = list(None, Some(LlmCallStatus::Error), None).await;
    assert_eq!(errors.len(), 8);
    assert!(errors.iter().all(|c| c.status == LlmCallStatus::Error));
    let chat = list(None, None, Some("chat")).await;
    assert_eq!(chat.len(), 8);
    assert!(chat.iter().all(|c| c.app == "chat"));
    let all_three = list(Some("fast"), Some(LlmCallStatus::Ok), Some("chat")).await;
    assert_eq!(all_three.len(), 2);
    assert!(all_three.iter().all(|c| c.model == "fast"
        && c.status == LlmCallStatus::Ok
        && c.app == "chat"
        && c.user_id.as_deref() == Some(&*a.id)));
    assert!(list(Some("unknown"), None, None).await.is_empty());
    assert_eq!(list(None, None, None).await.len(), 16);
}

async fn llm_calls_page_without_gaps_or_duplicates(db: Db) {
    let a = user(&db, "pages-a@example.com").await;
    let b = user(&db, "pages-b@example.com").await;
    let t = now_ms();
    // 60 calls on only 4 distinct milliseconds, B's interleaved with A's.
    let mut calls = Vec::new();
    for i in 0..60 {
        let mut c = new_call(Some(&a.id), t + i % 4);
        if i % 3 == 0 {
            c.summary.status = LlmCallStatus::Error;
        }
        calls.push(c);
        calls.push(new_call(Some(&b.id), t + i % 4));
    }
    db.insert_llm_calls(&calls).await.expect("insert");
    let mut expected: Vec<(i64, String)> = calls
        .iter()
        .filter(|c| c.summary.user_id.as_deref() == Some(&*a.id))
        .map(|c| (c.summary.created_at, c.summary.id.clone()))
        .collect();
    expected.sort_by(|x, y| y.cmp(x));

    for (status, size, total) in [(None, 7, 60), (Some(LlmCallStatus::Error), 6, 20)] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..20 {
            let filter = LlmCallFilter {
                status,
                // Cursors travel as text through the API's query string.
                before: cursor
                    .as_deref()
                    .map(|c| c.parse().expect("our own cursor")),
                limit: size,
                ..LlmCallFilter::default()
            };
            let page = db.list_llm_calls(&a.id, &filter).await.expect("page");
            assert!(page.len() <= usize::try_from(size).expect("size"));
            seen.extend(page.iter().map(|c| (c.created_at, c.id.clone())));
            match page.last() {
                Some(last) if page.len() == usize::try_from(size).expect("size") => {
                    cursor = Some(last.cursor().to_string());
                }
                _ => break,
            }
        }
        assert_eq!(seen.len(), total, "every call once ({status:?})");
        if status.is_none() {
            // Newest first with ties broken by id: no gaps, no repeats.
            let unique: std::collections::HashSet<_> = seen.iter().collect();
            assert_eq!(unique.len(), 60);
            let mut sorted = seen.clone();
            sorted.sort_by(|x, y| y.cmp(x));
            assert_eq!(seen, sorted, "newest first");
            assert_eq!(
                unique,
                expected.iter().collect::<std::collections::HashSet<_>>()
            );
        }
    }
    assert!(
        db.list_llm_calls(&a.id, &first(0))
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        db.list_llm_calls(&a.id, &first(-5))
            .await
            .expect("list")
            .is_empty()
    );
}

async fn llm_call_bodies_only_in_the_single_read(db: Db) {
    let a = user(&db, "bodies-a@example.com").await;
    let t = now_ms();
    let mut kept = new_call(Some(&a.id), t);
    // A large body with multi-byte characters survives intact.
    kept.request_body = Some("ünïcode ✓ ".repeat(20_000));
    let mut not_kept = new_call(Some(&a.id), t + 1);
    (not_kept.request_body, not_kept.response_body) = (None, None);
    db.insert_llm_calls(&[kept.clone(), not_kept.clone()])
        .await
        .expect("insert");

    let listed = db.list_llm_calls(&a.id, &first(10)).await.expect("list");
    assert_eq!(listed.len(), 2);
    let json = serde_json::to_value(&listed).expect("json");
    for row in json.as_array().expect("array") {
        assert!(row.get("request_body").is_none() && row.get("response_body").is_none());
        assert_eq!(row["status"], "ok");
    }
    let full = db.llm_call(&a.id, &kept.summary.id).await.expect("read");
    let full = full.expect("exists");
    assert_eq!(full.request_body, kept.request_body);
    assert_eq!(full.response_body.as_deref(), Some("Hello!"));
    let json = serde_json::to_value(&full).expect("json");
    assert_eq!(json["model"], "fast", "one flat object");
    assert_eq!(json["response_body"], "Hello!");
    let bare = db
        .llm_call(&a.id, &not_kept.summary.id)
        .await
        .expect("read");
    let bare = bare.expect("exists");
    assert_eq!((bare.request_body, bare.response_body), (None, None));
}

async fn llm_calls_prune_by_age(db: Db) {
    let a = user(&db, "prune-a@example.com").await;
    let t = now_ms();
    // More old rows than one prune chunk, some of them the server's own.
    let old: Vec<_> = (0..5_003)
        .map(|i| new_call((i % 7 != 0).then_some(&*a.id), t - 100_000 - i))
        .collect();
    let recent: Vec<_> = (0..5).map(|i| new_call(Some(&a.id), t - i)).collect();
    db.insert_llm_calls(&old).await.expect("insert old");
    db.insert_llm_calls(&recent).await.expect("insert recent");
    assert_eq!(db.prune_llm_calls(t - 50_000).await.expect("prune"), 5_003);
    assert_eq!(count_llm_calls(&db).await, 5);
    let left = db.list_llm_calls(&a.id, &first(100)).await.expect("list");
    let ids: Vec<_> = left.iter().map(|c| &c.id).collect();
    assert_eq!(
        ids,
        recent.iter().map(|c| &c.summary.id).collect::<Vec<_>>()
    );
    assert_eq!(db.prune_llm_calls(t - 50_000).await.expect("prune"), 0);
    // The boundary is exclusive: a call at exactly the cutoff stays.
    assert_eq!(db.prune_llm_calls(t - 4).await.expect("prune"), 0);
    assert_eq!(db.prune_llm_calls(t - 3).await.expect("prune"), 1);
}

#[test]
fn llm_call_cursors_and_statuses_parse_from_text() {
    let cursor = LlmCallCursor {
        at: 1_767_225_600_123,
        id: "0199a1b2-c3d4_x".into(),
    };
    assert_eq!(cursor.to_string().parse::<LlmCallCursor>(), Ok(cursor));
    for bad in ["", "123", "abc_x", "123_", "_x", "1.5_x"] {
        assert!(bad.parse::<LlmCallCursor>().is_err(), "{bad:?} parsed");
    }
    assert_eq!("error".parse::<LlmCallStatus>(), Ok(LlmCallStatus::Error));
    assert_eq!("ok".parse::<LlmCallStatus>(), Ok(LlmCallStatus::Ok));
    let err = "failed"
        .parse::<LlmCallStatus>()
        .expect_err("unknown status");
    assert!(err.to_string().contains("\"ok\" or \"error\""), "{err}");
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

// ---- ExtensionStore ----

fn extension(id: &str, owner: &str, at: i64) -> Extension {
    Extension {
        id: id.to_owned(),
        owner: owner.to_owned(),
        name: format!("ext {id}"),
        model: "fast".to_owned(),
        created_at: at,
        updated_at: at,
    }
}

fn ready(version: &str) -> VersionOutcome {
    VersionOutcome {
        status: VersionStatus::Ready,
        version: Some(version.into()),
        blueprint: Some(r#"{"purpose":"p"}"#.into()),
        report: Some(r#"{"findings":[]}"#.into()),
        files: Some(r#"[{"path":"manifest.json","size":2}]"#.into()),
        error: None,
    }
}

async fn extensions_are_owner_scoped_and_ordered(db: Db) {
    let alice = user(&db, "ext-alice@example.com").await;
    let bob = user(&db, "ext-bob@example.com").await;
    db.insert_extension(&extension("e1", &alice.id, 1_000))
        .await
        .expect("insert");
    db.insert_extension(&extension("e2", &alice.id, 2_000))
        .await
        .expect("insert");
    db.insert_extension(&extension("b1", &bob.id, 3_000))
        .await
        .expect("insert");
    assert!(matches!(
        db.insert_extension(&extension("e1", &alice.id, 4_000))
            .await,
        Err(Error::Conflict(_))
    ));

    let got = db.extension(&alice.id, "e1").await.expect("get");
    assert_eq!(got, Some(extension("e1", &alice.id, 1_000)));
    assert_eq!(db.extension(&bob.id, "e1").await.expect("get"), None);
    assert_eq!(db.extension(&alice.id, "nope").await.expect("get"), None);

    let ids = |v: Vec<ListedExtension>| v.into_iter().map(|e| e.extension.id).collect::<Vec<_>>();
    // Most recently changed first.
    assert_eq!(
        ids(db.extensions_of(&alice.id, None, 50).await.expect("list")),
        ["e2", "e1"]
    );
    assert_eq!(
        ids(db.extensions_of(&bob.id, None, 50).await.expect("list")),
        ["b1"]
    );
    // A new version and a rename both count as a change.
    db.insert_extension_version("e1", None, "p", "", 5_000)
        .await
        .expect("version");
    assert_eq!(
        ids(db.extensions_of(&alice.id, None, 50).await.expect("list")),
        ["e1", "e2"]
    );
    db.rename_extension("e2", "Tab Counter", 6_000)
        .await
        .expect("rename");
    let list = db.extensions_of(&alice.id, None, 50).await.expect("list");
    let e2 = &list[0].extension;
    assert_eq!((e2.id.as_str(), e2.name.as_str()), ("e2", "Tab Counter"));
    assert_eq!(e2.updated_at, 6_000);
    assert_eq!(e2.created_at, 2_000);
    // Each listed with where its newest version stands: e2 has none, e1 one pending.
    assert_eq!((list[0].newest_seq, list[0].newest_status()), (None, None));
    assert_eq!(list[1].newest_status(), Some(VersionStatus::Pending));
    assert_eq!(
        (list[1].newest_seq, list[1].ready_version.as_deref()),
        (Some(1), None)
    );
    // A page at a time, after the previous page's last.
    let first = db.extensions_of(&alice.id, None, 1).await.expect("page");
    assert_eq!(ids(first.clone()), ["e2"]);
    let last = &first[0].extension;
    let second = db
        .extensions_of(&alice.id, Some(&last.cursor()), 1)
        .await
        .expect("page");
    assert_eq!(ids(second.clone()), ["e1"]);
    let after = db
        .extensions_of(&alice.id, Some(&second[0].extension.cursor()), 1)
        .await
        .expect("page");
    assert!(after.is_empty());
    // Another owner cannot delete it.
    assert!(!db.delete_extension(&bob.id, "e1").await.expect("delete"));
    assert!(db.extension(&alice.id, "e1").await.expect("get").is_some());
}

async fn extension_versions_number_and_finish(db: Db) {
    let alice = user(&db, "ext-carol@example.com").await;
    db.insert_extension(&extension("e", &alice.id, 1_000))
        .await
        .expect("insert");
    assert!(
        db.extension_versions("e")
            .await
            .expect("versions")
            .is_empty()
    );
    let first = db
        .insert_extension_version("e", None, "count tabs", "", 1_001)
        .await
        .expect("v1");
    assert_eq!(first, 1);
    db.set_extension_version_job("e", 1, "job-1")
        .await
        .expect("job");
    let versions = db.extension_versions("e").await.expect("versions");
    assert_eq!(versions.len(), 1);
    let v = &versions[0];
    assert_eq!(
        (v.seq, v.status.as_str(), v.job_id.as_str()),
        (1, "pending", "job-1")
    );
    assert_eq!(
        (v.version.as_deref(), v.base_version.as_deref()),
        (None, None)
    );
    assert_eq!(v.prompt, "count tabs");

    db.finish_extension_version("e", 1, &ready("1.0.0"), 1_002)
        .await
        .expect("finish");
    let second = db
        .insert_extension_version("e", Some("1.0.0"), "add a badge", "job-2", 1_003)
        .await
        .expect("v2");
    assert_eq!(second, 2);
    let failed = VersionOutcome {
        status: VersionStatus::Failed,
        error: Some("still invalid".into()),
        ..VersionOutcome::default()
    };
    db.finish_extension_version("e", 2, &failed, 1_004)
        .await
        .expect("finish failed");
    let third = db
        .insert_extension_version("e", Some("1.0.0"), "again", "job-3", 1_005)
        .await
        .expect("v3");
    assert_eq!(third, 3, "a failed version keeps its seq");
    // The list shows the newest version (pending 3) and the newest ready one (1.0.0).
    let listed = db.extensions_of(&alice.id, None, 10).await.expect("list");
    assert_eq!(listed[0].newest_seq, Some(3));
    assert_eq!(listed[0].newest_status(), Some(VersionStatus::Pending));
    assert_eq!(listed[0].ready_version.as_deref(), Some("1.0.0"));

    let versions = db.extension_versions("e").await.expect("versions");
    let seqs: Vec<i64> = versions.iter().map(|v| v.seq).collect();
    assert_eq!(seqs, [1, 2, 3], "ordered by seq");
    let v1 = &versions[0];
    assert_eq!(v1.status, VersionStatus::Ready);
    assert_eq!(v1.version.as_deref(), Some("1.0.0"));
    assert_eq!(v1.blueprint.as_deref(), Some(r#"{"purpose":"p"}"#));
    assert_eq!(
        v1.files.as_deref(),
        Some(r#"[{"path":"manifest.json","size":2}]"#)
    );
    assert_eq!((v1.created_at, v1.updated_at), (1_001, 1_002));
    let v2 = &versions[1];
    assert_eq!(
        (v2.status.as_str(), v2.version.as_deref()),
        ("failed", None)
    );
    assert_eq!(v2.error.as_deref(), Some("still invalid"));
    assert_eq!(v2.base_version.as_deref(), Some("1.0.0"));
    assert_eq!(versions[2].status, VersionStatus::Pending);
    // Versions of another extension are separate, numbered from 1.
    db.insert_extension(&extension("f", &alice.id, 2_000))
        .await
        .expect("insert");
    assert_eq!(
        db.insert_extension_version("f", None, "p", "", 2_001)
            .await
            .expect("f1"),
        1
    );
    assert!(
        db.extension_versions("nope")
            .await
            .expect("none")
            .is_empty()
    );
}

async fn extension_versions_stay_distinct(db: Db) {
    // The job decides a version from the highest one so far; two concurrent iterations may pick
    // the same one, and the store refuses the second (the server then fails it, asking the user
    // to iterate again), so an extension's versions never repeat.
    let alice = user(&db, "ext-dave@example.com").await;
    for id in ["e", "f"] {
        db.insert_extension(&extension(id, &alice.id, 1_000))
            .await
            .expect("insert");
    }
    for _ in 0..2 {
        db.insert_extension_version("e", None, "p", "", 1_001)
            .await
            .expect("version");
    }
    db.finish_extension_version("e", 1, &ready("1.1.0"), 1_002)
        .await
        .expect("first 1.1.0");
    assert!(matches!(
        db.finish_extension_version("e", 2, &ready("1.1.0"), 1_003)
            .await,
        Err(Error::Conflict(_))
    ));
    let v2 = &db.extension_versions("e").await.expect("versions")[1];
    assert_eq!(
        (v2.status.as_str(), v2.version.as_deref()),
        ("pending", None)
    );
    db.finish_extension_version("e", 2, &ready("1.2.0"), 1_004)
        .await
        .expect("next version");
    // The same version in another extension is fine.
    db.insert_extension_version("f", None, "p", "", 1_005)
        .await
        .expect("version");
    db.finish_extension_version("f", 1, &ready("1.1.0"), 1_006)
        .await
        .expect("other extension");
    // Failed versions carry no version, so several may fail.
    for _ in 0..2 {
        let seq = db
            .insert_extension_version("e", None, "p", "", 1_007)
            .await
            .expect("version");
        let failed = VersionOutcome {
            status: VersionStatus::Failed,
            ..VersionOutcome::default()
        };
        db.finish_extension_version("e", seq, &failed, 1_008)
            .await
            .expect("failed");
    }
}

async fn concurrent_extension_versions_get_distinct_seqs(db: Db) {
    // Iterations started at the same moment each get their own row (seq 1..n, no gaps).
    let alice = user(&db, "ext-erin@example.com").await;
    db.insert_extension(&extension("e", &alice.id, 1_000))
        .await
        .expect("insert");
    let writers = (0..10).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            db.insert_extension_version("e", None, &format!("p{i}"), "", 1_001)
                .await
        })
    });
    let mut seqs: Vec<i64> = futures::future::join_all(writers)
        .await
        .into_iter()
        .map(|r| r.expect("join").expect("every concurrent insert succeeds"))
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=10).collect::<Vec<i64>>());
    assert_eq!(
        db.extension_versions("e").await.expect("versions").len(),
        10
    );
}

async fn deleting_an_extension_removes_its_versions(db: Db) {
    let alice = user(&db, "ext-frank@example.com").await;
    for id in ["e", "keep"] {
        db.insert_extension(&extension(id, &alice.id, 1_000))
            .await
            .expect("insert");
        db.insert_extension_version(id, None, "p", "", 1_001)
            .await
            .expect("version");
    }
    assert!(db.delete_extension(&alice.id, "e").await.expect("delete"));
    assert_eq!(db.extension(&alice.id, "e").await.expect("get"), None);
    assert!(
        db.extension_versions("e")
            .await
            .expect("versions")
            .is_empty()
    );
    assert!(!db.delete_extension(&alice.id, "e").await.expect("twice"));
    // Its id is free again, and the new extension starts at seq 1.
    db.insert_extension(&extension("e", &alice.id, 2_000))
        .await
        .expect("reuse id");
    assert_eq!(
        db.insert_extension_version("e", None, "p", "", 2_001)
            .await
            .expect("v1"),
        1
    );
    assert_eq!(db.extension_versions("keep").await.expect("kept").len(), 1);
}

/// `.cargo/config.toml` builds the bundled SQLite with the query planner stability guarantee.
/// Without it SQLite plans with the value bound to a `LIMIT $n` (and some other parameters) and
/// expires the statement whenever that parameter is bound again, so every execution of a cached
/// statement would be parsed and planned anew.
#[tokio::test]
async fn sqlite_plans_are_stable() {
    let s = sqlite().await;
    let Db::Sqlite(pool) = &s.db else {
        panic!("sqlite() opened another backend")
    };
    let on: Option<(String,)> = sqlx::query_as(
        "SELECT compile_options FROM pragma_compile_options WHERE compile_options = 'ENABLE_QPSG'",
    )
    .fetch_optional(pool)
    .await
    .expect("compile options");
    assert!(
        on.is_some(),
        "SQLite was built without SQLITE_ENABLE_QPSG: build from the workspace (.cargo/config.toml)"
    );
}

fn generation(id: &str, owner: &str, at: i64) -> Generation {
    Generation {
        id: id.to_owned(),
        owner: owner.to_owned(),
        prompt: format!("prompt of {id}"),
        request: "{}".to_owned(),
        status: VersionStatus::Pending,
        job_id: String::new(),
        result: None,
        error: None,
        created_at: at,
        updated_at: at,
    }
}

async fn generations_are_owner_scoped_paged_and_finish(db: Db) {
    let alice = user(&db, "gen-alice@example.com").await;
    let bob = user(&db, "gen-bob@example.com").await;
    for i in 0..5 {
        db.insert_generation(&generation(&format!("g{i}"), &alice.id, 1_000 + i))
            .await
            .expect("insert");
    }
    db.insert_generation(&generation("b", &bob.id, 9_000))
        .await
        .expect("insert");
    assert!(matches!(
        db.insert_generation(&generation("g0", &alice.id, 1)).await,
        Err(Error::Conflict(_))
    ));
    assert_eq!(db.generation(&bob.id, "g0").await.expect("get"), None);

    // Newest first, in pages without gaps or repeats.
    let first = db.generations_of(&alice.id, None, 2).await.expect("page 1");
    let ids = |v: &[Generation]| v.iter().map(|g| g.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ["g4", "g3"]);
    let second = db
        .generations_of(&alice.id, Some(&first[1].cursor()), 10)
        .await
        .expect("page 2");
    assert_eq!(ids(&second), ["g2", "g1", "g0"]);

    db.set_generation_job("g1", "job-1").await.expect("job");
    db.finish_generation(
        "g1",
        VersionStatus::Ready,
        Some(r#"{"files":[]}"#),
        None,
        5_000,
    )
    .await
    .expect("finish");
    db.finish_generation(
        "g2",
        VersionStatus::Failed,
        None,
        Some("the model gave up"),
        5_001,
    )
    .await
    .expect("fail");
    let g1 = db
        .generation(&alice.id, "g1")
        .await
        .expect("get")
        .expect("g1");
    assert_eq!(
        (g1.status, g1.job_id.as_str()),
        (VersionStatus::Ready, "job-1")
    );
    assert_eq!(g1.result.as_deref(), Some(r#"{"files":[]}"#));
    assert_eq!(g1.updated_at, 5_000);
    let g2 = db
        .generation(&alice.id, "g2")
        .await
        .expect("get")
        .expect("g2");
    assert_eq!(g2.status, VersionStatus::Failed);
    assert_eq!(g2.error.as_deref(), Some("the model gave up"));

    assert!(
        !db.delete_generation(&bob.id, "g1")
            .await
            .expect("not bob's")
    );
    assert!(db.delete_generation(&alice.id, "g1").await.expect("delete"));
    assert_eq!(db.generation(&alice.id, "g1").await.expect("get"), None);
}

async fn codegen_cache_is_per_owner_expires_and_follows_deletes(db: Db) {
    let alice = user(&db, "cache-alice@example.com").await;
    let bob = user(&db, "cache-bob@example.com").await;
    for (id, owner) in [
        ("ready", &alice.id),
        ("pending", &alice.id),
        ("bobs", &bob.id),
    ] {
        db.insert_generation(&generation(id, owner, 1_000))
            .await
            .expect("insert");
    }
    db.finish_generation("ready", VersionStatus::Ready, Some("{}"), None, 1_500)
        .await
        .expect("finish");
    db.cache_generation(&alice.id, "k", "ready", 10_000)
        .await
        .expect("cache");
    db.cache_generation(&alice.id, "p", "pending", 10_000)
        .await
        .expect("cache");

    let hit = db
        .cached_generation(&alice.id, "k", 2_000)
        .await
        .expect("hit");
    assert_eq!(hit.map(|g| g.id).as_deref(), Some("ready"));
    assert_eq!(
        db.cached_generation(&bob.id, "k", 2_000)
            .await
            .expect("bob"),
        None,
        "per owner"
    );
    assert_eq!(
        db.cached_generation(&alice.id, "k", 10_000)
            .await
            .expect("expired"),
        None
    );
    assert_eq!(
        db.cached_generation(&alice.id, "p", 2_000)
            .await
            .expect("pending"),
        None,
        "only ready ones"
    );

    // Replacing an entry moves it; pruning removes expired ones; deleting the generation removes its entry.
    db.cache_generation(&alice.id, "k", "ready", 20_000)
        .await
        .expect("re-cache");
    assert_eq!(
        db.prune_codegen_cache(15_000).await.expect("prune"),
        1,
        "only 'p' expired"
    );
    assert!(
        db.cached_generation(&alice.id, "k", 15_000)
            .await
            .expect("hit")
            .is_some()
    );
    assert!(
        db.delete_generation(&alice.id, "ready")
            .await
            .expect("delete")
    );
    assert_eq!(
        db.cached_generation(&alice.id, "k", 15_000)
            .await
            .expect("gone"),
        None
    );
}

fn workspace(id: &str, owner: &str, at: i64) -> cistern_store::sql::Workspace {
    cistern_store::sql::Workspace {
        id: id.to_owned(),
        owner: owner.to_owned(),
        name: format!("ws {id}"),
        files: 0,
        bytes: 0,
        created_at: at,
        updated_at: at,
    }
}

fn put(path: &str, hash: &str, size: i64, expect: Expect) -> TreeWrite {
    TreeWrite {
        path: path.to_owned(),
        expect,
        new: Some((hash.to_owned(), size)),
    }
}

async fn agent_tree_writes_are_all_or_nothing_and_snapshots_copy_it(db: Db) {
    let alice = user(&db, "tree-alice@example.com").await;
    db.insert_workspace(&workspace("w1", &alice.id, 1_000))
        .await
        .expect("insert");
    let written = db
        .write_tree(
            "w1",
            &[
                put("a.py", "h1", 10, Expect::Absent),
                put("b.py", "h2", 20, Expect::Any),
            ],
            1_100,
        )
        .await
        .expect("write");
    assert_eq!(written, None);
    let first = db
        .take_snapshot("w1", "s1", "first", 1_200)
        .await
        .expect("snap");
    assert_eq!((first.files, first.bytes), (2, 30));

    // b.py is not what the second write expects: nothing of it lands, a.py included.
    let stale = db
        .write_tree(
            "w1",
            &[
                put("a.py", "h3", 11, Expect::Hash("h1".into())),
                put("b.py", "h4", 21, Expect::Hash("nope".into())),
            ],
            1_300,
        )
        .await
        .expect("write");
    assert_eq!(stale.as_deref(), Some("b.py"));
    let tree = db.tree("w1").await.expect("tree");
    assert_eq!(
        tree.iter()
            .map(|f| (f.path.as_str(), f.hash.as_str()))
            .collect::<Vec<_>>(),
        [("a.py", "h1"), ("b.py", "h2")]
    );

    // A delete and a change, then restore: the tree is the first snapshot again, and the
    // restore is itself a snapshot; the snapshot taken before it is untouched.
    let delete = TreeWrite {
        path: "b.py".into(),
        expect: Expect::Hash("h2".into()),
        new: None,
    };
    assert_eq!(
        db.write_tree("w1", &[put("a.py", "h3", 11, Expect::Any), delete], 1_400)
            .await
            .expect("write"),
        None
    );
    let second = db
        .take_snapshot("w1", "s2", "second", 1_500)
        .await
        .expect("snap");
    assert_eq!((second.files, second.bytes), (1, 11));
    let restored = db
        .restore_snapshot("w1", "s1", "s3", "restore s1", 1_600)
        .await
        .expect("restore");
    assert_eq!((restored.files, restored.bytes), (2, 30));
    assert_eq!(db.tree("w1").await.expect("tree").len(), 2);
    assert_eq!(db.snapshot_files("s2").await.expect("files").len(), 1);
    let listed = db.snapshots_of("w1", None, 10).await.expect("list");
    assert_eq!(
        listed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["s3", "s2", "s1"]
    );
    let ws = db
        .workspace(&alice.id, "w1")
        .await
        .expect("get")
        .expect("some");
    assert_eq!((ws.files, ws.bytes, ws.updated_at), (2, 30, 1_600));
}

async fn agent_workspaces_and_tasks_are_owner_scoped_and_reviews_swap_once(db: Db) {
    let alice = user(&db, "agent-alice@example.com").await;
    let bob = user(&db, "agent-bob@example.com").await;
    db.insert_workspace(&workspace("wa", &alice.id, 1_000))
        .await
        .expect("insert");
    assert!(db.workspace(&bob.id, "wa").await.expect("get").is_none());
    assert!(
        !db.rename_workspace(&bob.id, "wa", "x", 2)
            .await
            .expect("rename")
    );
    assert!(
        db.rename_workspace(&alice.id, "wa", "mine", 2)
            .await
            .expect("rename")
    );
    let task = cistern_store::sql::Task {
        id: "t1".into(),
        owner: alice.id.clone(),
        workspace_id: "wa".into(),
        mode: "patch".into(),
        prompt: "fix it".into(),
        request: "{}".into(),
        status: "queued".into(),
        job_id: String::new(),
        base: None,
        result: None,
        metrics: None,
        error: None,
        review: None,
        created_at: 1_100,
        updated_at: 1_100,
    };
    db.insert_task(&task).await.expect("task");
    assert_eq!(db.active_tasks(&alice.id).await.expect("active"), 1);
    assert!(db.task(&bob.id, "t1").await.expect("get").is_none());
    db.start_task("t1", "{\"files\":{}}", 1_200)
        .await
        .expect("start");
    db.finish_task("t1", "done", Some("{}"), Some("{}"), None, 1_300)
        .await
        .expect("finish");
    assert_eq!(db.active_tasks(&alice.id).await.expect("active"), 0);
    assert!(
        db.set_task_review("t1", None, "r1", 1_400)
            .await
            .expect("review")
    );
    assert!(
        !db.set_task_review("t1", None, "r2", 1_400)
            .await
            .expect("review"),
        "once"
    );
    assert!(
        db.set_task_review("t1", Some("r1"), "r2", 1_500)
            .await
            .expect("again")
    );
    let listed = db
        .tasks_of(&alice.id, Some("wa"), None, 10)
        .await
        .expect("tasks");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].review.as_deref(), Some("r2"));
    assert!(!db.delete_workspace(&bob.id, "wa").await.expect("delete"));
    assert!(db.delete_workspace(&alice.id, "wa").await.expect("delete"));
    assert!(db.task(&alice.id, "t1").await.expect("get").is_none());
}

async fn sage_projects_are_owner_scoped_and_scores_accumulate_what_they_learn(db: Db) {
    let alice = user(&db, "sage-alice@example.com").await;
    let bob = user(&db, "sage-bob@example.com").await;
    let project = |id: &str, owner: &str, at: i64| Project {
        id: id.into(),
        owner: owner.into(),
        name: format!("project {id}"),
        description: String::new(),
        alert_threshold: None,
        alert_webhook: None,
        alert_interval_secs: 3_600,
        baseline: None,
        ingests: 0,
        last_score: None,
        last_ingest_at: None,
        created_at: at,
        updated_at: at,
    };
    for (id, at) in [("p1", 1_000), ("p2", 2_000), ("p3", 3_000)] {
        db.insert_project(&project(id, &alice.id, at))
            .await
            .expect("insert");
    }
    db.insert_project(&project("b1", &bob.id, 1_500))
        .await
        .expect("insert");
    let first = db.projects_of(&alice.id, None, 2).await.expect("page");
    assert_eq!(
        first.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["p3", "p2"]
    );
    let rest = db
        .projects_of(&alice.id, Some(&first[1].cursor()), 2)
        .await
        .expect("page 2");
    assert_eq!(
        rest.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["p1"]
    );
    assert_eq!(
        db.project(&bob.id, "p1").await.expect("get"),
        None,
        "not bob's"
    );

    let mut renamed = project("p1", &bob.id, 1_000);
    renamed.name = "stolen".into();
    assert!(
        !db.update_project(&renamed).await.expect("update"),
        "not bob's"
    );
    renamed.owner = alice.id.clone();
    renamed.alert_threshold = Some(70);
    renamed.alert_webhook = Some("http://127.0.0.1:9/hook".into());
    renamed.updated_at = 5_000;
    assert!(db.update_project(&renamed).await.expect("update"));
    let p1 = db.project(&alice.id, "p1").await.expect("get").expect("p1");
    assert_eq!((p1.name.as_str(), p1.alert_threshold), ("stolen", Some(70)));

    let ingest = |id: &str, at: i64| Ingest {
        id: id.into(),
        project_id: "p1".into(),
        status: VersionStatus::Pending,
        source: "text".into(),
        blob: format!("sage/p1/1970-01-01/{id}.log.gz"),
        raw_bytes: 10,
        bytes: 10,
        lines: 1,
        job_id: None,
        score: None,
        labels: None,
        factors: None,
        counts: None,
        window_start: None,
        window_end: None,
        error: None,
        created_at: at,
        updated_at: at,
    };
    let seen = |template: &str, records: i64| TemplateSeen {
        hash: format!("h-{template}"),
        template: template.into(),
        records,
        errors: 1,
        warnings: 0,
        example: format!("{template} (example)"),
    };
    let scored = |score: i64, templates: Vec<TemplateSeen>| Scored {
        score,
        labels: "[]".into(),
        factors: "[]".into(),
        counts: "{}".into(),
        window_start: Some(1),
        window_end: Some(2),
        baseline: format!("{{\"ingests\":{score}}}"),
        templates,
    };
    db.insert_ingest(&ingest("i1", 6_000))
        .await
        .expect("insert");
    db.insert_ingest(&ingest("i2", 7_000))
        .await
        .expect("insert");
    db.insert_ingest(&ingest("i3", 8_000))
        .await
        .expect("insert");
    db.record_score("p1", "i1", &scored(10, vec![seen("a <*>", 5)]), 6_100)
        .await
        .expect("score");
    db.record_score(
        "p1",
        "i2",
        &scored(40, vec![seen("a <*>", 2), seen("b", 1)]),
        7_100,
    )
    .await
    .expect("score");
    db.fail_ingest("i3", "not a log", 8_100)
        .await
        .expect("fail");

    let p1 = db.project(&alice.id, "p1").await.expect("get").expect("p1");
    assert_eq!(
        (p1.ingests, p1.last_score, p1.last_ingest_at),
        (2, Some(40), Some(7_100))
    );
    assert_eq!(p1.baseline.as_deref(), Some("{\"ingests\":40}"));
    let risk = db.risk_since("p1", 0, 100).await.expect("risk");
    assert_eq!(
        risk.iter()
            .map(|i| (i.id.as_str(), i.score))
            .collect::<Vec<_>>(),
        [("i1", Some(10)), ("i2", Some(40))],
        "scored only, oldest first"
    );
    assert_eq!(
        db.risk_since("p1", 6_500, 100).await.expect("risk").len(),
        1
    );
    let failed = db.ingest("p1", "i3").await.expect("get").expect("i3");
    assert_eq!(
        (failed.status, failed.error.as_deref()),
        (VersionStatus::Failed, Some("not a log"))
    );
    assert_eq!(
        db.ingest("p2", "i1").await.expect("get"),
        None,
        "another project's"
    );

    let all = db.templates_of("p1", None, 10).await.expect("templates");
    assert_eq!(
        all.iter()
            .map(|t| (t.template.as_str(), t.records, t.errors))
            .collect::<Vec<_>>(),
        [("a <*>", 7, 2), ("b", 1, 1)],
        "counts add up, most frequent first"
    );
    assert_eq!(
        (
            all[0].first_seen,
            all[0].last_seen,
            all[0].first_ingest.as_str()
        ),
        (6_100, 7_100, "i1")
    );
    assert_eq!(all[0].example, "a <*> (example)");
    let new = db.templates_of("p1", Some(7_000), 10).await.expect("new");
    assert_eq!(
        new.iter().map(|t| t.template.as_str()).collect::<Vec<_>>(),
        ["b"]
    );
    let mut texts = db.template_texts("p1").await.expect("texts");
    texts.sort();
    assert_eq!(texts, ["a <*>", "b"]);
    let page = db.ingests_of("p1", None, 2).await.expect("ingests");
    assert_eq!(
        page.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["i3", "i2"]
    );

    assert!(!db.delete_project(&bob.id, "p1").await.expect("not bob's"));
    assert!(db.delete_project(&alice.id, "p1").await.expect("delete"));
    assert_eq!(db.project(&alice.id, "p1").await.expect("get"), None);
    assert!(
        db.templates_of("p1", None, 10)
            .await
            .expect("templates")
            .is_empty()
    );
    assert_eq!(db.ingest("p1", "i1").await.expect("get"), None);
}

async fn sage_forecasts_are_claimed_once_a_day_and_keep_their_feedback(db: Db) {
    let alice = user(&db, "forecast-alice@example.com").await;
    let p = Project {
        id: "fp".into(),
        owner: alice.id.clone(),
        name: "forecasts".into(),
        description: String::new(),
        alert_threshold: None,
        alert_webhook: None,
        alert_interval_secs: 3_600,
        baseline: None,
        ingests: 0,
        last_score: None,
        last_ingest_at: None,
        created_at: 1,
        updated_at: 1,
    };
    db.insert_project(&p).await.expect("project");
    assert!(
        db.claim_forecast("fp", "f1", "2026-12-07", 1_000, 0)
            .await
            .expect("claim")
    );
    assert!(
        !db.claim_forecast("fp", "f2", "2026-12-07", 1_100, 0)
            .await
            .expect("claim"),
        "one generation a day"
    );
    // A claim whose generator died is taken over once it is stale.
    assert!(
        db.claim_forecast("fp", "f3", "2026-12-07", 90_000, 60_000)
            .await
            .expect("take over")
    );
    assert_eq!(
        db.forecast("fp", "f1").await.expect("get"),
        None,
        "the claim moved to f3"
    );
    db.finish_forecast(
        "f3",
        VersionStatus::Ready,
        Some("{\"outlook\":\"low\"}"),
        91_000,
    )
    .await
    .expect("finish");
    assert!(
        !db.claim_forecast("fp", "f4", "2026-12-07", 200_000, 150_000)
            .await
            .expect("ready stays")
    );
    let today = db
        .forecast_of_day("fp", "2026-12-07")
        .await
        .expect("get")
        .expect("today");
    assert_eq!(
        (today.id.as_str(), today.status, today.accurate),
        ("f3", VersionStatus::Ready, None)
    );

    assert!(
        db.claim_forecast("fp", "g1", "2026-12-08", 300_000, 0)
            .await
            .expect("claim")
    );
    db.finish_forecast("g1", VersionStatus::Ready, Some("{}"), 301_000)
        .await
        .expect("finish");
    db.put_feedback("f3", "fp", false, Some("missed the outage"), 302_000)
        .await
        .expect("feedback");
    db.put_feedback("f3", "fp", true, None, 303_000)
        .await
        .expect("replaced");
    let page = db.forecasts_of("fp", None, 10).await.expect("page");
    assert_eq!(
        page.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        ["g1", "f3"]
    );
    assert_eq!(
        (
            page[1].accurate,
            page[1].comment.as_deref(),
            page[1].feedback_at
        ),
        (Some(true), None, Some(303_000))
    );
    assert!(db.delete_project(&alice.id, "fp").await.expect("delete"));
    assert!(
        db.forecasts_of("fp", None, 10)
            .await
            .expect("page")
            .is_empty()
    );
}
