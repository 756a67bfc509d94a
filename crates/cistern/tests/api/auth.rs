//! Accounts, sessions, API keys, quotas and the audit trail, end to end over HTTP.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_error};

#[tokio::test]
async fn register_login_me_refresh_logout() {
    let app = TestApp::spawn().await;
    let first = app.register("  Ada@Example.COM ").await;
    assert_eq!(
        first.role, "admin",
        "the first account administers the installation"
    );
    let me: Value = app
        .call(Method::GET, "/api/v1/me", Some(&first.access), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["email"], "ada@example.com", "emails are normalised");

    let second = app.register("bob@example.com").await;
    assert_eq!(second.role, "user");
    let dup = app
        .call(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({"email": "BOB@example.com", "password": PASSWORD})),
        )
        .await;
    assert_error(dup, 409, "conflict").await;

    let login = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "bob@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(login.status(), 200);
    let wrong = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "bob@example.com", "password": "not the password"})),
        )
        .await;
    let message = assert_error(wrong, 401, "unauthorized").await;
    let unknown = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "nobody@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(
        assert_error(unknown, 401, "unauthorized").await,
        message,
        "unknown email and wrong password look alike"
    );

    // Refresh rotates: a new pair, and the old refresh token is spent.
    let refreshed: Value = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": second.refresh})),
        )
        .await
        .json()
        .await
        .expect("json");
    let new_access = refreshed["access_token"]
        .as_str()
        .expect("access")
        .to_owned();
    assert_ne!(refreshed["refresh_token"], second.refresh.as_str());
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", Some(&new_access), None)
            .await
            .status(),
        200
    );

    // Logout ends the session: its access tokens stop working at once.
    let out = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&new_access), None)
        .await;
    assert_eq!(out.status(), 204);
    assert_error(
        app.call(Method::GET, "/api/v1/me", Some(&new_access), None)
            .await,
        401,
        "unauthorized",
    )
    .await;
    assert_error(
        app.call(Method::GET, "/api/v1/me", Some(&second.access), None)
            .await,
        401,
        "unauthorized",
    )
    .await;
    let after = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refreshed["refresh_token"]})),
        )
        .await;
    assert_error(after, 401, "unauthorized").await;
    app.stop().await;
}

#[tokio::test]
async fn registration_input_is_validated_with_clear_errors() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"email": "not-an-email", "password": PASSWORD}),
            422,
            "invalid_input",
            "email",
        ),
        (
            json!({"email": "a@example.com", "password": "short"}),
            422,
            "invalid_input",
            "password",
        ),
        (
            json!({"email": "a@example.com"}),
            422,
            "invalid_body",
            "password",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "role": "admin"}),
            422,
            "invalid_body",
            "role",
        ),
    ];
    for (body, status, code, mentions) in cases {
        let response = app
            .call(
                Method::POST,
                "/api/v1/auth/register",
                None,
                Some(body.clone()),
            )
            .await;
        let message = assert_error(response, status, code).await;
        assert!(message.contains(mentions), "{body} → {message}");
    }
    app.stop().await;
}

#[tokio::test]
async fn invite_only_servers_refuse_registration() {
    let app = TestApp::builder()
        .config(|c| c.auth.open_registration = false)
        .spawn()
        .await;
    let response = app
        .call(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({"email": "a@example.com", "password": PASSWORD})),
        )
        .await;
    let message = assert_error(response, 403, "forbidden").await;
    assert!(message.contains("invite-only"));
    app.stop().await;
}

#[tokio::test]
async fn api_keys_are_shown_once_work_like_tokens_and_revoke() {
    let app = TestApp::spawn().await;
    let user = app.register("keys@example.com").await;
    let created = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&user.access),
            Some(json!({"name": "ci", "expires_in_days": 30})),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.expect("json");
    let key = created["key"].as_str().expect("key shown once").to_owned();
    assert!(key.starts_with(created["prefix"].as_str().expect("prefix")));

    let me: Value = app
        .call(Method::GET, "/api/v1/me", Some(&key), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        me["id"],
        user.user_id.as_str(),
        "an API key authenticates as its owner"
    );

    let listed: Value = app
        .call(Method::GET, "/api/v1/api-keys", Some(&user.access), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert!(listed[0].get("key").is_none(), "the key is never listed");
    assert!(!listed.to_string().contains(&key));

    let id = created["id"].as_str().expect("id");
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            Some(&user.access),
            None
        )
        .await
        .status(),
        204
    );
    let message = assert_error(
        app.call(Method::GET, "/api/v1/me", Some(&key), None).await,
        401,
        "unauthorized",
    )
    .await;
    assert!(message.contains("revoked"), "{message}");
    let bad = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&user.access),
            Some(json!({"name": ""})),
        )
        .await;
    assert_error(bad, 422, "invalid_input").await;
    app.stop().await;
}

