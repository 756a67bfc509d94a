//! The coding agent through the real application, the model scripted at the wire like real
//! models (tool calls, edits that miss, prose): each mode end to end, repair rounds, per-hunk
//! accept, a stale file merged cleanly and one conflicting, owner checks, quotas and audit.

use std::time::Duration;

use cistern_llm_fake::{FakeLlm, Reply};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::llm::spawn_with_fake;

const APP_PY: &str = "def greet(name):\n    return 'hi ' + name\n\n\ndef add(a, b):\n    return a + b\n\n\n\n\n\n\n\ndef sub(a, b):\n    return a - b\n";

async fn spawn() -> (TestApp, FakeLlm) {
    spawn_with_fake(|_| {}).await
}

/// A workspace of `token` holding `files`; its id.
async fn workspace(app: &TestApp, token: &str, files: &[(&str, &str)]) -> String {
    let ws = app
        .call_json(
            Method::POST,
            "/api/v1/workspaces",
            token,
            Some(json!({"name": "demo"})),
            201,
        )
        .await;
    let id = ws["id"].as_str().expect("id").to_owned();
    for (path, content) in files {
        put(app, token, &id, path, content).await;
    }
    id
}

async fn put(app: &TestApp, token: &str, ws: &str, path: &str, content: &str) {
    app.call_json(
        Method::PUT,
        &format!("/api/v1/workspaces/{ws}/files/{path}"),
        token,
        Some(json!({"content": content})),
        200,
    )
    .await;
}

async fn read(app: &TestApp, token: &str, ws: &str, path: &str) -> String {
    let file = app
        .get_json(&format!("/api/v1/workspaces/{ws}/files/{path}"), token)
        .await;
    file["content"].as_str().expect("content").to_owned()
}

/// Starts a task and waits for it to end; the task.
async fn run_task(app: &TestApp, token: &str, body: Value) -> Value {
    let started = app
        .call_json(Method::POST, "/api/v1/agent/tasks", token, Some(body), 202)
        .await;
    assert_eq!(started["status"], "queued", "{started}");
    let job_id = started["job_id"].as_str().expect("job id");
    app.wait_job(token, job_id).await;
    let id = started["task_id"].as_str().expect("task id");
    app.get_json(&format!("/api/v1/agent/tasks/{id}"), token)
        .await
}

fn search_replace(path: &str, search: &str, replace: &str) -> String {
    format!("{path}\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n")
}

fn propose(edits: &str) -> Reply {
    Reply::tool_call("propose_edits", json!({ "edits": edits }).to_string())
}

fn finish(explanation: &str) -> Reply {
    Reply::tool_call("finish", json!({ "explanation": explanation }).to_string())
}

