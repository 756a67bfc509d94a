//! The coding agent's workspaces through the real application: a working tree saved, listed
//! with hashes, snapshotted, diffed and restored; contents stored once per distinct text;
//! owner checks and input validation on every route (ZIPs and generations:
//! `workspace_imports.rs`). Runs on SQLite + local blobs and on PostgreSQL + S3
//! (`scripts/test.sh`).

use futures::TryStreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::workspace_imports::{import, zip_of};

/// An app with small limits, so the limits are cheap to reach.
pub(crate) async fn spawn() -> TestApp {
    TestApp::builder()
        .config(|c| {
            c.agent.max_file_bytes = 1_000;
            c.agent.max_zip_bytes = 4_096;
        })
        .spawn()
        .await
}

pub(crate) async fn create(app: &TestApp, token: &str, name: &str) -> String {
    let w = app
        .call_json(
            Method::POST,
            "/api/v1/workspaces",
            token,
            Some(json!({ "name": name })),
            201,
        )
        .await;
    w["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn put(app: &TestApp, token: &str, ws: &str, path: &str, content: &str) -> Value {
    app.call_json(
        Method::PUT,
        &format!("/api/v1/workspaces/{ws}/files/{path}"),
        token,
        Some(json!({ "content": content })),
        200,
    )
    .await
}

pub(crate) async fn snapshot(app: &TestApp, token: &str, ws: &str, message: &str) -> String {
    let s = app
        .call_json(
            Method::POST,
            &format!("/api/v1/workspaces/{ws}/snapshots"),
            token,
            Some(json!({ "message": message })),
            201,
        )
        .await;
    assert_eq!(s["message"], message);
    s["id"].as_str().expect("id").to_owned()
}

/// `(path, hash)` of the working tree.
pub(crate) async fn tree(app: &TestApp, token: &str, ws: &str) -> Vec<(String, String)> {
    let files = app
        .call_json(
            Method::GET,
            &format!("/api/v1/workspaces/{ws}/files"),
            token,
            None,
            200,
        )
        .await;
    pairs(&files)
}

pub(crate) fn pairs(files: &Value) -> Vec<(String, String)> {
    files
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().expect(k).to_owned();
            (s("path"), s("hash"))
        })
        .collect()
}

async fn blobs_of(app: &TestApp, ws: &str) -> usize {
    let prefix = object_store::path::Path::from(format!("agent/{ws}/blobs/"));
    let listed: Vec<_> = app
        .state
        .blobs
        .list(Some(&prefix))
        .try_collect()
        .await
        .expect("list blobs");
    listed.len()
}

