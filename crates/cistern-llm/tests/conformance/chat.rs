//! Normal answers: plain, streamed, tool calls, structured output, embeddings, usage.

use crate::harness::*;
use cistern_llm::*;
use cistern_llm_fake::Reply;
use serde_json::json;

#[tokio::test]
async fn plain_chat_is_translated_both_ways_and_recorded() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |_, _| {}).await;
        s.fake.enqueue(Reply::text("Hello there").usage(12, 3));
        let resp = s.chat(ask("Hi")).await.unwrap();
        assert_eq!(resp.message.text(), "Hello there", "{kind:?}");
        assert_eq!(resp.message.role, Role::Assistant);
        assert_eq!(resp.finish_reason, FinishReason::Stop);
        assert_eq!(
            (resp.usage.input_tokens, resp.usage.output_tokens),
            (12, 3),
            "{kind:?}"
        );
        let sent = s.fake.requests().remove(0);
        match kind {
            ProviderKind::Local => unreachable!("not an HTTP provider"),
            ProviderKind::OpenAi => {
                assert_eq!(sent.body["model"], "up-model");
                assert_eq!(
                    sent.body["messages"][0],
                    json!({"role":"system","content":"Be brief."})
                );
            }
            ProviderKind::Anthropic => {
                assert_eq!(sent.body["model"], "up-model");
                assert_eq!(sent.body["system"], "Be brief.");
            }
            ProviderKind::Gemini => {
                assert!(
                    sent.path.contains("/models/up-model:generateContent"),
                    "{}",
                    sent.path
                );
                assert_eq!(
                    sent.body["systemInstruction"]["parts"][0]["text"],
                    "Be brief."
                );
            }
        }
        let r = s.record();
        assert_eq!(r.status, CallStatus::Ok);
        assert_eq!(
            (r.model.as_str(), r.deployment.as_deref(), r.provider),
            ("m", Some("m/0"), Some(kind))
        );
        assert_eq!(r.upstream_model.as_deref(), Some("up-model"));
        assert_eq!(
            (r.input_tokens, r.output_tokens, r.attempts, r.fallbacks),
            (12, 3, 1, 0)
        );
        assert!(
            (r.cost_usd - (12.0 * 1.0 + 3.0 * 2.0) / 1e6).abs() < 1e-12,
            "{}",
            r.cost_usd
        );
        // The caller gets the very number the accounting recorded.
        assert_eq!(resp.usage.cost_usd, r.cost_usd, "{kind:?}");
        assert!(!r.cache_hit && !r.tokens_estimated);
        s.no_more_records();
    }
}

#[tokio::test]
async fn streaming_delivers_every_chunk_then_finish_and_usage() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |_, _| {}).await;
        s.fake
            .enqueue(Reply::text("one two three four five").chunks(5).usage(7, 5));
        let (events, err) = s.stream(ask("count")).await.unwrap();
        assert!(err.is_none(), "{kind:?}: {err:?}");
        assert_eq!(
            streamed_text(&events),
            "one two three four five",
            "{kind:?}"
        );
        assert!(
            events
                .iter()
                .filter(|e| matches!(e, StreamEvent::TextDelta { .. }))
                .count()
                >= 3,
            "{kind:?} {events:?}"
        );
        let (reason, usage) = ends_properly(&events);
        assert_eq!(
            (reason, usage.input_tokens, usage.output_tokens),
            (FinishReason::Stop, 7, 5),
            "{kind:?}"
        );
        let r = s.record();
        assert_eq!(
            (r.kind, r.status, r.output_tokens),
            (CallKind::ChatStream, CallStatus::Ok, 5)
        );
        // The usage event carries the recorded cost: (7 × $1 + 5 × $2) per million tokens.
        assert_eq!(usage.cost_usd, r.cost_usd, "{kind:?}");
        assert!((usage.cost_usd - 17.0 / 1e6).abs() < 1e-12, "{usage:?}");
        assert!(r.latency_first_token.is_some_and(|t| t <= r.latency_total));
    }
}

