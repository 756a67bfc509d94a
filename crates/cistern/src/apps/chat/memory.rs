//! The user's memory over HTTP: standing instructions (`/api/v1/chat/system-prompt`),
//! remembered facts (`/api/v1/memory/facts`, full-text search with `?q=`) and the summaries of
//! long conversations (`/api/v1/memory/episodes`, read-only: they are derived from the history
//! and go with their conversation).

use axum::extract::State;
use axum::http::StatusCode;
use cistern_agents::{Agents, MAX_FACT_BYTES, MAX_SYSTEM_PROMPT_BYTES};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{EpisodeView, FactBody, FactView, SystemPromptBody, api_error};
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::http::page::{ApiQuery, Page, PageParams, PageRequest};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;

/// `GET /api/v1/chat/system-prompt`: your standing instructions (empty when unset).
#[utoipa::path(get, path = "/api/v1/chat/system-prompt", tag = "chat",
    operation_id = "get_system_prompt", security(("bearer" = [])),
    responses((status = 200, body = SystemPromptBody), (status = 401, body = ErrorBody)))]
pub async fn get_system_prompt(
    State(agents): State<Agents>,
    principal: Principal,
) -> Result<ApiJson<SystemPromptBody>, ApiError> {
    let text = agents
        .memory()
        .system_prompt(&principal.user_id)
        .await
        .map_err(|e| api_error(e, "system_prompt"))?;
    Ok(ApiJson(SystemPromptBody {
        system_prompt: text.unwrap_or_default(),
    }))
}

/// `PUT /api/v1/chat/system-prompt`: sets your standing instructions; empty clears them.
#[utoipa::path(put, path = "/api/v1/chat/system-prompt", tag = "chat",
    operation_id = "set_system_prompt", request_body = SystemPromptBody, security(("bearer" = [])),
    responses((status = 200, body = SystemPromptBody), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn set_system_prompt(
    State(agents): State<Agents>,
    principal: Principal,
    ApiJson(body): ApiJson<SystemPromptBody>,
) -> Result<ApiJson<SystemPromptBody>, ApiError> {
    if body.system_prompt.trim().len() > MAX_SYSTEM_PROMPT_BYTES {
        return Err(ApiError::validation(
            "system_prompt",
            format!("system_prompt must be at most {MAX_SYSTEM_PROMPT_BYTES} bytes"),
        ));
    }
    agents
        .memory()
        .set_system_prompt(&principal.user_id, &body.system_prompt)
        .await
        .map_err(|e| api_error(e, "system_prompt"))?;
    Ok(ApiJson(SystemPromptBody {
        system_prompt: body.system_prompt.trim().to_owned(),
    }))
}

/// `POST /api/v1/memory/facts`: remembers a fact.
#[utoipa::path(post, path = "/api/v1/memory/facts", tag = "memory", operation_id = "add_fact",
    request_body = FactBody, security(("bearer" = [])),
    responses((status = 201, body = FactView), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn add_fact(
    State(agents): State<Agents>,
    principal: Principal,
    ApiJson(body): ApiJson<FactBody>,
) -> Result<(StatusCode, ApiJson<FactView>), ApiError> {
    let content = body.content.trim();
    if content.is_empty() || content.len() > MAX_FACT_BYTES {
        return Err(ApiError::validation(
            "content",
            format!("content must be 1 to {MAX_FACT_BYTES} bytes"),
        ));
    }
    let fact = agents
        .memory()
        .add_fact(&principal.user_id, content, "api")
        .await
        .map_err(|e| api_error(e, "content"))?;
    Ok((StatusCode::CREATED, ApiJson(fact.into())))
}

/// Query of `GET /api/v1/memory/facts` (besides the paging parameters).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FactsQuery {
    /// Full-text search (and vector search when an embedding model is configured): the best
    /// `limit` matches first (at most 100), in one page.
    pub q: Option<String>,
}

/// `GET /api/v1/memory/facts`: your facts, newest first — or with `?q=` the best matches.
#[utoipa::path(get, path = "/api/v1/memory/facts", tag = "memory", operation_id = "list_facts",
    params(FactsQuery, PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<FactView>), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list_facts(
    State(agents): State<Agents>,
    principal: Principal,
    ApiQuery(query): ApiQuery<FactsQuery>,
    page: PageRequest,
) -> Result<ApiJson<Page<FactView>>, ApiError> {
    let memory = agents.memory();
    if let Some(q) = query.q.as_deref() {
        if q.trim().is_empty() {
            return Err(ApiError::validation("q", "q must not be empty"));
        }
        let hits = memory
            .search_facts(&principal.user_id, q, page.limit.min(100) as usize)
            .await
            .map_err(|e| api_error(e, "q"))?;
        let facts = hits
            .into_iter()
            .map(|hit| FactView {
                score: Some(hit.score),
                ..hit.fact.into()
            })
            .collect();
        return Ok(ApiJson(Page::new(facts, None)));
    }
    let found = memory
        .list_facts(&principal.user_id, page.limit_i64(), page.cursor.as_deref())
        .await
        .map_err(|e| api_error(e, "cursor"))?;
    Ok(ApiJson(Page::new(found.facts, found.next).map(Into::into)))
}

/// `DELETE /api/v1/memory/facts/{id}`: forgets a fact.
#[utoipa::path(delete, path = "/api/v1/memory/facts/{id}", tag = "memory",
    operation_id = "delete_fact",
    params(("id" = String, Path, description = "Fact id")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn delete_fact(
    State(agents): State<Agents>,
    principal: Principal,
    id: ResourceId,
) -> Result<StatusCode, ApiError> {
    agents
        .memory()
        .delete_fact(&principal.user_id, id.as_str())
        .await
        .map_err(|e| api_error(e, "id"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `GET /api/v1/memory/episodes` (besides the paging parameters).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EpisodesQuery {
    /// Only this conversation's summaries.
    pub conversation_id: Option<String>,
}

/// `GET /api/v1/memory/episodes`: the summaries of your long conversations, newest first.
#[utoipa::path(get, path = "/api/v1/memory/episodes", tag = "memory",
    operation_id = "list_episodes", params(EpisodesQuery, PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<EpisodeView>), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list_episodes(
    State(agents): State<Agents>,
    principal: Principal,
    ApiQuery(query): ApiQuery<EpisodesQuery>,
    page: PageRequest,
) -> Result<ApiJson<Page<EpisodeView>>, ApiError> {
    let conversation = query.conversation_id.as_deref().map(str::trim);
    if conversation.is_some_and(|c| c.is_empty() || c.len() > 64) {
        return Err(ApiError::validation(
            "conversation_id",
            "conversation_id must be the id of one of your conversations",
        ));
    }
    let found = agents
        .memory()
        .episodes(
            &principal.user_id,
            conversation,
            page.limit_i64(),
            page.cursor.as_deref(),
        )
        .await
        .map_err(|e| api_error(e, "cursor"))?;
    Ok(ApiJson(
        Page::new(found.episodes, found.next).map(Into::into),
    ))
}
