//! The extension builder through the real application with the wire-level fake LLM scripted
//! like a real model: a good extension end to end (ZIP, manifest version, Chromium when
//! present), validation repair rounds, malformed tool JSON, iteration with a diff, owner
//! checks and input validation.

use cistern_extension::package::unzip;
use cistern_llm_fake::{FakeLlm, Fault, Reply, Step};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::llm::spawn_with_fake;

async fn spawn() -> (TestApp, FakeLlm) {
    spawn_with_fake(|_| {}).await
}

fn manifest(version_field: Value, background: Value) -> String {
    json!({
        "manifest_version": version_field,
        "name": "Tab Counter",
        "version": "0.0.1",
        "description": "Counts your open tabs.",
        "permissions": ["storage"],
        "background": background,
        "action": {"default_popup": "popup.html"}
    })
    .to_string()
}

fn good_files(popup_js: &str) -> Value {
    json!([
        {"path": "manifest.json", "content": manifest(json!(3), json!({"service_worker": "background.js"}))},
        {"path": "background.js", "content": "chrome.runtime.onInstalled.addListener(() => chrome.storage.local.set({n: 0}));\n"},
        {"path": "popup.html", "content": "<!doctype html><html><body><p id=\"n\">?</p><script src=\"popup.js\"></script></body></html>\n"},
        {"path": "popup.js", "content": popup_js}
    ])
}

fn blueprint(change_kind: &str) -> Value {
    json!({
        "purpose": "Counts open tabs.",
        "features": ["badge with the count"],
        "permissions": [{"permission": "storage", "reason": "keeps the count"}],
        "file_plan": [{"path": "manifest.json", "role": "manifest"}, {"path": "background.js", "role": "worker"}],
        "change_kind": change_kind
    })
}

fn submission(files: Value) -> Reply {
    let args = json!({"blueprint": blueprint("patch"), "files": files});
    Reply::tool_call("submit_extension", args.to_string())
}

/// Creates an extension whose first generation must fail; returns the extension as listed.
async fn create_failed(app: &TestApp, token: &str) -> Value {
    let (id, job) = create(app, token).await;
    let done = app.wait_job(token, &job).await;
    assert!(
        matches!(done["status"].as_str(), Some("failed" | "dead")),
        "{done}"
    );
    app.call_json(
        Method::GET,
        &format!("/api/v1/extensions/{id}"),
        token,
        None,
        200,
    )
    .await
}

async fn create(app: &TestApp, token: &str) -> (String, String) {
    let accepted = app
        .call_json(
            Method::POST,
            "/api/v1/extensions",
            token,
            Some(json!({"prompt": "count my tabs"})),
            202,
        )
        .await;
    assert_eq!(accepted["version"], "1.0.0");
    (
        accepted["extension_id"].as_str().expect("id").to_owned(),
        accepted["job_id"].as_str().expect("job").to_owned(),
    )
}

fn chromium_required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "1" || v == "true")
        || std::path::Path::new("/usr/bin/chromium").is_file()
}

#[tokio::test]
async fn a_good_extension_is_generated_packaged_and_loads() {
    let (app, fake) = spawn().await;
    let s = app.register("ext-a@example.com").await;
    fake.enqueue(submission(good_files(
        "document.getElementById('n').textContent = '0';\n",
    )));
    let (id, job) = create(&app, &s.access).await;
    let done = app.wait_job(&s.access, &job).await;
    assert_eq!(done["status"], "succeeded", "{done}");

    let v = app
        .call_json(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/1.0.0"),
            &s.access,
            None,
            200,
        )
        .await;
    assert_eq!(v["status"], "ready");
    assert_eq!(v["blueprint"]["purpose"], "Counts open tabs.");
    let paths: Vec<&str> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"manifest.json") && paths.iter().any(|p| p.ends_with("128.png")),
        "{paths:?}"
    );
    // Per-step server times, in ms, for users and benchmarks.
    let timings = &v["report"]["timings_ms"];
    for step in ["validate", "package", "store", "browser_check"] {
        assert!(timings[step].is_u64(), "{step} in {timings}");
    }
    let browser = &v["report"]["browser"];
    if chromium_required() {
        assert_eq!(browser["status"], "loaded", "{browser}");
    } else {
        assert_eq!(browser["status"], "not_checked", "{browser}");
    }

    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/1.0.0/download"),
            Some(&s.access),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"tab-counter-1.0.0.zip\""
    );
    let files = unzip(&r.bytes().await.expect("zip")).expect("unzips");
    let manifest = files
        .iter()
        .find(|f| f.path == "manifest.json")
        .expect("manifest");
    let manifest: Value = serde_json::from_slice(&manifest.content).expect("json");
    assert_eq!(manifest["version"], "1.0.0");

    let list = app
        .call_json(Method::GET, "/api/v1/extensions", &s.access, None, 200)
        .await;
    let item = &list["items"][0];
    assert_eq!(item["name"], "Tab Counter");
    // Each item says where its newest version stands, so a list needs no request per row.
    assert_eq!(
        (
            &item["newest_seq"],
            &item["newest_status"],
            &item["ready_version"]
        ),
        (&json!(1), &json!("ready"), &json!("1.0.0")),
        "{item}"
    );
}

