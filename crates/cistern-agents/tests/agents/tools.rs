//! Tool rounds with bad tool calls: invalid arguments go back to the model as the tool's error
//! result (plain and streamed turns alike), and a model that never stops calling tools ends the
//! turn with a clear model error once its rounds are spent — the user's message stays.

use cistern_agents::{AgentsConfig, Error, MessageStatus, Role, StoredMessage, TurnEvent};
use cistern_llm_fake::{FakeLlm, Reply};
use futures::StreamExt;

use crate::helpers::{Database, agents, chat_bodies, config, fake, user};

const ANSWER: &str = "I could not save that, but I will keep it in mind.";

/// Two bad `remember` calls — the second one is what a repair round would have produced —
/// then a normal answer.
fn script_two_bad_calls_then_an_answer(fake: &FakeLlm) {
    fake.enqueue(Reply::tool_call("remember", r#"{"text":"x"}"#));
    fake.enqueue(Reply::tool_call("remember", "not json"));
    fake.enqueue(Reply::text(ANSWER));
}

/// The turn's rows hold both calls, an error result for each naming what was wrong, and the
/// answer; nothing was stored as a fact; the model saw the first error in its second call.
async fn check_history(agents: &cistern_agents::Agents, fake: &FakeLlm, owner: &str, conv: &str) {
    let rows = agents
        .messages(owner, conv, 10, None)
        .await
        .expect("rows")
        .messages;
    let roles: Vec<Role> = rows.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [
            Role::User,
            Role::Assistant,
            Role::Tool,
            Role::Assistant,
            Role::Tool,
            Role::Assistant
        ]
    );
    assert_eq!(rows[0].content, "Remember that I like teal.");
    assert!(
        rows[1]
            .tool_calls
            .as_deref()
            .is_some_and(|c| c.contains("remember"))
    );
    assert!(
        rows[2].content.contains("invalid arguments") && rows[2].content.contains("fact"),
        "{}",
        rows[2].content
    );
    assert!(
        rows[4].content.contains("invalid arguments"),
        "{}",
        rows[4].content
    );
    assert_eq!(rows[5].content, ANSWER);
    assert!(rows.iter().all(|m| m.status == MessageStatus::Complete));
    let facts = agents
        .memory()
        .list_facts(owner, 10, None)
        .await
        .expect("facts");
    assert!(facts.facts.is_empty());

    let bodies = chat_bodies(fake);
    assert_eq!(
        bodies.len(),
        3,
        "one model call per round, no gateway repair"
    );
    let seen = bodies[1]["messages"].to_string();
    assert!(seen.contains("invalid arguments"), "{seen}");
    assert!(!seen.contains("That tool call was rejected"), "{seen}");
}

#[tokio::test]
async fn bad_tool_arguments_go_back_to_the_model_and_the_turn_is_answered() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let agents = agents(db, &fake, 32_000, config()).await;
    script_two_bad_calls_then_an_answer(&fake);
    let r = agents
        .send(&owner, None, "Remember that I like teal.", None)
        .await
        .expect("the turn is answered");
    assert_eq!(r.message, ANSWER);
    assert_eq!((r.message_count, r.usage.model_calls), (6, 3));
    check_history(&agents, &fake, &owner, &r.conversation_id).await;
    agents.shutdown().await;
}

#[tokio::test]
async fn bad_tool_arguments_in_a_streamed_turn_go_back_to_the_model_too() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let agents = agents(db, &fake, 32_000, config()).await;
    script_two_bad_calls_then_an_answer(&fake);
    let mut stream = agents
        .send_stream(&owner, None, "Remember that I like teal.", None)
        .expect("stream");
    let (mut tool_calls, mut done) = (0, None);
    while let Some(ev) = stream.next().await {
        match ev.expect("no error") {
            TurnEvent::ToolCall { name } => {
                assert_eq!(name, "remember");
                tool_calls += 1;
            }
            TurnEvent::Done(r) => done = Some(r),
            _ => {}
        }
    }
    let done = done.expect("done");
    assert_eq!((done.message.as_str(), tool_calls), (ANSWER, 2));
    check_history(&agents, &fake, &owner, &done.conversation_id).await;
    agents.shutdown().await;
}

