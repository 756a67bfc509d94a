//! Fake LLM providers for tests: one server on `127.0.0.1` that speaks the OpenAI Chat
//! Completions, Anthropic Messages and Google Gemini wire protocols, chosen by path.
//!
//! A test starts a [`FakeLlm`], points a client at one of its base URLs, scripts what the
//! "model" does next with [`FakeLlm::enqueue`] — a [`Reply`] (text, tool calls, streamed in
//! chunks) or a [`Fault`] (429 with `Retry-After`, 500, overloaded, hang, malformed body, a
//! stream cut mid-way…) — and afterwards inspects what the client sent with
//! [`FakeLlm::requests`]. Replies are served in whichever protocol and mode (streaming or not)
//! the request used, in the providers' documented shapes, so a gateway's parsers are tested
//! against the real wire format.
//!
//! With an empty script every chat request gets `"echo: <last user message>"` with word-count
//! usage, and embeddings get deterministic unit vectors.
//!
//! ```no_run
//! use cistern_llm_fake::{Fault, FakeLlm, Reply, Step};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let fake = FakeLlm::start().await?;
//! fake.require_key("sk-test");
//! fake.enqueue(Step::Fault(Fault::RateLimited { retry_after_secs: 1 }));
//! fake.enqueue(Step::Reply(Reply::tool_call("get_weather", r#"{"city":"Paris"}"#)));
//! // Point the client under test at fake.openai_base_url(), fake.anthropic_base_url() or
//! // fake.gemini_base_url(); its first call gets a 429, its retry the tool call.
//! let sent = fake.requests();
//! # drop(sent);
//! fake.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! The `fake-llm` binary serves a fixed, pre-serialised reply as fast as it can; it is the
//! upstream of the gateway benchmark:
//! `cargo run --release -p cistern-llm-fake --bin fake-llm -- --port 0 --stream-chunks 64`.

mod anthropic;
mod call;
mod embed;
mod fault;
mod gemini;
mod ids;
mod openai;
mod render;
mod respond;
mod script;
mod server;

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::serve::ListenerExt;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use script::{FakeToolCall, Fault, Finish, Recorded, Reply, Step, Usage};

use server::{Shared, lock};

/// How long [`FakeLlm::shutdown`] waits for connections to finish before aborting the server.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Model ids listed by `GET /v1/models` (all protocols) unless [`FakeLlm::set_models`] says
/// otherwise.
pub const DEFAULT_MODELS: &[&str] = &[
    "gpt-4o-mini",
    "claude-3-5-haiku-latest",
    "gemini-2.0-flash",
    "text-embedding-3-small",
];

/// A running fake provider server. Cheap to clone; the server stops on
/// [`FakeLlm::shutdown`] or when the last clone is dropped.
#[derive(Clone)]
pub struct FakeLlm {
    shared: Arc<Shared>,
    life: Arc<Life>,
    addr: SocketAddr,
}

/// Owns the server task; dropping the last handle cancels it.
struct Life {
    cancel: CancellationToken,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Life {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl std::fmt::Debug for FakeLlm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeLlm")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Options for [`FakeLlm`]; see [`FakeLlm::builder`].
#[derive(Debug, Clone)]
pub struct FakeLlmBuilder {
    port: u16,
    record: bool,
    fixed_reply: Option<Reply>,
}

impl FakeLlmBuilder {
    /// Listen on this port of 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Keep every request for [`FakeLlm::requests`] (default true). Benchmarks turn this off
    /// so memory stays flat.
    pub fn record(mut self, record: bool) -> Self {
        self.record = record;
        self
    }

    /// Answer every chat request the script does not cover with this reply instead of the
    /// echo, serialised once per model and mode and then served from memory. Its usage counts
    /// should be explicit: zero counts resolve against an empty prompt, not the request.
    pub fn fixed_reply(mut self, reply: Reply) -> Self {
        self.fixed_reply = Some(reply);
        self
    }

    /// Binds and spawns the server on the current Tokio runtime.
    pub async fn start(self) -> io::Result<FakeLlm> {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)))
                .await?;
        let addr = listener.local_addr()?;
        // Small SSE frames must leave at once rather than wait on Nagle's algorithm.
        let listener = listener.tap_io(|tcp| {
            tcp.set_nodelay(true).ok();
        });
        let cancel = CancellationToken::new();
        let shared = Arc::new(Shared {
            script: Mutex::new(VecDeque::new()),
            records: Mutex::new(Vec::new()),
            record: self.record,
            key: Mutex::new(None),
            models: Mutex::new(DEFAULT_MODELS.iter().map(|m| (*m).to_owned()).collect()),
            fixed: self.fixed_reply,
            prebuilt: Mutex::new(HashMap::new()),
            cancel: cancel.clone(),
        });
        let app = Router::new()
            .fallback(server::handle)
            .with_state(shared.clone());
        let signal = cancel.clone().cancelled_owned();
        // The handle is kept in `Life` and awaited when the fake stops.
        #[allow(clippy::disallowed_methods)]
        let task = tokio::spawn(async move {
            // Serving only fails if accepting fails fatally; a test then sees refused
            // connections, which is the clearest signal available from here.
            axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await
                .ok();
        });
        Ok(FakeLlm {
            shared,
            life: Arc::new(Life {
                cancel,
                task: Mutex::new(Some(task)),
            }),
            addr,
        })
    }
}