#[tokio::test]
async fn a_validation_error_is_repaired_in_a_round() {
    let (app, fake) = spawn().await;
    let s = app.register("ext-b@example.com").await;
    let mut mv2 = good_files("1;\n");
    mv2[0]["content"] = json!(manifest(json!(2), json!({"scripts": ["background.js"]})));
    fake.enqueue(submission(mv2));
    fake.enqueue(submission(good_files("1;\n")));
    let (id, job) = create(&app, &s.access).await;
    let done = app.wait_job(&s.access, &job).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    // The repair round showed the model the finding.
    let requests = fake.requests();
    let last = serde_json::to_string(&requests.last().expect("repair request").body).expect("json");
    assert!(last.contains("failed validation"), "{last}");
    let v = app
        .call_json(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/1.0.0"),
            &s.access,
            None,
            200,
        )
        .await;
    assert_eq!(v["status"], "ready");
}

#[tokio::test]
async fn a_file_refused_for_its_path_does_not_outlive_its_round() {
    let (app, fake) = spawn().await;
    let s = app.register("ext-l@example.com").await;
    let mut escaping = good_files("1;\n");
    escaping[3]["path"] = json!("../popup.js");
    fake.enqueue(submission(escaping));
    // A first generation's repair reply: every file again, popup.js under its proper path (and
    // no `deleted_paths`, which the first generation's schema does not have).
    fake.enqueue(submission(good_files("1;\n")));
    let (id, job) = create(&app, &s.access).await;
    let done = app.wait_job(&s.access, &job).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["result"]["repair_rounds"], 1, "{done}");
    let v = app
        .call_json(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/1.0.0"),
            &s.access,
            None,
            200,
        )
        .await;
    assert_eq!(v["status"], "ready", "{v}");
    let paths: Vec<&str> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"popup.js") && !paths.contains(&"../popup.js"),
        "{paths:?}"
    );
    let repaired = &v["report"]["repairs"][0]["findings"];
    assert!(
        repaired
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "path.traversal" && f["file"] == "../popup.js"),
        "{repaired}"
    );
}

#[tokio::test]
async fn a_blueprint_without_a_file_plan_and_with_bare_permissions_needs_no_repair() {
    let (app, fake) = spawn().await;
    let s = app.register("ext-m@example.com").await;
    let mut plan = blueprint("major");
    if let Some(b) = plan.as_object_mut() {
        b.remove("file_plan");
        b.remove("permissions");
        b.insert("permissions_requested".into(), json!(["storage"]));
    }
    let args = json!({"blueprint": plan, "files": good_files("1;\n")});
    fake.enqueue(Reply::tool_call("submit_extension", args.to_string()));
    let (id, job) = create(&app, &s.access).await;
    let done = app.wait_job(&s.access, &job).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["result"]["repair_rounds"], 0, "{done}");
    // Neither the gateway's schema check nor the job asked the model again.
    assert_eq!(fake.requests().len(), 1);
    let v = app
        .call_json(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/1.0.0"),
            &s.access,
            None,
            200,
        )
        .await;
    assert_eq!(v["status"], "ready", "{v}");
    let b = &v["blueprint"];
    assert_eq!(b["derived"], json!(["file_plan"]), "{b}");
    assert_eq!(
        b["permissions"],
        json!([{"permission": "storage", "reason": ""}])
    );
    // The plan lists the version's files, generated icons included, with roles.
    let planned: Vec<(&str, &str)> = b["file_plan"]
        .as_array()
        .expect("file plan")
        .iter()
        .filter_map(|p| Some((p["path"].as_str()?, p["role"].as_str()?)))
        .collect();
    assert!(
        planned.contains(&("popup.html", "popup page"))
            && planned.contains(&("background.js", "background service worker"))
            && planned
                .iter()
                .any(|(p, r)| p.ends_with("128.png") && *r == "icon"),
        "{planned:?}"
    );
    assert_eq!(planned.len(), v["files"].as_array().expect("files").len());
}

