//! Adapters against recorded, realistic wire JSON of each provider.

use serde_json::{Value, json};

use super::*;
use crate::sse::SseDecoder;
use crate::types::*;

fn wire(
    kind: ProviderKind,
    base: &str,
    req: &ChatRequest,
    stream: bool,
) -> (String, Value, reqwest::header::HeaderMap) {
    let client = reqwest::Client::new();
    let auth = kind.auth_header("sk-test").unwrap();
    let target = Target {
        client: &client,
        base_url: base,
        model: "up-model",
        auth: Some(&auth),
    };
    let request = kind
        .chat_request(&target, req, stream)
        .unwrap()
        .build()
        .unwrap();
    let body = serde_json::from_slice(request.body().unwrap().as_bytes().unwrap()).unwrap();
    (request.url().to_string(), body, request.headers().clone())
}

/// Feeds an SSE transcript through the decoder and the provider's parser.
fn stream_events(
    kind: ProviderKind,
    req: &ChatRequest,
    transcript: &str,
) -> (Vec<StreamEvent>, bool) {
    let mut parser = kind.stream_parser(req).unwrap();
    let mut dec = SseDecoder::default();
    let mut out = Vec::new();
    dec.feed(transcript.as_bytes(), &mut |e, d| {
        parser.on_event(e, d, &mut out)
    })
    .unwrap();
    (out, parser.finished())
}

fn weather_request() -> ChatRequest {
    let mut req = ChatRequest::new(
        "smart",
        vec![
            Message::system("Be brief."),
            Message::user("Weather in Paris?"),
            Message {
                content: None,
                tool_calls: vec![ToolCall {
                    id: "call_1".into(),
                    kind: FunctionType::Function,
                    function: FunctionCall {
                        name: "get_weather".into(),
                        arguments: r#"{"city":"Paris"}"#.into(),
                    },
                }],
                ..Message::assistant("")
            },
            Message::tool_result("call_1", r#"{"temp":21}"#),
        ],
    );
    req.tools = vec![Tool::function(
        "get_weather",
        "Current weather",
        json!({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}),
    )];
    req.tool_choice = Some(ToolChoice::Function("get_weather".into()));
    req.max_tokens = Some(100);
    req.temperature = Some(0.0);
    req
}

#[test]
fn openai_request_is_the_canonical_request_with_the_upstream_model() {
    let req = weather_request();
    let (url, body, headers) = wire(
        ProviderKind::OpenAi,
        "https://api.openai.com/v1",
        &req,
        true,
    );
    assert_eq!(url, "https://api.openai.com/v1/chat/completions");
    assert_eq!(headers["authorization"], "Bearer sk-test");
    assert!(headers["authorization"].is_sensitive());
    assert_eq!(body["model"], "up-model");
    assert_eq!(body["max_completion_tokens"], 100);
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(
        body["tool_choice"],
        json!({"type":"function","function":{"name":"get_weather"}})
    );
    assert_eq!(
        body["messages"][2]["tool_calls"][0]["function"]["arguments"],
        r#"{"city":"Paris"}"#
    );
    // Compatible servers get `max_tokens`.
    let (_, body, _) = wire(
        ProviderKind::OpenAi,
        "http://127.0.0.1:11434/v1",
        &req,
        false,
    );
    assert_eq!(body["max_tokens"], 100);
    assert!(body.get("stream").is_none());
}

#[test]
fn openai_response_with_tool_calls_and_usage() {
    let body = json!({
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "object": "chat.completion", "created": 1741570283,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_abc", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
        ], "refusal": null}, "logprobs": null, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99,
                  "prompt_tokens_details": {"cached_tokens": 0}},
        "system_fingerprint": "fp_6b68a8204b"
    });
    let r = ProviderKind::OpenAi
        .parse_chat(body.to_string().as_bytes(), &weather_request())
        .unwrap();
    assert_eq!(r.finish_reason, FinishReason::ToolCalls);
    assert_eq!(r.message.tool_calls[0].function.name, "get_weather");
    assert!(r.message.content.is_none());
    assert_eq!(r.usage, Usage::new(82, 17));
    assert!(
        ProviderKind::OpenAi
            .parse_chat(b"{\"choices\": 3}", &weather_request())
            .is_err()
    );
}

