//! The server on the built-in local model (feature `local-model`): with no provider configured,
//! a chat turn is answered by the real default model, streamed and stored; `/health/detailed`
//! says which model answers; the model file comes from the data dir or `--model`, and a missing
//! one is a clear error. Assertions are on structure, never on the model's words.

use std::path::PathBuf;
use std::time::Duration;

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

/// A server with no provider, only the built-in model (one thread, a 2,048-token context),
/// then `tweak`ed.
async fn spawn_local(tweak: impl FnOnce(&mut cistern::config::Config) + 'static) -> TestApp {
    let model = model_path();
    TestApp::builder()
        .config(move |c| {
            c.llm.passthrough = false;
            c.llm.local.model = Some(model);
            c.llm.local.threads = 1;
            c.llm.local.context = 2048;
            tweak(c);
        })
        .spawn()
        .await
}

/// An app's job on the local model: minutes at worst on two shared cores, never unbounded.
const LOCAL_JOB: Duration = Duration::from_secs(600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_provider_a_chat_turn_is_answered_by_the_local_model_streamed_and_stored() {
    let app = spawn_local(|_| {}).await;
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
    // The stream lasts as long as the model takes: under a loaded CI machine that can be more
    // than the test client's 30 s, so this request gets the local-model bound.
    let response = reqwest::Client::builder()
        .timeout(LOCAL_JOB)
        .build()
        .expect("client")
        .post(app.url("/api/v1/chat/stream"))
        .bearer_auth(&user.access)
        .json(&json!({"message": "Hi! Say hello back in a few words."}))
        .send()
        .await
        .expect("send");
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

/// The code generator on a 135M model: the job always ends — ready, with every file
/// syntax-checked and a README, or failed with a stated cause from the reply (never one of
/// ours: internal, store, package, template). Which of the two depends on the model's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_generator_on_the_local_model_ends_checked_or_with_a_stated_cause() {
    let app = spawn_local(|c| {
        c.llm.local.context = 4096; // the default: a generation's prompt and its reply
        c.codegen.continue_rounds = 1;
    })
    .await;
    let user = app.register("cg-local@example.com").await;
    let accepted = app
        .call_json(
            Method::POST,
            "/api/v1/generate_code",
            &user.access,
            Some(json!({
                "prompt": "A Python command-line program that prints the sum of the numbers given as arguments.",
                "framework": "python-cli",
                "async": true,
            })),
            202,
        )
        .await;
    let job_id = accepted["job_id"].as_str().expect("job");
    let job = app.wait_job_within(&user.access, job_id, LOCAL_JOB).await;
    let id = accepted["generation_id"].as_str().expect("generation");
    let g = app
        .get_json(&format!("/api/v1/generations/{id}"), &user.access)
        .await;
    eprintln!(
        "code generator on the local model: {} {} {} files, {:?}",
        g["status"],
        g["error_kind"],
        g["files"].as_array().map_or(0, Vec::len),
        g["timings_ms"]
    );
    // No provider is configured: the default model (`smart`) is the local one.
    assert!(g["usage"]["output_tokens"].as_u64() > Some(0), "{g}");
    match g["status"].as_str() {
        Some("ready") => {
            assert_eq!(job["status"], "succeeded", "{job}");
            let files = g["files"].as_array().expect("files");
            assert!(files.iter().any(|f| f["path"] == "README.md"), "{g}");
            for file in files {
                assert!(file["syntax"]["ok"].is_boolean(), "{file}");
            }
            let zip = app
                .call(
                    Method::GET,
                    &format!("/api/v1/generations/{id}/download"),
                    Some(&user.access),
                    None,
                )
                .await;
            assert_eq!(zip.status(), 200);
            assert!(zip.bytes().await.expect("zip").starts_with(b"PK"));
        }
        Some("failed") => {
            let kind = g["error_kind"].as_str().expect("error_kind");
            assert!(
                !["internal", "store", "package", "template", "job"].contains(&kind),
                "{g}"
            );
            assert!(g["error"].as_str().is_some_and(|e| !e.is_empty()), "{g}");
        }
        other => panic!("not a final state: {other:?} in {g}"),
    }
    app.stop().await;
}

/// The extension builder on a 135M model: the forced `submit_extension` call always parses
/// (constrained decoding) unless the token limit cuts it off, so the version ends ready with a
/// manifest, or failed with a stated cause — validation after its repair round, a context too
/// small for that round, or a call cut off (said as such).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_extension_builder_on_the_local_model_ends_ready_or_failed_by_validation() {
    let app = spawn_local(|c| {
        c.llm.local.context = 4096; // the default: the tool schema alone is ~2,000 tokens
        c.extensions.check_in_browser = false;
        c.extensions.repair_rounds = 1;
    })
    .await;
    let user = app.register("ext-local@example.com").await;
    let accepted = app
        .call_json(
            Method::POST,
            "/api/v1/extensions",
            &user.access,
            Some(json!({"prompt": "Show the number of open tabs in the toolbar badge."})),
            202,
        )
        .await;
    let id = accepted["extension_id"].as_str().expect("id");
    let job_id = accepted["job_id"].as_str().expect("job");
    let job = app.wait_job_within(&user.access, job_id, LOCAL_JOB).await;
    let v = app
        .get_json(
            &format!("/api/v1/extensions/{id}/versions/seq-1"),
            &user.access,
        )
        .await;
    eprintln!(
        "extension builder on the local model: {} {}",
        v["status"], v["error"]
    );
    // The grammar makes every finished call parse: a malformed one can only be a call the
    // token limit cut off, and the error says so.
    let error = v["error"].as_str().unwrap_or_default();
    assert!(
        !error.contains("malformed") || error.contains("token limit"),
        "{v}"
    );
    match v["status"].as_str() {
        Some("ready") => {
            assert_eq!(job["status"], "succeeded", "{job}");
            assert!(
                v["files"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|f| f["path"] == "manifest.json")),
                "{v}"
            );
        }
        Some("failed") => {
            // Stated either way: validation findings left after the repair round, a call
            // the context cannot hold (the tool schema, the first submission and the findings
            // of a repair round outgrow 4,096 tokens) naming the setting to raise, or a call
            // cut off by the token limit.
            assert!(
                v["report"]["findings"].is_array()
                    || (error.contains("context") && error.contains("[llm.local]"))
                    || error.contains("token limit"),
                "{v}"
            );
        }
        other => panic!("not a final state: {other:?} in {v}"),
    }
    app.stop().await;
}

