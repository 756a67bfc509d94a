//! `cistern chat --server URL`: turns sent to a running server's `POST /api/v1/chat/stream`
//! with an API key (or access token), its Server-Sent Events shown as they come.

use anyhow::Context;
use cistern_llm::SseDecoder;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::cli::{Shown, Turn};

/// A running Cistern server and the bearer credential to use on it.
pub struct Remote {
    client: reqwest::Client,
    stream_url: String,
    key: String,
}

impl Remote {
    /// Checks that `server` answers and accepts `key` (`GET /api/v1/me`), so a wrong
    /// address or key fails before the first message rather than after it.
    pub async fn connect(server: &str, key: &str) -> anyhow::Result<Self> {
        let base = server.trim_end_matches('/');
        let client = reqwest::Client::new();
        let me = format!("{base}/api/v1/me");
        let response = client
            .get(&me)
            .bearer_auth(key)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .with_context(|| format!("cannot reach {base}"))?;
        if !response.status().is_success() {
            anyhow::bail!("{base} refused the key: {}", error_text(response).await);
        }
        Ok(Self {
            client,
            stream_url: format!("{base}/api/v1/chat/stream"),
            key: key.to_owned(),
        })
    }

    /// Sends one message; the stream ends after `Done` or `Failed`.
    pub(super) fn send(
        &self,
        conversation: Option<&str>,
        message: &str,
        model: Option<&str>,
    ) -> Turn {
        let request = self
            .client
            .post(&self.stream_url)
            .bearer_auth(&self.key)
            .json(&json!({ "message": message, "conversation_id": conversation, "model": model }));
        let (tx, rx) = mpsc::channel(64);
        // The request runs inside the stream it feeds (no task of its own): polling the stream
        // drives both, and dropping it ends the request.
        let producer = async move {
            if let Err(message) = stream_turn(request, &tx).await {
                // The reader left (the CLI stopped): nobody to show it to.
                tx.send(Shown::Failed(message)).await.ok();
            }
        };
        let shown =
            futures::stream::unfold(rx, |mut rx| async { rx.recv().await.map(|s| (s, rx)) });
        let driver = futures::stream::once(producer).filter_map(|()| async { None });
        futures::stream::select(driver, shown).boxed()
    }
}

/// Runs one streamed turn, forwarding what it shows; `Err` is the failure to show last.
async fn stream_turn(
    request: reqwest::RequestBuilder,
    tx: &mpsc::Sender<Shown>,
) -> Result<(), String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("cannot reach the server: {e}"))?;
    if !response.status().is_success() {
        return Err(error_text(response).await);
    }
    let mut body = response.bytes_stream();
    let mut decoder = SseDecoder::default();
    let mut shown = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| format!("the reply stream broke off: {e}"))?;
        let mut collect = |event: &str, data: &str| {
            shown.extend(to_shown(event, data));
            Ok(())
        };
        decoder
            .feed(&chunk, &mut collect)
            .map_err(|e| format!("the reply stream is malformed: {e}"))?;
        for item in shown.drain(..) {
            let end = matches!(item, Shown::Done | Shown::Failed(_));
            if tx.send(item).await.is_err() || end {
                return Ok(());
            }
        }
    }
    Err("the server closed the stream before the reply was complete".to_owned())
}

/// One event of `/api/v1/chat/stream` as the terminal shows it (unknown events: nothing).
fn to_shown(event: &str, data: &str) -> Option<Shown> {
    let data: Value = serde_json::from_str(data).unwrap_or(Value::Null);
    let text = |key: &str| data[key].as_str().unwrap_or_default().to_owned();
    match event {
        "started" => Some(Shown::Conversation(text("conversation_id"))),
        "token" => Some(Shown::Text(text("text"))),
        "tool_call" => Some(Shown::Tool(text("name"))),
        "done" => Some(Shown::Done),
        "error" => Some(Shown::Failed(text("message"))),
        _ => None,
    }
}

/// An error response as one line: the envelope's message and the status.
async fn error_text(response: reqwest::Response) -> String {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    match body["error"]["message"].as_str() {
        Some(message) => format!("{message} (HTTP {})", status.as_u16()),
        None => format!("HTTP {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_events_map_to_what_the_terminal_shows() {
        assert_eq!(
            to_shown("started", r#"{"conversation_id":"c1","user_seq":1}"#),
            Some(Shown::Conversation("c1".into()))
        );
        assert_eq!(
            to_shown("token", r#"{"text":"Hi"}"#),
            Some(Shown::Text("Hi".into()))
        );
        assert_eq!(
            to_shown(
                "error",
                r#"{"code":"unavailable","message":"provider down"}"#
            ),
            Some(Shown::Failed("provider down".into()))
        );
        assert_eq!(to_shown("done", "{}"), Some(Shown::Done));
        assert_eq!(to_shown("ping", "{}"), None);
    }
}