#[tokio::test]
async fn truncated_tool_json_is_repaired_and_twice_malformed_fails_clearly() {
    let (app, fake) = spawn().await;
    let s = app.register("ext-c@example.com").await;
    let full = json!({"blueprint": blueprint("patch"), "files": good_files("1;\n")}).to_string();
    fake.enqueue(Reply::tool_call(
        "submit_extension",
        &full[..full.len() / 2],
    ));
    fake.enqueue(submission(good_files("1;\n")));
    let (_, job) = create(&app, &s.access).await;
    assert_eq!(app.wait_job(&s.access, &job).await["status"], "succeeded");

    fake.enqueue(Reply::tool_call(
        "submit_extension",
        &full[..full.len() / 2],
    ));
    fake.enqueue(Reply::tool_call(
        "submit_extension",
        &full[..full.len() / 3],
    ));
    let ext = create_failed(&app, &s.access).await;
    assert_eq!(ext["versions"][0]["status"], "failed");
    let error = ext["versions"][0]["error"].as_str().expect("reason");
    assert!(error.contains("malformed"), "{error}");
}

#[tokio::test]
async fn an_iteration_bumps_the_version_and_has_a_diff() {
    let (app, fake) = spawn().await;
    let s = app.register("ext-d@example.com").await;
    fake.enqueue(submission(good_files("1;\n")));
    let (id, job) = create(&app, &s.access).await;
    assert_eq!(app.wait_job(&s.access, &job).await["status"], "succeeded");

    let args = json!({
        "blueprint": blueprint("minor"),
        "files": [{"path": "popup.js", "content": "document.title = 'Tabs';\n"}],
        "deleted_paths": []
    });
    fake.enqueue(Reply::tool_call("submit_extension", args.to_string()));
    let path = format!("/api/v1/extensions/{id}/versions");
    let accepted = app
        .call_json(
            Method::POST,
            &path,
            &s.access,
            Some(json!({"prompt": "set the title"})),
            202,
        )
        .await;
    let job = accepted["job_id"].as_str().expect("job");
    let done = app.wait_job(&s.access, job).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let v = app
        .call_json(Method::GET, &format!("{path}/1.1.0"), &s.access, None, 200)
        .await;
    assert_eq!(v["base_version"], "1.0.0");
    let diff = app
        .call(
            Method::GET,
            &format!("{path}/1.1.0/diff"),
            Some(&s.access),
            None,
        )
        .await;
    assert_eq!(diff.status().as_u16(), 200);
    let diff = diff.text().await.expect("text");
    assert!(
        diff.contains("-1;") && diff.contains("+document.title = 'Tabs';"),
        "{diff}"
    );
    assert!(
        diff.contains("\"version\": \"1.1.0\"") || diff.contains("1.1.0"),
        "{diff}"
    );
}

