//! Owner-scoped reads of conversations and messages, on the pool (never through the writer).

use cistern_store::Db;

use super::on_db;
use crate::error::{Error, Result};
use crate::model::{Conversation, ConversationPage, MessagePage, StoredMessage};

const GET: &str = "SELECT id, owner, title, model, message_count, version, summarized_seq,
        created_at, updated_at
     FROM conversations WHERE id = $1 AND owner = $2";
// The cursor is always bound (none = `(i64::MAX, '')`), so the comparison stays a range on
// the owner index.
const LIST: &str = "SELECT id, owner, title, model, message_count, version, summarized_seq,
        created_at, updated_at
     FROM conversations WHERE owner = $1 AND (updated_at, id) < ($2, $3)
     ORDER BY updated_at DESC, id DESC LIMIT $4";
const PAGE: &str = "SELECT seq, role, content, tool_calls, tool_call_id, tokens, status, error,
        created_at, usage
     FROM chat_messages WHERE conversation_id = $1 AND seq < $2
     ORDER BY seq DESC LIMIT $3";
const RANGE: &str = "SELECT seq, role, content, tool_calls, tool_call_id, tokens, status, error,
        created_at, usage
     FROM chat_messages WHERE conversation_id = $1 AND seq > $2 AND seq <= $3
     ORDER BY seq LIMIT $4";
const RENAME: &str = "UPDATE conversations SET title = $3, version = version + 1
     WHERE id = $1 AND owner = $2";
const DELETE: &str = "DELETE FROM conversations WHERE id = $1 AND owner = $2";

/// The largest page of messages or conversations returned at once.
pub const MAX_PAGE: i64 = 1000;

/// Longest title kept, in characters.
pub(crate) const MAX_TITLE_CHARS: usize = 200;

/// `owner`'s conversation `id`, or [`Error::NotFound`].
pub(crate) async fn conversation(db: &Db, owner: &str, id: &str) -> Result<Conversation> {
    let row: Option<Conversation> =
        on_db!(db, pool => sqlx::query_as(GET).bind(id).bind(owner).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("conversation"))
}

/// Parses the `<updated_at>_<id>` cursor of conversation pages.
fn parse_cursor(s: &str) -> Result<(i64, &str)> {
    let bad = || Error::Invalid(format!("malformed conversation cursor {s:?}"));
    let (at, id) = s.split_once('_').ok_or_else(bad)?;
    Ok((at.parse().map_err(|_| bad())?, id))
}

pub(crate) async fn conversations(
    db: &Db,
    owner: &str,
    limit: i64,
    before: Option<&str>,
) -> Result<ConversationPage> {
    let (at, id) = before.map_or(Ok((i64::MAX, "")), parse_cursor)?;
    let limit = limit.clamp(1, MAX_PAGE);
    let conversations: Vec<Conversation> = on_db!(db, pool => sqlx::query_as(LIST)
        .bind(owner).bind(at).bind(id).bind(limit).fetch_all(pool).await)?;
    let next = (conversations.len() as i64 == limit)
        .then(|| {
            conversations
                .last()
                .map(|c| format!("{}_{}", c.updated_at, c.id))
        })
        .flatten();
    Ok(ConversationPage {
        conversations,
        next,
    })
}

pub(crate) async fn messages(
    db: &Db,
    owner: &str,
    conversation_id: &str,
    limit: i64,
    before: Option<i64>,
) -> Result<MessagePage> {
    // The ownership check, and "not found" rather than an empty page for someone else's id.
    conversation(db, owner, conversation_id).await?;
    let limit = limit.clamp(1, MAX_PAGE);
    let mut messages =
        newest_before(db, conversation_id, before.unwrap_or(i64::MAX), limit).await?;
    messages.reverse();
    let next = messages.first().map(|m| m.seq).filter(|&seq| seq > 1);
    Ok(MessagePage { messages, next })
}

/// Up to `limit` messages with `seq < before`, newest first. The caller has checked ownership.
pub(crate) async fn newest_before(
    db: &Db,
    conversation_id: &str,
    before: i64,
    limit: i64,
) -> Result<Vec<StoredMessage>> {
    Ok(on_db!(db, pool => sqlx::query_as(PAGE)
        .bind(conversation_id).bind(before).bind(limit).fetch_all(pool).await)?)
}

/// Up to `limit` messages with `after < seq <= upto`, oldest first. The caller has checked
/// ownership.
pub(crate) async fn range(
    db: &Db,
    conversation_id: &str,
    after: i64,
    upto: i64,
    limit: i64,
) -> Result<Vec<StoredMessage>> {
    Ok(on_db!(db, pool => sqlx::query_as(RANGE)
        .bind(conversation_id).bind(after).bind(upto).bind(limit).fetch_all(pool).await)?)
}

pub(crate) async fn rename(db: &Db, owner: &str, id: &str, title: &str) -> Result<()> {
    let title = clean_title(title);
    if title.is_empty() {
        return Err(Error::Invalid("the title must not be empty".into()));
    }
    let n = on_db!(db, pool => sqlx::query(RENAME).bind(id).bind(owner).bind(&title)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(Error::NotFound("conversation"));
    }
    Ok(())
}

pub(crate) async fn delete(db: &Db, owner: &str, id: &str) -> Result<()> {
    let n = on_db!(db, pool => sqlx::query(DELETE).bind(id).bind(owner)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(Error::NotFound("conversation"));
    }
    Ok(())
}

/// One line, trimmed, at most [`MAX_TITLE_CHARS`] characters.
pub(crate) fn clean_title(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default().trim();
    line.chars().take(MAX_TITLE_CHARS).collect()
}