#[test]
fn openai_stream_with_split_tool_arguments() {
    let t = r#"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99}}

data: [DONE]

"#;
    let (events, finished) = stream_events(ProviderKind::OpenAi, &weather_request(), t);
    assert!(finished);
    let args: String = events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ToolCallDelta(d) => Some(d.arguments.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(args, r#"{"city":"Paris"}"#);
    assert!(events.contains(&StreamEvent::Finish {
        reason: FinishReason::ToolCalls
    }));
    assert_eq!(events.last(), Some(&StreamEvent::Usage(Usage::new(82, 17))));
    // Cut after two chunks: not finished.
    let cut: String = t.split("\n\n").take(2).collect::<Vec<_>>().join("\n\n") + "\n\n";
    assert!(!stream_events(ProviderKind::OpenAi, &weather_request(), &cut).1);
}

#[test]
fn anthropic_request_moves_system_merges_tool_results_and_forces_the_tool() {
    let mut req = weather_request();
    req.messages.push(Message::tool_result("call_2", "sunny"));
    let (url, body, headers) = wire(
        ProviderKind::Anthropic,
        "https://api.anthropic.com",
        &req,
        false,
    );
    assert_eq!(url, "https://api.anthropic.com/v1/messages");
    assert_eq!(headers["x-api-key"], "sk-test");
    assert_eq!(headers["anthropic-version"], "2023-06-01");
    assert_eq!(body["system"], "Be brief.");
    assert_eq!(body["max_tokens"], 100);
    let msgs = body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert_eq!(
        msgs[1]["content"][0],
        json!({"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}})
    );
    assert_eq!(msgs[2]["role"], "user");
    assert_eq!(
        msgs[2]["content"][1],
        json!({"type":"tool_result","tool_use_id":"call_2","content":"sunny"})
    );
    assert_eq!(
        body["tool_choice"],
        json!({"type":"tool","name":"get_weather"})
    );
    assert_eq!(
        body["tools"][0]["input_schema"]["required"],
        json!(["city"])
    );
}

#[test]
fn anthropic_json_schema_rides_a_forced_tool_and_comes_back_as_text() {
    let mut req = ChatRequest::new("m", vec![Message::user("Give me a city")]);
    req.response_format = Some(ResponseFormat::JsonSchema {
        json_schema: JsonSchemaFormat {
            name: "city".into(),
            description: None,
            schema: json!({"type":"object","properties":{"name":{"type":"string"}}}),
            strict: Some(true),
        },
    });
    let (_, body, _) = wire(
        ProviderKind::Anthropic,
        "https://api.anthropic.com",
        &req,
        false,
    );
    assert_eq!(
        body["tool_choice"],
        json!({"type":"tool","name":"json_response"})
    );
    assert_eq!(
        body["tools"][0]["input_schema"]["properties"]["name"]["type"],
        "string"
    );
    let resp = json!({"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",
        "content":[{"type":"tool_use","id":"toolu_01","name":"json_response","input":{"name":"Paris"}}],
        "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":400,"output_tokens":20,"cache_read_input_tokens":100}});
    let r = ProviderKind::Anthropic
        .parse_chat(resp.to_string().as_bytes(), &req)
        .unwrap();
    assert_eq!(r.message.text(), r#"{"name":"Paris"}"#);
    assert_eq!(r.finish_reason, FinishReason::Stop);
    assert!(r.message.tool_calls.is_empty());
    assert_eq!(r.usage, Usage::new(500, 20));
}

#[test]
fn anthropic_stream_text_then_tool_use() {
    let t = r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ris\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

"#;
    let (events, finished) = stream_events(ProviderKind::Anthropic, &weather_request(), t);
    assert!(finished);
    assert_eq!(
        events[0],
        StreamEvent::TextDelta {
            text: "Checking".into()
        }
    );
    assert_eq!(
        events[1],
        StreamEvent::ToolCallDelta(ToolCallDelta {
            index: 0,
            id: Some("toolu_01".into()),
            name: Some("get_weather".into()),
            arguments: String::new()
        })
    );
    assert!(events.contains(&StreamEvent::Finish {
        reason: FinishReason::ToolCalls
    }));
    assert_eq!(
        events.last(),
        Some(&StreamEvent::Usage(Usage::new(472, 89)))
    );
    let err = r#"event: error
data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

"#;
    let mut parser = ProviderKind::Anthropic
        .stream_parser(&weather_request())
        .unwrap();
    let mut dec = SseDecoder::default();
    let e = dec
        .feed(err.as_bytes(), &mut |e, d| {
            parser.on_event(e, d, &mut Vec::new())
        })
        .unwrap_err();
    assert!(e.to_string().contains("Overloaded"));
}

#[test]
fn gemini_request_uses_function_declarations_and_names_tool_results() {
    let mut req = weather_request();
    req.response_format = Some(ResponseFormat::JsonObject);
    let (url, body, headers) = wire(
        ProviderKind::Gemini,
        "https://generativelanguage.googleapis.com/v1beta",
        &req,
        true,
    );
    assert_eq!(
        url,
        "https://generativelanguage.googleapis.com/v1beta/models/up-model:streamGenerateContent?alt=sse"
    );
    assert_eq!(headers["x-goog-api-key"], "sk-test");
    assert_eq!(body["systemInstruction"]["parts"][0]["text"], "Be brief.");
    let contents = body["contents"].as_array().unwrap();
    assert_eq!(contents[1]["role"], "model");
    assert_eq!(
        contents[1]["parts"][0]["functionCall"],
        json!({"name":"get_weather","args":{"city":"Paris"}})
    );
    assert_eq!(
        contents[2]["parts"][0],
        json!({"functionResponse":{"name":"get_weather","response":{"temp":21}}})
    );
    assert_eq!(
        body["tools"][0]["functionDeclarations"][0]["name"],
        "get_weather"
    );
    assert_eq!(
        body["toolConfig"]["functionCallingConfig"],
        json!({"mode":"ANY","allowedFunctionNames":["get_weather"]})
    );
    assert_eq!(body["generationConfig"]["maxOutputTokens"], 100);
    assert_eq!(
        body["generationConfig"]["responseMimeType"],
        "application/json"
    );
}

#[test]
fn gemini_response_and_stream() {
    let resp = json!({"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}],"role":"model"},
        "finishReason":"STOP","index":0}],
        "usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":8,"totalTokenCount":38,"thoughtsTokenCount":4},
        "modelVersion":"gemini-2.5-flash","responseId":"abc123"});
    let r = ProviderKind::Gemini
        .parse_chat(resp.to_string().as_bytes(), &weather_request())
        .unwrap();
    assert_eq!(r.finish_reason, FinishReason::ToolCalls);
    assert_eq!(
        r.message.tool_calls[0].function.arguments,
        r#"{"city":"Paris"}"#
    );
    assert!(r.message.tool_calls[0].id.starts_with("call_"));
    assert_eq!(r.usage, Usage::new(30, 12));
    let t = r#"data: {"candidates": [{"content": {"parts": [{"text": "Hello"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 5,"totalTokenCount": 5},"modelVersion": "gemini-2.5-flash"}

data: {"candidates": [{"content": {"parts": [{"text": " world"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 5,"candidatesTokenCount": 2,"totalTokenCount": 7},"modelVersion": "gemini-2.5-flash"}

"#;
    let (events, finished) = stream_events(ProviderKind::Gemini, &weather_request(), t);
    assert!(finished);
    assert_eq!(
        events,
        vec![
            StreamEvent::TextDelta {
                text: "Hello".into()
            },
            StreamEvent::TextDelta {
                text: " world".into()
            },
            StreamEvent::Finish {
                reason: FinishReason::Stop
            },
            StreamEvent::Usage(Usage::new(5, 2)),
        ]
    );
    let first_only = t.split("\n\n").next().unwrap().to_owned() + "\n\n";
    assert!(!stream_events(ProviderKind::Gemini, &weather_request(), &first_only).1);
}

#[test]
fn embeddings_on_openai_and_gemini_anthropic_refuses() {
    let req = EmbedRequest {
        model: "e".into(),
        input: vec!["a".into(), "b".into()],
        ..EmbedRequest::default()
    };
    let client = reqwest::Client::new();
    let target = Target {
        client: &client,
        base_url: "http://x/v1",
        model: "text-embedding-3-small",
        auth: None,
    };
    let r = ProviderKind::Gemini
        .embed_request(&target, &req)
        .unwrap()
        .build()
        .unwrap();
    assert!(
        r.url()
            .as_str()
            .ends_with("/models/text-embedding-3-small:batchEmbedContents")
    );
    let err = ProviderKind::Anthropic
        .embed_request(&target, &req)
        .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::BadRequest);
    let body = json!({"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5]},{"object":"embedding","index":0,"embedding":[0.25]}],
        "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}});
    let r = ProviderKind::OpenAi
        .parse_embed(body.to_string().as_bytes(), 2)
        .unwrap();
    assert_eq!(r.embeddings, vec![vec![0.25], vec![0.5]]);
    assert_eq!(r.usage.input_tokens, 2);
    assert!(
        ProviderKind::OpenAi
            .parse_embed(body.to_string().as_bytes(), 3)
            .is_err()
    );
    let g = json!({"embeddings":[{"values":[1.0,2.0]}]});
    assert_eq!(
        ProviderKind::Gemini
            .parse_embed(g.to_string().as_bytes(), 1)
            .unwrap()
            .embeddings[0],
        vec![1.0, 2.0]
    );
}

#[test]
fn error_messages_come_from_each_providers_envelope() {
    let openai = br#"{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#;
    assert_eq!(
        ProviderKind::OpenAi.error_message(openai),
        "Rate limit reached for gpt-4o"
    );
    let anthropic =
        br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    assert_eq!(
        ProviderKind::Anthropic.error_message(anthropic),
        "Overloaded"
    );
    let gemini = br#"{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}"#;
    assert_eq!(
        ProviderKind::Gemini.error_message(gemini),
        "Resource has been exhausted"
    );
    assert_eq!(
        ProviderKind::Gemini.error_message(b"<html>bad gateway</html>"),
        "<html>bad gateway</html>"
    );
}

#[test]
fn openai_output_renders_completion_and_chunks() {
    let resp = ChatResponse {
        id: "chatcmpl-1".into(),
        model: "gpt-4o".into(),
        message: Message::assistant("Hi"),
        finish_reason: FinishReason::Stop,
        usage: Usage::new(3, 1),
    };
    let v: Value = serde_json::from_slice(&openai::output::completion_body(&resp, 7)).unwrap();
    assert_eq!(
        v["choices"][0]["message"],
        json!({"role":"assistant","content":"Hi"})
    );
    assert_eq!(v["usage"]["total_tokens"], 4);
    let w = openai::output::ChunkWriter::new("chatcmpl-1", "smart", 7, false);
    let frame = w
        .event(&StreamEvent::TextDelta { text: "Hi".into() })
        .unwrap();
    let text = String::from_utf8(frame).unwrap();
    assert!(
        text.starts_with("data: {") && text.ends_with("}\n\n"),
        "{text}"
    );
    assert!(text.contains(r#""delta":{"content":"Hi"}"#), "{text}");
    assert!(w.event(&StreamEvent::Usage(Usage::new(1, 1))).is_none());
}
