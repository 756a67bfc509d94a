//! Chat agents benchmark with a fake instant model (in process, pre-serialised reply).
//!
//! ```text
//! cargo run --release -p cistern-agents --example agents_bench -- [sqlite|postgres] [full|normal] [idle,across,hot,big]
//! ```
//! The model's window is 8,192 tokens (the runtime's default for models that state none), so
//! a long conversation sends a full window every turn, as it would in production.
//! PostgreSQL needs `CISTERN_BENCH_POSTGRES_URL` (a database it may fill). Prints, per phase:
//! messages/s and p50/p99 turn latency across 1,000 users; the same for one hot conversation
//! (64 concurrent senders) and for one user spread over 16 conversations; memory per idle
//! agent (RSS delta over 5,000 loaded agents); and, for a 100,000-message conversation, the
//! latest page, a cold agent's first turn and a full read in pages of 1,000.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cistern_agents::{Agents, AgentsConfig, Durability};
use cistern_llm::{
    CacheConfig, DeploymentConfig, Gateway, GatewayOptions, LlmConfig, ModelConfig, ProviderKind,
    Secret,
};
use cistern_llm_fake::{FakeLlm, Reply};
use cistern_store::Db;
use cistern_store::sql::{NewUser, PoolOptions, UserStore};

const USERS: usize = 1000;
const ACROSS_MESSAGES: u64 = 30_000;
const HOT_MESSAGES: u64 = 3_000;
const HOT_SENDERS: usize = 64;
const IDLE_AGENTS: usize = 5000;
const BIG: i64 = 100_000;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let backend = args.get(1).map_or("sqlite", String::as_str);
    let durability = match args.get(2).map(String::as_str) {
        Some("normal") => Durability::Normal,
        _ => Durability::Full,
    };
    let phases = args.get(3).map_or("idle,across,hot,big", String::as_str);
    let dir = tempfile::tempdir()?;
    let url = match backend {
        "postgres" => std::env::var("CISTERN_BENCH_POSTGRES_URL")?,
        _ => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let pool = PoolOptions {
        max_connections: 32,
        ..PoolOptions::default()
    };
    let db = Db::connect(&url, &pool).await?;
    db.migrate().await?;
    let fake = FakeLlm::builder()
        .record(false)
        .fixed_reply(Reply::text("Noted, thank you.").usage(40, 4))
        .start()
        .await?;
    let config = AgentsConfig {
        default_model: "fast".into(),
        durability,
        ..AgentsConfig::default()
    };
    let agents = Agents::new(db.clone(), gateway(&fake)?, config).await?;
    println!("backend {backend}, durability {durability:?} (SQLite only)");

    let mut users = Vec::with_capacity(USERS);
    let tag = uuid::Uuid::new_v4().simple().to_string();
    for i in 0..USERS {
        let email = format!("u{i}-{tag}@bench.example");
        let u = db
            .create_user(NewUser {
                email: &email,
                password_hash: None,
                role: "user",
                oidc_subject: None,
            })
            .await?;
        users.push(u.id);
    }
    let users = Arc::new(users);

    // Warm-up: pools, statement caches, the allocator.
    across(&agents, &users, 3_000, 1).await?;
    agents.evict_idle(Duration::ZERO);

    if phases.contains("idle") {
        // Memory per idle agent: RSS over 5,000 loaded agents (5 conversations per user).
        let rss0 = rss_kib();
        across(&agents, &users, IDLE_AGENTS as u64, IDLE_AGENTS / USERS).await?;
        let rss1 = rss_kib();
        let loaded = agents.loaded_agents();
        println!(
            "idle agents (2 messages each): {loaded} loaded, {:.0} bytes per agent held (counted); RSS grew {} KiB = {:.1} KiB per agent",
            agents.memory_footprint() as f64 / loaded.max(1) as f64,
            rss1.saturating_sub(rss0),
            rss1.saturating_sub(rss0) as f64 / loaded.max(1) as f64
        );
        agents.evict_idle(Duration::ZERO);
    }
    if phases.contains("across") {
        let cpu = cpu_secs();
        let (n, secs, lat) = across(&agents, &users, ACROSS_MESSAGES, 1).await?;
        report(
            "across 1,000 users (1 conversation each, 1,000 in flight)",
            n,
            secs,
            lat,
            cpu,
        );
    }
    if phases.contains("hot") {
        let hot = &users[0];
        let conv = agents
            .send(hot, None, "hot start", None)
            .await?
            .conversation_id;
        let cpu = cpu_secs();
        let (n, secs, lat) = hot_run(&agents, hot, vec![conv; HOT_SENDERS], HOT_MESSAGES).await?;
        report(
            "one hot conversation (64 concurrent senders)",
            n,
            secs,
            lat,
            cpu,
        );
        let mut convs = Vec::new();
        for _ in 0..16 {
            convs.push(
                agents
                    .send(hot, None, "hot start", None)
                    .await?
                    .conversation_id,
            );
        }
        let convs: Vec<String> = convs.iter().cycle().take(HOT_SENDERS).cloned().collect();
        let cpu = cpu_secs();
        let (n, secs, lat) = hot_run(&agents, hot, convs, HOT_MESSAGES).await?;
        report(
            "one hot user, 16 conversations (64 concurrent senders)",
            n,
            secs,
            lat,
            cpu,
        );
    }
    if phases.contains("big") {
        big_conversation(&agents, &db, &users[1]).await?;
    }
    agents.shutdown().await;
    Ok(())
}

