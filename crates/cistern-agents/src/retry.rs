//! Retry: answer a conversation's last user message again, typically after an `error` or
//! `partial` reply (a complete one may be retried too).
//!
//! Nothing is deleted or reordered: the earlier reply stays in history with its status, the
//! new attempt is appended after it under the same turn lease as a turn (so seqs stay gapless
//! and `message_count` exact), and the earlier attempt is never context again — failed and
//! stopped replies are not fed back anyway (`context::to_message`), and [`drop_superseded`]
//! keeps only the last finished attempt of each exchange.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cistern_llm::Message;
use tokio::sync::{mpsc, oneshot};

use crate::agents::{Agents, Inner};
use crate::error::{Error, Result};
use crate::model::{MessageStatus, Role, StoredMessage, TurnEvent, TurnResult};
use crate::rounds::{Rounds, rounds};
use crate::store::on_db;
use crate::store::read;
use crate::store::write::NewMessage;
use crate::stream::TurnStream;
use crate::turn::{
    Events, MAX_BACKOFF, check_fits, extras, finish, forget_if_missing, jitter, lease_ms, release,
    started, with_lease,
};

/// Takes the turn lease without appending anything (the retry's `Begin`). The requested model
/// becomes the conversation's only if there is a reply to retry (the last message is the
/// assistant's), so a refused retry changes nothing.
const TAKE: &str = "UPDATE conversations SET version = version + 1, updated_at = $3,
        turn_token = $4, turn_expires = $5,
        model = CASE WHEN EXISTS (SELECT 1 FROM chat_messages m WHERE m.conversation_id = $1
            AND m.seq = conversations.message_count AND m.role = 'assistant')
            THEN COALESCE($6, model) ELSE model END
     WHERE id = $1 AND owner = $2 AND (turn_token IS NULL OR turn_expires < $3)
     RETURNING message_count, summarized_seq, model";
const EXISTS: &str = "SELECT 1 FROM conversations WHERE id = $1 AND owner = $2";

/// Messages read per page while looking back for the user message being answered.
const LOOK_BACK: i64 = 50;

impl Agents {
    /// Retries the last reply of `owner`'s `conversation_id`: answers its last user message
    /// again and appends the new reply after the old one, which stays in history. `model`
    /// overrides the conversation's model (and becomes it). Fails with
    /// [`Error::NothingToRetry`] when the last message is not an assistant reply,
    /// [`Error::NotFound`] for someone else's conversation, [`Error::Busy`] while a turn holds
    /// it; a model failure stores an `error` reply and returns [`Error::Model`], as a turn does.
    pub async fn retry(
        &self,
        owner: &str,
        conversation_id: &str,
        model: Option<&str>,
    ) -> Result<TurnResult> {
        let req = self.retry_request(owner, conversation_id, model)?;
        let (tx, rx) = oneshot::channel();
        let inner = self.inner.clone();
        self.inner.turns.spawn(async move {
            // The caller stopped waiting (a client that left): the turn is stored anyway.
            tx.send(run(&inner, req, None).await).ok();
        });
        rx.await.map_err(|_| Error::Closed)?
    }

    /// Like [`Agents::retry`], streamed as [`Agents::send_stream`] is: `Started` (its
    /// `user_seq` is the message answered again), deltas, then `Done` or an `Err` item.
    /// Dropping the stream stops the model; what came is stored as `partial`.
    pub fn retry_stream(
        &self,
        owner: &str,
        conversation_id: &str,
        model: Option<&str>,
    ) -> Result<TurnStream> {
        let req = self.retry_request(owner, conversation_id, model)?;
        let (tx, rx) = mpsc::channel(64);
        let inner = self.inner.clone();
        self.inner.turns.spawn(async move {
            let result = run(&inner, req, Some(tx.clone())).await;
            // The caller stopped waiting (a client that left): the turn is stored anyway.
            tx.send(result.map(TurnEvent::Done)).await.ok();
        });
        Ok(TurnStream::new(rx))
    }

    fn retry_request(
        &self,
        owner: &str,
        conversation_id: &str,
        model: Option<&str>,
    ) -> Result<RetryRequest> {
        if self.inner.closed.load(std::sync::atomic::Ordering::Acquire) {
            return Err(Error::Closed);
        }
        if model.is_some_and(|m| m.trim().is_empty()) {
            return Err(Error::Invalid("the model name must not be empty".into()));
        }
        Ok(RetryRequest {
            owner: owner.to_owned(),
            conversation: conversation_id.to_owned(),
            model: model.map(str::to_owned),
        })
    }
}

