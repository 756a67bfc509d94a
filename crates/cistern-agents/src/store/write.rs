//! The turn writes (this file: SQLite, inside the group commit; `write_pg.rs`: PostgreSQL): begin (append the user's message and take the turn lease), end (append the
//! reply and give the lease back), renew. Each is a compare-and-set on the conversation row —
//! an `UPDATE … WHERE` whose row lock serializes writers on PostgreSQL (and SQLite has one
//! writer at a time) — followed by the message inserts numbered from the `RETURNING` count, so
//! seqs are gapless and ordered and `message_count` is exact whatever the number of instances.

use super::{Tx, on_tx};
use crate::model::{MessageStatus, Role};

// Begin's RETURNING also reads what the turn needs of the owner's memory — the standing
// instructions and whether any fact exists (no fact: no recall query) — in the same statement
// instead of two more reads on the pool.
const CREATE: &str = "INSERT INTO conversations (id, owner, title, model, message_count, version,
        summarized_seq, turn_token, turn_expires, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 1, 1, 0, $5, $6, $7, $7)
     RETURNING message_count, summarized_seq, model,
        (SELECT content FROM memory_instructions WHERE owner = $2),
        EXISTS (SELECT 1 FROM memory_facts WHERE owner = $2)";
// The usual turn writes as one multi-statement query each (one round trip to sqlx's connection
// thread instead of two): the message is inserted first, numbered from the row under the same
// lease condition the `UPDATE` then applies, so it is inserted exactly when the CAS succeeds.
const BEGIN_ONE: &str = "INSERT INTO chat_messages (conversation_id, seq, role, content,
        tool_calls, tool_call_id, tokens, status, error, created_at)
     SELECT id, message_count + 1, $7, $8, $9, $10, $11, $12, $13, $3 FROM conversations
     WHERE id = $1 AND owner = $2 AND (turn_token IS NULL OR turn_expires < $3);
     UPDATE conversations SET message_count = message_count + 1,
        version = version + 1, updated_at = $3, turn_token = $4, turn_expires = $5,
        model = COALESCE($6, model)
     WHERE id = $1 AND owner = $2 AND (turn_token IS NULL OR turn_expires < $3)
     RETURNING message_count, summarized_seq, model,
        (SELECT content FROM memory_instructions WHERE owner = $2),
        EXISTS (SELECT 1 FROM memory_facts WHERE owner = $2)";
const END_ONE: &str = "INSERT INTO chat_messages (conversation_id, seq, role, content,
        tool_calls, tool_call_id, tokens, status, error, created_at, usage)
     SELECT id, message_count + 1, $5, $6, $7, $8, $9, $10, $11, $4, $12 FROM conversations
     WHERE id = $1 AND turn_token = $2;
     UPDATE conversations SET message_count = message_count + $3,
        version = version + 1, updated_at = $4, turn_token = NULL, turn_expires = NULL
     WHERE id = $1 AND turn_token = $2
     RETURNING message_count";
const EXISTS: &str = "SELECT 1 FROM conversations WHERE id = $1 AND owner = $2";
const END: &str = "UPDATE conversations SET message_count = message_count + $3,
        version = version + 1, updated_at = $4, turn_token = NULL, turn_expires = NULL
     WHERE id = $1 AND turn_token = $2
     RETURNING message_count";
const RENEW: &str = "UPDATE conversations SET turn_expires = $3 WHERE id = $1 AND turn_token = $2";
const INSERT: &str = "INSERT INTO chat_messages (conversation_id, seq, role, content, tool_calls,
        tool_call_id, tokens, status, error, created_at, usage)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// A message to append.
#[derive(Debug, Clone)]
pub(crate) struct NewMessage {
    pub role: Role,
    pub content: String,
    pub tool_calls: Option<String>,
    pub tool_call_id: Option<String>,
    pub tokens: i64,
    pub status: MessageStatus,
    pub error: Option<String>,
    /// The turn's usage ([`crate::TurnUsage`]) as the column's JSON text, on its final reply
    /// only (user messages are begun without it). Text, like `tool_calls`: serialised once, when
    /// the row is made, and it keeps `Op` small.
    pub usage: Option<String>,
}

/// A new conversation, created by the turn that posts its first message.
#[derive(Debug, Clone)]
pub(crate) struct NewConversation {
    pub title: String,
}

/// One write.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// Append the user's message under a fresh lease (creating the conversation if asked).
    Begin {
        owner: String,
        conversation: String,
        create: Option<NewConversation>,
        model: Option<String>,
        message: NewMessage,
        token: String,
        expires: i64,
        now: i64,
    },
    /// Append the turn's replies and give the lease back.
    End {
        conversation: String,
        token: String,
        messages: Vec<NewMessage>,
        now: i64,
    },
    /// Extend the lease.
    Renew {
        conversation: String,
        token: String,
        expires: i64,
    },
}

