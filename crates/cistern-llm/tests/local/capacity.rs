//! The pool: concurrent sequences, the bounded wait queue, the clear 503 beyond it.

use std::time::Duration;

use cistern_llm::*;
use futures::StreamExt;

use super::harness::{local, serial, user};

fn long() -> ChatRequest {
    let mut req = user("Write a very long essay about the history of bridges.");
    req.max_tokens = Some(400);
    req
}

async fn info(gw: &Gateway) -> LocalInfo {
    gw.health().local.expect("local model in health")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sequences_generate_at_once_and_a_third_request_gets_a_clear_503() {
    let _serial = serial().await;
    let l = local(|c| {
        c.sequences = 2;
        c.queue = 0;
        c.threads = 1;
    });
    // Both opened = both produced a first token while the other is still generating.
    let mut a =
        l.gw.chat_stream(long(), CallContext::default())
            .await
            .unwrap();
    let mut b =
        l.gw.chat_stream(long(), CallContext::default())
            .await
            .unwrap();
    assert!(a.next().await.unwrap().is_ok());
    assert!(b.next().await.unwrap().is_ok());
    assert_eq!(info(&l.gw).await.busy, 2);
    let e = l.gw.chat(long(), CallContext::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Overloaded, "{e}");
    assert_eq!(e.kind().http_status(), 503);
    assert!(e.retry_after().is_some());
    assert!(e.to_string().contains("busy"), "{e}");
    // Dropping a stream frees its sequence: the next request is served.
    drop(a);
    let mut served = None;
    for _ in 0..50 {
        let mut req = user("Hi");
        req.max_tokens = Some(4);
        match l.gw.chat(req, CallContext::default()).await {
            Ok(resp) => {
                served = Some(resp);
                break;
            }
            Err(e) if e.kind() == ErrorKind::Overloaded => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(served.is_some(), "a freed sequence serves the next request");
    // The other stream was never disturbed.
    let rest: Vec<_> = b.by_ref().collect().await;
    assert!(rest.iter().all(Result::is_ok));
    assert!(matches!(rest.last(), Some(Ok(StreamEvent::Usage(_)))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_beyond_the_sequences_waits_in_the_queue() {
    let _serial = serial().await;
    let l = local(|c| {
        c.sequences = 1;
        c.queue = 1;
        c.threads = 1;
    });
    let mut a =
        l.gw.chat_stream(long(), CallContext::default())
            .await
            .unwrap();
    assert!(a.next().await.unwrap().is_ok());
    let gw = l.gw.clone();
    let waiting = tokio::task::spawn(async move {
        let mut req = user("Hi");
        req.max_tokens = Some(4);
        gw.chat(req, CallContext::default()).await
    });
    let mut queued = false;
    for _ in 0..100 {
        if info(&l.gw).await.queued == 1 {
            queued = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(queued, "the second request waits in the queue");
    // Queue full too: the third is refused.
    let e = l.gw.chat(long(), CallContext::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Overloaded);
    // The first finishes; the waiting one is served.
    while a.next().await.is_some() {}
    let resp = waiting.await.unwrap().unwrap();
    assert!(resp.usage.output_tokens >= 1);
}
