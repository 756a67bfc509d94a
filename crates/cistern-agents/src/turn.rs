//! One turn: take the conversation (lease), store the user's message, build the context, call
//! the model (tool rounds included), store the reply, give the conversation back.
//!
//! Both writes are compare-and-sets on the conversation row (see `store::write`), so turns of one
//! conversation never interleave, on one instance or many; the agent's mutex only keeps turns
//! of this instance from polling the database for the lease.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::agents::Inner;
use crate::context::{AgentState, Extras};
use crate::error::{Error, Result};
use crate::model::{MessageStatus, Role, TurnEvent, TurnResult};
use crate::registry::Agent;
use crate::rounds::{Rounds, rounds};
use crate::store::read::clean_title;
use crate::store::write::{NewConversation, NewMessage, Op, Outcome};
use crate::store::writer::Pending;
use crate::tokens::estimate_tokens;

/// Where a streamed turn's events go.
pub(crate) type Events = mpsc::Sender<Result<TurnEvent>>;

/// A validated turn request.
#[derive(Debug, Clone)]
pub(crate) struct TurnRequest {
    pub owner: String,
    pub conversation_id: Option<String>,
    pub message: String,
    pub model: Option<String>,
}

/// Longest pause between two tries for a conversation another instance holds.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_millis(100);

pub(crate) async fn run(
    inner: &Arc<Inner>,
    req: TurnRequest,
    events: Option<Events>,
) -> Result<TurnResult> {
    let TurnRequest {
        owner,
        conversation_id,
        message,
        model: requested,
    } = req;
    let (conversation, create) = match conversation_id {
        Some(id) => (id, None),
        None => (
            uuid::Uuid::now_v7().to_string(),
            Some(NewConversation {
                title: clean_title(&message),
            }),
        ),
    };
    let first_model = requested.as_deref().unwrap_or(&inner.config.default_model);
    let tokens = estimate_tokens(&message);
    check_fits(inner, first_model, tokens)?;

    let agent = inner.registry.get(&owner, &conversation);
    let mut state = agent.state.lock().await;
    let user = NewMessage {
        role: Role::User,
        content: message,
        tool_calls: None,
        tool_call_id: None,
        tokens: i64::from(tokens),
        status: MessageStatus::Complete,
        error: None,
        usage: None,
    };
    let token = uuid::Uuid::new_v4().to_string();
    let begun = match begin(
        inner,
        &owner,
        &conversation,
        create,
        &requested,
        &user,
        &token,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return Err(forget_if_missing(inner, &conversation, &agent, state, e)),
    };
    let stored = begun.model.clone();
    let model = started(
        inner,
        events.as_ref(),
        &conversation,
        begun.count,
        requested,
        stored,
    )
    .await;
    let budget = inner.budget(&model);

    let work = async {
        if let Err(e) = check_fits(inner, &model, tokens) {
            return Ok(Rounds::failed(e.to_string(), e));
        }
        state
            .sync(
                &inner.db,
                &inner.memory,
                &owner,
                &conversation,
                begun.count,
                begun.summarized_seq,
                &user,
                budget,
            )
            .await?;
        let known = Known {
            system_prompt: begun.system_prompt.clone(),
            has_facts: begun.has_facts,
        };
        let extras = extras(inner, &owner, &user.content, Some(known)).await;
        let built = state.build(&extras, budget, inner.tools_tokens);
        if let Some(upto) = built.unsummarized_upto {
            crate::summarize::schedule(inner, &owner, &conversation, &model, upto);
        }
        Ok::<_, Error>(rounds(inner, &owner, &model, built, events.as_ref(), budget).await)
    };
    let ran = with_lease(inner, &conversation, &token, work).await;
    finish(inner, state, conversation, &token, begun.count, ran).await
}

