//! One conformance suite for every backend: each case runs on SQLite and PostgreSQL (SQL), and on
//! local disk and S3 (blobs). The PostgreSQL and S3 servers come from `scripts/test.sh`.

use std::sync::Arc;

use bytes::Bytes;
use cistern_store::blob::{self, BlobConfig};
use cistern_store::sql::{Backend, PoolOptions};
use cistern_store::{BlobStore, Db, MetaStore, testing};
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
    concurrent_writers_all_land
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
