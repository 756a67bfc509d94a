//! The canonical types read OpenAI request bodies as the official SDKs send them.

use super::*;
use serde_json::json;

#[test]
fn reads_an_openai_sdk_request_with_tools_and_json_schema() {
    let body = json!({
        "model": "smart",
        "messages": [
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
            {"role": "assistant", "content": null, "refusal": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp\":21}"},
            {"role": "user", "content": "Thanks", "tool_calls": null}
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}, "strict": true}},
        "max_completion_tokens": 50,
        "stop": "END",
        "temperature": 0.2,
        "stream": true,
        "stream_options": {"include_usage": true},
        "logprobs": false
    });
    let req: ChatRequest = serde_json::from_value(body).unwrap();
    assert_eq!(req.messages[0].role, Role::System);
    assert_eq!(req.messages[1].text(), "Weather in Paris?");
    assert_eq!(req.messages[2].tool_calls[0].function.name, "get_weather");
    assert_eq!(req.messages[3].tool_call_id.as_deref(), Some("call_1"));
    assert_eq!(
        req.tool_choice,
        Some(ToolChoice::Function("get_weather".into()))
    );
    assert!(matches!(
        req.response_format,
        Some(ResponseFormat::JsonSchema { .. })
    ));
    assert_eq!(req.max_tokens, Some(50));
    assert_eq!(req.stop, vec!["END".to_owned()]);
    assert!(req.stream && req.stream_options.as_ref().unwrap().include_usage);
    req.check().unwrap();

    // Serializes back to OpenAI's shape.
    let back = serde_json::to_value(&req).unwrap();
    assert_eq!(
        back["tool_choice"],
        json!({"type": "function", "function": {"name": "get_weather"}})
    );
    assert_eq!(back["messages"][0]["role"], "system");
    assert_eq!(back["stop"], json!(["END"]));
    assert_eq!(back["max_tokens"], 50);
}

#[test]
fn check_rejects_what_no_provider_accepts() {
    let mut req = ChatRequest::new("m", vec![]);
    assert!(req.check().unwrap_err().contains("messages"));
    req.messages.push(Message {
        tool_call_id: None,
        ..Message::tool_result("x", "y")
    });
    assert!(req.check().unwrap_err().contains("tool_call_id"));
    req.messages = vec![Message::user("hi")];
    req.tool_choice = Some(ToolChoice::Function("nope".into()));
    assert!(req.check().unwrap_err().contains("nope"));
    req.tool_choice = Some(ToolChoice::Auto);
    req.n = Some(2);
    assert!(req.check().is_err());
}

#[test]
fn tool_choice_words_and_unknown_words() {
    for (wire, want) in [
        ("\"auto\"", ToolChoice::Auto),
        ("\"none\"", ToolChoice::None),
        ("\"required\"", ToolChoice::Required),
    ] {
        assert_eq!(serde_json::from_str::<ToolChoice>(wire).unwrap(), want);
        assert_eq!(serde_json::to_string(&want).unwrap(), wire);
    }
    assert!(serde_json::from_str::<ToolChoice>("\"sometimes\"").is_err());
}

#[test]
fn embed_input_is_a_string_or_an_array() {
    let one: EmbedRequest = serde_json::from_value(json!({"model": "e", "input": "a"})).unwrap();
    let many: EmbedRequest =
        serde_json::from_value(json!({"model": "e", "input": ["a", "b"]})).unwrap();
    assert_eq!(one.input, vec!["a"]);
    assert_eq!(many.input.len(), 2);
}

#[test]
fn stream_events_serialize_with_a_type_tag() {
    let e = StreamEvent::TextDelta { text: "hi".into() };
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"type": "text_delta", "text": "hi"})
    );
}

#[test]
fn invalid_tool_calls_is_never_read_from_or_written_to_the_wire() {
    let body = json!({
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "invalid_tool_calls": "Return"
    });
    let mut req: ChatRequest = serde_json::from_value(body).unwrap();
    assert_eq!(req.invalid_tool_calls, InvalidToolCalls::Repair);
    req.invalid_tool_calls = InvalidToolCalls::Return;
    let wire = serde_json::to_value(&req).unwrap();
    assert!(wire.get("invalid_tool_calls").is_none(), "{wire}");
}