/// The tool results the model was sent in the last request.
fn tool_results(fake: &FakeLlm) -> Vec<String> {
    let requests = fake.requests();
    let last = requests.last().expect("a request");
    last.body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn accept(app: &TestApp, token: &str, task: &Value, body: Value) -> reqwest::Response {
    let id = task["id"].as_str().expect("id");
    app.call(
        Method::POST,
        &format!("/api/v1/agent/tasks/{id}/accept"),
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_patch_task_reads_proposes_and_is_accepted_with_snapshots_and_audit() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-patch@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    fake.enqueue(Reply::tool_call("read_file", r#"{"path": "app.py"}"#));
    fake.enqueue(propose(&search_replace(
        "app.py",
        "    return 'hi ' + name",
        "    return 'hello ' + name",
    )));
    fake.enqueue(finish("Greets with **hello** now."));
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "prompt": "say hello instead of hi", "mode": "patch", "files": ["app.py"]}),
    )
    .await;
    assert_eq!(task["status"], "done", "{task}");
    let result = &task["result"];
    assert_eq!(result["type"], "patch");
    assert_eq!(result["explanation"], "Greets with **hello** now.");
    let file = &result["files_modified"][0];
    assert_eq!(file["path"], "app.py");
    assert_eq!(file["status"], "modified");
    assert!(
        file["patch"]
            .as_str()
            .is_some_and(|p| p.contains("+    return 'hello ' + name")),
        "{file}"
    );
    assert_eq!(file["hunks"][0]["header"], "@@ -1,5 +1,5 @@", "{file}");
    assert_eq!(task["metrics"]["rounds"], 3, "{task}");
    assert!(task["metrics"]["tokens"].as_u64().is_some_and(|t| t > 0));
    // The model read the file through the tool: numbered lines came back.
    let requests = fake.requests();
    let second = requests[1].body["messages"].to_string();
    assert!(second.contains("1| def greet(name):"), "{second}");
    // The open file was in the first message already.
    assert!(
        requests[0].body["messages"][1]["content"]
            .as_str()
            .is_some_and(|c| c.contains("Open file app.py"))
    );
    // Nothing changed in the workspace before the accept.
    assert_eq!(read(&app, &s.access, &ws, "app.py").await, APP_PY);

    let r = accept(&app, &s.access, &task, json!({})).await;
    assert_eq!(r.status(), 200);
    let outcome: Value = r.json().await.expect("json");
    assert_eq!(outcome["written"], json!(["app.py"]));
    assert_eq!(
        read(&app, &s.access, &ws, "app.py").await,
        APP_PY.replace("'hi '", "'hello '")
    );
    // Undo: the snapshot before the accept holds the old file.
    let before = outcome["review"]["snapshot_before"]
        .as_str()
        .expect("before");
    app.call_json(
        Method::POST,
        &format!("/api/v1/workspaces/{ws}/snapshots/{before}/restore"),
        &s.access,
        None,
        201,
    )
    .await;
    assert_eq!(read(&app, &s.access, &ws, "app.py").await, APP_PY);
    // A second accept has nothing left to decide.
    let again = accept(&app, &s.access, &task, json!({})).await;
    assert_error(again, 409, "conflict").await;

    let audit = app.get_json("/api/v1/audit?limit=50", &s.access).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "agent.task_created",
        "agent.task_completed",
        "agent.patch_accepted",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn edits_written_as_prose_are_applied_and_left_out_of_the_explanation() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-prose@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    // A model that ignores the tools and answers with a fenced SEARCH/REPLACE block.
    let reply = format!(
        "The greeting is now friendlier.\n\n```python\n{}```\n\nNothing else changed.",
        search_replace(
            "app.py",
            "    return 'hi ' + name",
            "    return 'hello ' + name"
        )
    );
    fake.enqueue(Reply::text(reply));
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "prompt": "say hello", "mode": "patch"}),
    )
    .await;
    assert_eq!(task["status"], "done", "{task}");
    assert_eq!(
        task["result"]["files_modified"][0]["path"], "app.py",
        "{task}"
    );
    assert_eq!(
        task["result"]["explanation"],
        "The greeting is now friendlier.\n\nNothing else changed."
    );
}

#[tokio::test]
async fn an_edit_that_does_not_match_goes_back_to_the_model_for_a_repair_round() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-repair@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    // The model misremembers the line, then reads the refusal and gets it right.
    fake.enqueue(propose(&search_replace(
        "app.py",
        "    return \"hi \" + name",
        "    return 'hello ' + name",
    )));
    fake.enqueue(propose(&search_replace(
        "app.py",
        "    return 'hi ' + name",
        "    return 'hello ' + name",
    )));
    fake.enqueue(finish("Done."));
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "prompt": "say hello", "mode": "patch"}),
    )
    .await;
    assert_eq!(task["status"], "done", "{task}");
    assert_eq!(task["metrics"]["repair_rounds"], 1, "{task}");
    let requests = fake.requests();
    let refusal = requests[1].body["messages"].to_string();
    assert!(refusal.contains("not applied"), "{refusal}");
    assert!(
        refusal.contains("return 'hi ' + name"),
        "closest lines shown: {refusal}"
    );
}

#[tokio::test]
async fn edits_refused_beyond_the_repair_rounds_fail_the_task_with_the_reason() {
    let (app, fake) = spawn_with_fake(|c| c.agent.repair_rounds = 1).await;
    let s = app.register("agent-refused@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    // An ambiguous search (`return` lines are everywhere), twice.
    for _ in 0..2 {
        fake.enqueue(propose(&search_replace(
            "app.py",
            "    return a",
            "    return 0",
        )));
    }
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "prompt": "return zero", "mode": "patch"}),
    )
    .await;
    assert_eq!(task["status"], "failed", "{task}");
    let error = task["error"].as_str().expect("error");
    assert!(error.contains("refused 2 times"), "{error}");
    assert!(task["result"].is_null());
    assert_eq!(read(&app, &s.access, &ws, "app.py").await, APP_PY);
}

