//! Injected faults: rate limits, server errors, hangs, garbage, broken streams, breakers,
//! malformed tool calls.

use std::time::Duration;

use crate::harness::*;
use cistern_llm::*;
use cistern_llm_fake::{Fault, Reply};

#[tokio::test]
async fn rate_limited_then_success_honours_retry_after() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |_, _| {}).await;
        s.fake.enqueue(Fault::RateLimited {
            retry_after_secs: 1,
        });
        s.fake.enqueue(Reply::text("ok now"));
        let resp = s.chat(ask("hi")).await.unwrap();
        assert_eq!(resp.message.text(), "ok now", "{kind:?}");
        let r = s.record();
        assert_eq!(
            (r.attempts, r.fallbacks, r.status),
            (2, 0, CallStatus::Ok),
            "{kind:?}"
        );
        // Every attempt exhausted: the 429 and its Retry-After reach the caller.
        for _ in 0..3 {
            s.fake.enqueue(Fault::RateLimited {
                retry_after_secs: 7,
            });
        }
        let e = s.chat(ask("hi")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited, "{kind:?} {e}");
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(s.record().attempts, 3);
    }
}

#[tokio::test]
async fn server_error_falls_back_to_the_second_deployment() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |c, base| {
            let m = c.models.get_mut("m").unwrap();
            m.deployments[0].model = "up-primary".into();
            let mut backup = deployment(kind, base.to_owned(), "up-backup");
            backup.weight = 0; // fallback only
            m.deployments.push(backup);
        })
        .await;
        s.fake.enqueue(Fault::ServerError);
        s.fake.enqueue(Reply::text("from the backup"));
        let resp = s.chat(ask("hi")).await.unwrap();
        assert_eq!(resp.message.text(), "from the backup");
        let sent: Vec<String> = s
            .fake
            .requests()
            .iter()
            .map(|r| {
                if kind == ProviderKind::Gemini {
                    r.path.clone()
                } else {
                    r.body["model"].to_string()
                }
            })
            .collect();
        assert!(
            sent[0].contains("up-primary") && sent[1].contains("up-backup"),
            "{kind:?} {sent:?}"
        );
        let r = s.record();
        assert_eq!(
            (r.deployment.as_deref(), r.attempts, r.fallbacks),
            (Some("m/1"), 2, 1),
            "{kind:?}"
        );
        let health = s.gw.health();
        assert_eq!(health.deployments[0].failures, 1);
        assert!(
            health.deployments[0]
                .last_error
                .as_deref()
                .unwrap_or("")
                .contains("500"),
            "{:?}",
            health.deployments[0]
        );
    }
}

#[tokio::test]
async fn a_hanging_provider_hits_the_per_attempt_timeout() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |c, _| {
            c.models.get_mut("m").unwrap().deployments[0].timeout_ms = Some(150);
        })
        .await;
        s.fake.enqueue(Fault::Hang);
        s.fake.enqueue(Reply::text("awake"));
        assert_eq!(
            s.chat(ask("hi")).await.unwrap().message.text(),
            "awake",
            "{kind:?}"
        );
        assert_eq!(s.record().attempts, 2);
        for _ in 0..3 {
            s.fake.enqueue(Fault::Hang);
        }
        let e = s.chat(ask("hi")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{kind:?} {e}");
        assert_eq!(s.record().status, CallStatus::Error(ErrorKind::Timeout));
    }
}

#[tokio::test]
async fn a_malformed_body_is_an_error_not_retried() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |_, _| {}).await;
        s.fake.enqueue(Fault::MalformedBody);
        let e = s.chat(ask("hi")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unavailable, "{kind:?} {e}");
        assert!(e.to_string().contains("malformed"), "{e}");
        assert_eq!(
            s.record().attempts,
            1,
            "a billed answer is not asked for twice"
        );
        // Streamed, the garbage comes before any content: still retryable, and retried.
        s.fake.enqueue(Fault::MalformedBody);
        let (events, err) = s.stream(ask("hi")).await.unwrap();
        assert!(err.is_none(), "{kind:?} {err:?}");
        assert_eq!(streamed_text(&events), "echo: hi", "{kind:?}");
        assert_eq!(s.record().attempts, 2);
    }
}

#[tokio::test]
async fn a_stream_cut_mid_way_ends_with_an_error_item() {
    for kind in PROVIDERS {
        for fault in [
            Fault::CutStream { after_chunks: 2 },
            Fault::AbortStream { after_chunks: 2 },
            Fault::StreamError { after_chunks: 2 },
        ] {
            let mut s = setup(kind, |_, _| {}).await;
            s.fake.enqueue(fault.clone());
            let (events, err) = s.stream(ask("one two three four five six")).await.unwrap();
            let err =
                err.unwrap_or_else(|| panic!("{kind:?} {fault:?}: no error item after {events:?}"));
            assert_eq!(
                err.kind(),
                ErrorKind::Unavailable,
                "{kind:?} {fault:?} {err}"
            );
            assert!(
                !streamed_text(&events).is_empty(),
                "{kind:?} {fault:?}: content came first"
            );
            assert!(
                !events
                    .iter()
                    .any(|e| matches!(e, StreamEvent::Finish { .. })),
                "never a clean end"
            );
            let r = s.record();
            assert_eq!(
                r.status,
                CallStatus::Error(ErrorKind::Unavailable),
                "{kind:?} {fault:?}"
            );
            assert!(r.output_tokens > 0, "what was streamed is accounted for");
        }
        // Cut before any content: the caller has nothing yet, so it is retried.
        let mut s = setup(kind, |_, _| {}).await;
        s.fake.enqueue(Fault::CutStream { after_chunks: 0 });
        let (events, err) = s.stream(ask("hi")).await.unwrap();
        assert!(err.is_none(), "{kind:?} {err:?}");
        assert_eq!(streamed_text(&events), "echo: hi");
        assert_eq!(s.record().attempts, 2);
    }
}

