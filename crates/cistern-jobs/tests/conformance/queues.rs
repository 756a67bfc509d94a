//! User queues: send, lease, ack, nack, redelivery, long polls, depths and owner namespaces.

use std::time::Duration;

use cistern_jobs::{Error, JobId, LeaseRequest, OutgoingMessage};
use serde_json::json;

use crate::{Harness, eventually, suite};

suite!(
    messages_lease_ack_and_nack,
    unacked_leases_are_redelivered,
    long_poll_wakes_on_send,
    a_vanished_long_poll_swallows_nothing,
    queues_are_namespaced_per_owner,
);

fn msg(body: serde_json::Value) -> OutgoingMessage {
    OutgoingMessage { body, delay_ms: 0 }
}

fn req(batch_size: usize, visibility_ms: u64, wait_ms: u64) -> LeaseRequest {
    LeaseRequest {
        batch_size,
        visibility_timeout: Duration::from_millis(visibility_ms),
        wait: Duration::from_millis(wait_ms),
    }
}

async fn messages_lease_ack_and_nack(h: &Harness) {
    let q = h.jobs.queues();
    let ids = q
        .send(
            "u1",
            "inbox",
            vec![msg(json!(1)), msg(json!(2)), msg(json!(3))],
        )
        .await
        .expect("send");
    assert_eq!(ids.len(), 3);
    let delayed = q
        .send(
            "u1",
            "inbox",
            vec![OutgoingMessage {
                body: json!("later"),
                delay_ms: 3_600_000,
            }],
        )
        .await
        .expect("send");
    assert_eq!(delayed.len(), 1);
    let d = q.depths("u1").await.expect("depths");
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].queue.as_str(), d[0].ready, d[0].delayed),
        ("inbox", 3, 1)
    );

    let first = q
        .lease("u1", "inbox", req(2, 30_000, 0))
        .await
        .expect("lease");
    assert_eq!(
        first.iter().map(|m| m.body.clone()).collect::<Vec<_>>(),
        [json!(1), json!(2)],
        "oldest first"
    );
    assert!(first.iter().all(|m| m.attempts == 1));
    let second = q
        .lease("u1", "inbox", req(10, 30_000, 0))
        .await
        .expect("lease");
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].body, json!(3));
    assert!(
        q.lease("u1", "inbox", req(10, 30_000, 0))
            .await
            .expect("lease")
            .is_empty()
    );

    let acked: Vec<JobId> = first.iter().map(|m| m.id.clone()).collect();
    assert_eq!(q.ack("u1", "inbox", &acked).await.expect("ack"), 2);
    assert_eq!(
        q.ack("u1", "inbox", &acked).await.expect("ack"),
        0,
        "acking twice changes nothing"
    );
    assert_eq!(
        q.nack("u1", "inbox", &[second[0].id.clone()], Duration::ZERO)
            .await
            .expect("nack"),
        1
    );
    let again = q
        .lease("u1", "inbox", req(10, 30_000, 0))
        .await
        .expect("lease");
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].id.clone(), again[0].attempts),
        (second[0].id.clone(), 2)
    );
    let d = q.depths("u1").await.expect("depths");
    assert_eq!((d[0].ready, d[0].running, d[0].delayed), (0, 1, 1));
}

async fn unacked_leases_are_redelivered(h: &Harness) {
    let q = h.jobs.queues();
    let id = q
        .send("u1", "work", vec![msg(json!("x"))])
        .await
        .expect("send");
    let leased = q
        .lease("u1", "work", req(1, 1_000, 0))
        .await
        .expect("lease");
    assert_eq!(leased.len(), 1);
    let again = eventually("the unacked message comes back", || {
        let q = q.clone();
        async move {
            let got = q
                .lease("u1", "work", req(1, 30_000, 0))
                .await
                .expect("lease");
            (!got.is_empty()).then_some(got)
        }
    })
    .await;
    assert_eq!((again[0].id.clone(), again[0].attempts), (id[0].clone(), 2));
    assert_eq!(
        q.ack("u1", "work", &[leased[0].id.clone()])
            .await
            .expect("ack"),
        1,
        "a late ack still acknowledges (at-least-once: the message was processed)"
    );
}

async fn long_poll_wakes_on_send(h: &Harness) {
    let q = h.jobs.queues();
    let poller = {
        let q = q.clone();
        tokio::spawn(async move { q.lease("u1", "lp", req(5, 30_000, 20_000)).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    q.send("u1", "lp", vec![msg(json!("wake"))])
        .await
        .expect("send");
    let got = poller.await.expect("join").expect("lease");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, json!("wake"));
    let empty = q
        .lease("u1", "lp", req(5, 30_000, 300))
        .await
        .expect("lease");
    assert!(
        empty.is_empty(),
        "a long poll on an empty queue ends empty after its wait"
    );
}

async fn a_vanished_long_poll_swallows_nothing(h: &Harness) {
    let q = h.jobs.queues();
    for round in 0..20 {
        // The poll is dropped at an arbitrary point: while waiting, or mid-lease.
        let poll = q.lease("u1", "drop", req(1, 3_600_000, 10_000));
        let send = async {
            tokio::time::sleep(Duration::from_millis(round % 5)).await;
            q.send("u1", "drop", vec![msg(json!(round))])
                .await
                .expect("send");
            tokio::time::sleep(Duration::from_micros(200 * (round % 7))).await;
        };
        tokio::select! {
            r = poll => {
                let got = r.expect("lease");
                q.ack("u1", "drop", &got.iter().map(|m| m.id.clone()).collect::<Vec<_>>()).await.expect("ack");
                continue;
            }
            () = send => {}
        }
        let got = eventually("the message is still there for the next consumer", || {
            let q = q.clone();
            async move {
                let got = q
                    .lease("u1", "drop", req(10, 30_000, 0))
                    .await
                    .expect("lease");
                (!got.is_empty()).then_some(got)
            }
        })
        .await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body, json!(round));
        q.ack("u1", "drop", &[got[0].id.clone()])
            .await
            .expect("ack");
    }
}

async fn queues_are_namespaced_per_owner(h: &Harness) {
    let q = h.jobs.queues();
    q.send("alice", "q", vec![msg(json!("a"))])
        .await
        .expect("send");
    assert!(
        q.lease("bob", "q", req(10, 30_000, 0))
            .await
            .expect("lease")
            .is_empty()
    );
    assert!(q.depths("bob").await.expect("depths").is_empty());
    let a = q
        .lease("alice", "q", req(10, 30_000, 0))
        .await
        .expect("lease");
    assert_eq!(
        q.ack("bob", "q", &[a[0].id.clone()]).await.expect("ack"),
        0,
        "bob cannot ack alice's message"
    );
    assert_eq!(
        q.ack("alice", "q", &[a[0].id.clone()]).await.expect("ack"),
        1
    );
    assert!(matches!(
        q.lease("alice", "bad.name", req(1, 30_000, 0)).await,
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        q.lease("alice", "q", req(0, 30_000, 0)).await,
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        q.send("alice", "q", vec![]).await,
        Err(Error::Invalid { .. })
    ));
    // Jobs never see messages.
    assert!(h.jobs.depths().await.expect("depths").is_empty());
}
