//! Zero-config default, by-name access with a provider configured, fallback, and the errors
//! for a missing or corrupt model file.

use cistern_llm::*;

use super::harness::{local, model_path, serial, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_provider_the_local_model_answers_every_name_and_says_so() {
    let _serial = serial().await;
    let l = local(|_| {});
    assert!(l.gw.is_configured());
    assert_eq!(l.gw.local_default(), Some("local/smollm2-135m"));
    let health = l.gw.health();
    assert_eq!(health.message, Some(LOCAL_ONLY));
    let info = health.local.unwrap();
    assert!(info.default);
    assert!(info.parameters > 100_000_000 && info.parameters < 200_000_000);
    for name in ["smart", "gpt-4.1-mini", "local/smollm2-135m"] {
        let mut req = user("Hi");
        req.model = name.into();
        req.max_tokens = Some(3);
        let resp = l.gw.chat(req, CallContext::default()).await.unwrap();
        assert_eq!(resp.model, "smollm2-135m");
    }
    let models = l.gw.models();
    assert_eq!(models.local.unwrap().name, "local/smollm2-135m");
    // Embeddings are refused clearly.
    let e =
        l.gw.embed(
            EmbedRequest {
                model: "local/smollm2-135m".into(),
                input: vec!["x".into()],
                dimensions: None,
                user: None,
            },
            CallContext::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert!(e.to_string().contains("embeddings"), "{e}");
}

fn unreachable_provider(fallback: bool) -> Gateway {
    let mut config = LlmConfig {
        passthrough: false,
        ..LlmConfig::default()
    };
    config.retry.max_attempts = 2;
    config.retry.backoff_base_ms = 1;
    config.models.insert(
        "smart".into(),
        ModelConfig {
            deployments: vec![DeploymentConfig {
                name: None,
                provider: ProviderKind::OpenAi,
                // Nothing listens on port 9 of localhost: connection refused.
                base_url: Some("http://127.0.0.1:9/v1".into()),
                api_key: Some(Secret::new("k")),
                api_keys: Vec::new(),
                api_key_env: None,
                model: "gpt".into(),
                weight: 1,
                timeout_ms: Some(2_000),
                input_price_per_mtok: 0.0,
                output_price_per_mtok: 0.0,
                context_window: None,
            }],
        },
    );
    config.local.model = Some(model_path());
    config.local.fallback = fallback;
    config.local.sequences = 1;
    Gateway::new(config, GatewayOptions::without_env()).expect("the gateway builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_provider_takes_over_and_the_local_model_stays_reachable_by_name() {
    let _serial = serial().await;
    let gw = unreachable_provider(false);
    assert_eq!(gw.local_default(), None);
    assert_eq!(gw.health().message, None);
    let mut req = user("Hi");
    req.max_tokens = Some(3);
    let e = gw
        .chat(req.clone(), CallContext::default())
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Unavailable,
        "smart goes to the provider: {e}"
    );
    let e = gw
        .chat(
            ChatRequest {
                model: "other".into(),
                ..req.clone()
            },
            CallContext::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ModelNotFound);
    req.model = "local/smollm2-135m".into();
    assert!(gw.chat(req, CallContext::default()).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_fallback_on_the_local_model_answers_when_the_provider_fails() {
    let _serial = serial().await;
    let gw = unreachable_provider(true);
    let mut req = user("Hi");
    req.max_tokens = Some(3);
    let resp = gw.chat(req, CallContext::default()).await.unwrap();
    assert_eq!(resp.model, "smollm2-135m");
    let smart = gw
        .models()
        .models
        .into_iter()
        .find(|m| m.name == "smart")
        .unwrap();
    assert_eq!(
        smart.deployments.last().unwrap().provider,
        ProviderKind::Local
    );
}

#[test]
fn a_missing_or_corrupt_model_file_is_a_clear_error_naming_the_path_and_the_fix() {
    let dir = tempdir();
    let missing = dir.join("nope.gguf");
    // A truncated copy of the real model: the GGUF header is right, the tensors are not there.
    let truncated = dir.join("truncated.gguf");
    let bytes = std::fs::read(model_path()).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let garbage = dir.join("garbage.gguf");
    std::fs::write(&garbage, b"<!doctype html>").unwrap();
    for path in [missing, truncated, garbage] {
        let mut config = LlmConfig::default();
        config.local.model = Some(path.clone());
        let e = Gateway::new(config, GatewayOptions::without_env()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("scripts/fetch-model.sh"), "{text}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cistern-local-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}
