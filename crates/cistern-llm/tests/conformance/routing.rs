//! Routing, passthrough from the environment, keys, cache, metrics, the unconfigured state.

use std::sync::Arc;

use crate::harness::*;
use cistern_llm::*;
use cistern_llm_fake::{FakeLlm, Reply};

#[tokio::test]
async fn identical_calls_hit_the_cache_and_bypass_skips_it() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |c, _| c.cache.enabled = true).await;
        let first = s.chat(ask("cache me")).await.unwrap();
        let second = s.chat(ask("cache me")).await.unwrap();
        assert_eq!(
            (&first.message, first.usage.output_tokens),
            (&second.message, second.usage.output_tokens)
        );
        assert_eq!(
            s.fake.requests().len(),
            1,
            "{kind:?}: the second call was served from the cache"
        );
        let (r1, r2) = (s.record(), s.record());
        assert!(!r1.cache_hit && r2.cache_hit);
        assert_eq!((r2.attempts, r2.cost_usd, r2.input_tokens), (0, 0.0, 0));
        // The caller is told what the accounting recorded: a hit costs nothing.
        assert!(first.usage.cost_usd > 0.0, "{kind:?}: {:?}", first.usage);
        assert_eq!(
            (first.usage.cost_usd, second.usage.cost_usd),
            (r1.cost_usd, 0.0)
        );
        let bypass = CallContext {
            cache_bypass: true,
            ..CallContext::default()
        };
        s.gw.chat(ask("cache me"), bypass).await.unwrap();
        assert_eq!(s.fake.requests().len(), 2, "bypass goes upstream");
        // A streamed call for the same question replays the cached answer.
        let (events, _) = s.stream(ask("cache me")).await.unwrap();
        assert_eq!(streamed_text(&events), first.message.text());
        assert_eq!(
            ends_properly(&events).1.cost_usd,
            0.0,
            "a replayed hit is free"
        );
        assert_eq!(s.fake.requests().len(), 2);
        // Sampling makes answers differ: not cached unless asked.
        let mut hot = ask("cache me");
        hot.temperature = Some(0.7);
        s.chat(hot.clone()).await.unwrap();
        s.chat(hot.clone()).await.unwrap();
        assert_eq!(s.fake.requests().len(), 4);
        let force = CallContext {
            cache_force: true,
            ..CallContext::default()
        };
        s.gw.chat(hot.clone(), force.clone()).await.unwrap();
        s.gw.chat(hot, force).await.unwrap();
        assert_eq!(s.fake.requests().len(), 5);
        let stats = s.gw.health().cache.unwrap();
        assert_eq!((stats.backend, stats.hits), ("in-process", 3));
        // Entries expire.
        s.clock.advance(std::time::Duration::from_secs(3_601));
        s.chat(ask("cache me")).await.unwrap();
        assert_eq!(s.fake.requests().len(), 6);
    }
}

#[tokio::test]
async fn unconfigured_names_pass_through_to_env_providers() {
    let fake = FakeLlm::start().await.unwrap();
    let openai = fake.openai_base_url();
    let anthropic = fake.anthropic_base_url();
    let env = move |k: &str| match k {
        "OPENAI_BASE_URL" => Some(openai.clone()),
        "OPENAI_API_KEY" => Some("sk-o".to_owned()),
        "ANTHROPIC_API_KEY" => Some("sk-a".to_owned()),
        "ANTHROPIC_BASE_URL" => Some(anthropic.clone()),
        _ => None,
    };
    let (tx, mut records) = tokio::sync::mpsc::unbounded_channel();
    let options = GatewayOptions {
        env: Arc::new(env),
        sink: Some(Arc::new(tx)),
        ..GatewayOptions::default()
    };
    let gw = Gateway::new(fast_config(), options).unwrap();
    assert!(gw.is_configured());
    let ctx = CallContext {
        user_id: Some("u1".into()),
        api_key_id: Some("k1".into()),
        app: Some("chat".into()),
        ..CallContext::default()
    };
    let resp = gw
        .chat(
            ChatRequest::new("gpt-4.1-mini", vec![Message::user("hi")]),
            ctx,
        )
        .await
        .unwrap();
    assert_eq!(resp.message.text(), "echo: hi");
    gw.chat(
        ChatRequest::new("claude-haiku-4-5", vec![Message::user("hi")]),
        CallContext::default(),
    )
    .await
    .unwrap();
    gw.chat(
        ChatRequest::new("anthropic/claude-x", vec![Message::user("hi")]),
        CallContext::default(),
    )
    .await
    .unwrap();
    let sent = fake.requests();
    assert_eq!(sent[0].path, "/v1/chat/completions");
    assert_eq!(sent[0].body["model"], "gpt-4.1-mini");
    assert_eq!(sent[0].header("authorization"), Some("Bearer sk-o"));
    assert_eq!(
        (sent[1].path.as_str(), sent[1].header("x-api-key")),
        ("/v1/messages", Some("sk-a"))
    );
    assert_eq!(sent[2].body["model"], "claude-x");
    let r = records.try_recv().unwrap();
    assert_eq!(
        (
            r.deployment.as_deref(),
            r.user_id.as_deref(),
            r.api_key_id.as_deref(),
            r.app.as_deref()
        ),
        (Some("env:openai"), Some("u1"), Some("k1"), Some("chat"))
    );
    let models = gw.models();
    assert!(models.models.is_empty());
    assert_eq!(
        models
            .passthrough
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>(),
        ["env:openai", "env:anthropic"]
    );
}

