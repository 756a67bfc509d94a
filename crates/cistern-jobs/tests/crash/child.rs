//! The child process: the same test binary, re-executed with `CISTERN_JOBS_CRASH_CHILD` set.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use cistern_jobs::{Backend, Jobs, NewJob, SqlBackend, SqlConfig, Worker, WorkerConfig};
use cistern_store::Db;
use cistern_store::sql::PoolOptions;
use serde_json::{Value, json};

pub const CHILD: &str = "CISTERN_JOBS_CRASH_CHILD";

/// Where the child finds its store, as environment variables.
#[derive(Clone)]
pub struct Target {
    pub backend: &'static str,
    pub db_url: String,
    pub nats: Option<(String, String)>,
    pub _dir: Arc<tempfile::TempDir>,
}

fn sql_config() -> SqlConfig {
    SqlConfig {
        reap_interval: Duration::from_millis(200),
        retention: None,
        ..SqlConfig::default()
    }
}

pub async fn open(t: &Target) -> Arc<dyn Backend> {
    let db = Db::connect(&t.db_url, &PoolOptions::default())
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    match &t.nats {
        None => Arc::new(SqlBackend::open(db, sql_config()).await.expect("open")),
        Some((url, prefix)) => {
            let nats = cistern_jobs::NatsConfig {
                url: url.clone(),
                prefix: prefix.clone(),
                ..Default::default()
            };
            Arc::new(
                cistern_jobs::NatsBackend::open(db, sql_config(), nats)
                    .await
                    .expect("open nats"),
            )
        }
    }
}

/// The child: `worker` runs jobs until killed; `producer` enqueues and prints each acknowledged id.
pub async fn run() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    let env = |k: &str| std::env::var(k).ok();
    let t = Target {
        backend: "child",
        db_url: env("CRASH_DB_URL").expect("db url"),
        nats: env("CRASH_NATS_URL").zip(env("CRASH_NATS_PREFIX")),
        _dir: Arc::new(tempfile::tempdir().expect("dir")),
    };
    let jobs = Jobs::new(open(&t).await);
    if mode == "producer" {
        for i in 0.. {
            let e = jobs
                .enqueue(NewJob::new("work", json!({ "i": i })).queue("crash"))
                .await
                .expect("enqueue");
            println!("{}", e.id);
        }
    }
    let config = WorkerConfig {
        queues: BTreeMap::from([("crash".to_owned(), 8)]),
        lease: Duration::from_secs(1),
        heartbeat: Duration::from_millis(250),
        poll_interval: Duration::from_millis(50),
        prefetch: 4,
        ..WorkerConfig::default()
    };
    let worker = Worker::new(jobs, config).handle("work", |_ctx, p: Value| async move {
        let ms = p["sleep_ms"]
            .as_u64()
            .unwrap_or_else(|| 2 + fastrand::u64(0..12));
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(json!({ "done": p["i"] }))
    });
    worker
        .run(tokio_util::sync::CancellationToken::new())
        .await
        .expect("run");
}

pub fn spawn_child(t: &Target, mode: &str) -> Child {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, mode)
        .env("CRASH_DB_URL", &t.db_url)
        .stdout(if mode == "producer" {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::null());
    if let Some((url, prefix)) = &t.nats {
        cmd.env("CRASH_NATS_URL", url)
            .env("CRASH_NATS_PREFIX", prefix);
    }
    cmd.spawn().expect("spawn child")
}

pub fn kill(child: &mut Child) {
    child.kill().expect("SIGKILL");
    child.wait().expect("reap child");
}
