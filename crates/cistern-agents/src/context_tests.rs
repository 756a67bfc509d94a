//! Context building: it fits the budget, starts at a user message, and carries the extras.

use cistern_llm::Role as LlmRole;

use super::*;
use crate::tokens::estimate_tokens;

fn row(role: Role, text: &str, calls: Option<&str>, call_id: Option<&str>) -> NewMessage {
    NewMessage {
        role,
        content: text.to_owned(),
        tool_calls: calls.map(str::to_owned),
        tool_call_id: call_id.map(str::to_owned),
        tokens: i64::from(estimate_tokens(text)) + if calls.is_some() { 20 } else { 0 },
        status: MessageStatus::Complete,
        error: None,
        usage: None,
    }
}

fn state(rows: &[NewMessage]) -> AgentState {
    let mut s = AgentState {
        loaded: true,
        ..AgentState::default()
    };
    for (i, r) in rows.iter().enumerate() {
        s.push(i as i64 + 1, r);
    }
    s
}

const CALL: &str =
    r#"[{"id":"c1","type":"function","function":{"name":"recall","arguments":"{}"}}]"#;

#[test]
fn never_starts_with_an_orphaned_tool_result_and_fits_the_budget() {
    let long = "x".repeat(300);
    let rows = [
        row(Role::User, &long, None, None),
        row(Role::Assistant, "", Some(CALL), None),
        row(Role::Tool, "{\"facts\":[]}", None, Some("c1")),
        row(Role::Assistant, "Nothing found.", None, None),
        row(Role::User, "And now?", None, None),
    ];
    let mut s = state(&rows);
    let extras = Extras {
        system_prompt: None,
        facts: Vec::new(),
    };
    // Room for everything but the long first message: the window would start at the
    // assistant's tool call; it must start at the next user message instead.
    let budget = 80;
    let built = s.build(&extras, budget, 0);
    assert_eq!(built.messages.len(), 1, "{:?}", built.messages);
    assert_eq!(built.messages[0].role, LlmRole::User);
    assert!(request_tokens(&built.messages, 0) <= budget);
    assert_eq!(
        built.unsummarized_upto,
        Some(4),
        "messages 1-4 fell out unsummarised"
    );
}

#[test]
fn extras_go_into_one_system_message_within_the_budget() {
    let rows = [
        row(Role::User, "hello", None, None),
        row(Role::Assistant, "hi", None, None),
        row(Role::User, "what do I like?", None, None),
    ];
    let mut s = state(&rows);
    s.summary = Some("They talked about rivers. ".repeat(50));
    let extras = Extras {
        system_prompt: Some("Be brief.".into()),
        facts: vec!["Likes tea.".into(), "Lives in Leeds.".into()],
    };
    for budget in [60, 120, 400, 4000] {
        let mut s2 = state(&rows);
        s2.summary = s.summary.clone();
        let built = s2.build(&extras, budget, 30);
        assert!(
            request_tokens(&built.messages, if built.tools { 30 } else { 0 }) <= budget,
            "budget {budget}"
        );
        assert_eq!(
            built.messages.last().map(|m| m.text().into_owned()),
            Some("what do I like?".into())
        );
    }
    let built = s.build(&extras, 4000, 30);
    assert!(built.tools);
    let system = built.messages[0].text().into_owned();
    assert!(system.starts_with("Be brief."));
    assert!(system.contains("Summary of the earlier conversation"));
    assert!(system.contains("- Likes tea."));
    assert_eq!(built.messages.len(), 4);
}