fn gateway(fake: &FakeLlm) -> anyhow::Result<Gateway> {
    let mut config = LlmConfig {
        passthrough: false,
        cache: CacheConfig {
            enabled: false,
            ..CacheConfig::default()
        },
        ..LlmConfig::default()
    };
    let deployment = DeploymentConfig {
        name: None,
        provider: ProviderKind::OpenAi,
        base_url: Some(fake.openai_base_url()),
        api_key: Some(Secret::new("sk-bench")),
        api_keys: Vec::new(),
        api_key_env: None,
        model: "gpt-4o-mini".into(),
        weight: 1,
        timeout_ms: None,
        input_price_per_mtok: 0.0,
        output_price_per_mtok: 0.0,
        context_window: Some(8192),
    };
    config.models.insert(
        "fast".into(),
        ModelConfig {
            deployments: vec![deployment],
        },
    );
    Ok(Gateway::new(config, GatewayOptions::without_env())?)
}

/// Every user sends turns one after another (into `per_user` conversations of their own,
/// round robin) until `total` turns are done. Returns turns, seconds, latencies.
async fn across(
    agents: &Agents,
    users: &Arc<Vec<String>>,
    total: u64,
    per_user: usize,
) -> anyhow::Result<(u64, f64, Vec<Duration>)> {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for u in 0..users.len() {
        let (agents, users, next) = (agents.clone(), users.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut convs: Vec<Option<String>> = vec![None; per_user.max(1)];
            let mut k = 0;
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let slot = k % convs.len();
                k += 1;
                let t = Instant::now();
                let r = agents
                    .send(
                        &users[u],
                        convs[slot].as_deref(),
                        "Remind me to water the plants on Friday.",
                        None,
                    )
                    .await?;
                lat.push(t.elapsed());
                convs[slot] = Some(r.conversation_id);
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((all.len() as u64, start.elapsed().as_secs_f64(), all))
}

/// `senders.len()` tasks send to their conversation (of one user) until `total` turns are done.
async fn hot_run(
    agents: &Agents,
    owner: &str,
    senders: Vec<String>,
    total: u64,
) -> anyhow::Result<(u64, f64, Vec<Duration>)> {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for conv in senders {
        let (agents, owner, next) = (agents.clone(), owner.to_owned(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let t = Instant::now();
                agents
                    .send(&owner, Some(&conv), "What is on my list for Friday?", None)
                    .await?;
                lat.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((all.len() as u64, start.elapsed().as_secs_f64(), all))
}

/// `cpu_before` is [`cpu_secs`] at the phase's start: CPU per turn is steadier than
/// throughput on a machine shared with other work.
fn report(what: &str, n: u64, secs: f64, mut lat: Vec<Duration>, cpu_before: f64) {
    let cpu_ms = (cpu_secs() - cpu_before) * 1e3 / n.max(1) as f64;
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{what}: {n} turns in {secs:.2} s = {:.0} messages/s (turns/s); latency p50 {:.2} ms, p99 {:.2} ms; CPU {cpu_ms:.3} ms per turn (whole process, fake model included)",
        n as f64 / secs,
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );
}

const BIG_CONV: &str = "INSERT INTO conversations (id, owner, title, model, message_count, version,
        summarized_seq, created_at, updated_at) VALUES ($1, $2, 'big', NULL, $3, $3, 0, 0, 0)";
const BIG_MSG: &str = "INSERT INTO chat_messages (conversation_id, seq, role, content, tool_calls,
        tool_call_id, tokens, status, error, created_at)
     VALUES ($1, $2, $3, $4, NULL, NULL, 20, 'complete', NULL, 0)";

/// A 100,000-message conversation written straight into the tables, then read.
async fn big_conversation(agents: &Agents, db: &Db, owner: &str) -> anyhow::Result<()> {
    let id = uuid::Uuid::now_v7().to_string();
    let t = Instant::now();
    macro_rules! fill {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await?;
            sqlx::query(BIG_CONV)
                .bind(&id)
                .bind(owner)
                .bind(BIG)
                .execute(&mut *tx)
                .await?;
            for seq in 1..=BIG {
                let role = if seq % 2 == 1 { "user" } else { "assistant" };
                let text =
                    format!("message {seq}: a line of an ordinary chat about rivers and weirs.");
                sqlx::query(BIG_MSG)
                    .bind(&id)
                    .bind(seq)
                    .bind(role)
                    .bind(text)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }};
    }
    match db {
        Db::Sqlite(pool) => fill!(pool),
        Db::Postgres(pool) => fill!(pool),
    }
    println!(
        "100k conversation written in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let page = agents.messages(owner, &id, 50, None).await?;
        times.push(t.elapsed());
        assert_eq!(page.messages.last().map(|m| m.seq), Some(BIG));
    }
    times.sort_unstable();
    println!(
        "100k conversation: latest page of 50, median of 21: {:.3} ms",
        times[10].as_secs_f64() * 1e3
    );
    let mut cold = Vec::new();
    for _ in 0..5 {
        agents.evict_idle(Duration::ZERO);
        let t = Instant::now();
        agents
            .send(owner, Some(&id), "And what about the weirs?", None)
            .await?;
        cold.push(t.elapsed());
    }
    cold.sort_unstable();
    let t = Instant::now();
    agents.send(owner, Some(&id), "Thanks.", None).await?;
    let warm = t.elapsed();
    println!(
        "100k conversation: first turn of a cold agent (loads its 8k-token window), median of 5: {:.1} ms; warm turn {:.2} ms",
        cold[2].as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let mut before = None;
    let mut n = 0;
    loop {
        let page = agents.messages(owner, &id, 1000, before).await?;
        n += page.messages.len();
        match page.next {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    println!(
        "100k conversation: all {n} messages in pages of 1,000: {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

/// User + system CPU seconds of this process so far (`/proc/self/stat`, 100 ticks/s).
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name; utime and stime are the 14th and 15th overall.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
            Some(ticks as f64 / 100.0)
        })
        .unwrap_or(0.0)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
