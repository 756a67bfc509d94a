//! The model file and a gateway serving it.

use std::path::PathBuf;
use std::sync::Arc;

use cistern_llm::*;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// The fetched default model; panics with what to run when it is missing.
pub fn model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("CISTERN_TEST_LOCAL_MODEL") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let path = target.join("models").join(DEFAULT_MODEL_FILE);
    assert!(
        path.is_file(),
        "the local model is missing at {}: run scripts/fetch-model.sh {}/models (scripts/test.sh does)",
        path.display(),
        target.display()
    );
    path
}

pub struct Local {
    pub gw: Gateway,
    pub records: UnboundedReceiver<CallRecord>,
}

/// Held for a test's whole run: under `cargo test` (threads, not processes) the tests of this
/// binary would otherwise generate at once and slow each other down (nextest runs them one at a
/// time by its test group, see .config/nextest.toml).
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// A gateway with no provider and the local model: it is the default model. One thread per
/// sequence, so tests never oversubscribe a small machine.
pub fn local(tweak: impl FnOnce(&mut LocalConfig)) -> Local {
    let mut config = LlmConfig {
        passthrough: false,
        cache: CacheConfig {
            enabled: false,
            ..CacheConfig::default()
        },
        ..LlmConfig::default()
    };
    config.local.model = Some(model_path());
    config.local.context = 2048;
    config.local.threads = 1;
    tweak(&mut config.local);
    let (tx, records) = unbounded_channel();
    let options = GatewayOptions {
        sink: Some(Arc::new(tx)),
        ..GatewayOptions::without_env()
    };
    let gw = Gateway::new(config, options).expect("the gateway loads the local model");
    Local { gw, records }
}

/// A one-message request for the default model.
pub fn user(text: &str) -> ChatRequest {
    ChatRequest::new("smart", vec![Message::user(text)])
}

/// A stream's text and finish reason (ordered: deltas, one Finish, one Usage).
pub async fn collect(stream: ChatStream) -> (String, FinishReason) {
    let (text, finish, calls) = collect_calls(stream).await;
    assert!(calls.is_empty(), "{calls:?}");
    (text, finish)
}

/// A stream's text, finish reason and tool calls `(name, arguments)`.
pub async fn collect_calls(
    mut stream: ChatStream,
) -> (String, FinishReason, Vec<(String, String)>) {
    use futures::StreamExt;
    let mut text = String::new();
    let mut calls: Vec<(String, String)> = Vec::new();
    let mut finish = None;
    let mut usage = false;
    while let Some(event) = stream.next().await {
        assert!(!usage, "nothing after Usage");
        match event.expect("no stream error") {
            StreamEvent::TextDelta { text: t } => text.push_str(&t),
            StreamEvent::ToolCallDelta(d) => {
                if let Some(name) = d.name {
                    calls.push((name, String::new()));
                }
                calls
                    .last_mut()
                    .expect("a named first piece")
                    .1
                    .push_str(&d.arguments);
            }
            StreamEvent::Finish { reason } => finish = Some(reason),
            StreamEvent::Usage(_) => usage = true,
        }
    }
    assert!(usage, "a Usage event ends the stream");
    (text, finish.expect("a Finish event"), calls)
}