/// What a write found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// `Begin` appended the message as `message_count`.
    Begun {
        message_count: i64,
        summarized_seq: i64,
        model: Option<String>,
        /// The owner's standing instructions.
        system_prompt: Option<String>,
        /// Whether the owner has any fact to recall.
        has_facts: bool,
    },
    /// `Begin`: another turn holds the lease.
    Busy,
    /// `Begin`: no such conversation for this owner.
    NotFound,
    /// `End` appended its messages; the conversation now has `message_count`.
    Ended { message_count: i64 },
    /// `End`/`Renew`: the lease is gone (conversation deleted or taken over).
    Lost,
    /// `Renew` extended the lease.
    Renewed,
}

/// Begin's row: message count, summarized seq, model, system prompt, whether facts exist.
pub(crate) type Begun = (i64, i64, Option<String>, Option<String>, bool);

/// Applies one op inside `tx`.
pub(crate) async fn apply(tx: &mut Tx<'_>, op: &Op) -> Result<Outcome, sqlx::Error> {
    match op {
        Op::Begin {
            owner,
            conversation,
            create,
            model,
            message,
            token,
            expires,
            now,
        } => {
            let begun: Option<Begun> = if let Some(new) = create {
                on_tx!(tx, t => sqlx::query_as(CREATE)
                    .bind(conversation).bind(owner).bind(&new.title).bind(model)
                    .bind(token).bind(expires).bind(now)
                    .fetch_optional(&mut **t).await)?
            } else {
                let m = message;
                let rows: Vec<Begun> = on_tx!(tx, t => sqlx::query_as(BEGIN_ONE)
                    .bind(conversation).bind(owner).bind(now).bind(token).bind(expires)
                    .bind(model).bind(m.role.as_str()).bind(&m.content).bind(&m.tool_calls)
                    .bind(&m.tool_call_id).bind(m.tokens).bind(m.status.as_str()).bind(&m.error)
                    .fetch_all(&mut **t).await)?;
                return Ok(match rows.into_iter().next() {
                    Some((count, summarized_seq, model, system_prompt, has_facts)) => {
                        Outcome::Begun {
                            message_count: count,
                            summarized_seq,
                            model,
                            system_prompt,
                            has_facts,
                        }
                    }
                    None => busy_or_missing(tx, conversation, owner).await?,
                });
            };
            let Some((count, summarized_seq, model, system_prompt, has_facts)) = begun else {
                return busy_or_missing(tx, conversation, owner).await;
            };
            insert(tx, conversation, count, message, *now).await?;
            Ok(Outcome::Begun {
                message_count: count,
                summarized_seq,
                model,
                system_prompt,
                has_facts,
            })
        }
        Op::End {
            conversation,
            token,
            messages,
            now,
        } => {
            let n = i64::try_from(messages.len()).unwrap_or(i64::MAX);
            if let [m] = messages.as_slice() {
                let rows: Vec<(i64,)> = on_tx!(tx, t => sqlx::query_as(END_ONE)
                    .bind(conversation).bind(token).bind(n).bind(now)
                    .bind(m.role.as_str()).bind(&m.content).bind(&m.tool_calls)
                    .bind(&m.tool_call_id).bind(m.tokens).bind(m.status.as_str()).bind(&m.error)
                    .bind(&m.usage)
                    .fetch_all(&mut **t).await)?;
                return Ok(match rows.first() {
                    Some((count,)) => Outcome::Ended {
                        message_count: *count,
                    },
                    None => Outcome::Lost,
                });
            }
            let row: Option<(i64,)> = on_tx!(tx, t => sqlx::query_as(END)
                .bind(conversation).bind(token).bind(n).bind(now)
                .fetch_optional(&mut **t).await)?;
            let Some((count,)) = row else {
                return Ok(Outcome::Lost);
            };
            for (i, m) in (count - n + 1..).zip(messages) {
                insert(tx, conversation, i, m, *now).await?;
            }
            Ok(Outcome::Ended {
                message_count: count,
            })
        }
        Op::Renew {
            conversation,
            token,
            expires,
        } => {
            let n = on_tx!(tx, t => sqlx::query(RENEW).bind(conversation).bind(token)
                .bind(expires).execute(&mut **t).await.map(|r| r.rows_affected()))?;
            Ok(if n == 0 {
                Outcome::Lost
            } else {
                Outcome::Renewed
            })
        }
    }
}

/// After a failed begin: `Busy` if the conversation is the owner's (another turn holds it).
async fn busy_or_missing(
    tx: &mut Tx<'_>,
    conversation: &str,
    owner: &str,
) -> Result<Outcome, sqlx::Error> {
    let exists: Option<(i32,)> = on_tx!(tx, t => sqlx::query_as(EXISTS)
        .bind(conversation).bind(owner).fetch_optional(&mut **t).await)?;
    Ok(if exists.is_some() {
        Outcome::Busy
    } else {
        Outcome::NotFound
    })
}

async fn insert(
    tx: &mut Tx<'_>,
    conversation: &str,
    seq: i64,
    m: &NewMessage,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, t => sqlx::query(INSERT)
        .bind(conversation).bind(seq).bind(m.role.as_str()).bind(&m.content)
        .bind(&m.tool_calls).bind(&m.tool_call_id).bind(m.tokens).bind(m.status.as_str())
        .bind(&m.error).bind(now).bind(&m.usage)
        .execute(&mut **t).await.map(|r| r.rows_affected()))?;
    Ok(())
}