#[tokio::test]
async fn a_workspace_is_edited_snapshotted_diffed_and_restored_without_losing_anything() {
    let app = spawn().await;
    let s = app.register("ws-journey@example.com").await;
    let t = s.access.as_str();
    let ws = create(&app, t, "  Todo API ").await;
    let w = app.get_json(&format!("/api/v1/workspaces/{ws}"), t).await;
    assert_eq!(w["name"], "Todo API", "trimmed: {w}");
    assert_eq!(
        (w["files"].as_i64(), w["bytes"].as_i64()),
        (Some(0), Some(0))
    );

    let app_py = put(&app, t, &ws, "src/app.py", "print('v1')\n").await;
    assert_eq!(app_py["path"], "src/app.py");
    assert_eq!(app_py["size"], 12);
    assert_eq!(app_py["hash"].as_str().map(str::len), Some(64));
    put(&app, t, &ws, "README.md", "# Todo\n").await;
    // `./` and doubled slashes name the same file.
    let again = put(&app, t, &ws, ".%2Fsrc%2F%2Fapp.py", "print('v1')\n").await;
    assert_eq!(again["path"], "src/app.py");
    assert_eq!(again["hash"], app_py["hash"], "same text, same hash");
    let first = tree(&app, t, &ws).await;
    assert_eq!(
        first.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        ["README.md", "src/app.py"]
    );
    let file = app
        .get_json(&format!("/api/v1/workspaces/{ws}/files/src/app.py"), t)
        .await;
    assert_eq!(file["content"], "print('v1')\n");
    assert_eq!(file["hash"], app_py["hash"]);
    let w = app.get_json(&format!("/api/v1/workspaces/{ws}"), t).await;
    assert_eq!(
        (w["files"].as_i64(), w["bytes"].as_i64()),
        (Some(2), Some(19))
    );

    let s1 = snapshot(&app, t, &ws, "first").await;
    // A save against the hash it read; then the file changes, a tree-only delete and add.
    let v2 = app
        .call_json(
            Method::PUT,
            &format!("/api/v1/workspaces/{ws}/files/src/app.py"),
            t,
            Some(json!({"content": "print('v2')\n", "base_hash": app_py["hash"]})),
            200,
        )
        .await;
    assert_ne!(v2["hash"], app_py["hash"]);
    app.call_json(
        Method::DELETE,
        &format!("/api/v1/workspaces/{ws}/files/README.md"),
        t,
        None,
        204,
    )
    .await;
    put(&app, t, &ws, "notes.txt", "remember the milk\n").await;
    let s2 = snapshot(&app, t, &ws, "second").await;

    let diff = app
        .get_json(
            &format!("/api/v1/workspaces/{ws}/snapshots/{s1}/diff?to={s2}"),
            t,
        )
        .await;
    assert_eq!(
        (diff["from"].as_str(), diff["to"].as_str()),
        (Some(s1.as_str()), Some(s2.as_str()))
    );
    let files = diff["files"].as_array().expect("files");
    let statuses: Vec<(&str, &str)> = files
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or(""),
                f["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("README.md", "deleted"),
            ("notes.txt", "added"),
            ("src/app.py", "modified")
        ]
    );
    let modified = &files[2];
    let patch = modified["patch"].as_str().expect("patch");
    assert!(
        patch.starts_with(
            "diff --git a/src/app.py b/src/app.py\n--- a/src/app.py\n+++ b/src/app.py\n"
        ) && patch.contains("-print('v1')\n+print('v2')\n"),
        "{patch}"
    );
    assert_eq!(modified["hunks"][0]["header"], "@@ -1 +1 @@", "{modified}");
    assert!(
        files[1]["patch"]
            .as_str()
            .is_some_and(|p| p.contains("new file mode 100644\n--- /dev/null\n")),
        "{}",
        files[1]
    );

    // Without `to`: against the working tree, which moved on since s2.
    put(&app, t, &ws, "notes.txt", "remember the milk\nand eggs\n").await;
    let diff = app
        .get_json(&format!("/api/v1/workspaces/{ws}/snapshots/{s2}/diff"), t)
        .await;
    assert!(diff["to"].is_null(), "{diff}");
    assert_eq!(diff["files"].as_array().map(Vec::len), Some(1), "{diff}");
    assert_eq!(diff["files"][0]["hunks"][0]["new_lines"], 2, "{diff}");

    // Restore: the tree is the first snapshot's again, and that is itself a new snapshot.
    let restored = app
        .call_json(
            Method::POST,
            &format!("/api/v1/workspaces/{ws}/snapshots/{s1}/restore"),
            t,
            None,
            201,
        )
        .await;
    assert_eq!(tree(&app, t, &ws).await, first);
    assert_eq!(restored["files"], 2);
    let list = app
        .get_json(&format!("/api/v1/workspaces/{ws}/snapshots"), t)
        .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [restored["id"].as_str().unwrap_or(""), &s2, &s1],
        "newest first"
    );
    assert!(list["next_cursor"].is_null());
    // The snapshots before it are untouched: s2 still holds what it held.
    let detail = app
        .get_json(&format!("/api/v1/workspaces/{ws}/snapshots/{s2}"), t)
        .await;
    assert_eq!(detail["snapshot"]["message"], "second");
    let s2_paths: Vec<String> = pairs(&detail["files"]).into_iter().map(|p| p.0).collect();
    assert_eq!(s2_paths, ["notes.txt", "src/app.py"]);
    let page = app
        .get_json(&format!("/api/v1/workspaces/{ws}/snapshots?limit=1"), t)
        .await;
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let next = app
        .get_json(
            &format!("/api/v1/workspaces/{ws}/snapshots?limit=1&cursor={cursor}"),
            t,
        )
        .await;
    assert_eq!(next["items"][0]["id"], s2.as_str());

    // Listed newest first, renamed, deleted (with its contents).
    let other = create(&app, t, "Scratch").await;
    let mine = app.get_json("/api/v1/workspaces", t).await;
    assert_eq!(mine["items"][0]["id"], other.as_str());
    assert_eq!(mine["items"][1]["id"], ws.as_str());
    let renamed = app
        .call_json(
            Method::PATCH,
            &format!("/api/v1/workspaces/{ws}"),
            t,
            Some(json!({"name": "Todo API v2"})),
            200,
        )
        .await;
    assert_eq!(renamed["name"], "Todo API v2");
    assert!(blobs_of(&app, &ws).await > 0);
    app.call_json(
        Method::DELETE,
        &format!("/api/v1/workspaces/{ws}"),
        t,
        None,
        204,
    )
    .await;
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{ws}"),
            Some(t),
            None,
        )
        .await;
    assert_error(r, 404, "not_found").await;
    assert_eq!(blobs_of(&app, &ws).await, 0, "its blobs are deleted");
}

