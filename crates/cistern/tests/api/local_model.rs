//! The server on the built-in local model (feature `local-model`): with no provider configured,
//! a chat turn is answered by the real default model, streamed and stored; `/health/detailed`
//! says which model answers; the model file comes from the data dir or `--model`, and a missing
//! one is a clear error. Assertions are on structure, never on the model's words.

use std::path::PathBuf;

use reqwest::Method;
use serde_json::json;

use crate::chat::{frames, messages};
use crate::helpers::TestApp;

/// The fetched default model (`scripts/test.sh` puts it in `target/models/`).
fn model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("CISTERN_TEST_LOCAL_MODEL") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let path = target.join("models").join(cistern_llm::DEFAULT_MODEL_FILE);
    assert!(
        path.is_file(),
        "the local model is missing at {}: run scripts/fetch-model.sh {}/models",
        path.display(),
        target.display()
    );
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_provider_a_chat_turn_is_answered_by_the_local_model_streamed_and_stored() {
    let model = model_path();
    let app = TestApp::builder()
        .config(move |c| {
            c.llm.passthrough = false;
            c.llm.local.model = Some(model);
            c.llm.local.threads = 1;
            c.llm.local.context = 2048;
        })
        .spawn()
        .await;
    let health = app.get("/health/detailed").await;
    let health: serde_json::Value = health.json().await.expect("health");
    assert_eq!(health["llm"]["configured"], true);
    assert_eq!(health["llm"]["default_model"], "local/smollm2-135m");
    assert_eq!(health["llm"]["local"]["default"], true);
    assert!(
        health["llm"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("far better")),
        "{health}"
    );

    let user = app.register("ada@example.com").await;
    let models = app
        .call_json(Method::GET, "/v1/models", &user.access, None, 200)
        .await;
    assert!(
        models["data"]
            .as_array()
            .is_some_and(|d| d.iter().any(|m| m["id"] == "local/smollm2-135m")),
        "{models}"
    );
    let response = app
        .call(
            Method::POST,
            "/api/v1/chat/stream",
            Some(&user.access),
            Some(json!({"message": "Hi! Say hello back in a few words."})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let frames = frames(&body);
    let names: Vec<&str> = frames.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names.first(), Some(&"started"), "{body}");
    assert_eq!(names.last(), Some(&"done"), "{body}");
    let done = &frames.last().expect("frames").1;
    let answer = done["message"].as_str().expect("message");
    assert!(!answer.trim().is_empty(), "{body}");
    assert!(
        done["usage"]["output_tokens"].as_u64().unwrap_or(0) >= 1,
        "{done}"
    );
    let id = done["conversation_id"].as_str().expect("id");
    let history = messages(&app, &user.access, id).await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["content"], answer);
    assert_eq!(history[1]["status"], "complete");
    app.stop().await;
}

#[test]
fn the_model_comes_from_the_data_dir_or_the_flag_and_a_missing_one_is_a_clear_error() {
    use cistern::config::{LlmOverrides, LocalOverrides, Overrides, load};
    let data = tempfile::tempdir().expect("temp dir");
    let env = || Vec::<(String, String)>::new();
    let with_data = Overrides {
        data_dir: Some(data.path().to_owned()),
        ..Overrides::default()
    };
    // No model in the data dir: the local model stays off.
    assert_eq!(
        load(None, env(), &with_data)
            .expect("loads")
            .llm
            .local
            .model,
        None
    );
    // The fetched model in <data_dir>/models/ is picked up.
    let models = data.path().join("models");
    std::fs::create_dir_all(&models).expect("models dir");
    let default = models.join(cistern_llm::DEFAULT_MODEL_FILE);
    std::os::unix::fs::symlink(model_path(), &default).expect("symlink");
    assert_eq!(
        load(None, env(), &with_data)
            .expect("loads")
            .llm
            .local
            .model,
        Some(default)
    );
    // --model wins; a missing file names the path and what to run.
    let missing = data.path().join("other.gguf");
    let flagged = Overrides {
        llm: LlmOverrides {
            local: LocalOverrides {
                model: Some(missing.clone()),
            },
        },
        ..with_data
    };
    let e = load(None, env(), &flagged)
        .expect_err("missing model")
        .to_string();
    assert!(e.contains(&missing.display().to_string()), "{e}");
    assert!(e.contains("scripts/fetch-model.sh"), "{e}");
}
