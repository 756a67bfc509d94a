//! Sign-in with ID tokens from an external provider, verified against a JWKS this test serves
//! on 127.0.0.1 — including key rotation and clock skew.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::helpers::{TestApp, assert_error};

const ISSUER: &str = "https://securetoken.example.test/project-1";
const AUDIENCE: &str = "project-1";

struct SigningKey {
    kid: String,
    der: Vec<u8>,
    jwk: Value,
}

fn new_key(kid: &str) -> SigningKey {
    let pair =
        EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("generate P-256 key");
    let der = pair.to_pkcs8v1().expect("pkcs8").as_ref().to_vec();
    let point = pair.public_key().as_ref(); // 0x04 || X || Y
    let jwk = json!({
        "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    });
    SigningKey {
        kid: kid.to_owned(),
        der,
        jwk,
    }
}

fn id_token(key: &SigningKey, sub: &str, email: &str, aud: &str, exp_offset: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let claims = json!({
        "iss": ISSUER, "aud": aud, "sub": sub, "email": email, "email_verified": true,
        "iat": now - 10, "exp": now + exp_offset,
    });
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ec_der(&key.der)).expect("sign")
}

/// Serves `{"keys": [...]}` from a shared, swappable list.
async fn serve_jwks(keys: Arc<Mutex<Vec<Value>>>, stop: CancellationToken) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = Router::new().route(
        "/jwks.json",
        get(move || {
            let keys = keys.lock().expect("keys").clone();
            async move { axum::Json(json!({ "keys": keys })) }
        }),
    );
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
            .expect("jwks server");
    });
    format!("http://{addr}/jwks.json")
}

#[tokio::test]
async fn oidc_tokens_sign_in_create_the_user_once_and_follow_key_rotation() {
    let first = new_key("key-1");
    let keys = Arc::new(Mutex::new(vec![first.jwk.clone()]));
    let stop = CancellationToken::new();
    let jwks_url = serve_jwks(keys.clone(), stop.clone()).await;
    let app = TestApp::builder()
        .config(move |c| {
            c.auth.oidc.issuer = ISSUER.into();
            c.auth.oidc.audience = AUDIENCE.into();
            c.auth.oidc.jwks_url = jwks_url;
            c.auth.oidc.leeway_secs = 60;
        })
        .spawn()
        .await;
    let exchange = |token: String| {
        app.call(
            Method::POST,
            "/api/v1/auth/oidc",
            None,
            Some(json!({ "id_token": token })),
        )
    };

    let pair: Value = exchange(id_token(
        &first,
        "uid-1",
        "Grace@Example.com",
        AUDIENCE,
        600,
    ))
    .await
    .json()
    .await
    .expect("json");
    let user_id = pair["user"]["id"].as_str().expect("id").to_owned();
    assert_eq!(pair["user"]["email"], "grace@example.com");
    let me = app
        .call(
            Method::GET,
            "/api/v1/me",
            Some(pair["access_token"].as_str().expect("a")),
            None,
        )
        .await;
    assert_eq!(me.status(), 200);
    // Within the clock-skew leeway an expired-by-30-s token still passes; the same account.
    let again: Value = exchange(id_token(
        &first,
        "uid-1",
        "grace@example.com",
        AUDIENCE,
        -30,
    ))
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(again["user"]["id"], user_id.as_str());

    assert_error(
        exchange(id_token(
            &first,
            "uid-1",
            "g@example.com",
            "another-app",
            600,
        ))
        .await,
        401,
        "unauthorized",
    )
    .await;
    assert_error(
        exchange(id_token(&first, "uid-1", "g@example.com", AUDIENCE, -600)).await,
        401,
        "unauthorized",
    )
    .await;
    let stranger = new_key("key-1"); // same kid, different key: a forgery
    assert_error(
        exchange(id_token(&stranger, "uid-9", "x@example.com", AUDIENCE, 600)).await,
        401,
        "unauthorized",
    )
    .await;

    // The provider rotates: key-2 replaces key-1. Tokens of the new key work after one refetch.
    let second = new_key("key-2");
    *keys.lock().expect("keys") = vec![second.jwk.clone()];
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the refetch cooldown
    let rotated: Value = exchange(id_token(
        &second,
        "uid-1",
        "grace@example.com",
        AUDIENCE,
        600,
    ))
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(
        rotated["user"]["id"],
        user_id.as_str(),
        "rotation keeps the identity"
    );
    stop.cancel();
    app.stop().await;
}

#[tokio::test]
async fn oidc_is_404_when_not_configured() {
    let app = TestApp::spawn().await;
    let response = app
        .call(
            Method::POST,
            "/api/v1/auth/oidc",
            None,
            Some(json!({ "id_token": "x.y.z" })),
        )
        .await;
    assert_error(response, 404, "not_found").await;
    app.stop().await;
}