#[tokio::test]
async fn another_user_gets_404_and_bad_input_is_rejected() {
    let (app, fake) = spawn().await;
    let a = app.register("ext-e@example.com").await;
    let b = app.register("ext-f@example.com").await;
    fake.enqueue(submission(good_files("1;\n")));
    let (id, job) = create(&app, &a.access).await;
    app.wait_job(&a.access, &job).await;
    for path in [
        format!("/api/v1/extensions/{id}"),
        format!("/api/v1/extensions/{id}/versions/1.0.0"),
        format!("/api/v1/extensions/{id}/versions/1.0.0/download"),
        format!("/api/v1/extensions/{id}/versions/1.0.0/diff"),
    ] {
        assert_error(
            app.call(Method::GET, &path, Some(&b.access), None).await,
            404,
            "not_found",
        )
        .await;
    }
    assert_error(
        app.call(
            Method::DELETE,
            &format!("/api/v1/extensions/{id}"),
            Some(&b.access),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let list = app
        .call_json(Method::GET, "/api/v1/extensions", &b.access, None, 200)
        .await;
    assert_eq!(list["items"], json!([]));

    let r = app
        .call(
            Method::POST,
            "/api/v1/extensions",
            Some(&a.access),
            Some(json!({"prompt": "  "})),
        )
        .await;
    assert_error(r, 422, "invalid_input").await;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/extensions/{id}/versions"),
            Some(&a.access),
            Some(json!({"prompt": "x", "base_version": "9.9.9"})),
        )
        .await;
    assert_error(r, 422, "invalid_input").await;

    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/extensions/{id}"),
            Some(&a.access),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 204);
    assert_error(
        app.call(
            Method::GET,
            &format!("/api/v1/extensions/{id}"),
            Some(&a.access),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_file_is_served_typed_and_owner_scoped() {
    let (app, fake) = spawn().await;
    let a = app.register("ext-g@example.com").await;
    let b = app.register("ext-h@example.com").await;
    let popup = "document.getElementById('n').textContent = '7';\n";
    fake.enqueue(submission(good_files(popup)));
    let (id, job) = create(&app, &a.access).await;
    assert_eq!(app.wait_job(&a.access, &job).await["status"], "succeeded");
    let base = format!("/api/v1/extensions/{id}/versions/1.0.0/files");

    let get = |path: String, token: String| {
        let app = &app;
        async move { app.call(Method::GET, &path, Some(&token), None).await }
    };
    let r = get(format!("{base}/popup.js"), a.access.clone()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(r.text().await.expect("text"), popup);

    // HTML is shown, never rendered on Cistern's origin.
    let r = get(format!("{base}/popup.html"), a.access.clone()).await;
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");

    // A generated icon, in a directory: the wildcard takes the rest of the path.
    let v = app
        .call_json(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/1.0.0"),
            &a.access,
            None,
            200,
        )
        .await;
    let icon = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .find(|p| p.ends_with("128.png") && p.contains('/'))
        .expect("an icon in a directory")
        .to_owned();
    let r = get(format!("{base}/{icon}"), a.access.clone()).await;
    assert_eq!(r.status().as_u16(), 200, "{icon}");
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.bytes()
            .await
            .expect("png")
            .starts_with(b"\x89PNG\r\n\x1a\n")
    );

    // Another user: 404 as for everything else of this extension.
    assert_error(
        get(format!("{base}/popup.js"), b.access.clone()).await,
        404,
        "not_found",
    )
    .await;
    // Unknown file: 404 in the envelope.
    assert_error(
        get(format!("{base}/nope.js"), a.access.clone()).await,
        404,
        "not_found",
    )
    .await;
    // `..` and absolute paths (percent-encoded so the client does not normalise them away).
    for bad in [
        "..%2Fmanifest.json",
        "icons%2F..%2F..%2Fx",
        "%2Fetc%2Fpasswd",
    ] {
        assert_error(
            get(format!("{base}/{bad}"), a.access.clone()).await,
            422,
            "invalid_input",
        )
        .await;
    }
}

#[tokio::test]
async fn a_provider_failing_twice_then_succeeding_still_gives_a_ready_version() {
    // The gateway's own retries absorb both faults (three attempts per call; `with_fake` makes
    // its backoff a few ms), so the job's first attempt succeeds.
    let (app, fake) = spawn_with_fake(|c| c.llm.retry.max_attempts = 3).await;
    let s = app.register("ext-i@example.com").await;
    fake.enqueue(Step::Fault(Fault::ServerError));
    fake.enqueue(Step::Fault(Fault::RateLimited {
        retry_after_secs: 1,
    }));
    fake.enqueue(submission(good_files("1;\n")));
    let (id, job) = create(&app, &s.access).await;
    let done = app.wait_job(&s.access, &job).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(fake.requests().len(), 3, "two faults and the good reply");
    // One job attempt: the gateway's retries absorbed the faults, not the job's.
    assert_eq!(done["attempts"], 1, "{done}");
    assert_eq!(fake.pending_steps(), 0);

    let v = app
        .call_json(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/1.0.0"),
            &s.access,
            None,
            200,
        )
        .await;
    assert_eq!(v["status"], "ready", "{v}");
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/1.0.0/download"),
            Some(&s.access),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let files = unzip(&r.bytes().await.expect("zip")).expect("unzips");
    assert!(files.iter().any(|f| f.path == "popup.js"));
}

/// Passes static validation, but Chromium cannot parse it: the worker never starts.
const BROKEN_WORKER: &str =
    "chrome.runtime.onInstalled.addListener(() => {\n  console.log('installed'\n});\n";

fn with_worker(worker: &str) -> Value {
    let mut files = good_files("1;\n");
    files[1]["content"] = json!(worker);
    files
}

#[tokio::test]
async fn a_worker_chromium_cannot_start_is_repaired_in_a_round() {
    if !chromium_required() {
        println!("skipped: Chromium not found at /usr/bin/chromium (install Debian's `chromium`)");
        return;
    }
    let (app, fake) = spawn().await;
    let s = app.register("ext-j@example.com").await;
    fake.enqueue(submission(with_worker(BROKEN_WORKER)));
    fake.enqueue(submission(good_files("1;\n")));
    let (id, job) = create(&app, &s.access).await;
    let done = app.wait_job(&s.access, &job).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["result"]["repair_rounds"], 1, "{done}");

    // The repair round told the model what Chromium said, naming the file.
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    let repair = serde_json::to_string(&requests[1].body).expect("json");
    assert!(
        repair.contains("browser.uncaught_exception") && repair.contains("SyntaxError"),
        "{repair}"
    );

    let v = app
        .call_json(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/1.0.0"),
            &s.access,
            None,
            200,
        )
        .await;
    assert_eq!(v["status"], "ready");
    assert_eq!(
        v["report"]["browser"]["status"], "loaded",
        "{}",
        v["report"]
    );
    let round = &v["report"]["repairs"][0];
    assert_eq!(round["round"], 1, "{}", v["report"]);
    let finding = &round["findings"][0];
    assert_eq!(finding["code"], "browser.uncaught_exception", "{round}");
    assert_eq!(finding["file"], "background.js", "{round}");
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("SyntaxError")),
        "{round}"
    );
}