#[tokio::test]
async fn snapshots_store_each_distinct_content_once() {
    let app = spawn().await;
    let s = app.register("ws-dedupe@example.com").await;
    let t = s.access.as_str();
    let ws = create(&app, t, "dedupe").await;
    put(&app, t, &ws, "lib/util.py", "def util():\n    return 1\n").await;
    put(&app, t, &ws, "README.md", "# Same in every snapshot\n").await;
    for version in 1..=3 {
        put(&app, t, &ws, "main.py", &format!("print({version})\n")).await;
        snapshot(&app, t, &ws, &format!("v{version}")).await;
    }
    // Three snapshots of three files: two contents never changed, main.py had three.
    assert_eq!(blobs_of(&app, &ws).await, 5);
    // Saving a content stored already, or restoring, writes no new blob.
    put(&app, t, &ws, "copy.py", "print(1)\n").await;
    let list = app
        .get_json(&format!("/api/v1/workspaces/{ws}/snapshots"), t)
        .await;
    let oldest = list["items"][2]["id"].as_str().expect("v1");
    app.call_json(
        Method::POST,
        &format!("/api/v1/workspaces/{ws}/snapshots/{oldest}/restore"),
        t,
        None,
        201,
    )
    .await;
    assert_eq!(blobs_of(&app, &ws).await, 5);

    // Every version is readable by its hash — the one in the tree and the older ones.
    let v2 = "print(2)\n";
    let hash = sha256_hex(v2);
    let got = app
        .get_json(&format!("/api/v1/workspaces/{ws}/contents/{hash}"), t)
        .await;
    assert_eq!(
        (got["hash"].as_str(), got["content"].as_str()),
        (Some(hash.as_str()), Some(v2))
    );
    let never = sha256_hex("never stored\n");
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{ws}/contents/{never}"),
            Some(t),
            None,
        )
        .await;
    assert_error(r, 404, "not_found").await;
    for bad in ["abc", &hash.to_uppercase(), &format!("{}zz", &hash[..62])] {
        let r = app
            .call(
                Method::GET,
                &format!("/api/v1/workspaces/{ws}/contents/{bad}"),
                Some(t),
                None,
            )
            .await;
        invalid(r, "hash").await;
    }
}