#[tokio::test]
async fn explain_answers_without_edits_and_offers_no_edit_tool() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-explain@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    fake.enqueue(Reply::tool_call("search", r#"{"pattern": "def \\w+"}"#));
    fake.enqueue(Reply::text("`app.py` defines `greet`, `add` and `sub`."));
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "prompt": "what does this module define?", "mode": "explain"}),
    )
    .await;
    assert_eq!(task["status"], "done", "{task}");
    assert_eq!(task["result"]["type"], "explanation");
    assert_eq!(task["result"]["files_modified"], json!([]));
    assert!(
        task["result"]["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("greet"))
    );
    let tools: Vec<String> = fake.requests()[0].body["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["function"]["name"].as_str().map(str::to_owned))
        .collect();
    assert!(!tools.contains(&"propose_edits".to_owned()), "{tools:?}");
    let results = tool_results(&fake);
    assert!(
        results[0].contains("app.py:5: def add(a, b):"),
        "{results:?}"
    );
    // Nothing to accept.
    let r = accept(&app, &s.access, &task, json!({})).await;
    assert_error(r, 409, "conflict").await;
}

#[tokio::test]
async fn generate_test_creates_a_test_file() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-tests@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    let test = "tests/test_app.py\n```python\nfrom app import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n```\n";
    fake.enqueue(propose(test));
    fake.enqueue(finish("Added a pytest for `add`."));
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "prompt": "test add", "mode": "generate_test"}),
    )
    .await;
    assert_eq!(task["status"], "done", "{task}");
    assert_eq!(task["result"]["type"], "tests");
    let file = &task["result"]["files_modified"][0];
    assert_eq!(file["path"], "tests/test_app.py");
    assert_eq!(file["status"], "added");
    assert!(file["base_hash"].is_null());
    let r = accept(
        &app,
        &s.access,
        &task,
        json!({"files": ["tests/test_app.py"]}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(
        read(&app, &s.access, &ws, "tests/test_app.py")
            .await
            .contains("def test_add")
    );
}

#[tokio::test]
async fn lint_fix_gives_the_model_the_diagnostics_and_refuses_an_edit_that_still_breaks() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-lint@example.com").await;
    let broken = "def greet(name)\n    return 'hi ' + name\n";
    let ws = workspace(&app, &s.access, &[("app.py", broken), ("ok.py", "x = 1\n")]).await;
    // First try leaves another syntax error: refused; the second fixes it.
    fake.enqueue(propose(&search_replace(
        "app.py",
        "def greet(name)",
        "def greet(name:",
    )));
    fake.enqueue(propose(&search_replace(
        "app.py",
        "def greet(name)",
        "def greet(name):",
    )));
    fake.enqueue(finish("Added the missing colon."));
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "mode": "lint_fix"}),
    )
    .await;
    assert_eq!(task["status"], "done", "{task}");
    let requests = fake.requests();
    let first = requests[0].body["messages"][1]["content"]
        .as_str()
        .expect("user message");
    assert!(first.contains("Diagnostics:\napp.py:2:"), "{first}");
    assert!(!first.contains("ok.py:"), "only broken files: {first}");
    let second = requests[1].body["messages"].to_string();
    assert!(second.contains("syntax errors"), "{second}");
    assert_eq!(task["metrics"]["repair_rounds"], 1);
    assert_eq!(task["result"]["files_modified"][0]["path"], "app.py");

    // A clean workspace needs no model call.
    let clean = workspace(&app, &s.access, &[("ok.py", "x = 1\n")]).await;
    let calls = fake.requests().len();
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": clean, "mode": "lint_fix"}),
    )
    .await;
    assert_eq!(task["status"], "done", "{task}");
    assert!(
        task["result"]["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("no problems"))
    );
    assert_eq!(fake.requests().len(), calls);
}