#[tokio::test]
async fn a_worker_that_never_starts_fails_the_version_when_rounds_run_out() {
    if !chromium_required() {
        println!("skipped: Chromium not found at /usr/bin/chromium (install Debian's `chromium`)");
        return;
    }
    let (app, fake) = spawn_with_fake(|c| c.extensions.repair_rounds = 0).await;
    let s = app.register("ext-k@example.com").await;
    fake.enqueue(submission(with_worker(BROKEN_WORKER)));
    let ext = create_failed(&app, &s.access).await;
    let version = &ext["versions"][0];
    assert_eq!(version["status"], "failed");
    let error = version["error"].as_str().expect("reason");
    assert!(
        error.contains("did not load in Chromium") && error.contains("background.js"),
        "{error}"
    );
    assert_eq!(fake.requests().len(), 1, "no repair round was left");
    // A failed version has no version number; `seq-N` shows its report.
    let id = ext["id"].as_str().expect("extension id");
    let v = app
        .call_json(
            Method::GET,
            &format!("/api/v1/extensions/{id}/versions/seq-1"),
            &s.access,
            None,
            200,
        )
        .await;
    assert_eq!(v["status"], "failed");
    assert_eq!(
        v["report"]["browser"]["status"], "failed",
        "{}",
        v["report"]
    );
    let codes: Vec<&str> = v["report"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"browser.uncaught_exception"), "{codes:?}");
}
