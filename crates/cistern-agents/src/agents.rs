//! [`Agents`]: the runtime's handle — turns, conversations, memory, shutdown.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cistern_llm::{Gateway, Tool};
use cistern_store::Db;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::AgentsConfig;
use crate::error::{Error, Result};
use crate::memory::Memory;
use crate::model::{Conversation, ConversationPage, MessagePage, TurnResult};
use crate::registry::Registry;
use crate::store::read;
use crate::store::writer::Writer;
use crate::stream::TurnStream;
use crate::tokens::request_tokens;
use crate::turn::{self, TurnRequest};

/// Longest user message accepted, in bytes (and it must fit half the model's window).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The chat agents of one process: one logical agent per (user, conversation), its turns
/// serialized — across processes too, through a lease on the conversation row — its state
/// loaded on demand and evicted when idle. Cheap to clone.
#[derive(Clone)]
pub struct Agents {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Agents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agents")
            .field("loaded", &self.inner.registry.len())
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub db: Db,
    pub gateway: Gateway,
    pub config: AgentsConfig,
    pub memory: Memory,
    pub writer: Writer,
    pub registry: Registry,
    /// Context windows the gateway states, by model name.
    pub windows: HashMap<String, u32>,
    pub tools: Vec<Tool>,
    pub tools_tokens: u32,
    /// Turns in flight (each runs in its own task so a dropped caller cannot strand a lease).
    pub turns: TaskTracker,
    /// The writer, the idle sweeper, summarisers.
    pub background: TaskTracker,
    pub cancel: CancellationToken,
    /// Conversations a summariser is working on here.
    pub summarizing: Mutex<HashSet<String>>,
    pub(crate) closed: AtomicBool,
}

impl Inner {
    /// The context window of `model`.
    pub(crate) fn window(&self, model: &str) -> u32 {
        self.windows
            .get(model)
            .copied()
            .unwrap_or(self.config.default_context_window)
    }

    /// Tokens a prompt for `model` may use: the window less the reply's reserve.
    pub(crate) fn budget(&self, model: &str) -> u32 {
        let window = self.window(model);
        window.saturating_sub(self.config.reserve_output_tokens.min(window / 4))
    }
}

