//! `POST /api/v1/chat` and `/api/v1/conversations…`: turns and conversations, owner-checked.

use axum::extract::State;
use axum::http::StatusCode;
use cistern_agents::Agents;

use super::{
    ChatBody, ChatReply, ConversationView, MessageView, RenameBody, api_error, check_turn,
};
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::http::page::{Page, PageParams, PageRequest};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;

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
    params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<ConversationView>), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list_conversations(
    State(agents): State<Agents>,
    principal: Principal,
    page: PageRequest,
) -> Result<ApiJson<Page<ConversationView>>, ApiError> {
    let found = agents
        .conversations(&principal.user_id, page.limit_i64(), page.cursor.as_deref())
        .await
        .map_err(|e| api_error(e, "cursor"))?;
    Ok(ApiJson(
        Page::new(found.conversations, found.next).map(Into::into),
    ))
}

/// `GET /api/v1/conversations/{id}`: one of your conversations.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "chat", operation_id = "get_conversation",
    params(("id" = String, Path, description = "Conversation id")), security(("bearer" = [])),
    responses((status = 200, body = ConversationView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get_conversation(
    State(agents): State<Agents>,
    principal: Principal,
    id: ResourceId,
) -> Result<ApiJson<ConversationView>, ApiError> {
    let conversation = agents
        .conversation(&principal.user_id, id.as_str())
        .await
        .map_err(|e| api_error(e, "id"))?;
    Ok(ApiJson(conversation.into()))
}

/// `GET /api/v1/conversations/{id}/messages`: the newest page of messages, oldest first;
/// `cursor` pages towards the start.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "chat",
    operation_id = "list_messages",
    params(("id" = String, Path, description = "Conversation id"), PageParams),
    security(("bearer" = [])),
    responses((status = 200, body = Page<MessageView>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_messages(
    State(agents): State<Agents>,
    principal: Principal,
    id: ResourceId,
    page: PageRequest,
) -> Result<ApiJson<Page<MessageView>>, ApiError> {
    let before = page.cursor_as(|c| c.parse::<i64>().ok().filter(|seq| *seq >= 1))?;
    let found = agents
        .messages(&principal.user_id, id.as_str(), page.limit_i64(), before)
        .await
        .map_err(|e| api_error(e, "cursor"))?;
    let next_cursor = found.next.map(|seq| seq.to_string());
    Ok(ApiJson(
        Page::new(found.messages, next_cursor).map(Into::into),
    ))
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
    id: ResourceId,
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
        .rename(&principal.user_id, id.as_str(), title)
        .await
        .map_err(|e| api_error(e, "title"))?;
    let conversation = agents
        .conversation(&principal.user_id, id.as_str())
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
    id: ResourceId,
) -> Result<StatusCode, ApiError> {
    agents
        .delete(&principal.user_id, id.as_str())
        .await
        .map_err(|e| api_error(e, "id"))?;
    Ok(StatusCode::NO_CONTENT)
}