struct RetryRequest {
    owner: String,
    conversation: String,
    model: Option<String>,
}

struct Taken {
    count: i64,
    summarized_seq: i64,
    model: Option<String>,
}

async fn run(inner: &Arc<Inner>, req: RetryRequest, events: Option<Events>) -> Result<TurnResult> {
    let RetryRequest {
        owner,
        conversation,
        model: requested,
    } = req;
    let agent = inner.registry.get(&owner, &conversation);
    let mut state = agent.state.lock().await;
    let token = uuid::Uuid::new_v4().to_string();
    let taken = match take(inner, &owner, &conversation, &requested, &token).await {
        Ok(t) => t,
        Err(e) => return Err(forget_if_missing(inner, &conversation, &agent, state, e)),
    };
    // Under the lease: the exchange to answer again cannot change while we look.
    let asked = match last_user_message(inner, &conversation, taken.count).await {
        Ok(m) => m,
        Err(e) => {
            release(inner, &conversation, &token).await;
            return Err(e);
        }
    };
    let user = NewMessage {
        role: Role::User,
        content: asked.content,
        tool_calls: None,
        tool_call_id: None,
        tokens: asked.tokens,
        status: MessageStatus::Complete,
        error: None,
        usage: None,
    };
    let model = started(
        inner,
        events.as_ref(),
        &conversation,
        asked.seq,
        requested,
        taken.model,
    )
    .await;
    let budget = inner.budget(&model);
    let work = async {
        let tokens = u32::try_from(user.tokens).unwrap_or(u32::MAX);
        if let Err(e) = check_fits(inner, &model, tokens) {
            return Ok(Rounds::failed(e.to_string(), e));
        }
        // Reload (the cache holds the attempts being superseded), then drop what follows the
        // user message so the context ends with it.
        state.invalidate();
        state
            .sync(
                &inner.db,
                &inner.memory,
                &owner,
                &conversation,
                taken.count,
                taken.summarized_seq,
                &user,
                budget,
            )
            .await?;
        state.forget_after(asked.seq);
        let extras = extras(inner, &owner, &user.content, None).await;
        let built = state.build(&extras, budget, inner.tools_tokens);
        if let Some(upto) = built.unsummarized_upto {
            crate::summarize::schedule(inner, &owner, &conversation, &model, upto);
        }
        Ok::<_, Error>(rounds(inner, &owner, &model, built, events.as_ref(), budget).await)
    };
    let ran = with_lease(inner, &conversation, &token, work).await;
    finish(inner, state, conversation, &token, taken.count, ran).await
}

