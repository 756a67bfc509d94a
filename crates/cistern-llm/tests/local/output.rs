//! What the local model answers: streams, usage, limits, stop sequences, JSON and tool calls.

use cistern_llm::*;
use futures::StreamExt;
use serde_json::{Value, json};

use super::harness::{collect, local, serial, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_turn_streams_deltas_then_finish_and_real_usage_and_is_recorded() {
    let _serial = serial().await;
    let mut l = local(|_| {});
    let mut req = user("Say hello to a new user of the app in one sentence.");
    req.max_tokens = Some(48);
    let stream = l.gw.chat_stream(req, CallContext::default()).await.unwrap();
    let events: Vec<StreamEvent> = stream.map(|e| e.unwrap()).collect().await;
    let n = events.len();
    assert!(n >= 3, "{events:?}");
    assert!(
        events[..n - 2]
            .iter()
            .all(|e| matches!(e, StreamEvent::TextDelta { .. }))
    );
    assert!(matches!(events[n - 2], StreamEvent::Finish { .. }));
    let StreamEvent::Usage(usage) = events[n - 1] else {
        panic!("{events:?}")
    };
    assert!(!usage.estimated, "the real tokenizer counts");
    assert!(usage.input_tokens > 5 && usage.output_tokens >= 1 && usage.output_tokens <= 48);
    let record = l.records.recv().await.unwrap();
    assert_eq!(record.status, CallStatus::Ok);
    assert_eq!(record.deployment.as_deref(), Some("local/smollm2-135m"));
    assert_eq!(record.provider, Some(ProviderKind::Local));
    assert_eq!(record.output_tokens, usage.output_tokens);
    assert!(!record.tokens_estimated);
    assert!(record.latency_first_token.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_tokens_and_stop_sequences_are_honoured() {
    let _serial = serial().await;
    let l = local(|_| {});
    let mut req = user("Write a long story about a lighthouse keeper.");
    req.temperature = Some(0.0);
    req.max_tokens = Some(24);
    let full =
        l.gw.chat(req.clone(), CallContext::default())
            .await
            .unwrap();
    assert_eq!(full.finish_reason, FinishReason::Length);
    assert_eq!(full.usage.output_tokens, 24);
    let text = full.message.text().into_owned();
    // A word from the middle of the (deterministic, greedy) answer becomes a stop sequence.
    let words: Vec<&str> = text.split_whitespace().collect();
    assert!(words.len() > 6, "{text:?}");
    let stop = words[words.len() / 2].to_owned();
    let before = &text[..text.find(&stop).unwrap()];
    req.stop = vec![stop.clone()];
    let (streamed, finish) = collect(
        l.gw.chat_stream(req.clone(), CallContext::default())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(finish, FinishReason::Stop, "{streamed:?}");
    assert!(!streamed.contains(&stop), "{streamed:?} holds {stop:?}");
    assert_eq!(streamed, before);
    let resp = l.gw.chat(req, CallContext::default()).await.unwrap();
    assert_eq!(resp.message.text(), before);
    assert!(resp.usage.output_tokens < 24);
}

fn schema_format(schema: Value) -> ResponseFormat {
    ResponseFormat::JsonSchema {
        json_schema: JsonSchemaFormat {
            name: "answer".into(),
            description: None,
            schema,
            strict: Some(true),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_schema_output_is_valid_for_twenty_seeds() {
    let _serial = serial().await;
    let l = local(|_| {});
    let schema = json!({
        "type": "object",
        "properties": {
            "city": {"type": "string", "maxLength": 40},
            "population": {"type": "integer", "minimum": 0},
            "coastal": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 20}, "maxItems": 3},
            "kind": {"enum": ["capital", "town", "village"]}
        },
        "required": ["city", "population", "coastal", "tags", "kind"],
        "additionalProperties": false
    });
    let validator = jsonschema::validator_for(&schema).unwrap();
    for seed in 0..20 {
        let mut req = user("Describe a city as JSON.");
        req.response_format = Some(schema_format(schema.clone()));
        req.seed = Some(seed);
        req.temperature = Some(0.8);
        req.max_tokens = Some(200);
        let resp = l.gw.chat(req, CallContext::default()).await.unwrap();
        let text = resp.message.text();
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("seed {seed}: not JSON ({e}): {text:?}"));
        assert!(validator.is_valid(&value), "seed {seed}: {value}");
    }
}

/// The shape of the extension builder's `submit_extension` tool.
fn submit_extension() -> Tool {
    Tool::function(
        "submit_extension",
        "Submit the finished browser extension.",
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "maxLength": 40},
                "description": {"type": "string", "maxLength": 120},
                "files": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 3,
                    "items": {
                        "type": "object",
                        "properties": {
                            "path": {"type": "string", "maxLength": 30},
                            "content": {"type": "string", "maxLength": 300}
                        },
                        "required": ["path", "content"],
                        "additionalProperties": false
                    }
                }
            },
            "required": ["name", "description", "files"],
            "additionalProperties": false
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forced_tool_call_parses_and_matches_the_tools_schema() {
    let _serial = serial().await;
    let l = local(|_| {});
    let tool = submit_extension();
    let validator = jsonschema::validator_for(tool.function.parameters.as_ref().unwrap()).unwrap();
    for seed in 0..2 {
        let mut req = ChatRequest::new(
            "smart",
            vec![
                Message::system("You build Chrome extensions."),
                Message::user("Make an extension that turns every page's background yellow."),
            ],
        );
        req.tools = vec![
            tool.clone(),
            Tool::function("ask", "Ask the user", json!({"type": "object"})),
        ];
        req.tool_choice = Some(ToolChoice::Function("submit_extension".into()));
        req.seed = Some(seed);
        req.max_tokens = Some(700);
        req.invalid_tool_calls = InvalidToolCalls::Return;
        let resp =
            l.gw.chat(req.clone(), CallContext::default())
                .await
                .unwrap();
        assert_eq!(resp.finish_reason, FinishReason::ToolCalls, "{resp:?}");
        let [call] = resp.message.tool_calls.as_slice() else {
            panic!("one call: {resp:?}")
        };
        assert_eq!(call.function.name, "submit_extension");
        let args: Value = serde_json::from_str(&call.function.arguments).unwrap();
        assert!(validator.is_valid(&args), "seed {seed}: {args}");
        // Streamed: the same structure, arguments in pieces.
        let (_, finish, calls) = super::harness::collect_calls(
            l.gw.chat_stream(req, CallContext::default()).await.unwrap(),
        )
        .await;
        assert_eq!(finish, FinishReason::ToolCalls);
        assert_eq!(calls.len(), 1);
        assert!(validator.is_valid(&serde_json::from_str::<Value>(&calls[0].1).unwrap()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_tool_choice_answers_text_or_a_valid_call() {
    let _serial = serial().await;
    let l = local(|_| {});
    let weather = Tool::function(
        "get_weather",
        "The weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string", "maxLength": 30}}, "required": ["city"]}),
    );
    let mut calls = 0;
    for seed in 0..6 {
        let mut req = user(if seed % 2 == 0 {
            "What is the weather in Paris?"
        } else {
            "Tell me a joke."
        });
        req.tools = vec![weather.clone()];
        req.seed = Some(seed);
        req.max_tokens = Some(80);
        let resp = l.gw.chat(req, CallContext::default()).await.unwrap();
        if resp.message.tool_calls.is_empty() {
            assert!(!resp.message.text().trim().is_empty(), "{resp:?}");
            assert!(!resp.message.text().trim_start().starts_with('<'));
        } else {
            calls += 1;
            assert_eq!(resp.finish_reason, FinishReason::ToolCalls);
            let args: Value =
                serde_json::from_str(&resp.message.tool_calls[0].function.arguments).unwrap();
            assert!(args["city"].is_string(), "{args}");
        }
    }
    eprintln!("auto tool choice: {calls} calls in 6 answers");
}
