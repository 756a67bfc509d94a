//! The model side of a turn: call the model with the built context, run the tool calls it makes
//! (bounded rounds), and turn what came back into rows to store — complete, or `partial` when
//! the caller stopped the stream, or `error` with whatever text arrived before a failure.
//!
//! A tool call with bad arguments never fails the turn: the gateway hands it back
//! ([`InvalidToolCalls::Return`]) and it gets the tool's error result like any other failed
//! call, so the model can correct itself or answer without the tool. The last round offers no
//! tools (they stay declared, with `tool_choice: none`, when the history holds tool calls:
//! Anthropic refuses tool blocks without them); only a model that still calls tools then,
//! without any text, leaves the turn without an answer (a model error, `invalid_output`).

use cistern_llm::{
    CallContext, ChatRequest, InvalidToolCalls, Message, StreamEvent, ToolCall, ToolChoice, Usage,
};
use futures::StreamExt;

use crate::agents::Inner;
use crate::context::Built;
use crate::error::Error;
use crate::model::{MessageStatus, Role, TurnEvent, TurnUsage};
use crate::store::write::NewMessage;
use crate::tokens::{estimate_tokens, message_tokens, request_tokens};
use crate::turn::Events;

/// What the model rounds produced.
pub(crate) struct Rounds {
    /// Rows to append, the final reply last.
    pub rows: Vec<NewMessage>,
    /// The final reply's text.
    pub reply: String,
    pub usage: TurnUsage,
    /// Set when the reply failed (its row has status `error`).
    pub error: Option<Error>,
}

impl Rounds {
    /// A turn that failed before any model call: one `error` reply row.
    pub(crate) fn failed(why: String, error: Error) -> Self {
        Self {
            rows: vec![reply_row(String::new(), MessageStatus::Error, Some(why))],
            reply: String::new(),
            usage: TurnUsage::default(),
            error: Some(error),
        }
    }
}

enum Called {
    Reply(Message, Usage),
    /// The stream's reader went away (stop): the text so far.
    Stopped(String),
    /// The model failed; the text that came before.
    Failed(String, cistern_llm::Error),
}

pub(crate) async fn rounds(
    inner: &Inner,
    owner: &str,
    model: &str,
    built: Built,
    events: Option<&crate::turn::Events>,
    budget: u32,
) -> Rounds {
    let mut messages = built.messages;
    let mut rows = Vec::new();
    let mut usage = TurnUsage::default();
    let max = inner.config.max_tool_rounds;
    for round in 0..=max {
        let offer = built.tools && round < max;
        // The last round after tool rounds: the history holds tool calls and results, which some
        // providers (Anthropic) accept only with the tools declared — so they are declared,
        // with `tool_choice: none`.
        let declare = offer || (built.tools && round > 0);
        let tools_tokens = if declare { inner.tools_tokens } else { 0 };
        let mut req = ChatRequest::new(model, messages.clone());
        if offer {
            req.tools = inner.tools.clone();
            // A call with bad arguments comes back to us and gets an error result the model
            // can act on (`tools::run`), in this round budget — it does not fail the turn.
            req.invalid_tool_calls = InvalidToolCalls::Return;
        } else if declare {
            req.tools = inner.tools.clone();
            req.tool_choice = Some(ToolChoice::None);
            req.invalid_tool_calls = InvalidToolCalls::Return;
        }
        usage.model_calls += 1;
        let (mut message, u) = match call(inner, owner, req, events).await {
            Called::Reply(m, u) => (m, u),
            Called::Stopped(text) => {
                rows.push(reply_row(
                    text.clone(),
                    MessageStatus::Partial,
                    Some("stopped by the user".into()),
                ));
                return done(rows, text, usage, None);
            }
            Called::Failed(text, e) => {
                rows.push(reply_row(text, MessageStatus::Error, Some(e.to_string())));
                return done(rows, String::new(), usage, Some(Error::Model(e)));
            }
        };
        usage.input_tokens += u64::from(u.input_tokens);
        usage.output_tokens += u64::from(u.output_tokens);
        usage.cost_usd += u.cost_usd;
        if !offer || message.tool_calls.is_empty() {
            let text = message.text().into_owned();
            if !message.tool_calls.is_empty() && text.trim().is_empty() {
                return no_answer(rows, usage, &message, round, max);
            }
            rows.push(reply_row(text.clone(), MessageStatus::Complete, None));
            return done(rows, text, usage, None);
        }
        // A tool round: store the call and each result, then ask again.
        if message
            .content
            .as_ref()
            .is_some_and(|c| c.text().is_empty())
        {
            message.content = None;
        }
        let calls = message.tool_calls.clone();
        rows.push(NewMessage {
            role: Role::Assistant,
            content: message.text().into_owned(),
            tool_calls: serde_json::to_string(&calls).ok(),
            tool_call_id: None,
            tokens: i64::from(message_tokens(&message)),
            status: MessageStatus::Complete,
            error: None,
            usage: None,
        });
        messages.push(message);
        for c in &calls {
            if let Some(ev) = events {
                // A client that left stops listening; the turn goes on.
                ev.send(Ok(TurnEvent::ToolCall {
                    name: c.function.name.clone(),
                }))
                .await
                .ok();
            }
            // Room left for this result: what the window has, shared with the results to come.
            let used = request_tokens(&messages, tools_tokens);
            let room = budget.saturating_sub(used) / 2;
            let result = crate::tools::run(
                &inner.memory,
                owner,
                c,
                room.max(crate::tokens::PER_MESSAGE + 8),
            )
            .await;
            rows.push(NewMessage {
                role: Role::Tool,
                tokens: i64::from(estimate_tokens(&result)),
                content: result.clone(),
                tool_calls: None,
                tool_call_id: Some(c.id.clone()),
                status: MessageStatus::Complete,
                error: None,
                usage: None,
            });
            messages.push(Message::tool_result(c.id.clone(), result));
        }
        fit(&mut messages, budget, inner.tools_tokens);
    }
    // Unreachable: the last round offers no tools and so always ends above.
    rows.push(reply_row(
        String::new(),
        MessageStatus::Error,
        Some("tool rounds exhausted".into()),
    ));
    done(rows, String::new(), usage, None)
}