/// The end of a turn or a retry, once its model rounds ran under the lease (`ran`): gives the
/// conversation back if they failed before the model; else queues the write that appends the
/// rows after `last_seq` and releases the lease, records the rows in the agent's cache, and
/// waits for the commit.
pub(crate) async fn finish(
    inner: &Inner,
    mut state: tokio::sync::MutexGuard<'_, AgentState>,
    conversation: String,
    token: &str,
    last_seq: i64,
    ran: Result<Result<Rounds>>,
) -> Result<TurnResult> {
    let rounds = match ran {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            // It failed before the model (a read): give the conversation back.
            state.invalidate();
            release(inner, &conversation, token).await;
            return Err(e);
        }
        Err(e) => {
            state.invalidate();
            return Err(e);
        }
    };
    // The reply's write is queued while this turn still holds the agent, so the next local
    // turn's first write queues behind it (same group commit on SQLite: one fsync for both);
    // this turn then waits for its own commit without holding up the next one. Under the
    // lease no one else appends, so the seqs are known now.
    let pending = match enqueue_end(inner, &conversation, token, rounds.rows.clone()).await {
        Ok(p) => p,
        Err(e) => {
            state.invalidate();
            return Err(e);
        }
    };
    for (seq, row) in (last_seq + 1..).zip(&rounds.rows) {
        state.push(seq, row);
    }
    drop(state);
    // If this commit fails the agent's cache is ahead of the database; the next turn's BEGIN
    // returns a count that does not follow it, and the cache is reloaded.
    let count = match pending.wait().await? {
        Outcome::Ended { message_count } => message_count,
        _ => return Err(Error::TurnLost),
    };
    if let Some(e) = rounds.error {
        return Err(e);
    }
    Ok(TurnResult {
        conversation_id: conversation,
        message: rounds.reply,
        seq: count,
        message_count: count,
        usage: rounds.usage,
    })
}

/// After the first write of a turn or a retry failed: a conversation that is someone else's (or
/// was deleted) must not leave an agent entry that shadows the owner's.
pub(crate) fn forget_if_missing(
    inner: &Inner,
    conversation: &str,
    agent: &Arc<Agent>,
    state: tokio::sync::MutexGuard<'_, AgentState>,
    e: Error,
) -> Error {
    if matches!(e, Error::NotFound(_)) {
        drop(state);
        inner.registry.remove_if(conversation, agent);
    }
    e
}

/// Once a turn or a retry holds the conversation: tells a streaming caller which message is
/// being answered, and answers the model to use — the request's, else the conversation's, else
/// the default.
pub(crate) async fn started(
    inner: &Inner,
    events: Option<&Events>,
    conversation: &str,
    user_seq: i64,
    requested: Option<String>,
    stored: Option<String>,
) -> String {
    if let Some(ev) = events {
        let started = TurnEvent::Started {
            conversation_id: conversation.to_owned(),
            user_seq,
        };
        // A client that left stops listening; the turn goes on and stores its reply.
        ev.send(Ok(started)).await.ok();
    }
    requested
        .or(stored)
        .unwrap_or_else(|| inner.config.default_model.clone())
}

/// Gives the conversation back without appending anything.
pub(crate) async fn release(inner: &Inner, conversation: &str, token: &str) {
    match enqueue_end(inner, conversation, token, Vec::new()).await {
        Ok(p) => {
            if let Err(error) = p.wait().await {
                tracing::warn!(conversation, %error, "cannot release the conversation");
            }
        }
        Err(error) => tracing::warn!(conversation, %error, "cannot release the conversation"),
    }
}

/// A user message must fit half the prompt budget of `model`.
pub(crate) fn check_fits(inner: &Inner, model: &str, tokens: u32) -> Result<()> {
    let budget = inner.budget(model);
    if tokens > budget / 2 {
        return Err(Error::Invalid(format!(
            "the message is about {tokens} tokens; model {model:?} takes at most {} per message",
            budget / 2
        )));
    }
    Ok(())
}

struct Begun {
    count: i64,
    summarized_seq: i64,
    model: Option<String>,
    system_prompt: Option<String>,
    has_facts: bool,
}

