//! Cistern's chat agents: one durable agent per (user, conversation), with memory.
//!
//! The reference is a Cloudflare Agent on a Durable Object — one agent per user, history that
//! survives restarts and deploys, strongly consistent, users isolated — minus its users' two top
//! complaints: chat state kept as one growing value hits size limits on long chats, and
//! compaction fails when the summariser hits the same context limit. Here history is rows, one
//! per message, and the summariser works in chunks sized to its model's window.
//!
//! ```no_run
//! # async fn demo(db: cistern_store::Db, gateway: cistern_llm::Gateway) -> cistern_agents::Result<()> {
//! use cistern_agents::{Agents, AgentsConfig};
//!
//! let agents = Agents::new(db, gateway, AgentsConfig::default()).await?;
//! let first = agents.send("user-1", None, "Hello, I'm Ada.", None).await?;
//! let next = agents.send("user-1", Some(&first.conversation_id), "Who am I?", None).await?;
//! assert_eq!(next.message_count, 4);
//! agents.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # How it fits together
//!
//! - [`Agents`] (`agents.rs`) is the handle. Each turn runs in its own tracked task (`turn.rs`):
//!   the in-process agent (`registry.rs`, a sharded map with idle eviction) serializes this
//!   instance's turns of a conversation; the **turn lease** on the conversation row serializes
//!   them across instances. The user's message is appended with a compare-and-set that takes
//!   the lease, the reply with one that releases it (`store/write.rs`), so seqs are gapless,
//!   a reply always follows its message, and `message_count` is exact on any number of
//!   instances sharing PostgreSQL. A crashed instance's lease expires; a live one renews it.
//! - Writes go through `store/writer.rs`: on SQLite one task group-commits every turn's write
//!   in one transaction (one WAL fsync per batch with `synchronous = FULL`) before answering
//!   them; on PostgreSQL each write is one statement in autocommit (`store/write_pg.rs`). A
//!   turn returns only after its reply is committed.
//! - `context.rs` keeps an agent's working memory (the newest messages that fit) and builds
//!   each request within the model's window, from token estimates stored with each message
//!   (`tokens.rs`); `summarize.rs` folds what fell out into episodic memory in the background.
//! - `rounds.rs` calls the model (streamed or not), runs `remember`/`recall` tool calls
//!   (`tools.rs`) for a bounded number of rounds, and turns the outcome into rows: complete,
//!   `partial` (stopped by the caller) or `error` (the model failed mid-way).
//! - [`Memory`] (`memory/`) is the memory API the other apps use too: working, episodic,
//!   semantic facts (full-text search — SQLite FTS5 or PostgreSQL `tsvector` — and vector
//!   search when an embedding model is configured) and procedural (the system prompt).
//!
//! Boundary: no web framework and no notion of authentication — the owner is always a
//! parameter, and another owner's conversation or fact is [`Error::NotFound`].

mod agents;
mod config;
mod context;
mod error;
mod memory;
mod model;
mod registry;
mod retry;
mod rounds;
mod store;
mod stream;
mod summarize;
mod tokens;
mod tools;
mod turn;

pub use agents::{Agents, MAX_MESSAGE_BYTES};
pub use config::{AgentsConfig, Durability};
pub use error::{Error, Result};
pub use memory::{
    Episode, EpisodePage, Fact, FactHit, FactPage, MAX_FACT_BYTES, MAX_SYSTEM_PROMPT_BYTES, Memory,
    MemorySnapshot,
};
pub use model::{
    Conversation, ConversationPage, MessagePage, MessageStatus, Role, StoredMessage, TurnEvent,
    TurnResult, TurnUsage,
};
pub use store::read::MAX_PAGE;
pub use stream::TurnStream;
pub use tokens::{estimate_tokens, request_tokens};
pub use tools::{RECALL, REMEMBER, memory_tools};
