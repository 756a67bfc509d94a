//! Sage's daily forecast: one model call a day (then served as stored), a malformed answer
//! repaired once, the statistical forecast when the model fails or there is none, feedback
//! kept and read by the next forecast.

use cistern_llm_fake::{FakeLlm, Reply};
use cistern_store::ForecastStore;
use cistern_store::sql::{VersionStatus, now_ms};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::llm::spawn_with_fake;

const GOOD: &str = r#"{"outlook": "high", "forecast": "Refused database connections keep rising; expect the error rate to stay high tomorrow.", "actions": [
  {"title": "Check the database pool", "detail": "db.Pool refuses connections to 10.0.0.x:5432; check max_connections.", "priority": "high"},
  {"title": "Page the on-call DBA", "detail": "The refusals started at 12:01 and have not stopped.", "priority": "medium"},
  {"title": "Add an alert", "detail": "Alert at a score of 60 so the next burst pages someone.", "priority": "low"}]}"#;

/// Two actions, not three: the schema's shape, but not what was asked.
const SHORT: &str = r#"{"outlook": "medium", "forecast": "Some errors.", "actions": [
  {"title": "a", "detail": "b", "priority": "high"},
  {"title": "c", "detail": "d", "priority": "low"}]}"#;

fn logs() -> String {
    let mut log = String::new();
    for s in 0..60 {
        log.push_str(&format!(
            "2024-05-01 12:00:{s:02},120 INFO  [http-1] api.Handler - GET /orders/{} answered 200 in 21 ms\n",
            1000 + s
        ));
    }
    for s in 0..30 {
        log.push_str(&format!(
            "2024-05-01 12:01:{s:02},500 ERROR [pool-1] db.Pool - connection to 10.0.0.{}:5432 refused\n",
            s % 5
        ));
    }
    log
}

/// A project of a new user with one scored ingest: (token, project id).
async fn project_with_history(app: &TestApp, email: &str) -> (String, String) {
    let s = app.register(email).await;
    let p = app
        .call_json(
            Method::POST,
            "/api/v1/sage/projects",
            &s.access,
            Some(json!({"name": "shop"})),
            201,
        )
        .await;
    let id = p["id"].as_str().expect("id").to_owned();
    let r = app
        .call_json(
            Method::GET,
            &format!("/api/v1/sage/projects/{id}/forecast"),
            &s.access,
            None,
            409,
        )
        .await;
    assert_eq!(r["error"]["code"], "no_history", "{r}");
    app.call_json(
        Method::POST,
        &format!("/api/v1/sage/projects/{id}/ingest"),
        &s.access,
        Some(json!({"logs": logs()})),
        200,
    )
    .await;
    (s.access, id)
}

fn prompt_of(fake: &FakeLlm, n: usize) -> String {
    fake.requests()[n].body["messages"].to_string()
}

#[tokio::test]
async fn the_model_forecasts_once_a_day_and_feedback_reaches_the_next_forecast() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let (token, id) = project_with_history(&app, "forecast-owner@example.com").await;

    // Yesterday's forecast, marked wrong with a reason (written as the API would have).
    let db = &app.state.db;
    let yesterday = time::OffsetDateTime::now_utc()
        .date()
        .previous_day()
        .expect("day")
        .to_string();
    assert!(
        db.claim_forecast(&id, "old-forecast", &yesterday, now_ms() - 86_400_000, 0)
            .await
            .expect("claim")
    );
    let old =
        r#"{"outlook":"low","text":"Calm.","actions":[],"source":"model","model":"m","note":null}"#;
    db.finish_forecast(
        "old-forecast",
        VersionStatus::Ready,
        Some(old),
        now_ms() - 86_000_000,
    )
    .await
    .expect("finish");

    fake.enqueue(Reply::text(GOOD));
    let feedback = app
        .call_json(
            Method::POST,
            &format!("/api/v1/sage/projects/{id}/forecasts/old-forecast/feedback"),
            &token,
            Some(json!({"accurate": false, "comment": "missed the pool exhaustion"})),
            200,
        )
        .await;
    assert_eq!(feedback["feedback"]["accurate"], false, "{feedback}");

    let today = app
        .call_json(
            Method::GET,
            &format!("/api/v1/sage/projects/{id}/forecast"),
            &token,
            None,
            200,
        )
        .await;
    assert_eq!(today["source"], "model", "{today}");
    assert_eq!(today["outlook"], "high");
    assert_eq!(today["actions"].as_array().expect("actions").len(), 3);
    assert_eq!(today["actions"][0]["priority"], "high");
    assert_eq!(today["feedback"], Value::Null);
    let prompt = prompt_of(&fake, 0);
    assert!(
        prompt.contains("missed the pool exhaustion"),
        "feedback in the prompt: {prompt}"
    );
    assert!(
        prompt.contains("refused"),
        "templates in the prompt: {prompt}"
    );
    let body = &fake.requests()[0].body;
    assert_eq!(body["response_format"]["type"], "json_schema", "{body}");

    // Served as stored: the same forecast, no second model call.
    let again = app
        .call_json(
            Method::GET,
            &format!("/api/v1/sage/projects/{id}/forecast"),
            &token,
            None,
            200,
        )
        .await;
    assert_eq!(again["id"], today["id"]);
    assert_eq!(fake.requests().len(), 1, "one model call a day");
    let fid = today["id"].as_str().expect("id");
    let marked = app
        .call_json(
            Method::POST,
            &format!("/api/v1/sage/projects/{id}/forecasts/{fid}/feedback"),
            &token,
            Some(json!({"accurate": true})),
            200,
        )
        .await;
    assert_eq!(marked["feedback"]["accurate"], true);
    let listed = app
        .get_json(&format!("/api/v1/sage/projects/{id}/forecasts"), &token)
        .await;
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{listed}");
    assert_eq!(
        (items[0]["id"].as_str(), &items[0]["feedback"]["accurate"]),
        (Some(fid), &json!(true))
    );
    assert_eq!(
        items[1]["feedback"]["comment"],
        "missed the pool exhaustion"
    );
    // The forecast is in the blob store too.
    let day = today["day"].as_str().expect("day");
    let path = object_store::path::Path::from(format!("sage/{id}/forecasts/{day}.json"));
    let stored = cistern::apps::blobs::read(&app.state.blobs, &path)
        .await
        .expect("read");
    assert!(
        stored.is_some_and(|b| String::from_utf8_lossy(&b).contains("database pool")),
        "{path}"
    );
    app.stop().await;
    fake.shutdown().await;
}

