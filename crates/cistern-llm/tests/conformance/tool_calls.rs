//! Tool calls that fail their check, handed back as they are when the request asks for it
//! ([`InvalidToolCalls::Return`]) — no repair round, no error, never cached. The default (one
//! repair round, then `invalid_output`) is in `faults.rs`.

use crate::harness::*;
use cistern_llm::*;
use cistern_llm_fake::Reply;

fn returning() -> ChatRequest {
    let mut req = ask("Weather in Paris?");
    req.tools = vec![weather_tool()];
    req.invalid_tool_calls = InvalidToolCalls::Return;
    req
}

#[tokio::test]
async fn invalid_tool_calls_come_back_when_the_request_asks_for_them() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |c, _| c.cache.enabled = true).await;
        for _ in 0..2 {
            s.fake
                .enqueue(Reply::tool_call("get_weather", r#"{"town":"Paris"}"#));
        }
        let first = s.chat(returning()).await.expect("no invalid_output");
        let call = &first.message.tool_calls[0].function;
        assert_eq!(
            (call.name.as_str(), call.arguments.replace(' ', "").as_str()),
            ("get_weather", r#"{"town":"Paris"}"#),
            "{kind:?}"
        );
        let r = s.record();
        assert_eq!(
            (r.repairs, r.attempts, r.status),
            (0, 1, CallStatus::Ok),
            "{kind:?}"
        );
        // Not cached: the same request goes upstream again.
        s.chat(returning()).await.expect("no invalid_output");
        assert!(!s.record().cache_hit, "{kind:?}");
        assert_eq!(
            s.bodies().len(),
            2,
            "{kind:?}: no repair round, no cache hit"
        );

        // A stream hands the call back too, and ends normally.
        s.fake
            .enqueue(Reply::tool_call("get_weather", r#"{"city":42}"#));
        let (events, error) = s.stream(returning()).await.expect("stream opens");
        assert!(error.is_none(), "{kind:?}: {error:?}");
        assert_eq!(streamed_calls(&events)[0].0, "get_weather", "{kind:?}");
        let (reason, _) = ends_properly(&events);
        assert_eq!(reason, FinishReason::ToolCalls, "{kind:?}");
        assert_eq!(s.record().status, CallStatus::Ok, "{kind:?}");
        s.no_more_records();
    }
}

#[tokio::test]
async fn by_default_an_invalid_streamed_tool_call_is_an_error_item() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |_, _| {}).await;
        let mut req = returning();
        req.invalid_tool_calls = InvalidToolCalls::default();
        s.fake
            .enqueue(Reply::tool_call("get_weather", r#"{"town":"Paris"}"#));
        let (_, error) = s.stream(req).await.expect("stream opens");
        let e = error.expect("an error item");
        assert_eq!(e.kind(), ErrorKind::InvalidOutput, "{kind:?} {e}");
        assert_eq!(
            s.record().status,
            CallStatus::Error(ErrorKind::InvalidOutput)
        );
    }
}
