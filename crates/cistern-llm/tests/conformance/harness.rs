//! A gateway pointed at a fake provider, with fast retries and a record channel.

use cistern_llm::*;
use cistern_llm_fake::FakeLlm;
use futures::StreamExt;
use std::sync::Arc;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub const PROVIDERS: [ProviderKind; 3] = [
    ProviderKind::OpenAi,
    ProviderKind::Anthropic,
    ProviderKind::Gemini,
];
pub const KEY: &str = "sk-test";

pub struct Setup {
    pub fake: FakeLlm,
    pub gw: Gateway,
    pub records: UnboundedReceiver<CallRecord>,
    pub clock: ManualClock,
}

pub fn base_url(fake: &FakeLlm, kind: ProviderKind) -> String {
    match kind {
        ProviderKind::OpenAi => fake.openai_base_url(),
        ProviderKind::Anthropic => fake.anthropic_base_url(),
        ProviderKind::Gemini => fake.gemini_base_url(),
        ProviderKind::Local => {
            unreachable!("the local model has no HTTP API (tests/local_model.rs)")
        }
    }
}

pub fn deployment(kind: ProviderKind, base_url: String, model: &str) -> DeploymentConfig {
    DeploymentConfig {
        name: None,
        provider: kind,
        base_url: Some(base_url),
        api_key: Some(Secret::new(KEY)),
        api_keys: Vec::new(),
        api_key_env: None,
        model: model.to_owned(),
        weight: 1,
        timeout_ms: None,
        input_price_per_mtok: 1.0,
        output_price_per_mtok: 2.0,
        context_window: Some(8192),
    }
}

/// Millisecond backoffs, Retry-After capped at 5 ms, cache off, breaker out of the way.
pub fn fast_config() -> LlmConfig {
    LlmConfig {
        timeout_ms: 5_000,
        deadline_ms: 20_000,
        retry: RetryConfig {
            max_attempts: 3,
            backoff_base_ms: 1,
            backoff_max_ms: 4,
            retry_after_max_ms: 5,
        },
        breaker: BreakerConfig {
            failure_threshold: 1_000,
            cooldown_ms: 30_000,
        },
        cache: CacheConfig {
            enabled: false,
            ..CacheConfig::default()
        },
        ..LlmConfig::default()
    }
}

/// One model `m` with one deployment (`m/0`, upstream `up-model`) on a fresh fake.
pub async fn setup(kind: ProviderKind, tweak: impl FnOnce(&mut LlmConfig, &str)) -> Setup {
    let fake = FakeLlm::start().await.expect("fake starts");
    fake.require_key(KEY);
    let mut config = fast_config();
    let base = base_url(&fake, kind);
    config.models.insert(
        "m".into(),
        ModelConfig {
            deployments: vec![deployment(kind, base.clone(), "up-model")],
        },
    );
    tweak(&mut config, &base);
    let (tx, records) = unbounded_channel();
    let clock = ManualClock::new();
    let options = GatewayOptions {
        sink: Some(Arc::new(tx)),
        clock: Some(clock.clone()),
        ..GatewayOptions::without_env()
    };
    let gw = Gateway::new(config, options).expect("gateway builds");
    Setup {
        fake,
        gw,
        records,
        clock,
    }
}

impl Setup {
    pub fn record(&mut self) -> CallRecord {
        self.records.try_recv().expect("the call was recorded")
    }

    pub fn no_more_records(&mut self) {
        assert!(
            self.records.try_recv().is_err(),
            "exactly one record per call"
        );
    }

    /// Bodies of the chat requests the fake received.
    pub fn bodies(&self) -> Vec<serde_json::Value> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST")
            .map(|r| r.body)
            .collect()
    }

    pub async fn chat(&self, req: ChatRequest) -> Result<ChatResponse, Error> {
        self.gw.chat(req, CallContext::default()).await
    }

    /// Opens a stream and collects it: the events before the end or the error, and the error.
    pub async fn stream(
        &self,
        req: ChatRequest,
    ) -> Result<(Vec<StreamEvent>, Option<Error>), Error> {
        let mut s = self.gw.chat_stream(req, CallContext::default()).await?;
        let mut events = Vec::new();
        while let Some(item) = s.next().await {
            match item {
                Ok(e) => events.push(e),
                Err(e) => {
                    assert!(s.next().await.is_none(), "nothing after an error item");
                    return Ok((events, Some(e)));
                }
            }
        }
        Ok((events, None))
    }
}

pub fn ask(text: &str) -> ChatRequest {
    let mut r = ChatRequest::new("m", vec![Message::system("Be brief."), Message::user(text)]);
    r.temperature = Some(0.0);
    r
}

pub fn streamed_text(events: &[StreamEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::TextDelta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// Tool calls assembled from stream deltas: (name, arguments).
pub fn streamed_calls(events: &[StreamEvent]) -> Vec<(String, String)> {
    let mut calls: Vec<(String, String)> = Vec::new();
    for e in events {
        if let StreamEvent::ToolCallDelta(d) = e {
            let i = d.index as usize;
            if calls.len() <= i {
                calls.resize(i + 1, (String::new(), String::new()));
            }
            if let Some(n) = &d.name {
                calls[i].0 = n.clone();
            }
            calls[i].1.push_str(&d.arguments);
        }
    }
    calls
}

/// The stream ended with exactly one Finish then one Usage.
pub fn ends_properly(events: &[StreamEvent]) -> (FinishReason, Usage) {
    let n = events.len();
    assert!(n >= 2, "{events:?}");
    let (StreamEvent::Finish { reason }, StreamEvent::Usage(usage)) =
        (&events[n - 2], &events[n - 1])
    else {
        panic!("stream must end with Finish then Usage: {events:?}");
    };
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, StreamEvent::Finish { .. }))
            .count(),
        1
    );
    (*reason, *usage)
}

pub fn weather_tool() -> Tool {
    Tool::function(
        "get_weather",
        "Current weather for a city",
        serde_json::json!({"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}),
    )
}
