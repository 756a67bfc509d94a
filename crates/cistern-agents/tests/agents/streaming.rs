//! Streamed turns: deltas then a stored reply; a stream cut by the provider is an error and its
//! partial text is stored as `error`, never as complete; a stopped stream is stored `partial`.

use cistern_agents::{MessageStatus, TurnEvent};
use cistern_llm_fake::{Fault, Reply};
use futures::StreamExt;

use crate::helpers::{Database, agents, chat_bodies, config, fake, user};

#[tokio::test]
async fn streamed_reply_arrives_in_deltas_and_is_stored() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let agents = agents(db, &fake, 32_000, config()).await;
    fake.enqueue(Reply::text("one two three four").chunks(4));
    let mut stream = agents
        .send_stream(&owner, None, "count", None)
        .expect("stream");
    let mut deltas = String::new();
    let mut done = None;
    while let Some(ev) = stream.next().await {
        match ev.expect("no error") {
            TurnEvent::Started { user_seq, .. } => assert_eq!(user_seq, 1),
            TurnEvent::Delta { text } => deltas.push_str(&text),
            TurnEvent::Done(r) => done = Some(r),
            TurnEvent::ToolCall { .. } => panic!("no tools here"),
        }
    }
    let done = done.expect("done event");
    assert_eq!(deltas, "one two three four");
    assert_eq!(
        (done.message.as_str(), done.message_count),
        ("one two three four", 2)
    );
    let rows = agents
        .messages(&owner, &done.conversation_id, 10, None)
        .await
        .expect("rows")
        .messages;
    assert_eq!(rows[1].content, "one two three four");
    assert_eq!(rows[1].status, MessageStatus::Complete);
    agents.shutdown().await;
}

#[tokio::test]
async fn stream_cut_by_the_provider_is_an_error_and_not_stored_as_complete() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let agents = agents(db, &fake, 32_000, config()).await;
    let conv = agents
        .send(&owner, None, "hello", None)
        .await
        .expect("turn")
        .conversation_id;

    // The fake streams its echo ("echo: and more said slowly") a word per chunk; it cuts
    // the body after two chunks, without the provider's end-of-stream marker.
    fake.enqueue(Fault::CutStream { after_chunks: 2 });
    let mut stream = agents
        .send_stream(&owner, Some(&conv), "and more said slowly", None)
        .expect("stream");
    let mut deltas = String::new();
    let mut error = None;
    while let Some(ev) = stream.next().await {
        match ev {
            Ok(TurnEvent::Delta { text }) => deltas.push_str(&text),
            Ok(TurnEvent::Done(_)) => panic!("a cut stream must not complete"),
            Ok(_) => {}
            Err(e) => error = Some(e),
        }
    }
    let error = error.expect("the caller sees an error");
    assert!(
        matches!(error, cistern_agents::Error::Model(_)),
        "{error:?}"
    );
    assert!(!deltas.is_empty(), "some text arrived before the cut");
    let rows = agents
        .messages(&owner, &conv, 10, None)
        .await
        .expect("rows")
        .messages;
    let cut = rows.last().expect("reply row");
    assert_eq!(cut.status, MessageStatus::Error);
    assert_eq!(
        cut.content, deltas,
        "the partial text is kept, marked as an error"
    );
    assert!(cut.error.is_some());
    assert_eq!(rows.len(), 4);

    // The next turn works, and the failed reply is not fed back to the model.
    let r = agents
        .send(&owner, Some(&conv), "again", None)
        .await
        .expect("turn");
    assert_eq!(r.message_count, 6);
    let last = chat_bodies(&fake).pop().expect("request");
    assert!(
        !last.to_string().contains(&deltas),
        "partial reply left out of the context"
    );
    agents.shutdown().await;
}

#[tokio::test]
async fn stopping_a_stream_stores_the_partial_reply() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let agents = agents(db, &fake, 32_000, config()).await;
    fake.enqueue(Fault::StallStream { after_chunks: 2 });
    let mut stream = agents
        .send_stream(&owner, None, "write a long story", None)
        .expect("stream");
    let mut conv = None;
    let mut deltas = 0;
    while let Some(ev) = stream.next().await {
        match ev.expect("no error") {
            TurnEvent::Started {
                conversation_id, ..
            } => conv = Some(conversation_id),
            TurnEvent::Delta { .. } => {
                deltas += 1;
                if deltas == 2 {
                    break;
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    drop(stream); // the stop button
    let conv = conv.expect("started");
    // The turn stores the partial reply and releases the conversation: the next turn runs.
    let r = agents
        .send(&owner, Some(&conv), "never mind", None)
        .await
        .expect("turn");
    assert_eq!(r.message_count, 4);
    let rows = agents
        .messages(&owner, &conv, 10, None)
        .await
        .expect("rows")
        .messages;
    assert_eq!(rows[1].status, MessageStatus::Partial);
    assert!(!rows[1].content.is_empty());
    agents.shutdown().await;
    fake.shutdown().await;
}