/// Takes the turn lease of `owner`'s `conversation`, waiting (with backoff) while a turn
/// holds it, as a turn's begin does.
async fn take(
    inner: &Inner,
    owner: &str,
    conversation: &str,
    model: &Option<String>,
    token: &str,
) -> Result<Taken> {
    let deadline = Instant::now() + inner.config.busy_wait;
    let mut backoff = Duration::from_millis(2);
    loop {
        let now = cistern_store::sql::now_ms();
        let expires = now + lease_ms(inner);
        let row: Option<(i64, i64, Option<String>)> = on_db!(&inner.db, pool =>
            sqlx::query_as(TAKE).bind(conversation).bind(owner).bind(now).bind(token)
                .bind(expires).bind(model).fetch_optional(pool).await)?;
        if let Some((count, summarized_seq, model)) = row {
            return Ok(Taken {
                count,
                summarized_seq,
                model,
            });
        }
        let exists: Option<(i32,)> = on_db!(&inner.db, pool =>
            sqlx::query_as(EXISTS).bind(conversation).bind(owner).fetch_optional(pool).await)?;
        if exists.is_none() {
            return Err(Error::NotFound("conversation"));
        }
        if Instant::now() >= deadline {
            return Err(Error::Busy);
        }
        tokio::time::sleep(jitter(backoff)).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// The user message the last reply answers; [`Error::NothingToRetry`] unless the last of the
/// `count` messages is the assistant's.
async fn last_user_message(inner: &Inner, conversation: &str, count: i64) -> Result<StoredMessage> {
    let mut before = count + 1;
    let mut first = true;
    loop {
        let page = read::newest_before(&inner.db, conversation, before, LOOK_BACK).await?;
        if first && page.first().is_none_or(|m| m.role != Role::Assistant) {
            return Err(Error::NothingToRetry);
        }
        first = false;
        let full = page.len() as i64 == LOOK_BACK;
        for m in page {
            if m.role == Role::User {
                return Ok(m);
            }
            before = m.seq;
        }
        if !full {
            return Err(Error::NothingToRetry);
        }
    }
}

/// Drops superseded attempts from a context. The messages answering one user message are one
/// or more attempts, each ending with a final reply (an assistant message without tool calls;
/// failed and stopped replies are never in a context); only the last finished attempt, with
/// its tool rounds, is kept, and tool rounds of a later attempt that never finished are dropped.
pub(crate) fn drop_superseded(messages: &mut Vec<Message>) {
    if !needs_trim(messages) {
        return;
    }
    let mut out = Vec::with_capacity(messages.len());
    let mut exchange: Vec<Message> = Vec::new();
    for m in messages.drain(..) {
        if starts_exchange(&m) {
            keep_last_attempt(&mut out, &mut exchange);
            out.push(m);
        } else {
            exchange.push(m);
        }
    }
    keep_last_attempt(&mut out, &mut exchange);
    *messages = out;
}

fn starts_exchange(m: &Message) -> bool {
    matches!(m.role, cistern_llm::Role::User | cistern_llm::Role::System)
}

fn is_final(m: &Message) -> bool {
    m.role == cistern_llm::Role::Assistant && m.tool_calls.is_empty()
}

/// Whether any message follows a final reply within its exchange (the common case is no).
fn needs_trim(messages: &[Message]) -> bool {
    let mut after_final = false;
    for m in messages {
        if starts_exchange(m) {
            after_final = false;
        } else if after_final {
            return true;
        } else {
            after_final = is_final(m);
        }
    }
    false
}

fn keep_last_attempt(out: &mut Vec<Message>, exchange: &mut Vec<Message>) {
    let finals: Vec<usize> = (0..exchange.len())
        .filter(|&i| is_final(&exchange[i]))
        .collect();
    match finals.as_slice() {
        [] => out.append(exchange),
        [last] => out.extend(exchange.drain(..=*last)),
        [.., previous, last] => out.extend(exchange.drain(..=*last).skip(previous + 1)),
    }
    exchange.clear();
}

#[cfg(test)]
mod tests {
    use cistern_llm::{FunctionCall, ToolCall};

    use super::*;

    fn call(id: &str) -> Message {
        let mut m = Message::assistant("");
        m.content = None;
        m.tool_calls = vec![ToolCall {
            id: id.into(),
            kind: Default::default(),
            function: FunctionCall {
                name: "recall".into(),
                arguments: "{}".into(),
            },
        }];
        m
    }

    fn texts(messages: &[Message]) -> Vec<String> {
        messages
            .iter()
            .map(|m| match m.role {
                cistern_llm::Role::Tool => format!("tool:{}", m.text()),
                _ if !m.tool_calls.is_empty() => format!("call:{}", m.tool_calls[0].id),
                _ => m.text().into_owned(),
            })
            .collect()
    }

    #[test]
    fn a_plain_history_is_untouched() {
        let mut m = vec![
            Message::system("s"),
            Message::user("q1"),
            call("c1"),
            Message::tool_result("c1", "r1"),
            Message::assistant("a1"),
            Message::user("q2"),
        ];
        let before = texts(&m);
        drop_superseded(&mut m);
        assert_eq!(texts(&m), before);
    }

    #[test]
    fn only_the_last_finished_attempt_of_an_exchange_is_kept() {
        let mut m = vec![
            Message::user("q1"),
            Message::assistant("old answer"),
            call("c2"),
            Message::tool_result("c2", "r2"),
            Message::assistant("new answer"),
            Message::user("q2"),
            Message::assistant("a2"),
            call("c3"),
            Message::tool_result("c3", "unfinished"),
        ];
        drop_superseded(&mut m);
        assert_eq!(
            texts(&m),
            ["q1", "call:c2", "tool:r2", "new answer", "q2", "a2"]
        );
    }
}