#[tokio::test]
async fn lint_fix_runs_the_configured_linter_and_gives_its_findings_to_the_model() {
    let (app, fake) = spawn_with_fake(|c| {
        c.agent
            .linters
            .insert("python".into(), "grep -rnH TODO --include='*.py' .".into());
    })
    .await;
    let s = app.register("agent-linter@example.com").await;
    let code = "def f():\n    # TODO: handle errors\n    return 1\n";
    let ws = workspace(&app, &s.access, &[("app.py", code), ("notes.md", "TODO\n")]).await;
    fake.enqueue(finish("Nothing to change."));
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "mode": "lint_fix"}),
    )
    .await;
    assert_eq!(task["status"], "done", "{task}");
    let first = fake.requests()[0].body["messages"][1]["content"]
        .as_str()
        .expect("user message")
        .to_owned();
    assert!(
        first.contains("Diagnostics:\napp.py:2: # TODO: handle errors\n"),
        "{first}"
    );
    assert!(
        !first.contains("notes.md:1"),
        "only the linter's language: {first}"
    );
}

#[tokio::test]
async fn a_model_repeating_the_same_call_is_nudged_then_stopped() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-loop@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    for _ in 0..5 {
        fake.enqueue(Reply::tool_call("read_file", r#"{"path": "app.py"}"#));
    }
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "prompt": "fix it", "mode": "patch"}),
    )
    .await;
    assert_eq!(task["status"], "failed", "{task}");
    assert!(
        task["error"]
            .as_str()
            .is_some_and(|e| e.contains("same read_file call 5 times")),
        "{task}"
    );
    let results = tool_results(&fake);
    assert!(
        results[1].contains("1| def greet"),
        "answered twice: {results:?}"
    );
    assert!(
        results[2].contains("has not changed"),
        "then nudged: {results:?}"
    );
}

/// A task proposing two hunks of `app.py`: `greet` and `sub` changed.
async fn two_hunk_task(app: &TestApp, fake: &FakeLlm, token: &str, ws: &str) -> Value {
    let edits = format!(
        "{}{}",
        search_replace(
            "app.py",
            "    return 'hi ' + name",
            "    return 'hello ' + name"
        ),
        search_replace("app.py", "    return a - b", "    return b - a")
    );
    fake.enqueue(propose(&edits));
    fake.enqueue(finish("Two changes."));
    let task = run_task(
        app,
        token,
        json!({"workspace_id": ws, "prompt": "change both", "mode": "patch"}),
    )
    .await;
    assert_eq!(task["status"], "done", "{task}");
    let hunks = task["result"]["files_modified"][0]["hunks"]
        .as_array()
        .expect("hunks");
    assert_eq!(hunks.len(), 2, "{task}");
    task
}

#[tokio::test]
async fn one_hunk_is_accepted_and_the_other_rejected_and_remembered() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-hunks@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    let task = two_hunk_task(&app, &fake, &s.access, &ws).await;
    let id = task["id"].as_str().expect("id");
    // Reject hunk 2 with a reason, then accept what is left.
    let rejected = app
        .call_json(
            Method::POST,
            &format!("/api/v1/agent/tasks/{id}/reject"),
            &s.access,
            Some(json!({"hunks": [{"path": "app.py", "ids": [2]}], "reason": "sub is right as it is"})),
            200,
        )
        .await;
    assert_eq!(
        rejected["review"]["files"]["app.py"]["2"]["accepted"],
        false
    );
    let r = accept(&app, &s.access, &task, json!({})).await;
    assert_eq!(r.status(), 200);
    let content = read(&app, &s.access, &ws, "app.py").await;
    assert!(
        content.contains("'hello '") && content.contains("return a - b"),
        "{content}"
    );
    // A hunk id the task does not have is the caller's mistake.
    let r = accept(
        &app,
        &s.access,
        &task,
        json!({"hunks": [{"path": "app.py", "ids": [9]}]}),
    )
    .await;
    assert_error(r, 422, "invalid_input").await;

    // The next task is told about the rejection and its reason.
    fake.enqueue(Reply::text("Nothing to do."));
    run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "prompt": "anything else?", "mode": "explain"}),
    )
    .await;
    let requests = fake.requests();
    let context = requests.last().expect("request").body["messages"][1]["content"]
        .as_str()
        .expect("content")
        .to_owned();
    assert!(context.contains("sub is right as it is"), "{context}");
    assert!(context.contains("+    return b - a"), "{context}");
}