impl Agents {
    /// Starts the runtime on a migrated `db`: opens the turn writer (on SQLite a dedicated
    /// connection and its group-commit task) and the idle sweeper.
    pub async fn new(db: Db, gateway: Gateway, config: AgentsConfig) -> Result<Self> {
        let background = TaskTracker::new();
        let cancel = CancellationToken::new();
        let writer = Writer::open(
            &db,
            config.durability,
            config.max_batch,
            &background,
            &cancel,
        )
        .await?;
        let windows = gateway
            .models()
            .models
            .into_iter()
            .filter_map(|m| Some((m.name, m.context_window?)))
            .collect();
        let tools = if config.memory_tools {
            crate::tools::memory_tools()
        } else {
            Vec::new()
        };
        let tools_tokens = if tools.is_empty() {
            0
        } else {
            // Declarations are sent as JSON; count them as such.
            let json = serde_json::to_string(&tools).unwrap_or_default();
            request_tokens(&[cistern_llm::Message::system(json)], 0)
        };
        let memory = Memory::new(db.clone(), gateway.clone(), config.embedding_model.clone());
        let inner = Arc::new(Inner {
            db,
            gateway,
            memory,
            writer,
            registry: Registry::new(),
            windows,
            tools,
            tools_tokens,
            turns: TaskTracker::new(),
            background,
            cancel,
            summarizing: Mutex::new(HashSet::new()),
            closed: AtomicBool::new(false),
            config,
        });
        let sweeper = Arc::downgrade(&inner);
        let idle = inner.config.idle_timeout;
        let cancel = inner.cancel.clone();
        inner.background.spawn(async move {
            let every = (idle / 2).clamp(Duration::from_millis(100), Duration::from_secs(30));
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(every) => {}
                }
                let Some(inner) = sweeper.upgrade() else {
                    return;
                };
                let ms = i64::try_from(idle.as_millis()).unwrap_or(i64::MAX);
                inner.registry.evict_idle(ms);
            }
        });
        Ok(Self { inner })
    }

    /// Runs a turn: stores `message` as `owner`'s in `conversation_id` (a new conversation
    /// when `None`), calls the model with the context fitted to its window (tool rounds
    /// included), stores the reply, and returns once the reply is durable. `model` overrides
    /// the conversation's model (and becomes it); default: the configured default model.
    ///
    /// A model failure stores what came of the reply with status `error` and returns
    /// [`Error::Model`]. The turn runs in its own task: if the caller goes away, it still
    /// completes and stores its reply.
    pub async fn send(
        &self,
        owner: &str,
        conversation_id: Option<&str>,
        message: &str,
        model: Option<&str>,
    ) -> Result<TurnResult> {
        let req = self.request(owner, conversation_id, message, model)?;
        let (tx, rx) = oneshot::channel();
        let inner = self.inner.clone();
        self.inner.turns.spawn(async move {
            // The caller stopped waiting (a client that left): the turn is stored anyway.
            tx.send(turn::run(&inner, req, None).await).ok();
        });
        rx.await.map_err(|_| Error::Closed)?
    }

    /// Like [`Agents::send`], but streams: `Started`, reply deltas as they come, then `Done`
    /// with the stored result — or an `Err` item, after which the partial reply is stored
    /// with status `error`. Dropping the stream stops the model (the stop button): what came
    /// so far is stored with status `partial`.
    pub fn send_stream(
        &self,
        owner: &str,
        conversation_id: Option<&str>,
        message: &str,
        model: Option<&str>,
    ) -> Result<TurnStream> {
        let req = self.request(owner, conversation_id, message, model)?;
        let (tx, rx) = mpsc::channel(64);
        let inner = self.inner.clone();
        self.inner.turns.spawn(async move {
            let events = tx.clone();
            let result = turn::run(&inner, req, Some(events)).await;
            // The caller stopped waiting (a client that left): the turn is stored anyway.
            tx.send(result.map(crate::TurnEvent::Done)).await.ok();
        });
        Ok(TurnStream::new(rx))
    }

    fn request(
        &self,
        owner: &str,
        conversation_id: Option<&str>,
        message: &str,
        model: Option<&str>,
    ) -> Result<TurnRequest> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Error::Closed);
        }
        if message.trim().is_empty() {
            return Err(Error::Invalid("the message must not be empty".into()));
        }
        if message.len() > MAX_MESSAGE_BYTES {
            return Err(Error::Invalid(format!(
                "the message is {} bytes; the limit is {MAX_MESSAGE_BYTES}",
                message.len()
            )));
        }
        if model.is_some_and(|m| m.trim().is_empty()) {
            return Err(Error::Invalid("the model name must not be empty".into()));
        }
        Ok(TurnRequest {
            owner: owner.to_owned(),
            conversation_id: conversation_id.map(str::to_owned),
            message: message.to_owned(),
            model: model.map(str::to_owned),
        })
    }

    /// One of `owner`'s conversations.
    pub async fn conversation(&self, owner: &str, id: &str) -> Result<Conversation> {
        read::conversation(&self.inner.db, owner, id).await
    }

    /// `owner`'s conversations, most recently active first; `before` is the previous page's
    /// `next`.
    pub async fn conversations(
        &self,
        owner: &str,
        limit: i64,
        before: Option<&str>,
    ) -> Result<ConversationPage> {
        read::conversations(&self.inner.db, owner, limit, before).await
    }

    /// A page of a conversation's messages: the newest `limit` with `seq < before` (all when
    /// `before` is `None`), oldest first; `next` continues towards the start.
    pub async fn messages(
        &self,
        owner: &str,
        conversation_id: &str,
        limit: i64,
        before: Option<i64>,
    ) -> Result<MessagePage> {
        read::messages(&self.inner.db, owner, conversation_id, limit, before).await
    }

    /// Renames one of `owner`'s conversations (one line, at most 200 characters kept).
    pub async fn rename(&self, owner: &str, conversation_id: &str, title: &str) -> Result<()> {
        read::rename(&self.inner.db, owner, conversation_id, title).await
    }

    /// Deletes one of `owner`'s conversations with its messages and summaries. A turn in
    /// flight on it then fails with [`Error::TurnLost`].
    pub async fn delete(&self, owner: &str, conversation_id: &str) -> Result<()> {
        read::delete(&self.inner.db, owner, conversation_id).await?;
        self.inner.registry.remove(conversation_id);
        Ok(())
    }

    /// The memory API on the same database.
    pub fn memory(&self) -> &Memory {
        &self.inner.memory
    }

    /// Agents held in memory on this instance.
    pub fn loaded_agents(&self) -> usize {
        self.inner.registry.len()
    }

    /// Estimated heap bytes held by the agents in memory on this instance (their map entries
    /// and cached working memory), for metrics and the memory-per-agent benchmark.
    pub fn memory_footprint(&self) -> usize {
        self.inner.registry.heap_bytes()
    }

    /// Evicts agents idle for longer than `idle` now (the sweeper does it on its own every
    /// half idle timeout); returns how many.
    pub fn evict_idle(&self, idle: Duration) -> usize {
        self.inner
            .registry
            .evict_idle(i64::try_from(idle.as_millis()).unwrap_or(i64::MAX))
    }

    /// Waits until no summariser is running (tests and benchmarks).
    pub async fn wait_for_summaries(&self) {
        loop {
            let busy = !self
                .inner
                .summarizing
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_empty();
            if !busy {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Stops taking turns, waits for those in flight (their replies are stored), stops the
    /// summarisers and the sweeper, and flushes the writer. Idempotent.
    pub async fn shutdown(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.turns.close();
        self.inner.turns.wait().await;
        self.inner.cancel.cancel();
        self.inner.background.close();
        self.inner.background.wait().await;
    }
}