#[tokio::test]
async fn a_stalled_stream_hits_the_idle_timeout() {
    for kind in PROVIDERS {
        let s = setup(kind, |c, _| {
            c.models.get_mut("m").unwrap().deployments[0].timeout_ms = Some(150);
        })
        .await;
        s.fake.enqueue(Fault::StallStream { after_chunks: 1 });
        let (_, err) = s.stream(ask("one two three")).await.unwrap();
        assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Timeout), "{kind:?}");
    }
}

#[tokio::test]
async fn the_breaker_opens_after_n_failures_then_probes() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |c, _| {
            c.retry.max_attempts = 1;
            c.breaker = BreakerConfig {
                failure_threshold: 2,
                cooldown_ms: 30_000,
            };
        })
        .await;
        s.fake.enqueue(Fault::ServerError);
        s.fake.enqueue(Fault::Overloaded);
        for _ in 0..2 {
            assert_eq!(
                s.chat(ask("hi")).await.unwrap_err().kind(),
                ErrorKind::Unavailable
            );
        }
        assert_eq!(
            s.gw.health().deployments[0].breaker,
            BreakerState::Open,
            "{kind:?}"
        );
        let e = s.chat(ask("hi")).await.unwrap_err();
        assert!(e.to_string().contains("circuit open"), "{e}");
        assert_eq!(s.fake.requests().len(), 2, "an open circuit sends nothing");
        // After the cooldown one probe goes through; its failure reopens the circuit.
        s.clock.advance(Duration::from_secs(30));
        assert!(s.gw.health().deployments[0].healthy);
        s.fake.enqueue(Fault::ServerError);
        assert!(s.chat(ask("hi")).await.is_err());
        assert_eq!(s.gw.health().deployments[0].breaker, BreakerState::Open);
        assert!(
            s.chat(ask("hi"))
                .await
                .unwrap_err()
                .to_string()
                .contains("circuit open")
        );
        // A successful probe closes it.
        s.clock.advance(Duration::from_secs(30));
        assert_eq!(s.chat(ask("hi")).await.unwrap().message.text(), "echo: hi");
        assert_eq!(s.gw.health().deployments[0].breaker, BreakerState::Closed);
        assert_eq!(s.fake.requests().len(), 4);
        while s.records.try_recv().is_ok() {}
    }
}

#[tokio::test]
async fn malformed_tool_arguments_get_one_repair_round() {
    for kind in PROVIDERS {
        let mut s = setup(kind, |_, _| {}).await;
        let mut req = ask("Weather in Paris?");
        req.tools = vec![weather_tool()];
        s.fake
            .enqueue(Reply::tool_call("get_weather", r#"{"city": "Par"#));
        s.fake
            .enqueue(Reply::tool_call("get_weather", r#"{"city":"Paris"}"#));
        let resp = s.chat(req.clone()).await.unwrap();
        assert_eq!(
            resp.message.tool_calls[0]
                .function
                .arguments
                .replace(' ', ""),
            r#"{"city":"Paris"}"#,
            "{kind:?}"
        );
        let r = s.record();
        assert_eq!((r.repairs, r.attempts), (1, 2), "{kind:?}");
        let repair = &s.bodies()[1];
        assert!(
            repair.to_string().contains("rejected"),
            "{kind:?}: the error is shown to the model"
        );
        match kind {
            ProviderKind::Local => unreachable!("not an HTTP provider"),
            ProviderKind::OpenAi => {
                assert_eq!(repair["tool_choice"]["function"]["name"], "get_weather")
            }
            ProviderKind::Anthropic => assert_eq!(repair["tool_choice"]["name"], "get_weather"),
            ProviderKind::Gemini => {
                assert_eq!(repair["toolConfig"]["functionCallingConfig"]["mode"], "ANY")
            }
        }
        // Valid JSON that breaks the schema, twice: a clear error.
        s.fake
            .enqueue(Reply::tool_call("get_weather", r#"{"town":"Paris"}"#));
        s.fake
            .enqueue(Reply::tool_call("get_weather", r#"{"city":42}"#));
        let e = s.chat(req).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidOutput, "{kind:?} {e}");
        assert!(
            e.to_string().contains("get_weather") && e.to_string().contains("schema"),
            "{e}"
        );
        assert_eq!(
            s.record().status,
            CallStatus::Error(ErrorKind::InvalidOutput)
        );
    }
}