#[tokio::test]
async fn a_malformed_answer_is_repaired_once_then_the_forecast_is_statistical() {
    let (app, fake) = spawn_with_fake(|_| {}).await;
    let (token, id) = project_with_history(&app, "forecast-repair@example.com").await;
    fake.enqueue(Reply::text(SHORT));
    fake.enqueue(Reply::text(format!("Here you go:\n```json\n{GOOD}\n```")));
    let f = app
        .call_json(
            Method::GET,
            &format!("/api/v1/sage/projects/{id}/forecast"),
            &token,
            None,
            200,
        )
        .await;
    assert_eq!(
        (f["source"].as_str(), f["outlook"].as_str()),
        (Some("model"), Some("high")),
        "{f}"
    );
    assert_eq!(fake.requests().len(), 2);
    assert!(
        prompt_of(&fake, 1).contains("exactly three actions"),
        "the repair says what was wrong"
    );

    // Another project whose model answers badly twice: the statistical forecast, saying why.
    let (token, id) = project_with_history(&app, "forecast-garbage@example.com").await;
    fake.enqueue(Reply::text("It will probably be fine."));
    fake.enqueue(Reply::text(SHORT));
    let f = app
        .call_json(
            Method::GET,
            &format!("/api/v1/sage/projects/{id}/forecast"),
            &token,
            None,
            200,
        )
        .await;
    assert_eq!(f["source"], "statistical", "{f}");
    assert!(
        f["note"]
            .as_str()
            .expect("note")
            .contains("even after a repair round"),
        "{f}"
    );
    assert_eq!(f["actions"].as_array().expect("actions").len(), 3);
    assert!(
        f["text"]
            .as_str()
            .expect("text")
            .starts_with("Statistical forecast"),
        "{f}"
    );
    // The refusals drive it: the first action is about them.
    assert!(f.to_string().contains("error"), "{f}");
    app.stop().await;
    fake.shutdown().await;
}