#[tokio::test]
async fn a_file_changed_since_the_task_merges_cleanly_or_answers_409_with_the_conflict() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-merge@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    let task = two_hunk_task(&app, &fake, &s.access, &ws).await;
    // The user edits `add` meanwhile: a region the task did not touch.
    let edited = APP_PY.replace("return a + b", "return int(a) + int(b)");
    put(&app, &s.access, &ws, "app.py", &edited).await;
    let expected = edited
        .replace("'hi '", "'hello '")
        .replace("return a - b", "return b - a");
    // The preview shows what the accept will write, and changes nothing.
    let preview = merge_preview(&app, &s.access, &task).await;
    assert_eq!(preview["files"][0]["path"], "app.py", "{preview}");
    assert_eq!(preview["files"][0]["outcome"], "merged", "{preview}");
    assert_eq!(preview["files"][0]["content"], expected.as_str());
    assert_eq!(read(&app, &s.access, &ws, "app.py").await, edited);
    let r = accept(&app, &s.access, &task, json!({})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(read(&app, &s.access, &ws, "app.py").await, expected);

    // Another task, and the user changes the very line it changes.
    let ws2 = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    let task = two_hunk_task(&app, &fake, &s.access, &ws2).await;
    let mine = APP_PY.replace("'hi '", "'hey '");
    put(&app, &s.access, &ws2, "app.py", &mine).await;
    let preview = merge_preview(&app, &s.access, &task).await;
    assert_eq!(preview["files"][0]["outcome"], "conflict", "{preview}");
    assert_eq!(preview["files"][0]["content"], Value::Null);
    assert!(
        preview["files"][0]["conflicts"][0]["current"]
            .as_str()
            .is_some_and(|c| c.contains("'hey '")),
        "{preview}"
    );
    let r = accept(&app, &s.access, &task, json!({})).await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "merge_conflict", "{body}");
    let conflict = &body["error"]["details"]["conflicts"][0];
    assert_eq!(conflict["path"], "app.py");
    assert!(
        conflict["current"]
            .as_str()
            .is_some_and(|c| c.contains("'hey '")),
        "{conflict}"
    );
    assert!(
        conflict["proposed"]
            .as_str()
            .is_some_and(|c| c.contains("'hello '")),
        "{conflict}"
    );
    assert_eq!(
        read(&app, &s.access, &ws2, "app.py").await,
        mine,
        "nothing changed"
    );
    // Still undecided: after the user resolves it by hand, a reject closes the task.
    let id = task["id"].as_str().expect("id");
    app.call_json(
        Method::POST,
        &format!("/api/v1/agent/tasks/{id}/reject"),
        &s.access,
        Some(json!({})),
        200,
    )
    .await;
    // Every hunk decided: nothing left to merge.
    let preview = merge_preview(&app, &s.access, &task).await;
    assert_eq!(preview["files"], json!([]), "{preview}");
}

/// `GET …/merge-preview` of a task (200).
async fn merge_preview(app: &TestApp, token: &str, task: &Value) -> Value {
    let id = task["id"].as_str().expect("id");
    app.call_json(
        Method::GET,
        &format!("/api/v1/agent/tasks/{id}/merge-preview"),
        token,
        None,
        200,
    )
    .await
}