#[tokio::test]
async fn nothing_configured_answers_not_configured() {
    let gw = Gateway::new(LlmConfig::default(), GatewayOptions::without_env()).unwrap();
    assert!(!gw.is_configured());
    let e = gw
        .chat(
            ChatRequest::new("gpt-4o", vec![Message::user("hi")]),
            CallContext::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.kind().http_status()),
        (ErrorKind::NotConfigured, 503)
    );
    assert!(e.to_string().contains("OPENAI_API_KEY"), "{e}");
    let h = gw.health();
    assert!(!h.configured && h.message.is_some_and(|m| m.contains("[llm]")));
    // With models configured, an unknown name is a 404, not a 503.
    let s = setup(ProviderKind::OpenAi, |c, _| c.passthrough = false).await;
    let e = s
        .chat(ChatRequest::new("nope", vec![Message::user("hi")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ModelNotFound);
}

#[tokio::test]
async fn keys_of_a_pool_are_used_in_turn_and_a_bad_key_falls_back() {
    let s = setup(ProviderKind::OpenAi, |c, base| {
        let m = c.models.get_mut("m").unwrap();
        m.deployments[0].api_key = None;
        m.deployments[0].api_keys = vec![Secret::new(KEY), Secret::new(KEY)];
        let mut wrong = deployment(ProviderKind::OpenAi, base.to_owned(), "up-model");
        wrong.api_key = Some(Secret::new("sk-wrong"));
        m.deployments.insert(0, wrong);
        m.deployments[0].weight = 1;
        m.deployments[1].weight = 0;
    })
    .await;
    let resp = s.chat(ask("hi")).await.unwrap();
    assert_eq!(resp.message.text(), "echo: hi");
    let sent = s.fake.requests();
    assert_eq!(sent[0].header("authorization"), Some("Bearer sk-wrong"));
    assert_eq!(sent[1].header("authorization"), Some("Bearer sk-test"));
    let h = s.gw.health();
    assert!(
        h.deployments[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("401"),
        "{:?}",
        h.deployments[0]
    );
}

#[tokio::test]
async fn metrics_count_requests_tokens_and_breakers() {
    let s = setup(ProviderKind::Gemini, |c, _| c.cache.enabled = true).await;
    s.fake.enqueue(Reply::text("hello").usage(10, 2));
    s.chat(ask("hi")).await.unwrap();
    s.chat(ask("hi")).await.unwrap();
    let mut registry = prometheus_client::registry::Registry::default();
    s.gw.register_metrics(&mut registry);
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    for want in [
        r#"cistern_llm_requests_total{model="m",deployment="m/0",status="ok"} 1"#,
        r#"cistern_llm_requests_total{model="m",deployment="cache",status="ok"} 1"#,
        r#"cistern_llm_tokens_total{model="m",deployment="m/0",direction="input"} 10"#,
        r#"cistern_llm_cache_hits_total{model="m"} 1"#,
        r#"cistern_llm_cache_misses_total{model="m"} 1"#,
        r#"cistern_llm_breaker_state{deployment="m/0"} 0"#,
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    assert!(text.contains("cistern_llm_cost_usd_total"), "{text}");
}

/// The test Redis URL (`CISTERN_TEST_REDIS_URL`, which scripts/test.sh sets); required in CI.
fn redis_url() -> Option<String> {
    match std::env::var("CISTERN_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "CI is set but CISTERN_TEST_REDIS_URL is not: the Redis cache test must run in CI"
            )
        }
        _ => None,
    }
}

#[tokio::test]
async fn the_redis_cache_is_shared_between_gateways() {
    let Some(url) = redis_url() else {
        eprintln!("note: CISTERN_TEST_REDIS_URL is unset; skipping the Redis cache test");
        return;
    };
    let with_redis = |c: &mut LlmConfig, _: &str| {
        c.cache = CacheConfig {
            enabled: true,
            redis_url: Secret::new(url.clone()),
            ..CacheConfig::default()
        };
    };
    let a = setup(ProviderKind::OpenAi, with_redis).await;
    let b = setup(ProviderKind::OpenAi, with_redis).await;
    // Unique per run: the Redis server outlives the test process.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let question = format!("shared cache {nanos}");
    let first = a.chat(ask(&question)).await.unwrap();
    let second = b.chat(ask(&question)).await.unwrap();
    // The same answer; the hit costs nothing.
    assert_eq!((&first.id, &first.message), (&second.id, &second.message));
    assert_eq!(second.usage.cost_usd, 0.0);
    assert_eq!(
        (a.fake.requests().len(), b.fake.requests().len()),
        (1, 0),
        "b answered from Redis"
    );
    let stats = b.gw.health().cache.unwrap();
    assert_eq!((stats.backend, stats.hits), ("redis", 1));
}

#[tokio::test]
async fn a_redis_that_is_down_is_a_miss_not_a_failure() {
    let s = setup(ProviderKind::OpenAi, |c, _| {
        // Port 9 (discard) on loopback: nothing listens.
        c.cache = CacheConfig {
            enabled: true,
            redis_url: Secret::new("redis://127.0.0.1:9"),
            ..CacheConfig::default()
        };
    })
    .await;
    assert_eq!(s.chat(ask("hi")).await.unwrap().message.text(), "echo: hi");
    assert_eq!(s.chat(ask("hi")).await.unwrap().message.text(), "echo: hi");
    assert_eq!(s.fake.requests().len(), 2);
}
