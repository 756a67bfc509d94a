//! Security properties: refresh-token replay, secrets kept out of logs, OIDC sign-in against a
//! JWKS served by the test.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_error};

#[tokio::test]
async fn reusing_a_rotated_refresh_token_signs_the_session_out() {
    let app = TestApp::builder()
        .config(|c| c.auth.refresh_reuse_grace_secs = 0)
        .spawn()
        .await;
    let user = app.register("replay@example.com").await;
    let first: Value = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": user.refresh})),
        )
        .await
        .json()
        .await
        .expect("json");
    // The thief replays the original token…
    let replay = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": user.refresh})),
        )
        .await;
    let message = assert_error(replay, 401, "unauthorized").await;
    assert!(message.contains("already used"), "{message}");
    // …and every token of that session dies, the legitimate new ones included.
    let legit = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": first["refresh_token"]})),
        )
        .await;
    assert_error(legit, 401, "unauthorized").await;
    let access = first["access_token"].as_str().expect("access");
    assert_error(
        app.call(Method::GET, "/api/v1/me", Some(access), None)
            .await,
        401,
        "unauthorized",
    )
    .await;
    // Other sessions of the same user are untouched.
    let other: Value = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "replay@example.com", "password": PASSWORD})),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        app.call(
            Method::GET,
            "/api/v1/me",
            Some(other["access_token"].as_str().expect("a")),
            None
        )
        .await
        .status(),
        200
    );
    let admin_view: Value = app
        .call(
            Method::GET,
            "/api/v1/audit",
            Some(other["access_token"].as_str().expect("a")),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    assert!(
        admin_view["items"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["action"] == "auth.refresh_replay")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refresh_race_within_the_grace_window_keeps_the_session() {
    let app = TestApp::builder()
        .config(|c| c.auth.refresh_reuse_grace_secs = 1)
        .spawn()
        .await;
    let user = app.register("tabs@example.com").await;
    let refresh = |token: Value| {
        app.call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refresh_token": token })),
        )
    };
    // Two tabs refresh with the same token at once: both get a working pair.
    let token = json!(user.refresh);
    let (a, b) = tokio::join!(refresh(token.clone()), refresh(token.clone()));
    let (a, b): (Value, Value) = (
        a.error_for_status()
            .expect("tab a")
            .json()
            .await
            .expect("a"),
        b.error_for_status()
            .expect("tab b")
            .json()
            .await
            .expect("b"),
    );
    assert_ne!(a["refresh_token"], b["refresh_token"]);
    for pair in [&a, &b] {
        let me = app
            .call(
                Method::GET,
                "/api/v1/me",
                pair["access_token"].as_str(),
                None,
            )
            .await;
        assert_eq!(me.status(), 200);
    }
    // Once the window has passed, the spent token is a replay again and ends the session.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_error(refresh(token).await, 401, "unauthorized").await;
    assert_error(
        refresh(a["refresh_token"].clone()).await,
        401,
        "unauthorized",
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn revocations_made_by_another_instance_apply_within_the_credential_cache_time() {
    use cistern_store::{ApiKeyStore, SessionStore};
    let app = TestApp::builder()
        .config(|c| c.auth.credential_cache_ms = 300)
        .spawn()
        .await;
    let user = app.register("cluster@example.com").await;
    let key: Value = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&user.access),
            Some(json!({"name": "ci"})),
        )
        .await
        .json()
        .await
        .expect("key");
    let key_token = key["key"].as_str().expect("key");
    let client = &app;
    let me = |token: String| async move {
        client
            .call(Method::GET, "/api/v1/me", Some(&token), None)
            .await
            .status()
    };
    assert_eq!(me(key_token.to_owned()).await, 200);
    assert_eq!(me(user.access.clone()).await, 200);
    // Another instance sharing the database revokes both: this one learns it within the TTL.
    let db = &app.state.db;
    let now = cistern_store::sql::now_ms();
    assert!(
        db.revoke_api_key(&user.user_id, key["id"].as_str().expect("id"), now)
            .await
            .expect("revoke key")
    );
    let claims = user.access.split('.').nth(1).expect("claims");
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims)
            .expect("base64"),
    )
    .expect("claims json");
    db.revoke_family(claims["sid"].as_str().expect("sid"), now)
        .await
        .expect("revoke session");
    for token in [key_token.to_owned(), user.access.clone()] {
        let mut refused = false;
        for _ in 0..40 {
            if me(token.clone()).await == 401 {
                refused = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(refused, "still accepted 2 s after a revocation elsewhere");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_cached_access_token_still_expires_on_time() {
    let app = TestApp::builder()
        .config(|c| {
            c.auth.access_token_ttl_secs = 1;
            c.auth.credential_cache_ms = 60_000;
        })
        .spawn()
        .await;
    let user = app.register("expiry@example.com").await;
    let me = || app.call(Method::GET, "/api/v1/me", Some(&user.access), None);
    assert_eq!(me().await.status(), 200, "verified once, now cached");
    let mut refused = None;
    for _ in 0..40 {
        let response = me().await;
        if response.status() == 401 {
            refused = Some(response);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let message = assert_error(refused.expect("refused within 4 s"), 401, "unauthorized").await;
    assert!(message.contains("expired"), "{message}");
    app.stop().await;
}

/// Every log line of this test process, captured by a global subscriber at debug level.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_env_filter("debug")
            .with_writer(move || Capture(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("the only global subscriber in this test binary");
        buffer
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_password_token_or_key_reaches_the_logs() {
    let logs = captured_logs();
    let app = TestApp::spawn().await;
    let password = "unique-password-7f3a9c";
    let response = app
        .call(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({"email": "logs@example.com", "password": password})),
        )
        .await;
    let pair: Value = response.json().await.expect("json");
    let access = pair["access_token"].as_str().expect("access").to_owned();
    let refresh = pair["refresh_token"].as_str().expect("refresh").to_owned();
    app.call(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"email": "logs@example.com", "password": "wrong-password-1b2c3d"})),
    )
    .await;
    let key: Value = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&access),
            Some(json!({"name": "k"})),
        )
        .await
        .json()
        .await
        .expect("json");
    let key = key["key"].as_str().expect("key").to_owned();
    app.call(Method::GET, "/api/v1/me", Some(&key), None).await;
    app.call(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await;
    app.stop().await;

    let text = String::from_utf8_lossy(&logs.lock().expect("log buffer")).into_owned();
    assert!(
        text.contains("request finished"),
        "the capture works: access logs are there"
    );
    for secret in [
        password,
        "wrong-password-1b2c3d",
        access.as_str(),
        refresh.as_str(),
        key.as_str(),
    ] {
        assert!(
            !text.contains(secret),
            "a secret leaked into the logs: {}…",
            &secret[..8]
        );
    }
}
