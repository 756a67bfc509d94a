//! `GET /api/v1/jobs/{id}/events`: progress and logs arrive live, the result ends the stream, and a
//! reconnect with `Last-Event-ID` gets only what it missed.

use std::sync::Arc;
use std::time::Duration;

use cistern::platform::jobs::Handlers;
use cistern_jobs::{JobContext, NewJob};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::enqueue;
use crate::helpers::TestApp;

/// One parsed SSE event.
#[derive(Debug)]
struct SseEvent {
    id: String,
    event: String,
    data: Value,
}

/// Reads SSE events off a streaming response.
struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

impl SseReader {
    /// The next event; `None` when the stream ended.
    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if event.is_empty() && data.is_empty() {
                    continue; // a keep-alive comment
                }
                let data = serde_json::from_str(&data).expect("data is JSON");
                return Some(SseEvent { id, event, data });
            }
            let chunk = self.response.chunk().await.expect("stream chunk")?;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("utf-8"));
        }
    }
}

async fn open(app: &TestApp, token: &str, id: &str, last_event_id: Option<&str>) -> SseReader {
    let mut request = app
        .client
        .get(app.url(&format!("/api/v1/jobs/{id}/events")))
        .bearer_auth(token);
    if let Some(last) = last_event_id {
        request = request.header("Last-Event-ID", last);
    }
    let response = request.send().await.expect("GET events");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    SseReader {
        response,
        buffer: String::new(),
    }
}

#[tokio::test]
async fn events_stream_progress_live_then_the_result_and_resume_after_last_event_id() {
    // The handler reports, then waits for the test to let it finish: the first events must
    // arrive while the job is still running.
    let gate = Arc::new(Semaphore::new(0));
    let handlers = Handlers::new().handle("build", {
        let gate = gate.clone();
        move |ctx: JobContext, p: Value| {
            let gate = gate.clone();
            async move {
                ctx.progress(40, Some("compiling")).await?;
                ctx.log("half way").await?;
                let _permit = gate
                    .acquire()
                    .await
                    .map_err(cistern_jobs::JobError::retry)?;
                ctx.progress(100, None).await?;
                Ok(json!({ "built": p["what"] }))
            }
        }
    });
    // A minute's poll: what follows the gate can only arrive in time because this process's
    // own event writes wake the stream.
    let app = TestApp::builder()
        .handlers(handlers)
        .config(|c| c.jobs.poll_interval_ms = 60_000)
        .spawn()
        .await;
    let a = app.register("sse@example.com").await;
    let id = enqueue(
        &app,
        &a.user_id,
        NewJob::new("build", json!({ "what": "extension" })),
    )
    .await;

    let mut stream = open(&app, &a.access, &id, None).await;
    let first = stream.next().await.expect("progress event");
    assert_eq!(first.event, "progress");
    assert_eq!(
        first.data["data"],
        json!({ "progress": 40, "message": "compiling" })
    );
    assert_eq!(
        first.data["id"].to_string(),
        first.id,
        "the SSE id is the event's id"
    );
    let second = stream.next().await.expect("log event");
    assert_eq!(second.event, "log");
    assert_eq!(second.data["data"]["message"], "half way");
    let job = app
        .call_json(
            Method::GET,
            &format!("/api/v1/jobs/{id}"),
            &a.access,
            None,
            200,
        )
        .await;
    assert_eq!(
        job["status"], "running",
        "events arrived live, before the job finished"
    );
    assert_eq!(job["progress"], 40);

    gate.add_permits(1);
    let third = tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .expect("a local job's next event is pushed, not left for the minute's poll")
        .expect("progress 100");
    assert_eq!(third.data["data"]["progress"], 100);
    let last = stream.next().await.expect("result event");
    assert_eq!(last.event, "succeeded");
    assert_eq!(last.data["data"], json!({ "built": "extension" }));
    assert!(
        stream.next().await.is_none(),
        "the stream ends after the result"
    );

    // Resuming after the first event replays exactly the rest.
    let mut resumed = open(&app, &a.access, &id, Some(&first.id)).await;
    let mut kinds = Vec::new();
    while let Some(event) = resumed.next().await {
        kinds.push(event.event);
    }
    assert_eq!(kinds, ["log", "progress", "succeeded"]);
    // Resuming after the terminal event: nothing more, and the stream ends.
    let mut done = open(&app, &a.access, &id, Some(&last.id)).await;
    assert!(done.next().await.is_none());
    // `?after=` does the same for clients that cannot set headers.
    let after = app
        .client
        .get(app.url(&format!("/api/v1/jobs/{id}/events?after={}", second.id)))
        .bearer_auth(&a.access)
        .send()
        .await
        .expect("GET");
    let mut after = SseReader {
        response: after,
        buffer: String::new(),
    };
    assert_eq!(after.next().await.expect("event").event, "progress");

    let bad = app
        .client
        .get(app.url(&format!("/api/v1/jobs/{id}/events")))
        .bearer_auth(&a.access)
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .expect("GET");
    super::api::assert_field(bad, "Last-Event-ID").await;
    app.stop().await;
}