/// Hex SHA-256, as the API names contents.
fn sha256_hex(text: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn another_users_workspace_is_a_404_on_every_workspace_route() {
    let app = spawn().await;
    let owner = app.register("ws-owner@example.com").await;
    let thief = app.register("ws-thief@example.com").await;
    let ws = create(&app, &owner.access, "private").await;
    put(&app, &owner.access, &ws, "secret.txt", "hunter2\n").await;
    let sid = snapshot(&app, &owner.access, &ws, "mine").await;
    let base = format!("/api/v1/workspaces/{ws}");
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, base.clone(), None),
        (Method::PATCH, base.clone(), Some(json!({"name": "taken"}))),
        (Method::GET, format!("{base}/files"), None),
        (Method::GET, format!("{base}/files/secret.txt"), None),
        (
            Method::GET,
            format!("{base}/contents/{}", sha256_hex("hunter2\n")),
            None,
        ),
        (
            Method::PUT,
            format!("{base}/files/secret.txt"),
            Some(json!({"content": "x"})),
        ),
        (Method::DELETE, format!("{base}/files/secret.txt"), None),
        (Method::POST, format!("{base}/snapshots"), Some(json!({}))),
        (Method::GET, format!("{base}/snapshots"), None),
        (Method::GET, format!("{base}/snapshots/{sid}"), None),
        (Method::GET, format!("{base}/snapshots/{sid}/diff"), None),
        (Method::GET, format!("{base}/snapshots/{sid}/zip"), None),
        (
            Method::POST,
            format!("{base}/snapshots/{sid}/restore"),
            None,
        ),
        (Method::DELETE, base.clone(), None),
    ];
    for (method, path, body) in routes {
        let r = app
            .call(method.clone(), &path, Some(&thief.access), body)
            .await;
        assert_error(r, 404, "not_found").await;
    }
    let zip = zip_of(&[("a.txt", b"a")]);
    let r = import(&app, &thief.access, &ws, "application/zip", zip).await;
    assert_error(r, 404, "not_found").await;
    assert!(
        app.get_json("/api/v1/workspaces", &thief.access).await["items"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    // A snapshot of another workspace — even one's own — is not this workspace's.
    let theirs = create(&app, &thief.access, "theirs").await;
    let tbase = format!("/api/v1/workspaces/{theirs}");
    for (method, path) in [
        (Method::GET, format!("{tbase}/snapshots/{sid}")),
        (Method::GET, format!("{tbase}/snapshots/{sid}/zip")),
        (Method::POST, format!("{tbase}/snapshots/{sid}/restore")),
    ] {
        let r = app.call(method, &path, Some(&thief.access), None).await;
        assert_error(r, 404, "not_found").await;
    }
    let own = snapshot(&app, &thief.access, &theirs, "own").await;
    let r = app
        .call(
            Method::GET,
            &format!("{tbase}/snapshots/{own}/diff?to={sid}"),
            Some(&thief.access),
            None,
        )
        .await;
    assert_error(r, 404, "not_found").await;

    // Nothing of the owner's changed.
    assert_eq!(tree(&app, &owner.access, &ws).await.len(), 1);
    let w = app.get_json(&base, &owner.access).await;
    assert_eq!(w["name"], "private");
}

pub(crate) async fn invalid(r: reqwest::Response, field: &str) {
    assert_eq!(r.status().as_u16(), 422, "422 for {field}");
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body["error"]["details"]["field"], field, "{body}");
}

