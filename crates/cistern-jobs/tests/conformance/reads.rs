//! What the job API reads: events resumed after an id, owner-scoped listings with cursors.

use std::time::Duration;

use cistern_jobs::{EventKind, JobFilter, JobStatus, NewJob, Outcome, Report, Scope};
use serde_json::json;

use crate::{Harness, job, suite};

const LEASE: Duration = Duration::from_secs(30);

suite!(events_resume_after_an_id, listing_is_owner_scoped_and_pages);

async fn events_resume_after_an_id(h: &Harness) {
    let e = h.jobs.enqueue(job("a", "q1", "u1")).await.expect("enqueue");
    let c = h.backend.claim("q1", 1, LEASE).await.expect("claim");
    let lease = &c[0].lease;
    assert!(
        h.backend
            .report(lease, Report::Progress(30, Some("a third".into())))
            .await
            .expect("report")
    );
    assert!(
        h.backend
            .report(lease, Report::Log("hello".into()))
            .await
            .expect("report")
    );
    assert!(
        h.backend
            .report(lease, Report::Progress(250, None))
            .await
            .expect("report")
    );
    let all = h
        .jobs
        .events(Scope::Owner("u1"), &e.id, 0, 100)
        .await
        .expect("events")
        .expect("found");
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "ids increase");
    assert_eq!(all[0].data, json!({"progress": 30, "message": "a third"}));
    assert_eq!(all[2].data["progress"], 100, "clamped");
    let rest = h
        .jobs
        .events(Scope::Owner("u1"), &e.id, all[0].id, 100)
        .await
        .expect("events")
        .expect("found");
    assert_eq!(rest, all[1..].to_vec());
    assert!(
        h.jobs
            .events(Scope::Owner("u2"), &e.id, 0, 100)
            .await
            .expect("events")
            .is_none()
    );
    h.backend
        .finish(lease, Outcome::Succeeded(json!("r")))
        .await
        .expect("finish");
    let tail = h
        .jobs
        .events(Scope::Owner("u1"), &e.id, all[2].id, 100)
        .await
        .expect("events")
        .expect("found");
    assert_eq!(
        tail.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [EventKind::Succeeded]
    );
    let j = h
        .jobs
        .get(Scope::Owner("u1"), &e.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(j.progress, 100);
    assert!(
        !h.backend
            .report(lease, Report::Log("late".into()))
            .await
            .expect("report"),
        "lease is gone"
    );
}

async fn listing_is_owner_scoped_and_pages(h: &Harness) {
    let mut mine = Vec::new();
    for i in 0..5 {
        let queue = if i % 2 == 0 { "even" } else { "odd" };
        mine.push(
            h.jobs
                .enqueue(job(&format!("n{i}"), queue, "u1"))
                .await
                .expect("enqueue")
                .id,
        );
    }
    let theirs = h
        .jobs
        .enqueue(job("x", "even", "u2"))
        .await
        .expect("enqueue")
        .id;
    let system = h
        .jobs
        .enqueue(NewJob::new("sys", json!({})).queue("even"))
        .await
        .expect("enqueue")
        .id;
    assert!(
        h.jobs
            .get(Scope::Owner("u1"), &theirs)
            .await
            .expect("get")
            .is_none(),
        "another owner's job is not found"
    );
    assert!(
        h.jobs
            .get(Scope::System, &system)
            .await
            .expect("get")
            .is_some()
    );
    assert!(
        h.jobs
            .get(Scope::System, &theirs)
            .await
            .expect("get")
            .is_none()
    );

    let mut seen = Vec::new();
    let mut filter = JobFilter {
        limit: 2,
        ..JobFilter::default()
    };
    loop {
        let page = h
            .jobs
            .list(Scope::Owner("u1"), &filter)
            .await
            .expect("list");
        seen.extend(page.jobs.iter().map(|j| j.id.clone()));
        match page.next_cursor {
            Some(cursor) => filter.before = Some(cursor),
            None => break,
        }
    }
    mine.reverse();
    assert_eq!(seen, mine, "newest first, every job once, only mine");
    let odd = JobFilter {
        queue: Some("odd".into()),
        ..JobFilter::default()
    };
    assert_eq!(
        h.jobs
            .list(Scope::Owner("u1"), &odd)
            .await
            .expect("list")
            .jobs
            .len(),
        2
    );
    let named = JobFilter {
        name: Some("n4".into()),
        ..JobFilter::default()
    };
    assert_eq!(
        h.jobs
            .list(Scope::Owner("u1"), &named)
            .await
            .expect("list")
            .jobs[0]
            .name,
        "n4"
    );
    let running = JobFilter {
        status: Some(JobStatus::Running),
        ..JobFilter::default()
    };
    assert!(
        h.jobs
            .list(Scope::Owner("u1"), &running)
            .await
            .expect("list")
            .jobs
            .is_empty()
    );
    assert_eq!(
        h.jobs
            .list(Scope::All, &JobFilter::default())
            .await
            .expect("list")
            .jobs
            .len(),
        7
    );
}
