//! The memory API: facts with full-text and vector search, the system prompt, and the
//! `remember`/`recall` tools used inside a turn.

use cistern_agents::{AgentsConfig, MessageStatus, Role, TurnUsage};
use cistern_llm_fake::Reply;

use crate::helpers::{Database, EMBED, agents, chat_bodies, config, fake, user};

#[tokio::test]
async fn facts_full_text_search_list_delete_on_every_backend() {
    for database in [Some(Database::sqlite().await), Database::postgres().await]
        .into_iter()
        .flatten()
    {
        let fake = fake().await;
        let db = database.connect().await;
        let owner = user(&db, "ada@example.com").await;
        let agents = agents(db, &fake, 32_000, config()).await;
        let memory = agents.memory();
        let cat = memory
            .add_fact(&owner, "Ada has two cats, Tom and Mog.", "api")
            .await
            .expect("add");
        memory
            .add_fact(&owner, "Ada works on water treatment plants.", "api")
            .await
            .expect("add");
        memory
            .add_fact(&owner, "Ada's favourite colour is teal.", "api")
            .await
            .expect("add");

        let hits = memory
            .search_facts(&owner, "What is my cat called?", 5)
            .await
            .expect("search");
        assert_eq!(hits.len(), 1, "stemmed match on cat/cats only: {hits:?}");
        assert_eq!(hits[0].fact.id, cat.id);
        let hits = memory
            .search_facts(&owner, "treatment OR \"plants\" ; DROP", 5)
            .await
            .expect("search");
        assert_eq!(hits.len(), 1, "query syntax is not interpreted: {hits:?}");
        assert!(
            memory
                .search_facts(&owner, "the of", 5)
                .await
                .expect("search")
                .is_empty()
        );

        let page = memory.list_facts(&owner, 2, None).await.expect("list");
        assert_eq!(page.facts.len(), 2);
        let rest = memory
            .list_facts(&owner, 2, page.next.as_deref())
            .await
            .expect("list");
        assert_eq!(rest.facts.len(), 1);
        assert_eq!(rest.facts[0].id, cat.id, "newest first");

        memory.delete_fact(&owner, &cat.id).await.expect("delete");
        assert!(
            memory
                .search_facts(&owner, "cats", 5)
                .await
                .expect("search")
                .is_empty()
        );
        assert!(matches!(
            memory.add_fact(&owner, "  ", "api").await,
            Err(cistern_agents::Error::Invalid(_))
        ));

        memory
            .set_system_prompt(&owner, "Be brief.")
            .await
            .expect("set");
        assert_eq!(
            memory.system_prompt(&owner).await.expect("get").as_deref(),
            Some("Be brief.")
        );
        memory.set_system_prompt(&owner, "").await.expect("clear");
        assert_eq!(memory.system_prompt(&owner).await.expect("get"), None);
        agents.shutdown().await;
        fake.shutdown().await;
    }
}

#[tokio::test]
async fn vector_search_finds_facts_by_embedding() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let config = AgentsConfig {
        embedding_model: Some(EMBED.into()),
        ..config()
    };
    let agents = agents(db, &fake, 32_000, config).await;
    let memory = agents.memory();
    for f in [
        "Blue whales are large.",
        "Ada prefers tea.",
        "The office is in Leeds.",
    ] {
        memory.add_fact(&owner, f, "api").await.expect("add");
    }
    // The fake's embeddings are a hash of the text: only the same text is near, and no word
    // of the query matches, so the hit can only come from the vector side.
    let hits = memory
        .search_facts(&owner, "Ada prefers tea.", 1)
        .await
        .expect("search");
    assert_eq!(hits[0].fact.content, "Ada prefers tea.");
    let hits = memory
        .search_facts(&owner, "The office is in Leeds.", 3)
        .await
        .expect("search");
    assert_eq!(hits[0].fact.content, "The office is in Leeds.");
    agents.shutdown().await;
}

/// The model calls `remember` in one conversation and `recall` in another: the fact is stored
/// with source `chat`, found again, and every step of both turns is a stored row.
#[tokio::test]
async fn remember_then_recall_tool_round_trip() {
    for database in [Some(Database::sqlite().await), Database::postgres().await]
        .into_iter()
        .flatten()
    {
        tool_round_trip(database).await;
    }
}

async fn tool_round_trip(database: Database) {
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let agents = agents(db, &fake, 32_000, config()).await;

    fake.enqueue(
        Reply::tool_call("remember", r#"{"fact":"Ada's favourite colour is teal."}"#)
            .usage(100, 20),
    );
    fake.enqueue(Reply::text("Noted: teal.").usage(150, 5));
    let r = agents
        .send(
            &owner,
            None,
            "Remember that my favourite colour is teal.",
            None,
        )
        .await
        .expect("turn");
    assert_eq!(r.message, "Noted: teal.");
    assert_eq!(r.message_count, 4);
    assert_eq!(r.usage.model_calls, 2);
    assert_eq!((r.usage.input_tokens, r.usage.output_tokens), (250, 25));
    // The turn's usage is stored on its final reply only.
    let history = agents
        .messages(&owner, &r.conversation_id, 10, None)
        .await
        .expect("history")
        .messages;
    let stored: Vec<Option<TurnUsage>> = history.iter().map(|m| m.usage).collect();
    assert_eq!(stored, [None, None, None, Some(r.usage)]);
    let facts = agents
        .memory()
        .list_facts(&owner, 10, None)
        .await
        .expect("facts")
        .facts;
    assert_eq!(facts.len(), 1);
    assert_eq!(
        (facts[0].content.as_str(), facts[0].source.as_str()),
        ("Ada's favourite colour is teal.", "chat")
    );

    fake.enqueue(Reply::tool_call(
        "recall",
        r#"{"query":"favourite colour"}"#,
    ));
    fake.enqueue(Reply::text("It is teal."));
    let r2 = agents
        .send(&owner, None, "Which colour do I like?", None)
        .await
        .expect("turn");
    assert_eq!(r2.message, "It is teal.");
    let rows = agents
        .messages(&owner, &r2.conversation_id, 10, None)
        .await
        .expect("rows")
        .messages;
    let roles: Vec<Role> = rows.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [Role::User, Role::Assistant, Role::Tool, Role::Assistant]
    );
    assert!(
        rows[1]
            .tool_calls
            .as_deref()
            .is_some_and(|c| c.contains("recall"))
    );
    assert!(
        rows[2].content.contains("teal"),
        "the tool result holds the fact: {}",
        rows[2].content
    );
    assert!(rows.iter().all(|m| m.status == MessageStatus::Complete));
    // The model saw the tool result in its second call of the turn.
    let last = chat_bodies(&fake).pop().expect("request");
    let tool_msg = &last["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .rev()
        .find(|m| m["role"] == "tool")
        .cloned()
        .expect("tool message");
    assert!(
        tool_msg["content"]
            .as_str()
            .unwrap_or_default()
            .contains("teal")
    );
    // The next turn in the first conversation recalls the fact into its context by itself.
    agents
        .send(&owner, Some(&r.conversation_id), "What colour again?", None)
        .await
        .expect("turn");
    let last = chat_bodies(&fake).pop().expect("request");
    assert!(
        last["messages"][0]["content"]
            .as_str()
            .unwrap_or_default()
            .contains("teal")
    );
    agents.shutdown().await;
}
