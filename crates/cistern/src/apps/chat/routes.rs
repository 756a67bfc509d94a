//! `POST /api/v1/chat` and `/api/v1/conversations…`: turns and conversations, owner-checked.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use cistern_agents::{Agents, MAX_PAGE};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    ChatBody, ChatReply, ConversationPageView, ConversationView, MessagePageView, RenameBody,
    api_error, check_turn,
};
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::platform::auth::Principal;

/// Query of the list routes. Text parsed by hand, so a bad value is a 422 naming its field.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–1000 (default 50).
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
    /// The `next` of the previous page.
    pub before: Option<String>,
}

/// Parses `limit` (default 50, at most [`MAX_PAGE`]).
pub(crate) fn parse_limit(limit: Option<&str>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(50),
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=MAX_PAGE).contains(l))
            .ok_or_else(|| {
                ApiError::validation("limit", format!("limit must be between 1 and {MAX_PAGE}"))
            }),
    }
}

/// `POST /api/v1/chat`: one turn; answers once the reply is stored.
#[utoipa::path(post, path = "/api/v1/chat", tag = "chat", operation_id = "send_chat",
    request_body = ChatBody, security(("bearer" = [])),
    responses((status = 200, body = ChatReply), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 502, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "No LLM provider is configured")))]
pub async fn send_chat(
    State(agents): State<Agents>,
    State(llm): State<cistern_llm::Gateway>,
    principal: Principal,
    ApiJson(body): ApiJson<ChatBody>,
) -> Result<ApiJson<ChatReply>, ApiError> {
    check_turn(&body, &llm)?;
    let result = agents
        .send(
            &principal.user_id,
            body.conversation_id.as_deref(),
            &body.message,
            body.model.as_deref(),
        )
        .await
        .map_err(|e| api_error(e, "message"))?;
    Ok(ApiJson(result.into()))
}

/// `GET /api/v1/conversations`: your conversations, most recently active first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "chat", operation_id = "list_conversations",
    params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = ConversationPageView), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list_conversations(
    State(agents): State<Agents>,
    principal: Principal,
    Query(query): Query<PageQuery>,
) -> Result<ApiJson<ConversationPageView>, ApiError> {
    let limit = parse_limit(query.limit.as_deref())?;
    let page = agents
        .conversations(&principal.user_id, limit, query.before.as_deref())
        .await
        .map_err(|e| api_error(e, "before"))?;
    Ok(ApiJson(ConversationPageView {
        conversations: page.conversations.into_iter().map(Into::into).collect(),
        next: page.next,
    }))
}

/// `GET /api/v1/conversations/{id}`: one of your conversations.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "chat", operation_id = "get_conversation",
    params(("id" = String, Path, description = "Conversation id")), security(("bearer" = [])),
    responses((status = 200, body = ConversationView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get_conversation(
    State(agents): State<Agents>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<ApiJson<ConversationView>, ApiError> {
    let conversation = agents
        .conversation(&principal.user_id, &id)
        .await
        .map_err(|e| api_error(e, "id"))?;
    Ok(ApiJson(conversation.into()))
}

/// `GET /api/v1/conversations/{id}/messages`: a page of messages, oldest first; `before` (a
/// `seq`) pages towards the start.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "chat",
    operation_id = "list_messages",
    params(("id" = String, Path, description = "Conversation id"), PageQuery),
    security(("bearer" = [])),
    responses((status = 200, body = MessagePageView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_messages(
    State(agents): State<Agents>,
    principal: Principal,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<ApiJson<MessagePageView>, ApiError> {
    let limit = parse_limit(query.limit.as_deref())?;
    let before = query
        .before
        .as_deref()
        .map(|b| {
            b.parse::<i64>()
                .ok()
                .filter(|b| *b >= 1)
                .ok_or_else(|| ApiError::validation("before", "before must be a message seq (≥ 1)"))
        })
        .transpose()?;
    let page = agents
        .messages(&principal.user_id, &id, limit, before)
        .await
        .map_err(|e| api_error(e, "before"))?;
    Ok(ApiJson(MessagePageView {
        messages: page.messages.into_iter().map(Into::into).collect(),
        next: page.next,
    }))
}

/// `PATCH /api/v1/conversations/{id}`: renames a conversation.
#[utoipa::path(patch, path = "/api/v1/conversations/{id}", tag = "chat",
    operation_id = "rename_conversation",
    params(("id" = String, Path, description = "Conversation id")), request_body = RenameBody,
    security(("bearer" = [])),
    responses((status = 200, body = ConversationView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename_conversation(
    State(agents): State<Agents>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RenameBody>,
) -> Result<ApiJson<ConversationView>, ApiError> {
    let title = body.title.trim();
    if title.is_empty() || title.chars().count() > 200 || title.contains(['\n', '\r']) {
        return Err(ApiError::validation(
            "title",
            "title must be one line of 1 to 200 characters",
        ));
    }
    agents
        .rename(&principal.user_id, &id, title)
        .await
        .map_err(|e| api_error(e, "title"))?;
    let conversation = agents
        .conversation(&principal.user_id, &id)
        .await
        .map_err(|e| api_error(e, "id"))?;
    Ok(ApiJson(conversation.into()))
}

/// `DELETE /api/v1/conversations/{id}`: deletes a conversation with its messages.
#[utoipa::path(delete, path = "/api/v1/conversations/{id}", tag = "chat",
    operation_id = "delete_conversation",
    params(("id" = String, Path, description = "Conversation id")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn delete_conversation(
    State(agents): State<Agents>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    agents
        .delete(&principal.user_id, &id)
        .await
        .map_err(|e| api_error(e, "id"))?;
    Ok(StatusCode::NO_CONTENT)
}