/// Appends the user's message under the turn lease, waiting (with backoff) while another
/// instance's turn holds the conversation.
async fn begin(
    inner: &Inner,
    owner: &str,
    conversation: &str,
    create: Option<NewConversation>,
    model: &Option<String>,
    user: &NewMessage,
    token: &str,
) -> Result<Begun> {
    let deadline = Instant::now() + inner.config.busy_wait;
    let mut backoff = Duration::from_millis(2);
    loop {
        let now = cistern_store::sql::now_ms();
        let op = Op::Begin {
            owner: owner.to_owned(),
            conversation: conversation.to_owned(),
            create: create.clone(),
            model: model.clone(),
            message: user.clone(),
            token: token.to_owned(),
            expires: now + lease_ms(inner),
            now,
        };
        match inner.writer.submit(op).await? {
            Outcome::Begun {
                message_count,
                summarized_seq,
                model,
                system_prompt,
                has_facts,
            } => {
                return Ok(Begun {
                    count: message_count,
                    summarized_seq,
                    model,
                    system_prompt,
                    has_facts,
                });
            }
            Outcome::NotFound => return Err(Error::NotFound("conversation")),
            Outcome::Busy if Instant::now() < deadline => {
                tokio::time::sleep(jitter(backoff)).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            _ => return Err(Error::Busy),
        }
    }
}

/// Queues the write that appends the turn's rows and releases the lease.
pub(crate) async fn enqueue_end(
    inner: &Inner,
    conversation: &str,
    token: &str,
    rows: Vec<NewMessage>,
) -> Result<Pending> {
    let op = Op::End {
        conversation: conversation.to_owned(),
        token: token.to_owned(),
        messages: rows,
        now: cistern_store::sql::now_ms(),
    };
    inner.writer.enqueue(op).await
}

/// Runs `work` while renewing the lease every third of its length; a lost lease (the
/// conversation deleted, or taken over after this instance stalled) aborts the turn.
pub(crate) async fn with_lease<F: Future>(
    inner: &Inner,
    conversation: &str,
    token: &str,
    work: F,
) -> Result<F::Output> {
    let period = inner.config.turn_lease / 3;
    let mut work = std::pin::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return Ok(out),
            () = tokio::time::sleep(period) => {
                let op = Op::Renew {
                    conversation: conversation.to_owned(),
                    token: token.to_owned(),
                    expires: cistern_store::sql::now_ms() + lease_ms(inner),
                };
                if inner.writer.submit(op).await? != Outcome::Renewed {
                    return Err(Error::TurnLost);
                }
            }
        }
    }
}

pub(crate) fn lease_ms(inner: &Inner) -> i64 {
    i64::try_from(inner.config.turn_lease.as_millis()).unwrap_or(i64::MAX / 2)
}

/// `d` plus up to 50% so waiting instances do not retry in lockstep.
pub(crate) fn jitter(d: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.subsec_nanos());
    let half = u32::try_from(d.as_micros() / 2).unwrap_or(u32::MAX).max(1);
    d + Duration::from_micros(u64::from(nanos % half))
}

/// What the begin write read besides the lease: the owner's standing instructions and whether
/// they have any fact.
pub(crate) struct Known {
    pub system_prompt: Option<String>,
    pub has_facts: bool,
}

/// The standing instructions and the facts relevant to `message` (searched only if the owner
/// has any). A turn's begin write has read the instructions (`known`); a retry, which takes the
/// lease without one, reads them here. Memory is an aid: if it cannot be read, the turn goes on
/// without it.
pub(crate) async fn extras(
    inner: &Inner,
    owner: &str,
    message: &str,
    known: Option<Known>,
) -> Extras {
    let n = inner.config.facts_in_context;
    let known = match known {
        Some(k) => k,
        None => Known {
            system_prompt: inner.memory.system_prompt(owner).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not read the system prompt");
                None
            }),
            has_facts: true,
        },
    };
    let facts = if n == 0 || !known.has_facts {
        Ok(Vec::new())
    } else {
        inner.memory.search_facts(owner, message, n).await
    };
    Extras {
        system_prompt: known.system_prompt,
        facts: facts
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not search facts");
                Vec::new()
            })
            .into_iter()
            .map(|h| h.fact.content)
            .collect(),
    }
}