#[tokio::test]
async fn a_model_that_never_stops_calling_tools_badly_ends_the_turn_with_a_model_error() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let config = AgentsConfig {
        max_tool_rounds: 2,
        ..config()
    };
    let agents = agents(db, &fake, 32_000, config).await;
    let conv = agents
        .send(&owner, None, "hello", None)
        .await
        .expect("turn")
        .conversation_id;
    for _ in 0..3 {
        fake.enqueue(Reply::tool_call("remember", r#"{"text":"x"}"#));
    }
    let error = agents
        .send(&owner, Some(&conv), "Remember that I like teal.", None)
        .await
        .expect_err("no answer ever came");
    let Error::Model(e) = &error else {
        panic!("a model error, not {error:?}");
    };
    assert_eq!(e.kind(), cistern_llm::ErrorKind::InvalidOutput, "{e}");
    assert!(e.to_string().contains("tool rounds"), "{e}");

    // Two tool rounds, then a last call that offered no tools: they stay declared (the history
    // holds tool calls; Anthropic refuses those without them) with tool_choice none.
    let bodies = chat_bodies(&fake);
    assert_eq!(bodies.len(), 4);
    assert!(bodies[1].get("tools").is_some() && bodies[2].get("tools").is_some());
    assert!(bodies[1].get("tool_choice").is_none_or(|c| c != "none"));
    assert_eq!(bodies[3]["tool_choice"], "none", "{}", bodies[3]);

    let rows: Vec<StoredMessage> = agents
        .messages(&owner, &conv, 20, None)
        .await
        .expect("rows")
        .messages;
    let shape: Vec<(Role, MessageStatus)> = rows[2..].iter().map(|m| (m.role, m.status)).collect();
    assert_eq!(
        shape,
        [
            (Role::User, MessageStatus::Complete),
            (Role::Assistant, MessageStatus::Complete),
            (Role::Tool, MessageStatus::Complete),
            (Role::Assistant, MessageStatus::Complete),
            (Role::Tool, MessageStatus::Complete),
            (Role::Assistant, MessageStatus::Error),
        ]
    );
    assert_eq!(rows[2].content, "Remember that I like teal.");
    assert!(
        rows[7]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("tool rounds"))
    );
    agents.shutdown().await;
}

/// The same on Anthropic's wire, which refuses a history holding tool blocks unless the request
/// declares tools (the fake refuses it as the real API does): the last round keeps them declared
/// with `tool_choice: none`, so a model that answers then is answered, not refused.
#[tokio::test]
async fn the_last_round_after_tool_calls_is_accepted_by_anthropic() {
    let database = Database::sqlite().await;
    let fake = fake().await;
    let db = database.connect().await;
    let owner = user(&db, "ada@example.com").await;
    let config = AgentsConfig {
        max_tool_rounds: 1,
        ..config()
    };
    let gateway = crate::helpers::gateway_on(&fake, 32_000, cistern_llm::ProviderKind::Anthropic);
    let agents = cistern_agents::Agents::new(db, gateway, config)
        .await
        .expect("agents start");
    fake.enqueue(Reply::tool_call("remember", r#"{"text":"x"}"#));
    fake.enqueue(Reply::text(ANSWER));
    let reply = agents
        .send(&owner, None, "Remember that I like teal.", None)
        .await
        .expect("the last round is accepted");
    assert_eq!(reply.message, ANSWER);
    let last = fake.requests().into_iter().last().expect("requests").body;
    assert!(
        last["tools"].as_array().is_some_and(|t| !t.is_empty()),
        "{last}"
    );
    assert_eq!(last["tool_choice"]["type"], "none", "{last}");
    agents.shutdown().await;
}
