//! `cistern chat` through the binary: against a running server with an API key, and in process
//! on the server's stores.

use std::io::Write as _;
use std::process::{Output, Stdio};

use cistern_llm_fake::{FakeLlm, Reply};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

/// Runs `cistern chat ARGS` with `lines` on stdin until it exits.
async fn chat(args: &[&str], env: &[(&str, String)], lines: &str) -> Output {
    let mut command = crate::binary::cistern();
    command
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .arg("chat")
        .args(args)
        .envs(env.iter().cloned())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let lines = lines.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("cistern chat starts");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(lines.as_bytes()).expect("write stdin");
        drop(stdin); // end of input ends the chat
        child.wait_with_output()
    })
    .await
    .expect("joined")
    .expect("cistern chat runs")
}

async fn conversations(app: &TestApp, token: &str) -> Vec<Value> {
    app.get_json("/api/v1/conversations", token).await["items"]
        .as_array()
        .expect("conversations")
        .clone()
}

async fn api_key(app: &TestApp, user: &Session) -> String {
    let created = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&user.access),
            Some(json!({"name": "terminal"})),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.expect("json");
    created["key"].as_str().expect("key").to_owned()
}

#[tokio::test]
async fn chat_against_a_running_server_streams_replies_into_one_conversation() {
    let (app, fake) = crate::chat::spawn_chat().await;
    let user = app.register("terminal@example.com").await;
    let key = api_key(&app, &user).await;
    fake.enqueue(Reply::text("Rain fills the cistern.").usage(5, 4));
    fake.enqueue(Reply::text("It stays cool underground.").usage(9, 5));

    let out = chat(
        &["--server", &app.url("")],
        &[("CISTERN_API_KEY", key)],
        "Where does the water come from?\n\nWhy is it cool?\n",
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert_eq!(
        stdout, "Rain fills the cistern.\nIt stays cool underground.\n",
        "each reply streamed, one per line (the blank line is skipped)"
    );

    let listed = conversations(&app, &user.access).await;
    assert_eq!(
        listed.len(),
        1,
        "the second message continued the first conversation"
    );
    assert_eq!(listed[0]["message_count"], 4, "{listed:?}");
    let requests = fake.requests();
    let second = requests.last().expect("two model calls").body.to_string();
    assert!(
        second.contains("Rain fills the cistern."),
        "the second turn sent the history: {second}"
    );
}

#[tokio::test]
async fn chat_against_a_server_with_a_wrong_key_fails_before_reading_messages() {
    let app = TestApp::spawn().await;
    let out = chat(
        &["--server", &app.url(""), "--api-key", "csk_not-a-real-key"],
        &[],
        "hello\n",
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a refused key is a failed command");
    assert!(stderr.contains("refused the key"), "{stderr}");
    assert!(stderr.contains("401"), "{stderr}");
}

#[tokio::test]
async fn chat_without_user_or_server_says_what_it_needs() {
    let out = chat(&[], &[], "").await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("--user") && stderr.contains("--server"),
        "{stderr}"
    );
}

#[tokio::test]
async fn chat_in_process_stores_the_turn_where_the_server_finds_it() {
    let fake = FakeLlm::start().await.expect("fake provider");
    let app = TestApp::spawn().await;
    let user = app.register("local@example.com").await;
    let database = app.state.config.database.url.clone();
    let data = app.stop().await;

    fake.enqueue(Reply::text("Stored in process.").usage(3, 3));
    let mut env = vec![
        ("OPENAI_API_KEY", "sk-local".to_owned()),
        ("OPENAI_BASE_URL", fake.openai_base_url()),
    ];
    if cistern_store::testing::sql_from_env() == "postgres" {
        env.push(("CISTERN_DATABASE__URL", database.expose().to_owned()));
    }
    let data_dir = data.path().to_str().expect("utf-8 path").to_owned();
    let out = chat(
        &[
            "--user",
            "LOCAL@example.com",
            "--data-dir",
            &data_dir,
            "--model",
            "gpt-4o-mini",
        ],
        &env,
        "Remember this turn\n",
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Stored in process.\n",
        "{stderr}"
    );

    let app = TestApp::builder()
        .data_dir(data)
        .config(move |c| c.database.url = database)
        .spawn()
        .await;
    let listed = conversations(&app, &user.access).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["message_count"], 2);
}

#[tokio::test]
async fn chat_in_process_without_a_provider_stops_before_storing_anything() {
    let app = TestApp::spawn().await;
    app.register("noprovider@example.com").await;
    let database = app.state.config.database.url.clone();
    let data = app.stop().await;
    let mut env = Vec::new();
    if cistern_store::testing::sql_from_env() == "postgres" {
        env.push(("CISTERN_DATABASE__URL", database.expose().to_owned()));
    }
    let data_dir = data.path().to_str().expect("utf-8 path").to_owned();
    let out = chat(
        &["--user", "noprovider@example.com", "--data-dir", &data_dir],
        &env,
        "hello\n",
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("no LLM provider configured"), "{stderr}");
}
