//! Compaction with a model whose window is tiny: the chat keeps working, summaries appear and
//! are used, and no request — chat or summary — exceeds the window.

use cistern_agents::{AgentsConfig, request_tokens};
use cistern_llm::{Message, Tool};

use crate::helpers::{Database, agents, chat_bodies, config, fake, user};

const WINDOW: u32 = 400;

/// The prompt tokens of a recorded request, counted the way the runtime budgets them.
fn prompt_tokens(body: &serde_json::Value) -> u32 {
    let messages: Vec<Message> =
        serde_json::from_value(body["messages"].clone()).expect("messages");
    let tools: Vec<Tool> =
        serde_json::from_value(body.get("tools").cloned().unwrap_or_default()).unwrap_or_default();
    let tools_tokens = if tools.is_empty() {
        0
    } else {
        request_tokens(
            &[Message::system(
                serde_json::to_string(&tools).expect("json"),
            )],
            0,
        )
    };
    request_tokens(&messages, tools_tokens)
}

#[tokio::test]
async fn tiny_window_chat_keeps_working_summaries_appear_nothing_overflows() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let agents = agents(db, &fake, WINDOW, AgentsConfig { ..config() }).await;
    agents
        .memory()
        .set_system_prompt(
            &owner,
            "You are a patient tutor who answers in one short sentence.",
        )
        .await
        .expect("prompt");

    let mut conv: Option<String> = None;
    for i in 0..40 {
        let text = format!("Turn {i}: here is another detail about the river Aire and its weirs.");
        let r = agents
            .send(&owner, conv.as_deref(), &text, None)
            .await
            .expect("turn works");
        assert_eq!(r.message_count, 2 * (i + 1));
        conv = Some(r.conversation_id);
        if i % 10 == 9 {
            agents.wait_for_summaries().await;
        }
    }
    agents.wait_for_summaries().await;
    let conv = conv.expect("conversation");

    let bodies = chat_bodies(&fake);
    for body in &bodies {
        let tokens = prompt_tokens(body);
        assert!(
            tokens <= WINDOW,
            "a request of {tokens} tokens overflowed the {WINDOW}-token window: {body}"
        );
        // Bytes as a tokenizer-free cross-check: a BPE token is at least one byte, and the
        // estimate allows about three per token, so the real count stays below the window.
        assert!(body["messages"].to_string().len() < 3 * WINDOW as usize + 600);
    }
    let episodes = agents
        .memory()
        .episodes(&owner, Some(&conv), 100, None)
        .await
        .expect("episodes")
        .episodes;
    assert!(!episodes.is_empty(), "summaries appear");
    let c = agents
        .conversation(&owner, &conv)
        .await
        .expect("conversation");
    assert!(c.summarized_seq > 0 && c.summarized_seq < c.message_count);
    assert_eq!(
        c.summarized_seq,
        episodes.iter().map(|e| e.to_seq).max().unwrap_or(0)
    );
    let summarising = bodies
        .iter()
        .filter(|b| b.to_string().contains("running summary"))
        .count();
    assert!(summarising >= episodes.len());
    // Later turns carry the summary in their system message.
    let last = bodies
        .iter()
        .rev()
        .find(|b| !b.to_string().contains("running summary"))
        .expect("chat request");
    let system = last["messages"][0]["content"].as_str().unwrap_or_default();
    assert!(
        system.contains("Summary of the earlier conversation"),
        "{system}"
    );
    assert!(system.contains("patient tutor"));
    // History is intact: compaction summarises, it never deletes.
    let all = agents
        .messages(&owner, &conv, 1000, None)
        .await
        .expect("messages");
    assert_eq!(all.messages.len(), 80);

    // A message larger than the window allows is refused before anything is stored.
    let huge = "word ".repeat(400);
    assert!(matches!(
        agents.send(&owner, Some(&conv), &huge, None).await,
        Err(cistern_agents::Error::Invalid(_))
    ));
    assert_eq!(
        agents
            .conversation(&owner, &conv)
            .await
            .expect("c")
            .message_count,
        80
    );
    agents.shutdown().await;
}