fn forced_tool_request() -> ChatRequest {
    let mut req = ask("Weather in Paris?");
    req.tools = vec![weather_tool()];
    req.tool_choice = Some(ToolChoice::Function("get_weather".into()));
    req
}

fn assert_forced_choice_sent(kind: ProviderKind, body: &serde_json::Value) {
    match kind {
        ProviderKind::Local => unreachable!("not an HTTP provider"),
        ProviderKind::OpenAi => assert_eq!(
            body["tool_choice"],
            json!({"type":"function","function":{"name":"get_weather"}})
        ),
        ProviderKind::Anthropic => assert_eq!(
            body["tool_choice"],
            json!({"type":"tool","name":"get_weather"})
        ),
        ProviderKind::Gemini => assert_eq!(
            body["toolConfig"]["functionCallingConfig"],
            json!({"mode":"ANY","allowedFunctionNames":["get_weather"]})
        ),
    }
}

#[tokio::test]
async fn forced_tool_call_plain_and_streamed() {
    for kind in PROVIDERS {
        let s = setup(kind, |_, _| {}).await;
        s.fake
            .enqueue(Reply::tool_call("get_weather", r#"{"city":"Paris"}"#));
        let resp = s.chat(forced_tool_request()).await.unwrap();
        assert_eq!(resp.finish_reason, FinishReason::ToolCalls, "{kind:?}");
        let call = &resp.message.tool_calls[0];
        assert_eq!(call.function.name, "get_weather");
        assert!(!call.id.is_empty());
        let args: serde_json::Value = serde_json::from_str(&call.function.arguments).unwrap();
        assert_eq!(args, json!({"city":"Paris"}), "{kind:?}");
        assert_forced_choice_sent(kind, &s.bodies()[0]);

        s.fake
            .enqueue(Reply::tool_call("get_weather", r#"{"city":"Oslo"}"#));
        let (events, err) = s.stream(forced_tool_request()).await.unwrap();
        assert!(err.is_none(), "{kind:?}: {err:?}");
        let calls = streamed_calls(&events);
        assert_eq!(calls.len(), 1, "{kind:?} {events:?}");
        assert_eq!(calls[0].0, "get_weather");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&calls[0].1).unwrap(),
            json!({"city":"Oslo"})
        );
        assert_eq!(
            ends_properly(&events).0,
            FinishReason::ToolCalls,
            "{kind:?}"
        );
        assert_forced_choice_sent(kind, &s.bodies()[1]);
    }
}

#[tokio::test]
async fn tool_results_go_back_in_each_protocol() {
    for kind in PROVIDERS {
        let s = setup(kind, |_, _| {}).await;
        s.fake
            .enqueue(Reply::tool_call("get_weather", r#"{"city":"Paris"}"#));
        let mut req = forced_tool_request();
        let first = s.chat(req.clone()).await.unwrap();
        let call_id = first.message.tool_calls[0].id.clone();
        req.messages.push(first.message);
        req.messages
            .push(Message::tool_result(&call_id, r#"{"temp_c":21}"#));
        req.tool_choice = Some(ToolChoice::Auto);
        s.fake.enqueue(Reply::text("It is 21 °C."));
        let second = s.chat(req).await.unwrap();
        assert_eq!(second.message.text(), "It is 21 °C.");
        let body = &s.bodies()[1];
        let sent = body.to_string();
        match kind {
            ProviderKind::Local => unreachable!("not an HTTP provider"),
            ProviderKind::OpenAi => assert_eq!(body["messages"][3]["tool_call_id"], json!(call_id)),
            ProviderKind::Anthropic => assert!(
                sent.contains(r#""type":"tool_result""#) && sent.contains(&call_id),
                "{sent}"
            ),
            ProviderKind::Gemini => assert!(
                sent.contains(r#""functionResponse":{"name":"get_weather""#),
                "{sent}"
            ),
        }
    }
}

#[tokio::test]
async fn json_schema_output() {
    for kind in PROVIDERS {
        let s = setup(kind, |_, _| {}).await;
        let mut req = ask("A city, as JSON");
        req.response_format = Some(ResponseFormat::JsonSchema {
            json_schema: JsonSchemaFormat {
                name: "city".into(),
                description: None,
                schema: json!({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}),
                strict: Some(true),
            },
        });
        let answer = r#"{"name":"Paris"}"#;
        // Anthropic carries structured output as the input of a forced tool.
        let reply = match kind {
            ProviderKind::Local => unreachable!("not an HTTP provider"),
            ProviderKind::Anthropic => Reply::tool_call("json_response", answer),
            _ => Reply::text(answer),
        };
        s.fake.enqueue(reply.clone());
        let resp = s.chat(req.clone()).await.unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&resp.message.text()).unwrap(),
            json!({"name":"Paris"}),
            "{kind:?}"
        );
        assert_eq!(resp.finish_reason, FinishReason::Stop, "{kind:?}");
        let body = &s.bodies()[0];
        match kind {
            ProviderKind::Local => unreachable!("not an HTTP provider"),
            ProviderKind::OpenAi => {
                assert_eq!(body["response_format"]["json_schema"]["name"], "city")
            }
            ProviderKind::Anthropic => assert_eq!(
                body["tool_choice"],
                json!({"type":"tool","name":"json_response"})
            ),
            ProviderKind::Gemini => {
                assert_eq!(
                    body["generationConfig"]["responseMimeType"],
                    "application/json"
                );
                assert_eq!(
                    body["generationConfig"]["responseJsonSchema"]["required"],
                    json!(["name"])
                );
            }
        }
        s.fake.enqueue(reply);
        let (events, err) = s.stream(req).await.unwrap();
        assert!(err.is_none(), "{kind:?} {err:?}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&streamed_text(&events)).unwrap(),
            json!({"name":"Paris"}),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn embeddings_where_the_provider_has_them() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |_, _| {}).await;
        let req = EmbedRequest {
            model: "m".into(),
            input: vec!["alpha".into(), "beta gamma".into()],
            ..EmbedRequest::default()
        };
        let result = s.gw.embed(req, CallContext::default()).await;
        if kind == ProviderKind::Anthropic {
            let e = result.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::BadRequest);
            assert!(e.to_string().contains("no embeddings"), "{e}");
            assert_eq!(s.fake.requests().len(), 0);
            assert_eq!(s.record().status, CallStatus::Error(ErrorKind::BadRequest));
            continue;
        }
        let resp = result.unwrap();
        assert_eq!(resp.embeddings.len(), 2, "{kind:?}");
        assert!(!resp.embeddings[0].is_empty());
        assert_ne!(resp.embeddings[0], resp.embeddings[1]);
        assert!(resp.usage.input_tokens > 0, "{kind:?}");
        let r = s.record();
        assert_eq!((r.kind, r.status), (CallKind::Embed, CallStatus::Ok));
    }
}

#[tokio::test]
async fn missing_usage_is_estimated_with_the_tokenizer() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |_, _| {}).await;
        s.fake
            .enqueue(Reply::text("Paris is the capital of France.").without_usage());
        let resp = s.chat(ask("What is the capital of France?")).await.unwrap();
        assert!(resp.usage.estimated, "{kind:?}");
        // o200k_base: 7 tokens of output; the prompt has two messages.
        assert_eq!(resp.usage.output_tokens, 7, "{kind:?}");
        assert!(resp.usage.input_tokens > 10, "{kind:?}: {:?}", resp.usage);
        let r = s.record();
        assert!(r.tokens_estimated && r.output_tokens == 7);

        s.fake
            .enqueue(Reply::text("Paris is the capital of France.").without_usage());
        let (events, err) = s
            .stream(ask("What is the capital of France?"))
            .await
            .unwrap();
        assert!(err.is_none(), "{kind:?} {err:?}");
        let (_, usage) = ends_properly(&events);
        assert!(
            usage.estimated && usage.output_tokens == 7,
            "{kind:?} {usage:?}"
        );
    }
}
