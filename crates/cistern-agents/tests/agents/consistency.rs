//! Serialized turns across two runtimes sharing a database; history survives a restart.

use std::collections::HashSet;

use cistern_agents::{MessageStatus, Role};

use crate::helpers::{Database, agents, chat_bodies, config, fake, user};

/// 200 messages to one conversation, sent at once through two runtimes (two pools, as two
/// processes would have) on one database: every turn is stored, in order, each reply right
/// after its message, and `message_count` is exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_200_concurrent_messages_all_stored_in_order() {
    let database = Database::shared().await;
    let fake = fake().await;
    let db_a = database.connect().await;
    let owner = user(&db_a, "ada@example.com").await;
    let a = agents(db_a, &fake, 32_000, config()).await;
    let b = agents(database.connect().await, &fake, 32_000, config()).await;

    let first = a
        .send(&owner, None, "message 0", None)
        .await
        .expect("first turn");
    let conv = first.conversation_id.clone();
    let mut tasks = Vec::new();
    for i in 1..200 {
        let agents = if i % 2 == 0 { a.clone() } else { b.clone() };
        let (owner, conv) = (owner.clone(), conv.clone());
        tasks.push(tokio::spawn(async move {
            agents
                .send(&owner, Some(&conv), &format!("message {i}"), None)
                .await
        }));
    }
    let mut counts = HashSet::new();
    for t in tasks {
        let r = t.await.expect("task").expect("turn succeeds");
        assert!(
            counts.insert(r.message_count),
            "two turns reported count {}",
            r.message_count
        );
    }

    let conversation = a.conversation(&owner, &conv).await.expect("conversation");
    assert_eq!(conversation.message_count, 400);
    let page = b
        .messages(&owner, &conv, 1000, None)
        .await
        .expect("messages");
    assert_eq!(page.messages.len(), 400);
    assert_eq!(page.next, None);
    let mut seen = HashSet::new();
    for (i, pair) in page.messages.chunks(2).enumerate() {
        let (q, r) = (&pair[0], &pair[1]);
        assert_eq!(q.seq, 2 * i as i64 + 1, "seqs are gapless");
        assert_eq!(r.seq, q.seq + 1);
        assert_eq!((q.role, r.role), (Role::User, Role::Assistant));
        assert_eq!(r.status, MessageStatus::Complete);
        // The fake echoes the newest user message of its context: the reply answers the
        // message right before it, so no turn saw another's message in flight.
        assert_eq!(r.content, format!("echo: {}", q.content));
        assert!(
            seen.insert(q.content.clone()),
            "message stored twice: {}",
            q.content
        );
    }
    assert_eq!(seen.len(), 200);
    // Every model call saw exactly the history before it: the context grows turn by turn.
    let mut sizes: Vec<usize> = chat_bodies(&fake)
        .iter()
        .map(|b| b["messages"].as_array().map_or(0, Vec::len))
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, (0..200).map(|i| 2 * i + 1).collect::<Vec<_>>());

    a.shutdown().await;
    b.shutdown().await;
    fake.shutdown().await;
}

#[tokio::test]
async fn history_survives_reopening() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let a = agents(db.clone(), &fake, 32_000, config()).await;
    let first = a
        .send(&owner, None, "My name is Ada.", None)
        .await
        .expect("turn");
    let conv = first.conversation_id;
    a.send(&owner, Some(&conv), "I like rivers.", None)
        .await
        .expect("turn");
    a.shutdown().await;
    db.close().await;

    let b = agents(database.connect().await, &fake, 32_000, config()).await;
    let page = b.messages(&owner, &conv, 10, None).await.expect("messages");
    assert_eq!(page.messages.len(), 4);
    assert_eq!(page.messages[0].content, "My name is Ada.");
    let r = b
        .send(&owner, Some(&conv), "What is my name?", None)
        .await
        .expect("turn");
    assert_eq!(r.message_count, 6);
    let last = chat_bodies(&fake).pop().expect("a request");
    let sent: Vec<&str> = last["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(
        sent,
        [
            "My name is Ada.",
            "echo: My name is Ada.",
            "I like rivers.",
            "echo: I like rivers.",
            "What is my name?"
        ]
    );
    let list = b.conversations(&owner, 10, None).await.expect("list");
    assert_eq!(list.conversations.len(), 1);
    assert_eq!(list.conversations[0].title, "My name is Ada.");
    b.shutdown().await;
}

#[tokio::test]
async fn pages_walk_back_to_the_start_and_rename_delete_work() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let a = agents(db, &fake, 32_000, config()).await;
    let conv = a
        .send(&owner, None, "m0", None)
        .await
        .expect("turn")
        .conversation_id;
    for i in 1..5 {
        a.send(&owner, Some(&conv), &format!("m{i}"), None)
            .await
            .expect("turn");
    }
    let mut before = None;
    let mut seqs = Vec::new();
    loop {
        let page = a.messages(&owner, &conv, 3, before).await.expect("page");
        seqs.splice(0..0, page.messages.iter().map(|m| m.seq));
        match page.next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());

    a.rename(&owner, &conv, "  Rivers\nand more ")
        .await
        .expect("rename");
    assert_eq!(
        a.conversation(&owner, &conv).await.expect("get").title,
        "Rivers"
    );
    a.delete(&owner, &conv).await.expect("delete");
    assert!(matches!(
        a.conversation(&owner, &conv).await,
        Err(cistern_agents::Error::NotFound(_))
    ));
    assert!(matches!(
        a.send(&owner, Some(&conv), "again", None).await,
        Err(cistern_agents::Error::NotFound(_))
    ));
    a.shutdown().await;
}