#[tokio::test]
async fn another_user_gets_404_and_bad_input_is_refused() {
    let (app, fake) = spawn().await;
    let alice = app.register("agent-alice@example.com").await;
    let bob = app.register("agent-bob@example.com").await;
    let ws = workspace(&app, &alice.access, &[("app.py", APP_PY)]).await;
    fake.enqueue(Reply::text("It greets."));
    let task = run_task(
        &app,
        &alice.access,
        json!({"workspace_id": ws, "prompt": "explain", "mode": "explain"}),
    )
    .await;
    let id = task["id"].as_str().expect("id");
    for (method, path) in [
        (Method::GET, format!("/api/v1/agent/tasks/{id}")),
        (Method::GET, format!("/api/v1/agent/tasks/{id}/events")),
        (Method::POST, format!("/api/v1/agent/tasks/{id}/accept")),
        (Method::POST, format!("/api/v1/agent/tasks/{id}/reject")),
        (
            Method::GET,
            format!("/api/v1/agent/tasks/{id}/merge-preview"),
        ),
    ] {
        let body = (method == Method::POST).then(|| json!({}));
        let r = app.call(method, &path, Some(&bob.access), body).await;
        assert_error(r, 404, "not_found").await;
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/agent/tasks",
            Some(&bob.access),
            Some(json!({"workspace_id": ws, "prompt": "x", "mode": "patch"})),
        )
        .await;
    assert_error(r, 404, "not_found").await;
    let listed = app.get_json("/api/v1/agent/tasks", &bob.access).await;
    assert_eq!(listed["items"], json!([]));

    for (body, field) in [
        (
            json!({"workspace_id": ws, "prompt": "", "mode": "patch"}),
            "prompt",
        ),
        (
            json!({"workspace_id": ws, "prompt": "x", "mode": "patch", "files": ["../etc/passwd"]}),
            "files",
        ),
        (
            json!({"workspace_id": ws, "prompt": "x", "mode": "patch", "model": ""}),
            "model",
        ),
        (
            json!({"workspace_id": ws, "prompt": "x", "mode": "patch", "selection": {"path": "app.py", "start_line": 5, "end_line": 2}}),
            "selection",
        ),
    ] {
        let r = app
            .call(
                Method::POST,
                "/api/v1/agent/tasks",
                Some(&alice.access),
                Some(body),
            )
            .await;
        assert_eq!(r.status(), 422);
        let error: Value = r.json().await.expect("json");
        assert_eq!(error["error"]["details"]["field"], field, "{error}");
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/agent/tasks",
            Some(&alice.access),
            Some(json!({"workspace_id": ws, "prompt": "x", "mode": "refactor"})),
        )
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn the_task_events_name_what_the_agent_does() {
    let (app, fake) = spawn().await;
    let s = app.register("agent-events@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    fake.enqueue(Reply::tool_call(
        "read_file",
        r#"{"path": "app.py", "start_line": 1, "end_line": 2}"#,
    ));
    fake.enqueue(Reply::text("It greets."));
    let task = run_task(
        &app,
        &s.access,
        json!({"workspace_id": ws, "prompt": "explain greet", "mode": "explain"}),
    )
    .await;
    let id = task["id"].as_str().expect("id");
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/agent/tasks/{id}/events"),
            Some(&s.access),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let body = tokio::time::timeout(Duration::from_secs(20), r.text())
        .await
        .expect("the stream ends after the terminal event")
        .expect("body");
    assert!(body.contains("reading app.py"), "{body}");
    assert!(body.contains("event: succeeded"), "{body}");
}

#[tokio::test]
async fn admission_refuses_too_many_tasks_and_a_spent_quota() {
    let (app, fake) = spawn_with_fake(|c| {
        c.agent.max_active_tasks_per_user = 1;
        c.quota.default_monthly_tokens = 50;
        c.quota.cache_ms = 0;
        // Tasks stay queued: no worker runs them.
        c.jobs.serve_runs_workers = false;
    })
    .await;
    let s = app.register("agent-busy@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    let body = json!({"workspace_id": ws, "prompt": "explain", "mode": "explain"});
    app.call_json(
        Method::POST,
        "/api/v1/agent/tasks",
        &s.access,
        Some(body.clone()),
        202,
    )
    .await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/agent/tasks",
            Some(&s.access),
            Some(body),
        )
        .await;
    assert_error(r, 429, "too_many_tasks").await;
    drop(fake);

    // A spent monthly budget: spend it through the gateway, then ask.
    let (app, fake) = spawn_with_fake(|c| {
        c.quota.default_monthly_tokens = 50;
        c.quota.cache_ms = 0;
    })
    .await;
    let s = app.register("agent-quota@example.com").await;
    let ws = workspace(&app, &s.access, &[("app.py", APP_PY)]).await;
    fake.enqueue(Reply::text("It greets.").usage(40, 60));
    let body = json!({"workspace_id": ws, "prompt": "explain", "mode": "explain"});
    run_task(&app, &s.access, body.clone()).await;
    for _ in 0..100 {
        let usage = app.get_json("/api/v1/usage", &s.access).await;
        if usage["tokens_in"].as_i64().unwrap_or(0) + usage["tokens_out"].as_i64().unwrap_or(0)
            >= 100
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/agent/tasks",
            Some(&s.access),
            Some(body),
        )
        .await;
    assert_error(r, 429, "quota_exceeded").await;
}
