//! The turn writes on PostgreSQL as single statements: the compare-and-set on the conversation
//! row and the message inserts in one data-modifying `WITH`, so each write is one round trip
//! in autocommit instead of BEGIN, UPDATE, INSERT…, COMMIT. Same semantics as `write.rs`: the
//! `UPDATE` takes the row lock, and the inserts number from what it returns; a begin also
//! returns the owner's standing instructions and whether they have facts.

use sqlx::PgPool;

use super::write::{Begun, NewMessage, Op, Outcome};

const CREATE: &str = "WITH c AS (
        INSERT INTO conversations (id, owner, title, model, message_count, version,
            summarized_seq, turn_token, turn_expires, created_at, updated_at)
        VALUES ($1, $2, $3, $4, 1, 1, 0, $5, $6, $7, $7)
        RETURNING id),
     m AS (
        INSERT INTO chat_messages (conversation_id, seq, role, content, tool_calls, tool_call_id,
            tokens, status, error, created_at)
        SELECT c.id, 1, $8, $9, $10, $11, $12, $13, $14, $7 FROM c)
     SELECT (SELECT content FROM memory_instructions WHERE owner = $2),
        EXISTS (SELECT 1 FROM memory_facts WHERE owner = $2)
     FROM c";
const BEGIN: &str = "WITH c AS (
        UPDATE conversations SET message_count = message_count + 1, version = version + 1,
            updated_at = $3, turn_token = $4, turn_expires = $5, model = COALESCE($6, model)
        WHERE id = $1 AND owner = $2 AND (turn_token IS NULL OR turn_expires < $3)
        RETURNING message_count, summarized_seq, model),
     m AS (
        INSERT INTO chat_messages (conversation_id, seq, role, content, tool_calls, tool_call_id,
            tokens, status, error, created_at)
        SELECT $1, c.message_count, $7, $8, $9, $10, $11, $12, $13, $3 FROM c)
     SELECT message_count, summarized_seq, model,
        (SELECT content FROM memory_instructions WHERE owner = $2),
        EXISTS (SELECT 1 FROM memory_facts WHERE owner = $2)
     FROM c";
const EXISTS: &str = "SELECT 1 FROM conversations WHERE id = $1 AND owner = $2";
const END: &str = "WITH c AS (
        UPDATE conversations SET message_count = message_count + $3, version = version + 1,
            updated_at = $4, turn_token = NULL, turn_expires = NULL
        WHERE id = $1 AND turn_token = $2
        RETURNING message_count),
     m AS (
        INSERT INTO chat_messages (conversation_id, seq, role, content, tool_calls, tool_call_id,
            tokens, status, error, created_at, usage)
        SELECT $1, c.message_count - $3 + r.ord, r.role, r.content, r.tool_calls,
            r.tool_call_id, r.tokens, r.status, r.error, $4, r.usage::jsonb
        FROM c, UNNEST($5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[],
            $10::text[], $11::text[], $12::text[])
            WITH ORDINALITY AS r (role, content, tool_calls, tool_call_id, tokens, status, error,
                usage, ord))
     SELECT message_count FROM c";
const RENEW: &str = "UPDATE conversations SET turn_expires = $3 WHERE id = $1 AND turn_token = $2";

/// Applies one op in autocommit.
pub(crate) async fn apply(pool: &PgPool, op: &Op) -> Result<Outcome, sqlx::Error> {
    match op {
        Op::Begin {
            owner,
            conversation,
            create: Some(new),
            model,
            message: m,
            token,
            expires,
            now,
        } => {
            let (system_prompt, has_facts): (Option<String>, bool) = sqlx::query_as(CREATE)
                .bind(conversation)
                .bind(owner)
                .bind(&new.title)
                .bind(model)
                .bind(token)
                .bind(expires)
                .bind(now)
                .bind(m.role.as_str())
                .bind(&m.content)
                .bind(&m.tool_calls)
                .bind(&m.tool_call_id)
                .bind(m.tokens)
                .bind(m.status.as_str())
                .bind(&m.error)
                .fetch_one(pool)
                .await?;
            Ok(Outcome::Begun {
                message_count: 1,
                summarized_seq: 0,
                model: model.clone(),
                system_prompt,
                has_facts,
            })
        }
        Op::Begin {
            owner,
            conversation,
            create: None,
            model,
            message: m,
            token,
            expires,
            now,
        } => {
            let row: Option<Begun> = sqlx::query_as(BEGIN)
                .bind(conversation)
                .bind(owner)
                .bind(now)
                .bind(token)
                .bind(expires)
                .bind(model)
                .bind(m.role.as_str())
                .bind(&m.content)
                .bind(&m.tool_calls)
                .bind(&m.tool_call_id)
                .bind(m.tokens)
                .bind(m.status.as_str())
                .bind(&m.error)
                .fetch_optional(pool)
                .await?;
            if let Some((message_count, summarized_seq, model, system_prompt, has_facts)) = row {
                return Ok(Outcome::Begun {
                    message_count,
                    summarized_seq,
                    model,
                    system_prompt,
                    has_facts,
                });
            }
            let exists: Option<(i32,)> = sqlx::query_as(EXISTS)
                .bind(conversation)
                .bind(owner)
                .fetch_optional(pool)
                .await?;
            Ok(if exists.is_some() {
                Outcome::Busy
            } else {
                Outcome::NotFound
            })
        }
        Op::End {
            conversation,
            token,
            messages,
            now,
        } => {
            let n = i64::try_from(messages.len()).unwrap_or(i64::MAX);
            let col =
                |f: fn(&NewMessage) -> Option<String>| messages.iter().map(f).collect::<Vec<_>>();
            let row: Option<(i64,)> = sqlx::query_as(END)
                .bind(conversation)
                .bind(token)
                .bind(n)
                .bind(now)
                .bind(col(|m| Some(m.role.as_str().to_owned())))
                .bind(col(|m| Some(m.content.clone())))
                .bind(col(|m| m.tool_calls.clone()))
                .bind(col(|m| m.tool_call_id.clone()))
                .bind(messages.iter().map(|m| m.tokens).collect::<Vec<i64>>())
                .bind(col(|m| Some(m.status.as_str().to_owned())))
                .bind(col(|m| m.error.clone()))
                .bind(col(|m| m.usage.clone()))
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some((message_count,)) => Outcome::Ended { message_count },
                None => Outcome::Lost,
            })
        }
        Op::Renew {
            conversation,
            token,
            expires,
        } => {
            let n = sqlx::query(RENEW)
                .bind(conversation)
                .bind(token)
                .bind(expires)
                .execute(pool)
                .await?
                .rows_affected();
            Ok(if n == 0 {
                Outcome::Lost
            } else {
                Outcome::Renewed
            })
        }
    }
}
