//! Retrying the last reply: appended after the old one (which stays, with its status), under
//! the turn lease, and the old attempt never goes back to the model.

use std::time::Duration;

use cistern_agents::{Error, MessageStatus, Role, TurnEvent};
use cistern_llm_fake::{Fault, Reply};
use cistern_store::Db;
use futures::StreamExt;

use crate::helpers::{Database, agents, chat_bodies, config, fake, user};

#[tokio::test]
async fn a_stopped_reply_is_retried_after_it_and_a_held_conversation_is_busy() {
    let database = Database::shared().await;
    let fake = fake().await;
    let owner = user(&database.connect().await, "ada@example.com").await;
    let agents = agents(database.connect().await, &fake, 32_000, config()).await;
    let mut impatient = config();
    impatient.busy_wait = Duration::from_millis(30);
    let other_instance =
        crate::helpers::agents(database.connect().await, &fake, 32_000, impatient).await;

    fake.enqueue(Fault::StallStream { after_chunks: 2 });
    let mut stream = agents
        .send_stream(&owner, None, "write a long story", None)
        .expect("stream");
    let mut conv = None;
    let mut partial = String::new();
    while let Some(ev) = stream.next().await {
        match ev.expect("no error") {
            TurnEvent::Started {
                conversation_id, ..
            } => conv = Some(conversation_id),
            TurnEvent::Delta { text } => {
                partial.push_str(&text);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let conv = conv.expect("started");
    // The turn holds the conversation: a retry elsewhere is refused as busy.
    let busy = other_instance.retry(&owner, &conv, None).await;
    assert!(matches!(busy, Err(Error::Busy)), "{busy:?}");
    drop(stream); // the stop button: the partial reply is stored

    fake.enqueue(Reply::text("A short story."));
    let r = agents.retry(&owner, &conv, None).await.expect("retry");
    assert_eq!(
        (r.message.as_str(), r.seq, r.message_count),
        ("A short story.", 3, 3)
    );
    let rows = agents
        .messages(&owner, &conv, 10, None)
        .await
        .expect("rows")
        .messages;
    let shape: Vec<(i64, Role, MessageStatus)> =
        rows.iter().map(|m| (m.seq, m.role, m.status)).collect();
    assert_eq!(
        shape,
        [
            (1, Role::User, MessageStatus::Complete),
            (2, Role::Assistant, MessageStatus::Partial),
            (3, Role::Assistant, MessageStatus::Complete),
        ]
    );
    let asked = chat_bodies(&fake).pop().expect("request").to_string();
    assert!(asked.contains("write a long story"), "{asked}");
    assert!(
        !asked.contains(partial.trim()),
        "the stopped reply went back: {asked}"
    );

    // Retrying a complete reply: the superseded one is not context, now or later.
    fake.enqueue(Reply::text("Another story."));
    let r = agents
        .retry(&owner, &conv, None)
        .await
        .expect("retry again");
    assert_eq!(r.message_count, 4);
    let asked = chat_bodies(&fake).pop().expect("request").to_string();
    assert!(!asked.contains("A short story."), "{asked}");
    fake.enqueue(Reply::text("Thanks."));
    other_instance
        .send(&owner, Some(&conv), "nice", None)
        .await
        .expect("turn on a cold instance");
    let asked = chat_bodies(&fake).pop().expect("request").to_string();
    assert!(asked.contains("Another story."), "{asked}");
    assert!(
        !asked.contains("A short story."),
        "superseded reply fed back: {asked}"
    );
    agents.shutdown().await;
    other_instance.shutdown().await;
    fake.shutdown().await;
}

#[tokio::test]
async fn without_a_reply_there_is_nothing_to_retry_and_others_see_nothing() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let intruder = user(&db, "eve@example.com").await;
    // A conversation left with no reply: only the user's message (as a turn that failed
    // before its model call leaves it).
    let Db::Sqlite(pool) = &db else {
        panic!("sqlite")
    };
    sqlx::query(
        "INSERT INTO conversations (id, owner, title, model, message_count, version,
            summarized_seq, created_at, updated_at)
         VALUES ('c1', $1, 't', NULL, 1, 1, 0, 0, 0)",
    )
    .bind(&owner)
    .execute(pool)
    .await
    .expect("conversation");
    sqlx::query(
        "INSERT INTO chat_messages (conversation_id, seq, role, content, tokens, status,
            created_at)
         VALUES ('c1', 1, 'user', 'hello?', 3, 'complete', 0)",
    )
    .execute(pool)
    .await
    .expect("message");
    let agents = agents(db.clone(), &fake, 32_000, config()).await;
    let r = agents.retry(&owner, "c1", Some("other-model")).await;
    assert!(matches!(r, Err(Error::NothingToRetry)), "{r:?}");
    let model: (Option<String>,) =
        sqlx::query_as("SELECT model FROM conversations WHERE id = 'c1'")
            .fetch_one(pool)
            .await
            .expect("model");
    assert_eq!(
        model.0, None,
        "a refused retry leaves the conversation's model alone"
    );
    let r = agents.retry(&intruder, "c1", None).await;
    assert!(matches!(r, Err(Error::NotFound(_))), "{r:?}");
    // The refusal gave the conversation back: a turn runs at once.
    fake.enqueue(Reply::text("Hi."));
    let r = agents
        .send(&owner, Some("c1"), "anyone?", None)
        .await
        .expect("turn");
    assert_eq!(r.message_count, 3);
    assert_eq!(
        chat_bodies(&fake).len(),
        1,
        "the refused retries called no model"
    );
    agents.shutdown().await;
}