#[tokio::test]
async fn bad_inputs_are_refused_naming_the_field_and_change_nothing() {
    let app = spawn().await;
    let s = app.register("ws-invalid@example.com").await;
    let t = s.access.as_str();
    for name in ["", "   ", "a\u{7}b"] {
        let r = app
            .call(
                Method::POST,
                "/api/v1/workspaces",
                Some(t),
                Some(json!({"name": name})),
            )
            .await;
        invalid(r, "name").await;
    }
    let long = "n".repeat(101);
    let r = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            Some(t),
            Some(json!({"name": long})),
        )
        .await;
    invalid(r, "name").await;
    let ws = create(&app, t, "valid").await;
    let base = format!("/api/v1/workspaces/{ws}");

    // Unsafe paths: parent, absolute, inside .git (percent-encoded so no client folds them).
    for path in [
        "..%2Fx",
        "a%2F..%2F..%2Fx",
        "%2Fetc%2Fx",
        ".git/config",
        "src/.GIT/hooks",
    ] {
        for method in [Method::PUT, Method::GET, Method::DELETE] {
            let body = (method == Method::PUT).then(|| json!({"content": "x"}));
            let r = app
                .call(
                    method.clone(),
                    &format!("{base}/files/{path}"),
                    Some(t),
                    body,
                )
                .await;
            invalid(r, "path").await;
        }
    }
    let r = app
        .call(
            Method::PUT,
            &format!("{base}/files/bin.dat"),
            Some(t),
            Some(json!({"content": "ab\u{0}cd"})),
        )
        .await;
    invalid(r, "content").await;
    let r = app
        .call(
            Method::PUT,
            &format!("{base}/files/a.txt"),
            Some(t),
            Some(json!({"content": "x", "base_hash": "not-a-hash"})),
        )
        .await;
    invalid(r, "base_hash").await;
    let r = app
        .call(
            Method::POST,
            &format!("{base}/snapshots"),
            Some(t),
            Some(json!({"message": "m".repeat(501)})),
        )
        .await;
    invalid(r, "message").await;
    let r = app
        .call(Method::PATCH, &base, Some(t), Some(json!({"name": ""})))
        .await;
    invalid(r, "name").await;
    let sid = snapshot(&app, t, &ws, "ok").await;
    let r = app
        .call(
            Method::GET,
            &format!("{base}/snapshots/{sid}/diff?to=..%2Fx"),
            Some(t),
            None,
        )
        .await;
    invalid(r, "to").await;
    let r = app
        .call(
            Method::GET,
            &format!("{base}/snapshots/not%20an%20id"),
            Some(t),
            None,
        )
        .await;
    invalid(r, "sid").await;
    let r = app
        .call(
            Method::GET,
            &format!("{base}/snapshots/0195f1c2-0000-7000-8000-000000000000"),
            Some(t),
            None,
        )
        .await;
    assert_error(r, 404, "not_found").await;
    let r = app
        .call(
            Method::GET,
            &format!("{base}/files/missing.txt"),
            Some(t),
            None,
        )
        .await;
    assert_error(r, 404, "not_found").await;
    assert!(tree(&app, t, &ws).await.is_empty(), "nothing was written");
}

#[tokio::test]
async fn a_file_over_the_limit_is_413_and_a_stale_base_hash_is_409() {
    let app = spawn().await;
    let s = app.register("ws-limits@example.com").await;
    let t = s.access.as_str();
    let ws = create(&app, t, "limits").await;
    let path = format!("/api/v1/workspaces/{ws}/files/big.txt");
    let r = app
        .call(
            Method::PUT,
            &path,
            Some(t),
            Some(json!({"content": "x".repeat(1_001)})),
        )
        .await;
    let message = assert_error(r, 413, "too_large").await;
    assert!(message.contains("agent.max_file_bytes"), "{message}");
    put(&app, t, &ws, "big.txt", &"x".repeat(1_000)).await;

    let v1 = put(&app, t, &ws, "shared.txt", "one\n").await;
    put(&app, t, &ws, "shared.txt", "two\n").await;
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/workspaces/{ws}/files/shared.txt"),
            Some(t),
            Some(json!({"content": "three\n", "base_hash": v1["hash"]})),
        )
        .await;
    let message = assert_error(r, 409, "conflict").await;
    assert!(message.contains("shared.txt"), "{message}");
    let file = app
        .get_json(&format!("/api/v1/workspaces/{ws}/files/shared.txt"), t)
        .await;
    assert_eq!(file["content"], "two\n", "the other save is kept");
}
