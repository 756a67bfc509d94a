//! The LLM gateway through the server: `/v1` against a wire-level fake provider, the call log,
//! usage and quotas, limits, errors in OpenAI's shape, ownership.

use std::time::Duration;

use cistern::config::{Config, Secret};
use cistern_llm::{DeploymentConfig, ModelConfig, ProviderKind};
use cistern_llm_fake::{FakeLlm, Fault, Reply, Step};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, assert_openai_error};

/// Points model `fast` at `fake` (OpenAI protocol, priced), makes it every app's default
/// model, and turns body recording on.
pub(crate) fn with_fake(fake: &FakeLlm) -> impl FnOnce(&mut Config) + 'static {
    let base_url = fake.openai_base_url();
    move |c| {
        c.llm.passthrough = false;
        c.llm.record_bodies = true;
        c.llm.retry.backoff_base_ms = 1;
        c.llm.retry.backoff_max_ms = 5;
        c.llm.models.insert(
            "fast".to_owned(),
            ModelConfig {
                deployments: vec![DeploymentConfig {
                    name: None,
                    provider: ProviderKind::OpenAi,
                    base_url: Some(base_url),
                    api_key: Some(Secret::new("sk-upstream-key")),
                    api_keys: Vec::new(),
                    api_key_env: None,
                    model: "gpt-4o-mini".to_owned(),
                    weight: 1,
                    timeout_ms: Some(5_000),
                    input_price_per_mtok: 1.0,
                    output_price_per_mtok: 2.0,
                    context_window: Some(128_000),
                }],
            },
        );
        c.chat.default_model = "fast".to_owned();
        c.extensions.default_model = "fast".to_owned();
        c.codegen.default_model = "fast".to_owned();
        c.agent.default_model = "fast".to_owned();
        c.sage.forecast_model = "fast".to_owned();
    }
}

/// A server over a fresh fake provider ([`with_fake`]), then `tweak`ed.
pub(crate) async fn spawn_with_fake(
    tweak: impl FnOnce(&mut Config) + 'static,
) -> (TestApp, FakeLlm) {
    let fake = FakeLlm::start().await.expect("fake provider");
    let base = with_fake(&fake);
    let app = TestApp::builder()
        .config(move |c| {
            base(c);
            tweak(c);
        })
        .spawn()
        .await;
    (app, fake)
}

async fn api_key(app: &TestApp, token: &str) -> String {
    let created: Value = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(token),
            Some(json!({"name": "sdk"})),
        )
        .await
        .json()
        .await
        .expect("json");
    created["key"].as_str().expect("key").to_owned()
}

/// A chat completion labelled with `X-Cistern-App: app_name`.
async fn chat_as(app: &TestApp, key: &str, app_name: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/chat/completions"))
        .bearer_auth(key)
        .header("x-cistern-app", app_name)
        .json(&body)
        .send()
        .await
        .expect("send")
}

async fn chat(app: &TestApp, key: &str, body: Value) -> reqwest::Response {
    app.call(Method::POST, "/v1/chat/completions", Some(key), Some(body))
        .await
}