#[tokio::test]
async fn without_a_provider_the_forecast_is_statistical_and_others_get_404() {
    let app = TestApp::spawn().await;
    let (token, id) = project_with_history(&app, "forecast-offline@example.com").await;
    let f = app
        .call_json(
            Method::GET,
            &format!("/api/v1/sage/projects/{id}/forecast"),
            &token,
            None,
            200,
        )
        .await;
    assert_eq!(f["source"], "statistical", "{f}");
    assert_eq!(f["model"], Value::Null);
    assert!(matches!(
        f["outlook"].as_str(),
        Some("low" | "medium" | "high")
    ));
    let fid = f["id"].as_str().expect("id");

    let base = format!("/api/v1/sage/projects/{id}");
    let long = "x".repeat(1_001);
    let r = app
        .call(
            Method::POST,
            &format!("{base}/forecasts/{fid}/feedback"),
            Some(&token),
            Some(json!({"accurate": true, "comment": long})),
        )
        .await;
    assert_error(r, 422, "invalid_input").await;
    let r = app
        .call(
            Method::POST,
            &format!("{base}/forecasts/no-such-forecast/feedback"),
            Some(&token),
            Some(json!({"accurate": true})),
        )
        .await;
    assert_error(r, 404, "not_found").await;

    let mallory = app.register("forecast-mallory@example.com").await;
    for (method, path, body) in [
        (Method::GET, format!("{base}/forecast"), None),
        (Method::GET, format!("{base}/forecasts"), None),
        (
            Method::POST,
            format!("{base}/forecasts/{fid}/feedback"),
            Some(json!({"accurate": false})),
        ),
    ] {
        let r = app.call(method, &path, Some(&mallory.access), body).await;
        assert_error(r, 404, "not_found").await;
    }
    let own = app.get_json(&format!("{base}/forecasts"), &token).await;
    assert_eq!(
        own["items"][0]["feedback"],
        Value::Null,
        "mallory changed nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_label_marked_wrong_on_three_forecasts_is_muted_until_unmuted() {
    let app = TestApp::spawn().await;
    let (token, id) = project_with_history(&app, "forecast-mutes@example.com").await;
    let base = format!("/api/v1/sage/projects/{id}");
    let ingest_path = format!("{base}/ingest");
    let ingest = || {
        app.call_json(
            Method::POST,
            &ingest_path,
            &token,
            Some(json!({"logs": logs()})),
            200,
        )
    };
    let before = ingest().await;
    assert!(
        before["labels"].to_string().contains("High Error Rate"),
        "{before}"
    );
    let template = before["factors"]
        .as_array()
        .expect("factors")
        .iter()
        .find(|f| f["label"] == "High Error Rate")
        .and_then(|f| f["templates"][0].as_str())
        .expect("the error template")
        .to_owned();
    let alarm = json!([{"label": "High Error Rate", "template": template}]);

    // Three past days' forecasts, each marked: the label was a false alarm.
    let db = &app.state.db;
    let today = time::OffsetDateTime::now_utc().date();
    let plain = r#"{"outlook":"high","text":"Errors.","actions":[],"source":"statistical","model":null,"note":null}"#;
    for back in 1..=3 {
        let day = (today - time::Duration::days(back)).to_string();
        let fid = format!("past-{back}");
        assert!(
            db.claim_forecast(&id, &fid, &day, now_ms() - back * 86_400_000, 0)
                .await
                .expect("claim")
        );
        db.finish_forecast(&fid, VersionStatus::Ready, Some(plain), now_ms())
            .await
            .expect("finish");
        app.call_json(
            Method::POST,
            &format!("{base}/forecasts/{fid}/feedback"),
            &token,
            Some(json!({"accurate": false, "comment": "the cache is meant to refuse", "false_alarms": alarm})),
            200,
        )
        .await;
        // Marking the same forecast again counts once.
        app.call_json(
            Method::POST,
            &format!("{base}/forecasts/{fid}/feedback"),
            &token,
            Some(json!({"accurate": false, "false_alarms": alarm})),
            200,
        )
        .await;
        let mutes = app.get_json(&format!("{base}/mutes"), &token).await;
        assert_eq!(mutes["items"][0]["marks"], back, "{mutes}");
        assert_eq!(mutes["items"][0]["muted"], back >= 3, "{mutes}");
    }

    let muted = ingest().await;
    assert_eq!(muted["muted"], json!(["High Error Rate"]), "{muted}");
    assert!(
        !muted["labels"].to_string().contains("High Error Rate"),
        "{muted}"
    );
    assert!(
        muted["score"].as_i64() < before["score"].as_i64(),
        "{muted} vs {before}"
    );

    // Reversible: the marks are forgotten, the label counts again.
    let url = reqwest::Url::parse_with_params(
        &app.url(&format!("{base}/mutes")),
        &[
            ("label", "High Error Rate"),
            ("template", template.as_str()),
        ],
    )
    .expect("url");
    let r = app
        .client
        .delete(url.clone())
        .bearer_auth(&token)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 204);
    let again = ingest().await;
    assert_eq!(again["muted"], json!([]));
    assert!(
        again["labels"].to_string().contains("High Error Rate"),
        "{again}"
    );
    let r = app
        .client
        .delete(url.clone())
        .bearer_auth(&token)
        .send()
        .await
        .expect("delete");
    assert_error(r, 404, "not_found").await;

    let r = app
        .call(
            Method::POST,
            &format!("{base}/forecasts/past-1/feedback"),
            Some(&token),
            Some(json!({"accurate": false, "false_alarms": [{"label": "Gremlins"}]})),
        )
        .await;
    assert_error(r, 422, "invalid_input").await;
    app.stop().await;
}