/// The coding agent on a 135M model: a task always ends — done with an answer (tool calls or
/// text, both parse by constrained decoding), or failed with a stated cause (its budget, the
/// model's context) — never stuck, never an internal error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coding_agent_on_the_local_model_ends_with_an_answer_or_a_stated_cause() {
    let app = spawn_local(|c| {
        c.llm.local.context = 4096;
        c.agent.max_steps = 3;
    })
    .await;
    let user = app.register("agent-local@example.com").await;
    let ws = app
        .call_json(
            Method::POST,
            "/api/v1/workspaces",
            &user.access,
            Some(json!({"name": "local"})),
            201,
        )
        .await;
    let ws = ws["id"].as_str().expect("id");
    app.call_json(
        Method::PUT,
        &format!("/api/v1/workspaces/{ws}/files/add.py"),
        &user.access,
        Some(json!({"content": "def add(a, b):\n    return a + b\n"})),
        200,
    )
    .await;
    let started = app
        .call_json(
            Method::POST,
            "/api/v1/agent/tasks",
            &user.access,
            Some(json!({"workspace_id": ws, "prompt": "What does add.py do?", "mode": "explain", "files": ["add.py"]})),
            202,
        )
        .await;
    let job_id = started["job_id"].as_str().expect("job");
    app.wait_job_within(&user.access, job_id, LOCAL_JOB).await;
    let id = started["task_id"].as_str().expect("task");
    let task = app
        .get_json(&format!("/api/v1/agent/tasks/{id}"), &user.access)
        .await;
    eprintln!(
        "coding agent on the local model: {} {} {:?}",
        task["status"], task["error"], task["metrics"]
    );
    match task["status"].as_str() {
        Some("done") => {
            assert_eq!(task["result"]["type"], "explanation", "{task}");
            assert!(task["metrics"]["tokens"].as_u64() > Some(0), "{task}");
        }
        Some("failed") => {
            let error = task["error"].as_str().expect("error");
            assert!(
                error.contains("budget") || error.contains("context") || error.contains("model"),
                "{task}"
            );
        }
        other => panic!("not a final state: {other:?} in {task}"),
    }
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