impl FakeLlm {
    /// Starts a recording fake on a free port of 127.0.0.1.
    pub async fn start() -> io::Result<FakeLlm> {
        FakeLlm::builder().start().await
    }

    /// Options: fixed port, recording off, a fixed pre-serialised reply.
    pub fn builder() -> FakeLlmBuilder {
        FakeLlmBuilder {
            port: 0,
            record: true,
            fixed_reply: None,
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// OpenAI base URL (`url + "/v1"`): `POST {base}/chat/completions`, `{base}/embeddings`,
    /// `GET {base}/models`.
    pub fn openai_base_url(&self) -> String {
        format!("{}/v1", self.url())
    }

    /// Anthropic base URL (`url`): `POST {base}/v1/messages`.
    pub fn anthropic_base_url(&self) -> String {
        self.url()
    }

    /// Gemini base URL (`url + "/v1beta"`): `POST {base}/models/{model}:generateContent`,
    /// `:streamGenerateContent[?alt=sse]`, `:embedContent`, `:batchEmbedContents`.
    pub fn gemini_base_url(&self) -> String {
        format!("{}/v1beta", self.url())
    }

    /// From now on every request must carry `key` the provider's way (OpenAI
    /// `Authorization: Bearer`; Anthropic `x-api-key` plus an `anthropic-version` header;
    /// Gemini `x-goog-api-key` or `?key=`). Otherwise: OpenAI/Anthropic 401, Gemini 400
    /// `API_KEY_INVALID` for a wrong key and 403 for a missing one, as the real APIs answer;
    /// Anthropic without `anthropic-version` gets 400. Rejected requests consume no step.
    pub fn require_key(&self, key: &str) {
        *lock(&self.shared.key) = Some(key.to_owned());
    }

    /// Stops checking keys (the default).
    pub fn accept_any_key(&self) {
        *lock(&self.shared.key) = None;
    }

    /// Appends a step to the script shared by all protocols; each chat or embeddings request
    /// consumes one (model listings and requests rejected with 400/401 consume none).
    pub fn enqueue(&self, step: impl Into<Step>) {
        lock(&self.shared.script).push_back(step.into());
    }

    /// Steps not yet consumed (a test can assert its whole script was used).
    pub fn pending_steps(&self) -> usize {
        lock(&self.shared.script).len()
    }

    /// Every request received so far, in order (empty when recording is off).
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.records).clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.records).clear();
    }

    /// Replaces the model ids listed by `GET /v1/models` and `GET /v1beta/models`.
    pub fn set_models<S: AsRef<str>>(&self, ids: &[S]) {
        *lock(&self.shared.models) = ids.iter().map(|s| s.as_ref().to_owned()).collect();
    }

    /// Stops the server: hanging and stalled requests end, open connections close. Other
    /// clones of this handle then point at a closed port.
    pub async fn shutdown(self) {
        self.life.cancel.cancel();
        let task = lock(&self.life.task).take();
        if let Some(mut task) = task
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}
