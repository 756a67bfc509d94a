//! Graceful shutdown drains in-flight requests and then stops accepting.

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use crate::helpers::TestApp;

#[tokio::test]
async fn in_flight_requests_finish_after_shutdown_starts() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            "done"
        }),
    );
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(cistern::http::serve(
        listener,
        router,
        shutdown.clone(),
        Duration::from_secs(10),
    ));

    let client = reqwest::Client::new();
    let in_flight = tokio::spawn(client.get(format!("http://{addr}/slow")).send());
    tokio::time::sleep(Duration::from_millis(150)).await; // the request is now inside the handler
    shutdown.cancel();

    let response = in_flight
        .await
        .expect("join")
        .expect("the in-flight request is answered");
    assert_eq!(response.text().await.expect("body"), "done");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .expect("join")
        .expect("clean stop");
    assert!(
        reqwest::get(format!("http://{addr}/slow")).await.is_err(),
        "no new connections after shutdown"
    );
}

#[tokio::test]
async fn a_restart_on_the_same_data_dir_keeps_the_data() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/health").await.status(), 200);
    let installation = installation_id(&app).await;
    let data_dir = app.stop().await;
    if cistern_store::testing::sql_from_env() == "sqlite" {
        assert!(
            data_dir.path().join("cistern.db").is_file(),
            "the SQLite file lives in the data dir"
        );
        let again = TestApp::builder().data_dir(data_dir).spawn().await;
        assert_eq!(
            installation_id(&again).await,
            installation,
            "state survives the restart"
        );
        again.stop().await;
    }
}

async fn installation_id(app: &TestApp) -> String {
    use cistern_store::MetaStore;
    app.state
        .db
        .meta_get("installation_id")
        .await
        .expect("query")
        .expect("set at start-up")
}