/// Waits (bounded) for the call-log writer to have stored `n` calls of `token`'s owner.
async fn calls_of(app: &TestApp, token: &str, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let page: Value = app.get_json("/api/v1/llm/calls", token).await;
        let calls = page["items"].as_array().expect("calls").clone();
        if calls.len() >= n {
            return calls;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the call log never reached {n} calls");
}

/// Waits (bounded) until `token`'s owner has `tokens` (in + out) charged this month.
async fn wait_for_usage(app: &TestApp, token: &str, tokens: i64) {
    for _ in 0..100 {
        let usage: Value = app.get_json("/api/v1/usage", token).await;
        if usage["budget"]["used"].as_i64() == Some(tokens) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("usage never reached {tokens} tokens");
}

#[tokio::test]
async fn a_completion_is_answered_logged_with_bodies_redacted_and_charged() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let user = app.register("gw@example.com").await;
    let key = api_key(&app, &user.access).await;
    fake.enqueue(Reply::text("Paris is the capital of France.").usage(12, 7));

    let response = chat(
        &app,
        &key,
        json!({"model": "fast", "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Capital of France? my key is sk-proj-abcdefghijklmnopqrstuvwx"}]}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(
        body["model"], "gpt-4o-mini",
        "the model that answered, as OpenAI reports"
    );
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "Paris is the capital of France."
    );
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert_eq!(body["usage"]["prompt_tokens"], 12);
    assert_eq!(body["usage"]["completion_tokens"], 7);
    // The provider got its own key, never the caller's.
    let sent = fake.requests();
    assert_eq!(
        sent[0].header("authorization"),
        Some("Bearer sk-upstream-key")
    );

    let calls = calls_of(&app, &user.access, 1).await;
    let call = &calls[0];
    assert_eq!(call["model"], "fast");
    assert_eq!(call["status"], "ok");
    assert_eq!(call["app"], "api");
    assert_eq!(call["tokens_in"], 12);
    assert_eq!(call["tokens_out"], 7);
    assert_eq!(call["provider"], "openai");
    assert!((call["cost_usd"].as_f64().expect("cost") - 26e-6).abs() < 1e-9);
    assert!(call["api_key_id"].is_string(), "made with an API key");

    let detail: Value = app
        .call(
            Method::GET,
            &format!("/api/v1/llm/calls/{}", call["id"].as_str().expect("id")),
            Some(&user.access),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let request = detail["request"].to_string();
    assert!(request.contains("Capital of France?"), "{request}");
    assert!(
        !request.contains("sk-proj-abc"),
        "secrets are redacted: {request}"
    );
    assert!(request.contains("[REDACTED]"));
    assert_eq!(
        detail["response"]["message"]["content"],
        "Paris is the capital of France."
    );

    let usage: Value = app.get_json("/api/v1/usage", &user.access).await;
    assert_eq!(usage["tokens_in"], 12);
    assert_eq!(usage["tokens_out"], 7);
    assert_eq!(usage["breakdown"][0]["model"], "fast");
    assert_eq!(usage["breakdown"][0]["app"], "api");
    app.stop().await;
}

#[tokio::test]
async fn streams_end_with_usage_and_done_and_a_cut_stream_is_an_error_not_a_short_answer() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let user = app.register("stream@example.com").await;
    fake.enqueue(Reply::text("one two three four").usage(5, 4));
    let response = chat(
        &app,
        &user.access,
        json!({"model": "fast", "stream": true, "stream_options": {"include_usage": true},
               "messages": [{"role": "user", "content": "count"}]}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().expect("ascii"),
        "text/event-stream"
    );
    let text = response.text().await.expect("body");
    let frames: Vec<&str> = text
        .split("\n\n")
        .filter_map(|f| f.strip_prefix("data: "))
        .collect();
    assert_eq!(frames.last(), Some(&"[DONE]"), "{text}");
    let chunks: Vec<Value> = frames[..frames.len() - 1]
        .iter()
        .map(|f| serde_json::from_str(f).expect("chunk JSON"))
        .collect();
    let content: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(content, "one two three four");
    let usage = chunks.last().expect("usage chunk");
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"]["completion_tokens"], 4);
    assert!(
        chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk")
    );

    // Cut after two chunks: the client gets an error event and no [DONE].
    fake.enqueue(Fault::CutStream { after_chunks: 2 });
    let response = chat(
        &app,
        &user.access,
        json!({"model": "fast", "stream": true, "messages": [{"role": "user", "content": "count"}]}),
    )
    .await;
    assert_eq!(response.status(), 200, "the first bytes were already out");
    let text = response.text().await.expect("body");
    assert!(!text.contains("[DONE]"), "{text}");
    let last = text
        .split("\n\n")
        .filter_map(|f| f.strip_prefix("data: "))
        .last()
        .expect("frames");
    let error: Value = serde_json::from_str(last).expect("error JSON");
    assert_eq!(error["error"]["code"], "unavailable", "{text}");
    assert_eq!(error["error"]["type"], "server_error");

    let calls = calls_of(&app, &user.access, 2).await;
    assert_eq!(calls[0]["status"], "error", "newest first: the cut stream");
    assert_eq!(calls[0]["stream"], true);
    assert_eq!(calls[1]["status"], "ok");
    app.stop().await;
}

#[tokio::test]
async fn tools_and_forced_tool_choice_pass_through() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let user = app.register("tools@example.com").await;
    fake.enqueue(Reply::tool_call("get_weather", r#"{"city":"Oslo"}"#));
    let response = chat(
        &app,
        &user.access,
        json!({"model": "fast", "messages": [{"role": "user", "content": "weather in Oslo?"}],
               "tools": [{"type": "function", "function": {"name": "get_weather",
                  "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
               "tool_choice": {"type": "function", "function": {"name": "get_weather"}}}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    let call = &body["choices"][0]["message"]["tool_calls"][0];
    assert_eq!(call["function"]["name"], "get_weather");
    let args: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().expect("args")).expect("json");
    assert_eq!(args, json!({"city": "Oslo"}));
    assert_eq!(body["choices"][0]["finish_reason"], "tool_calls");
    let sent = &fake.requests()[0].body;
    assert_eq!(sent["tool_choice"]["function"]["name"], "get_weather");
    app.stop().await;
}

#[tokio::test]
async fn errors_have_openai_shape_and_say_what_is_wrong() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let user = app.register("errors@example.com").await;
    let t = Some(user.access.as_str());

    let no_auth = app
        .call(Method::POST, "/v1/chat/completions", None, Some(json!({})))
        .await;
    assert_openai_error(no_auth, 401, "unauthorized").await;

    let missing = chat(&app, &user.access, json!({"model": "fast"})).await;
    let message = assert_openai_error(missing, 422, "invalid_body").await;
    assert!(message.contains("messages"), "{message}");

    let unknown = chat(
        &app,
        &user.access,
        json!({"model": "nope", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    let message = assert_openai_error(unknown, 404, "model_not_found").await;
    assert!(message.contains("nope"), "{message}");

    // A provider that keeps answering 429: the caller sees 429 with the provider's Retry-After.
    for _ in 0..3 {
        fake.enqueue(Fault::RateLimited {
            retry_after_secs: 0,
        });
    }
    let limited = chat(
        &app,
        &user.access,
        json!({"model": "fast", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_openai_error(limited, 429, "rate_limited").await;

    let bad_app = chat_as(
        &app,
        &user.access,
        "no spaces allowed",
        json!({"model": "fast", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    let body: Value = bad_app.json().await.expect("json");
    assert_eq!(body["error"]["param"], "x-cistern-app");

    // The API outside /v1 keeps Cistern's envelope.
    let listed = app
        .call(Method::GET, "/api/v1/llm/calls?limit=0", t, None)
        .await;
    assert_error(listed, 422, "invalid_input").await;
    app.stop().await;
}

#[tokio::test]
async fn without_a_provider_llm_routes_say_how_to_configure_one() {
    let app = TestApp::builder()
        .config(|c| c.llm.passthrough = false)
        .spawn()
        .await;
    let user = app.register("none@example.com").await;
    let response = chat(
        &app,
        &user.access,
        json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    let message = assert_openai_error(response, 503, "not_configured").await;
    assert!(message.contains("OPENAI_API_KEY"), "{message}");
    let health: Value = app
        .get("/health/detailed")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(health["llm"]["configured"], false);
    assert!(
        health["llm"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("no LLM provider configured")),
        "{health}"
    );
    assert_eq!(health["status"], "ok", "the server itself is ready");
    app.stop().await;
}

#[tokio::test]
async fn the_monthly_quota_and_the_token_rate_refuse_calls() {
    let (app, fake) = spawn_with_fake(|c| {
        c.quota.default_monthly_tokens = 20;
        c.rate_limit.llm_tokens_per_user.burst = 1_000;
    })
    .await;
    let user = app.register("quota@example.com").await;
    let ask = json!({"model": "fast", "messages": [{"role": "user", "content": "hi"}]});
    fake.enqueue(Reply::text("a long answer").usage(10, 15));
    assert_eq!(chat(&app, &user.access, ask.clone()).await.status(), 200);
    wait_for_usage(&app, &user.access, 25).await;
    // 25 of 20 tokens spent: the next call is refused before reaching the provider.
    let refused = chat(&app, &user.access, ask.clone()).await;
    assert!(refused.headers().contains_key("retry-after"));
    let message = assert_openai_error(refused, 429, "quota_exceeded").await;
    assert!(message.contains("20 tokens"), "{message}");
    assert_eq!(fake.requests().len(), 1);

    // A second user still has budget, but one prompt bigger than the per-minute token rate
    // spends it all: the next call waits.
    let other = app.register("rate@example.com").await;
    let big = "word ".repeat(3_000);
    let body =
        json!({"model": "fast", "max_tokens": 10, "messages": [{"role": "user", "content": big}]});
    fake.enqueue(Reply::text("ok").usage(1, 1));
    assert_eq!(chat(&app, &other.access, body.clone()).await.status(), 200);
    let slowed = chat(&app, &other.access, body).await;
    assert_openai_error(slowed, 429, "rate_limited").await;
    app.stop().await;
}

#[tokio::test]
async fn users_see_only_their_own_calls() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let alice = app.register("alice-llm@example.com").await;
    let bob = app.register("bob-llm@example.com").await;
    fake.enqueue(Reply::text("hello alice"));
    let ask = json!({"model": "fast", "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(chat(&app, &alice.access, ask).await.status(), 200);
    let calls = calls_of(&app, &alice.access, 1).await;
    let id = calls[0]["id"].as_str().expect("id");

    let theirs = app
        .call(
            Method::GET,
            &format!("/api/v1/llm/calls/{id}"),
            Some(&bob.access),
            None,
        )
        .await;
    assert_error(theirs, 404, "not_found").await;
    let listed: Value = app.get_json("/api/v1/llm/calls", &bob.access).await;
    assert_eq!(listed["items"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn models_embeddings_filters_and_metrics() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let user = app.register("misc@example.com").await;
    let models: Value = app.get_json("/v1/models", &user.access).await;
    assert_eq!(models["object"], "list");
    assert_eq!(models["data"][0]["id"], "fast");

    let embedded = app
        .call(
            Method::POST,
            "/v1/embeddings",
            Some(&user.access),
            Some(json!({"model": "fast", "input": ["alpha", "beta"]})),
        )
        .await;
    assert_eq!(embedded.status(), 200);
    let embedded: Value = embedded.json().await.expect("json");
    assert_eq!(embedded["object"], "list");
    assert_eq!(embedded["data"].as_array().expect("data").len(), 2);
    assert_eq!(embedded["data"][1]["index"], 1);

    fake.enqueue(Step::Fault(Fault::Status {
        status: 400,
        message: "bad things".into(),
    }));
    let failed = chat_as(
        &app,
        &user.access,
        "my-bot",
        json!({"model": "fast", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(failed.status(), 400);
    calls_of(&app, &user.access, 2).await;
    let only_errors: Value = app
        .get_json("/api/v1/llm/calls?status=error&app=my-bot", &user.access)
        .await;
    let errors = only_errors["items"].as_array().expect("calls");
    assert_eq!(errors.len(), 1, "{only_errors}");
    assert_eq!(errors[0]["error_kind"], "bad_request");

    let metrics = app.get("/metrics").await.text().await.expect("text");
    assert!(
        metrics.contains("cistern_llm_"),
        "gateway metrics are exported"
    );
    let health: Value = app
        .get("/health/detailed")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(health["llm"]["configured"], true);
    assert_eq!(health["llm"]["deployments"][0]["name"], "fast/0");
    app.stop().await;
}

/// `cistern llm …` with only the given provider variables set.
async fn cli(args: &[&str], env: &[(&str, String)]) -> std::process::Output {
    let mut command = crate::binary::cistern();
    for var in [
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "CEREBRAS_API_KEY",
        "OLLAMA_HOST",
    ] {
        command.env_remove(var);
    }
    command.arg("llm").args(args).envs(env.iter().cloned());
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("joined")
        .expect("cistern runs")
}

#[tokio::test]
async fn the_cli_lists_models_and_streams_an_answer_from_the_environment_provider() {
    let fake = FakeLlm::start().await.expect("fake provider");
    let env = [
        ("OPENAI_API_KEY", "sk-cli".to_owned()),
        ("OPENAI_BASE_URL", fake.openai_base_url()),
    ];
    fake.enqueue(Reply::text("Cisterns keep water cool.").usage(3, 4));
    let asked = cli(&["ask", "gpt-4o-mini", "Why", "cisterns?"], &env).await;
    let stdout = String::from_utf8_lossy(&asked.stdout);
    assert!(
        asked.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&asked.stderr)
    );
    assert_eq!(stdout.trim(), "Cisterns keep water cool.");
    assert!(String::from_utf8_lossy(&asked.stderr).contains("3 tokens in, 4 out"));
    let sent = &fake.requests()[0];
    assert_eq!(sent.body["messages"][0]["content"], "Why cisterns?");
    assert_eq!(sent.header("authorization"), Some("Bearer sk-cli"));

    let models = cli(&["models"], &env).await;
    let listed = String::from_utf8_lossy(&models.stdout);
    assert!(models.status.success());
    assert!(listed.contains("env:openai"), "{listed}");

    // Next to a running server with the same config, each deployment shows its live circuit.
    let app = TestApp::builder().config(with_fake(&fake)).spawn().await;
    let config = app.data_dir.path().join("cli.toml");
    std::fs::write(
        &config,
        format!(
            "[llm]\npassthrough = false\n[llm.models.fast]\ndeployments = [{{ provider = \"openai\", \
             base_url = \"{}\", api_key = \"sk-upstream-key\", model = \"gpt-4o-mini\" }}]\n",
            fake.openai_base_url()
        ),
    )
    .expect("config file");
    let config = config.to_str().expect("utf-8 path");
    let live = cli(
        &["models", "--config", config, "--server", &app.url("")],
        &[],
    )
    .await;
    let listed = String::from_utf8_lossy(&live.stdout);
    assert!(
        live.status.success(),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    assert!(
        listed.contains("fast/0") && listed.contains("healthy"),
        "{listed}"
    );
    app.stop().await;

    let none = cli(&["models"], &[]).await;
    assert!(String::from_utf8_lossy(&none.stdout).contains("no LLM provider configured"));
    let refused = cli(&["ask", "gpt-4o-mini", "hi"], &[]).await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("OPENAI_API_KEY"));
}