#[tokio::test]
async fn users_never_reach_each_others_resources() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice@example.com").await;
    let bob = app.register("bob@example.com").await;
    let key: Value = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&alice.access),
            Some(json!({"name": "alice's"})),
        )
        .await
        .json()
        .await
        .expect("json");
    let id = key["id"].as_str().expect("id");

    assert_error(
        app.call(
            Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            Some(&bob.access),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let bobs: Value = app
        .call(Method::GET, "/api/v1/api-keys", Some(&bob.access), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(bobs, json!([]));
    let audit: Value = app
        .call(Method::GET, "/api/v1/audit", Some(&bob.access), None)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        audit["items"]
            .as_array()
            .expect("events")
            .iter()
            .all(
                |e| e["actor_id"] == bob.user_id.as_str() && e["actor_email"] == bob.email.as_str()
            ),
        "{audit}"
    );
    assert_error(
        app.call(
            Method::GET,
            "/api/v1/audit?all=true",
            Some(&bob.access),
            None,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // Alice's key still works: Bob's attempt changed nothing.
    assert_eq!(
        app.call(
            Method::GET,
            "/api/v1/me",
            Some(key["key"].as_str().expect("key")),
            None
        )
        .await
        .status(),
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_records_identity_events_and_pages() {
    let app = TestApp::spawn().await;
    let admin = app.register("root@example.com").await;
    let user = app.register("user@example.com").await;
    app.call(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"email": "user@example.com", "password": "wrong password!"})),
    )
    .await;
    let key: Value = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&user.access),
            Some(json!({"name": "k"})),
        )
        .await
        .json()
        .await
        .expect("json");
    app.call(
        Method::DELETE,
        &format!("/api/v1/api-keys/{}", key["id"].as_str().expect("id")),
        Some(&user.access),
        None,
    )
    .await;
    app.call(
        Method::PUT,
        &format!("/api/v1/admin/users/{}/quota", user.user_id),
        Some(&admin.access),
        Some(json!({"monthly_tokens": 5})),
    )
    .await;

    let mine: Value = app
        .call(
            Method::GET,
            "/api/v1/audit?limit=2",
            Some(&user.access),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = mine["items"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["api_key.revoke", "api_key.create"]);
    let next = mine["next_cursor"].as_str().expect("a next page");
    let older: Value = app
        .call(
            Method::GET,
            &format!("/api/v1/audit?cursor={next}"),
            Some(&user.access),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let older: Vec<&str> = older["items"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(older, ["auth.register"]);
    assert!(
        mine["items"][0]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 36)
    );

    let all: Value = app
        .call(
            Method::GET,
            "/api/v1/audit?all=true&limit=200",
            Some(&admin.access),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let events = all["items"].as_array().expect("events");
    let failed = events
        .iter()
        .find(|e| e["action"] == "auth.login" && e["outcome"] == "failure")
        .expect("failed login audited");
    assert_eq!(failed["target"], "user@example.com");
    assert!(failed["actor_id"].is_null());
    assert_eq!(failed["ip"], "127.0.0.1");
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "quota.change" && e["target"] == user.user_id.as_str())
    );
    assert_error(
        app.call(
            Method::GET,
            "/api/v1/audit?limit=0",
            Some(&user.access),
            None,
        )
        .await,
        422,
        "invalid_input",
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn quotas_are_reported_overridden_by_admins_and_enforced() {
    let app = TestApp::builder()
        .config(|c| c.quota.default_monthly_tokens = 1000)
        .spawn()
        .await;
    let admin = app.register("root@example.com").await;
    let user = app.register("user@example.com").await;
    let usage: Value = app
        .call(Method::GET, "/api/v1/usage", Some(&user.access), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(usage["budget"]["limit"], 1000);
    assert_eq!(usage["budget"]["remaining"], 1000);

    let forbidden = app
        .call(
            Method::PUT,
            &format!("/api/v1/admin/users/{}/quota", user.user_id),
            Some(&user.access),
            Some(json!({"monthly_tokens": 1})),
        )
        .await;
    assert_error(forbidden, 403, "forbidden").await;
    let set = app
        .call(
            Method::PUT,
            &format!("/api/v1/admin/users/{}/quota", user.user_id),
            Some(&admin.access),
            Some(json!({"monthly_tokens": 100})),
        )
        .await;
    assert_eq!(set.status(), 200);
    let missing = app
        .call(
            Method::PUT,
            "/api/v1/admin/users/nobody/quota",
            Some(&admin.access),
            Some(json!({"monthly_tokens": 100})),
        )
        .await;
    assert_error(missing, 404, "not_found").await;

    // What the LLM gateway will do around each call.
    let db = &app.state.db;
    let config = &app.state.config.quota;
    cistern::platform::quota::check(db, config, &user.user_id)
        .await
        .expect("budget left");
    cistern::platform::quota::charge(db, &user.user_id, "fast", "chat", 70, 30, 1500)
        .await
        .expect("charge");
    let exhausted = cistern::platform::quota::check(db, config, &user.user_id)
        .await
        .expect_err("spent");
    assert!(matches!(
        exhausted,
        cistern::platform::quota::Error::Exceeded(_)
    ));
    let exhausted = cistern::http::error::ApiError::from(exhausted);
    assert_eq!(exhausted.status(), 429);
    let response = axum::response::IntoResponse::into_response(exhausted);
    assert!(response.headers().contains_key("retry-after"));
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["error"]["code"], "quota_exceeded");
    assert_eq!(body["error"]["details"]["quota"], "monthly_tokens");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("resets at")
    );

    let usage: Value = app
        .call(Method::GET, "/api/v1/usage", Some(&user.access), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (usage["tokens_in"].as_i64(), usage["tokens_out"].as_i64()),
        (Some(70), Some(30))
    );
    assert_eq!(usage["budget"]["remaining"], 0);
    assert_eq!(usage["breakdown"][0]["model"], "fast");
    assert!((usage["cost_usd"].as_f64().expect("cost") - 0.0015).abs() < 1e-9);
    app.stop().await;
}

#[tokio::test]
async fn login_brute_force_from_one_ip_is_throttled() {
    let app = TestApp::builder()
        .config(|c| {
            c.rate_limit.auth.burst = 5;
            c.rate_limit.auth.per_secs = 3600;
        })
        .spawn()
        .await;
    let body = json!({"email": "victim@example.com", "password": "guess guess guess"});
    for _ in 0..5 {
        let response = app
            .call(Method::POST, "/api/v1/auth/login", None, Some(body.clone()))
            .await;
        assert_eq!(response.status(), 401);
        assert!(response.headers().contains_key("ratelimit-remaining"));
    }
    let limited = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(body))
        .await;
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert!(limited.headers().contains_key("ratelimit-limit"));
    assert_error(limited, 429, "rate_limited").await;
    // Other routes have their own, looser class.
    assert_eq!(app.get("/api/v1/nope").await.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn instances_sharing_redis_share_the_limits() {
    let Some(redis) = cistern_store::testing::redis_url() else {
        return;
    };
    let limited = move |c: &mut cistern::Config| {
        c.rate_limit.redis_url = cistern::config::Secret::new(redis.clone());
        c.rate_limit.auth.burst = 3;
        c.rate_limit.auth.per_secs = 3600;
        c.server.trust_forwarded_for = true;
    };
    let (a, b) = (
        TestApp::builder().config(limited.clone()).spawn().await,
        TestApp::builder().config(limited).spawn().await,
    );
    let body = json!({"email": "shared@example.com", "password": "guess guess guess"});
    // A client address of its own (the server trusts X-Forwarded-For here), so earlier runs
    // against the same Redis cannot have spent this test's budget.
    let r = uuid::Uuid::new_v4().as_u128();
    let client = format!("2001:db8:{:x}:{:x}::1", (r >> 16) & 0xffff, r & 0xffff);
    let login = |app: &TestApp| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", client.clone())
            .json(&body)
            .send()
    };
    let mut statuses = Vec::new();
    for app in [&a, &b, &a, &b] {
        statuses.push(login(app).await.expect("login").status().as_u16());
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429],
        "the fourth attempt is refused by whichever instance gets it"
    );
    a.stop().await;
    b.stop().await;
}
