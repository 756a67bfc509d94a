//! Compaction: messages that no longer fit the context window are summarised into episodic
//! memory, in the background. Each summary rolls the previous one in, so the latest covers the
//! conversation from its start.
//!
//! The summariser never overflows its model: a request holds the instructions, the summary so
//! far (capped at a sixth of the budget) and a chunk of messages sized to what is left — a
//! message too long for a chunk of its own is truncated — and the reply is capped by
//! `max_tokens`. A summary is saved with a compare-and-set on the conversation's
//! `summarized_seq`, so two instances summarising the same stretch cannot both save.

use std::sync::Arc;

use cistern_llm::{CallContext, ChatRequest, Message};

use crate::agents::Inner;
use crate::error::Result;
use crate::store::{on_db, read};
use crate::tokens::{estimate_tokens, request_tokens, truncate_to_tokens};

const INSTRUCTIONS: &str = "Update the running summary of a conversation with its next messages. \
Keep names, facts, preferences, decisions and open questions; drop small talk. Answer with the \
summary only.";

const SAVE_CAS: &str = "UPDATE conversations SET summarized_seq = $3, version = version + 1
     WHERE id = $1 AND owner = $2 AND summarized_seq = $4";
const SAVE_EPISODE: &str =
    "INSERT INTO memory_episodes (id, owner, conversation_id, to_seq, summary,
        tokens, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Messages read per chunk at most.
const CHUNK_ROWS: i64 = 200;

/// Starts summarising `conversation` up to `upto` unless a summariser is already at it here.
pub(crate) fn schedule(
    inner: &Arc<Inner>,
    owner: &str,
    conversation: &str,
    model: &str,
    upto: i64,
) {
    {
        let mut busy = inner.summarizing.lock().unwrap_or_else(|p| p.into_inner());
        if !busy.insert(conversation.to_owned()) {
            return;
        }
    }
    let inner2 = inner.clone();
    let (owner, conversation) = (owner.to_owned(), conversation.to_owned());
    let model = inner
        .config
        .summary_model
        .clone()
        .unwrap_or_else(|| model.to_owned());
    let cancel = inner.cancel.clone();
    inner.background.spawn(async move {
        tokio::select! {
            r = summarize(&inner2, &owner, &conversation, &model, upto) => {
                if let Err(e) = r {
                    tracing::warn!(error = %e, conversation = %conversation, "summarising failed; will retry on a later turn");
                }
            }
            () = cancel.cancelled() => {}
        }
        inner2
            .summarizing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&conversation);
    });
}

async fn summarize(
    inner: &Inner,
    owner: &str,
    conversation: &str,
    model: &str,
    upto: i64,
) -> Result<()> {
    let conv = read::conversation(&inner.db, owner, conversation).await?;
    let mut from = conv.summarized_seq;
    let mut summary = inner
        .memory
        .latest_episode(owner, conversation)
        .await?
        .map(|e| e.summary)
        .unwrap_or_default();
    let budget = inner.budget(model);
    let summary_cap = (budget / 6).max(16);
    let fixed = request_tokens(&[Message::system(INSTRUCTIONS)], 0);
    while from < upto {
        let rows = read::range(&inner.db, conversation, from, upto, CHUNK_ROWS).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let prior = truncate_to_tokens(&summary, summary_cap);
        let mut text = format!("Summary so far:\n{prior}\n\nNext messages:\n");
        let mut to = from;
        for m in &rows {
            let room = budget.saturating_sub(fixed + estimate_tokens(&text));
            if room <= crate::tokens::PER_MESSAGE + 4 {
                break;
            }
            let line = format!("{}: {}\n", m.role.as_str(), m.content);
            let cut = truncate_to_tokens(&line, room);
            if cut.len() < line.len() && to > from {
                break; // the next chunk starts with it
            }
            text.push_str(cut);
            to = m.seq;
        }
        let mut req = ChatRequest::new(
            model,
            vec![Message::system(INSTRUCTIONS), Message::user(text)],
        );
        req.max_tokens = Some(summary_cap);
        let ctx = CallContext {
            user_id: Some(owner.to_owned()),
            app: Some("chat-summary".to_owned()),
            ..CallContext::default()
        };
        let reply = inner.gateway.chat(req, ctx).await?;
        let next = truncate_to_tokens(&reply.message.text(), summary_cap).to_owned();
        if !save(inner, owner, conversation, from, to, &next).await? {
            return Ok(()); // another instance got there first
        }
        summary = next;
        from = to;
    }
    Ok(())
}

/// Saves a summary covering `1..=to` if the conversation is still summarised up to `from`.
async fn save(
    inner: &Inner,
    owner: &str,
    conversation: &str,
    from: i64,
    to: i64,
    summary: &str,
) -> Result<bool> {
    let id = uuid::Uuid::now_v7().to_string();
    let tokens = i64::from(estimate_tokens(summary));
    let now = cistern_store::sql::now_ms();
    let saved = on_db!(&inner.db, pool => {
        let mut tx = pool.begin().await?;
        let n = sqlx::query(SAVE_CAS).bind(conversation).bind(owner).bind(to).bind(from)
            .execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            sqlx::query(SAVE_EPISODE).bind(&id).bind(owner).bind(conversation).bind(to)
                .bind(summary).bind(tokens).bind(now)
                .execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<bool, sqlx::Error>(n == 1)
    })?;
    Ok(saved)
}
