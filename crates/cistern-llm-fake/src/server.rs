//! The one HTTP handler: record, check the key, route, take a script step, answer.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::call::{Call, Endpoint, Protocol, parse_chat, route};
use crate::render::{EmbedUsage, ErrorKind, Resolved};
use crate::respond::{self, End};
use crate::script::{Recorded, Reply, Step};
use crate::{anthropic, fault, gemini, openai};

/// Larger than any prompt a test sends; keeps a runaway client from exhausting memory.
const MAX_BODY: usize = 32 * 1024 * 1024;

/// State shared by the handle and every request.
pub(crate) struct Shared {
    pub script: Mutex<VecDeque<Step>>,
    pub records: Mutex<Vec<Recorded>>,
    pub record: bool,
    pub key: Mutex<Option<String>>,
    pub models: Mutex<Vec<String>>,
    /// Served (pre-serialised per model and mode) when the script is empty.
    pub fixed: Option<Reply>,
    pub prebuilt: Mutex<HashMap<PrebuiltKey, Bytes>>,
    pub cancel: CancellationToken,
}

/// What a pre-serialised fixed reply depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PrebuiltKey {
    protocol: Protocol,
    model: String,
    stream: bool,
    sse: bool,
    include_usage: bool,
}

/// Locks, ignoring poisoning: the data stays consistent because no lock is held across code
/// that can panic halfway through an update.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let endpoint = route(&parts.method, &path, &query, &parts.headers);
    let protocol = endpoint.protocol();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return respond::error(
                protocol,
                &ErrorKind::Status(413, "Request too large".into()),
            );
        }
    };
    let json = parse_body(&bytes);
    if shared.record {
        lock(&shared.records).push(Recorded {
            method: parts.method.to_string(),
            path: parts
                .uri
                .path_and_query()
                .map_or(path.clone(), |p| p.to_string()),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: json.clone(),
        });
    }
    if let Err(kind) = shared.check_key(protocol, &parts.headers, &query) {
        return respond::error(protocol, &kind);
    }
    match &endpoint {
        Endpoint::Models(p) => {
            let ids = lock(&shared.models).clone();
            let body = match p {
                Protocol::OpenAi => openai::models(&ids),
                Protocol::Anthropic => anthropic::models(&ids),
                Protocol::Gemini => gemini::models(&ids),
            };
            respond::json(*p, StatusCode::OK, body.to_string().into_bytes())
        }
        Endpoint::NotFound(p, message) => respond::error(*p, &ErrorKind::NotFound(message.clone())),
        Endpoint::OpenAiEmbeddings | Endpoint::GeminiEmbed { .. } => {
            embeddings(&shared, &endpoint, &json).await
        }
        Endpoint::Chat(_) | Endpoint::GeminiChat { .. } => match parse_chat(&endpoint, &json) {
            Ok(call) => chat(&shared, &call).await,
            Err(message) => respond::error(protocol, &ErrorKind::BadRequest(message)),
        },
    }
}

/// JSON body as a value: `Null` if empty, the raw text as a string if not JSON.
fn parse_body(bytes: &Bytes) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

impl Shared {
    fn next_step(&self) -> Option<Step> {
        lock(&self.script).pop_front()
    }

    fn check_key(
        &self,
        protocol: Protocol,
        headers: &HeaderMap,
        query: &str,
    ) -> Result<(), ErrorKind> {
        let Some(expected) = lock(&self.key).clone() else {
            return Ok(());
        };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let given = match protocol {
            Protocol::OpenAi => {
                header("authorization").map(|v| v.strip_prefix("Bearer ").unwrap_or(""))
            }
            Protocol::Anthropic => {
                if header("anthropic-version").is_none() {
                    return Err(ErrorKind::BadRequest(
                        "anthropic-version: header is required".into(),
                    ));
                }
                header("x-api-key")
            }
            Protocol::Gemini => header("x-goog-api-key")
                .or_else(|| query.split('&').find_map(|kv| kv.strip_prefix("key="))),
        };
        match given {
            None => Err(ErrorKind::Unauthorized { missing: true }),
            Some(k) if k == expected => Ok(()),
            Some(_) => Err(ErrorKind::Unauthorized { missing: false }),
        }
    }

    /// The fixed reply's bytes for this call, serialised once per model and mode.
    fn prebuilt(&self, reply: &Reply, call: &Call) -> Bytes {
        let key = PrebuiltKey {
            protocol: call.protocol,
            model: call.ctx.model.clone(),
            stream: call.stream,
            sse: call.sse,
            include_usage: call.ctx.include_usage,
        };
        if let Some(b) = lock(&self.prebuilt).get(&key) {
            return b.clone();
        }
        let resolved = Resolved::new(reply, 1);
        let bytes: Bytes = if call.stream {
            respond::stream_frames(call, &resolved, None)
                .concat()
                .into()
        } else {
            respond::body(call, &resolved).into()
        };
        lock(&self.prebuilt).insert(key, bytes.clone());
        bytes
    }
}

async fn chat(shared: &Shared, call: &Call) -> Response {
    let reply = match shared.next_step() {
        Some(Step::Reply(r)) => r,
        Some(Step::Fault(f)) => return fault::serve(shared, call, &f).await,
        None => match &shared.fixed {
            Some(fixed) => {
                let bytes = shared.prebuilt(fixed, call);
                return if call.stream {
                    respond::streaming(call, vec![bytes], End::Clean, &shared.cancel)
                } else {
                    respond::json(call.protocol, StatusCode::OK, bytes)
                };
            }
            None => Reply::text(format!("echo: {}", call.last_user)),
        },
    };
    let resolved = Resolved::new(&reply, call.prompt_words);
    if call.stream {
        respond::streaming(
            call,
            respond::stream_frames(call, &resolved, None),
            End::Clean,
            &shared.cancel,
        )
    } else {
        respond::json(
            call.protocol,
            StatusCode::OK,
            respond::body(call, &resolved),
        )
    }
}

async fn embeddings(shared: &Shared, endpoint: &Endpoint, body: &Value) -> Response {
    let p = endpoint.protocol();
    let render = |usage| match endpoint {
        Endpoint::GeminiEmbed { batch: false } => gemini::embed(body),
        Endpoint::GeminiEmbed { batch: true } => gemini::batch_embed(body),
        _ => openai::embeddings(body, usage),
    };
    // Validate before taking a step, as chat does: a 400 never consumes the script.
    let computed = match render(EmbedUsage::Computed) {
        Ok(bytes) => bytes,
        Err(message) => return respond::error(p, &ErrorKind::BadRequest(message)),
    };
    let usage = match shared.next_step() {
        Some(Step::Fault(f)) => {
            // Answered as a non-streaming chat call in the same protocol would be.
            let model = body["model"].as_str().unwrap_or("embedding").to_owned();
            return fault::serve(shared, &Call::plain(p, model), &f).await;
        }
        Some(Step::Reply(Reply { usage: None, .. })) => EmbedUsage::Omitted,
        Some(Step::Reply(Reply { usage: Some(u), .. })) if u.input_tokens > 0 => {
            EmbedUsage::Exactly(u.input_tokens)
        }
        Some(Step::Reply(_)) | None => EmbedUsage::Computed,
    };
    let bytes = match usage {
        EmbedUsage::Computed => Ok(computed),
        other => render(other),
    };
    match bytes {
        Ok(bytes) => respond::json(p, StatusCode::OK, bytes),
        Err(message) => respond::error(p, &ErrorKind::BadRequest(message)),
    }
}
