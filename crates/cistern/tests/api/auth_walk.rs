//! Walks every operation of the OpenAPI document: each one that declares the `bearer` scheme must
//! refuse a missing, malformed, expired, tampered, wrongly signed, `alg: none`, signed-out or
//! revoked credential with a 401 envelope; each one that does not must be on the public list.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, assert_openai_error};

/// Routes anyone may call. Adding a route here is a security decision: review it.
const PUBLIC: &[&str] = &[
    "GET /health",
    "GET /health/detailed",
    "GET /metrics",
    "GET /api/openapi.json",
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/oidc",
];

pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// A JWT with our claims, signed with `alg` and `secret`.
pub fn forge(alg: Algorithm, secret: &str, sub: &str, sid: &str, exp: u64) -> String {
    let claims = json!({ "sub": sub, "role": "admin", "sid": sid, "iss": "cistern", "iat": now(), "exp": exp });
    jsonwebtoken::encode(
        &Header::new(alg),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

fn unsigned(sub: &str, sid: &str) -> String {
    use base64::Engine;
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let claims = json!({ "sub": sub, "role": "admin", "sid": sid, "iss": "cistern", "iat": now(), "exp": now() + 600 });
    format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(claims)
    )
}

fn tamper(token: &str) -> String {
    // Swap the payload for one naming another user, keeping the original signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: Value =
        serde_json::from_slice(&engine.decode(&parts[1]).expect("b64")).expect("json");
    claims["sub"] = json!("someone-else");
    parts[1] = engine.encode(claims.to_string());
    parts.join(".")
}

#[tokio::test]
async fn every_protected_route_rejects_bad_credentials_and_only_public_routes_are_open() {
    let app = TestApp::builder()
        .config(|c| {
            c.auth.jwt_secret = cistern::config::Secret::new(SECRET);
            // Ten credentials on every operation outgrow the per-IP burst; that limit is
            // tested on its own.
            c.rate_limit.api_per_ip.burst = 100_000;
        })
        .spawn()
        .await;
    let user = app.register("walker@example.com").await;
    // A signed-out session and a revoked key.
    let ended = app.register("ended@example.com").await;
    assert_eq!(
        app.call(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&ended.access),
            None
        )
        .await
        .status(),
        204
    );
    let key: Value = app
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&user.access),
            Some(json!({"name": "gone"})),
        )
        .await
        .json()
        .await
        .expect("json");
    let revoked_key = key["key"].as_str().expect("key").to_owned();
    app.call(
        Method::DELETE,
        &format!("/api/v1/api-keys/{}", key["id"].as_str().expect("id")),
        Some(&user.access),
        None,
    )
    .await;

    let sid = uuid::Uuid::now_v7().to_string();
    let bad: Vec<(&str, Option<String>)> = vec![
        ("missing", None),
        ("not a token", Some("hello".into())),
        (
            "expired",
            Some(forge(
                Algorithm::HS256,
                SECRET,
                &user.user_id,
                &sid,
                now() - 5,
            )),
        ),
        ("tampered", Some(tamper(&user.access))),
        (
            "wrong key",
            Some(forge(
                Algorithm::HS256,
                "another-secret-another-secret-another",
                &user.user_id,
                &sid,
                now() + 600,
            )),
        ),
        (
            "wrong algorithm",
            Some(forge(
                Algorithm::HS512,
                SECRET,
                &user.user_id,
                &sid,
                now() + 600,
            )),
        ),
        ("alg none", Some(unsigned(&user.user_id, &sid))),
        ("signed out", Some(ended.access.clone())),
        ("revoked API key", Some(revoked_key)),
        (
            "unknown API key",
            Some(format!("cst_0123456789ab_{}", "x".repeat(43))),
        ),
    ];

    let doc: Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("document");
    let mut protected = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            let name = format!("{} {path}", method.to_uppercase());
            let secured = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if !secured {
                assert!(
                    PUBLIC.contains(&name.as_str()),
                    "{name} is public but not on the reviewed list"
                );
                continue;
            }
            assert!(
                !PUBLIC.contains(&name.as_str()),
                "{name} is on the public list but declares bearer"
            );
            protected += 1;
            let concrete = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            for (what, token) in &bad {
                let body =
                    matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
                let response = app
                    .call(method.clone(), &concrete, token.as_deref(), body)
                    .await;
                assert_eq!(response.status(), 401, "{name} with a {what} credential");
                assert_eq!(
                    response
                        .headers()
                        .get("www-authenticate")
                        .map(|v| v.to_str().expect("ascii")),
                    Some("Bearer")
                );
                if path.starts_with("/v1/") {
                    assert_openai_error(response, 401, "unauthorized").await;
                } else {
                    assert_error(response, 401, "unauthorized").await;
                }
            }
        }
    }
    assert!(
        protected >= 8,
        "the walk covered {protected} protected operations"
    );
    // The valid credential still works, so the 401s above were about the credentials.
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", Some(&user.access), None)
            .await
            .status(),
        200
    );
    app.stop().await;
}