/// The rounds' outcome; the final reply (the last row, whatever its status) carries the turn's
/// usage, so the conversation shows what each reply cost.
fn done(
    mut rows: Vec<NewMessage>,
    reply: String,
    usage: TurnUsage,
    error: Option<Error>,
) -> Rounds {
    if let Some(last) = rows.last_mut() {
        last.usage = serde_json::to_string(&usage).ok();
    }
    Rounds {
        rows,
        reply,
        usage,
        error,
    }
}

/// The model called tools where none were offered (its tool rounds were spent) and said
/// nothing: the turn has no answer. Its calls are not stored — nothing would answer them.
fn no_answer(
    mut rows: Vec<NewMessage>,
    usage: TurnUsage,
    message: &Message,
    round: u32,
    max: u32,
) -> Rounds {
    let names: Vec<&str> = message
        .tool_calls
        .iter()
        .map(|c| c.function.name.as_str())
        .collect();
    let why = format!(
        "the model called {} instead of answering when no tools were offered \
         ({round} of {max} tool rounds used)",
        names.join(", ")
    );
    rows.push(reply_row(
        String::new(),
        MessageStatus::Error,
        Some(why.clone()),
    ));
    let error = Error::Model(cistern_llm::Error::InvalidOutput(why));
    done(rows, String::new(), usage, Some(error))
}

fn reply_row(text: String, status: MessageStatus, error: Option<String>) -> NewMessage {
    NewMessage {
        role: Role::Assistant,
        tokens: i64::from(estimate_tokens(&text)),
        content: text,
        tool_calls: None,
        tool_call_id: None,
        status,
        error,
        usage: None,
    }
}

/// Drops the oldest history (never the system message) until the request fits again after
/// tool results grew it; history is dropped up to a user message so no result is orphaned.
fn fit(messages: &mut Vec<Message>, budget: u32, tools_tokens: u32) {
    let start = usize::from(
        messages
            .first()
            .is_some_and(|m| m.role == cistern_llm::Role::System),
    );
    while request_tokens(messages, tools_tokens) > budget && messages.len() > start + 1 {
        messages.remove(start);
        while messages.len() > start + 1 && messages[start].role != cistern_llm::Role::User {
            messages.remove(start);
        }
    }
}

async fn call(inner: &Inner, owner: &str, req: ChatRequest, events: Option<&Events>) -> Called {
    let ctx = CallContext {
        user_id: Some(owner.to_owned()),
        app: Some("chat".to_owned()),
        ..CallContext::default()
    };
    let Some(ev) = events else {
        return match inner.gateway.chat(req, ctx).await {
            Ok(r) => Called::Reply(r.message, r.usage),
            Err(e) => Called::Failed(String::new(), e),
        };
    };
    let mut stream = match inner.gateway.chat_stream(req, ctx).await {
        Ok(s) => s,
        Err(e) => return Called::Failed(String::new(), e),
    };
    let mut text = String::new();
    let mut calls: Vec<ToolCall> = Vec::new();
    let mut usage = Usage::default();
    loop {
        let item = tokio::select! {
            item = stream.next() => item,
            () = ev.closed() => return Called::Stopped(text),
        };
        match item {
            None => break,
            Some(Ok(StreamEvent::TextDelta { text: t })) => {
                text.push_str(&t);
                if ev.send(Ok(TurnEvent::Delta { text: t })).await.is_err() {
                    return Called::Stopped(text);
                }
            }
            Some(Ok(StreamEvent::ToolCallDelta(d))) => {
                let i = usize::try_from(d.index).unwrap_or(usize::MAX).min(64);
                while calls.len() <= i {
                    calls.push(ToolCall {
                        id: String::new(),
                        kind: Default::default(),
                        function: cistern_llm::FunctionCall {
                            name: String::new(),
                            arguments: String::new(),
                        },
                    });
                }
                let c = &mut calls[i];
                if let Some(id) = d.id {
                    c.id = id;
                }
                if let Some(name) = d.name {
                    c.function.name = name;
                }
                c.function.arguments.push_str(&d.arguments);
            }
            Some(Ok(StreamEvent::Finish { .. })) => {}
            Some(Ok(StreamEvent::Usage(u))) => usage = u,
            Some(Err(e)) => return Called::Failed(text, e),
        }
    }
    let mut message = Message::assistant(text);
    message.tool_calls = calls;
    Called::Reply(message, usage)
}
