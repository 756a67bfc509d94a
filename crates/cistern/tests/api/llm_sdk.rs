//! The official OpenAI Python SDK against `/v1`: plain, streaming with usage, a forced tool call,
//! a typed error, the model list. The SDK lives in the venv `scripts/install-test-deps.sh` makes.

use std::path::PathBuf;

use cistern_llm_fake::{FakeLlm, Reply};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn python() -> Option<PathBuf> {
    let python = std::env::var_os("CISTERN_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tools/venv/bin/python")
        });
    let has_sdk = std::process::Command::new(&python)
        .args(["-c", "import openai"])
        .output()
        .is_ok_and(|o| o.status.success());
    if has_sdk {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI needs the OpenAI SDK in {} (scripts/install-test-deps.sh)",
        python.display()
    );
    eprintln!("skipped: no OpenAI SDK at {}", python.display());
    None
}

#[tokio::test]
async fn the_official_openai_python_sdk_works_against_v1() {
    let Some(python) = python() else {
        return;
    };
    let fake = FakeLlm::start().await.expect("fake provider");
    let configure = super::llm::with_fake(&fake);
    let app = TestApp::builder().config(configure).spawn().await;
    let user = app.register("sdk@example.com").await;
    let created: Value = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&user.access),
            Some(json!({"name": "python"})),
        )
        .await
        .json()
        .await
        .expect("json");
    let key = created["key"].as_str().expect("key");

    fake.enqueue(Reply::text("Hello from the fake model.").usage(9, 5));
    fake.enqueue(Reply::text("one two three four five").usage(4, 5));
    fake.enqueue(Reply::tool_call("get_weather", r#"{"city": "Oslo"}"#));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/openai_sdk_check.py");
    let (base_url, key) = (app.url("/v1"), key.to_owned());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .env("OPENAI_BASE_URL", base_url)
            .env("OPENAI_API_KEY", key)
            .output()
    })
    .await
    .expect("joined")
    .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the SDK check failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("ok"), "{stdout}");
    // What the SDK sent reached the provider as a proper request.
    let sent = fake.requests();
    assert_eq!(sent.len(), 3, "unknown models never reach the provider");
    assert_eq!(
        sent[0].body["max_tokens"], 50,
        "max_completion_tokens is honoured"
    );
    assert_eq!(sent[0].body["stop"], json!(["\n\n"]));
    app.stop().await;
}
