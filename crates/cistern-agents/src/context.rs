//! An agent's cached working memory and the context built from it before each model call.
//!
//! The context is, in order: one system message (the user's standing instructions, the facts
//! recalled for this message, the latest episodic summary), then as many of the newest messages
//! as fit. Every part is sized against what is left of the budget in priority order — the new
//! user message first (it must fit), then the tool declarations, instructions, summary, facts,
//! and history last — so the whole never exceeds the window, whatever the inputs.

use std::collections::VecDeque;

use cistern_llm::{Message, ToolCall};
use cistern_store::Db;

use crate::error::Result;
use crate::memory::Memory;
use crate::model::{MessageStatus, Role, StoredMessage};
use crate::store::read;
use crate::store::write::NewMessage;
use crate::tokens::{REPLY_PRIMING, estimate_tokens, request_tokens, truncate_to_tokens};

/// Messages read per page when loading history.
const LOAD_PAGE: i64 = 200;

/// A message in the cache.
#[derive(Debug, Clone)]
struct Entry {
    seq: i64,
    tokens: u32,
    role: Role,
    message: Message,
}

/// What an agent keeps between turns. Only messages after the summarised prefix, and no more
/// than fit the window, are kept.
#[derive(Debug, Default)]
pub(crate) struct AgentState {
    loaded: bool,
    message_count: i64,
    summarized_seq: i64,
    summary: Option<String>,
    recent: VecDeque<Entry>,
}

/// The parts of the system message, fetched for this turn.
pub(crate) struct Extras {
    pub system_prompt: Option<String>,
    pub facts: Vec<String>,
}

/// A context ready to send.
pub(crate) struct Built {
    pub messages: Vec<Message>,
    /// Whether the tool declarations fit and are to be offered.
    pub tools: bool,
    /// Messages up to here are neither in the context nor summarised yet: compaction's target.
    pub unsummarized_upto: Option<i64>,
}

impl AgentState {
    /// Brings the cache in line with the database after the turn appended the user's message
    /// as `count`. A cache that missed writes (another instance ran turns) is reloaded.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn sync(
        &mut self,
        db: &Db,
        memory: &Memory,
        owner: &str,
        conversation: &str,
        count: i64,
        summarized_seq: i64,
        user: &NewMessage,
        budget: u32,
    ) -> Result<()> {
        if summarized_seq != self.summarized_seq || !self.loaded {
            self.summary = memory
                .latest_episode(owner, conversation)
                .await?
                .map(|e| e.summary);
            self.summarized_seq = summarized_seq;
            self.recent.retain(|e| e.seq > summarized_seq);
        }
        if self.loaded && self.message_count == count - 1 {
            self.push(count, user);
        } else {
            self.reload(db, conversation, count, budget).await?;
        }
        self.loaded = true;
        self.message_count = count;
        Ok(())
    }

    async fn reload(&mut self, db: &Db, conversation: &str, count: i64, budget: u32) -> Result<()> {
        self.recent.clear();
        let mut tokens = 0u64;
        let mut before = count + 1;
        'pages: loop {
            let page = read::newest_before(db, conversation, before, LOAD_PAGE).await?;
            for m in &page {
                if m.seq <= self.summarized_seq || tokens > u64::from(budget) {
                    break 'pages;
                }
                tokens += u64::try_from(m.tokens).unwrap_or(0);
                if let Some(e) = entry_of_stored(m) {
                    self.recent.push_front(e);
                }
                before = m.seq;
            }
            if (page.len() as i64) < LOAD_PAGE {
                break;
            }
        }
        Ok(())
    }

    /// Records a message the turn wrote as `seq`.
    pub(crate) fn push(&mut self, seq: i64, m: &NewMessage) {
        self.message_count = self.message_count.max(seq);
        if let Some(e) = entry_of_new(seq, m) {
            self.recent.push_back(e);
        }
    }

    /// Heap bytes this state holds (cached messages and summary), for memory accounting.
    pub(crate) fn heap_bytes(&self) -> usize {
        let entries: usize = self
            .recent
            .iter()
            .map(|e| {
                let text = match &e.message.content {
                    Some(cistern_llm::Content::Text(t)) => t.capacity(),
                    Some(cistern_llm::Content::Parts(p)) => p.len() * 64,
                    None => 0,
                };
                let calls: usize = e
                    .message
                    .tool_calls
                    .iter()
                    .map(|c| {
                        std::mem::size_of::<ToolCall>()
                            + c.id.capacity()
                            + c.function.name.capacity()
                            + c.function.arguments.capacity()
                    })
                    .sum();
                text + calls + e.message.tool_call_id.as_ref().map_or(0, String::capacity)
            })
            .sum();
        self.recent.capacity() * std::mem::size_of::<Entry>()
            + entries
            + self.summary.as_ref().map_or(0, String::capacity)
    }

    /// Forgets cached messages after `seq`: a retry answers the user message at `seq` again,
    /// so the attempts stored after it are not its context.
    pub(crate) fn forget_after(&mut self, seq: i64) {
        while self.recent.back().is_some_and(|e| e.seq > seq) {
            self.recent.pop_back();
        }
    }

    /// Marks the cache stale (a write failed half-way): the next turn reloads.
    pub(crate) fn invalidate(&mut self) {
        self.loaded = false;
    }

    /// The context for a call, within `budget` tokens; `tools_tokens` is what the tool
    /// declarations cost (offered only if they fit). Drops cached messages older than what
    /// fitted: the window only moves forward.
    pub(crate) fn build(&mut self, extras: &Extras, budget: u32, tools_tokens: u32) -> Built {
        let newest = self.recent.back().map_or(0, |e| e.tokens);
        let mut left = budget.saturating_sub(REPLY_PRIMING + newest);
        let tools = tools_tokens > 0 && tools_tokens <= left / 3;
        if tools {
            left -= tools_tokens;
        }
        let mut system = String::new();
        // Each part takes at most a third of what is left, in priority order.
        if let Some(p) = &extras.system_prompt {
            system.push_str(truncate_to_tokens(p, left / 3));
        }
        if let Some(s) = &self.summary {
            let cap = budget.saturating_sub(REPLY_PRIMING + newest) / 3;
            let s = truncate_to_tokens(
                s,
                cap.min(left.saturating_sub(estimate_tokens(&system)) / 3),
            );
            if !s.is_empty() {
                push_section(&mut system, "Summary of the earlier conversation:\n", s);
            }
        }
        let mut facts_cap = left.saturating_sub(estimate_tokens(&system)) / 3;
        let mut facts = String::new();
        for f in &extras.facts {
            let t = estimate_tokens(f);
            if t > facts_cap {
                break;
            }
            facts_cap -= t;
            facts.push_str("\n- ");
            facts.push_str(f);
        }
        if !facts.is_empty() {
            push_section(&mut system, "What you remember about the user:", &facts);
        }
        let mut messages = Vec::new();
        if !system.is_empty() {
            messages.push(Message::system(system));
        }
        let mut tools = tools;
        let mut fixed = request_tokens(&messages, if tools { tools_tokens } else { 0 });
        if fixed.saturating_add(newest) > budget {
            // Section headers tipped it over (tiny windows): the new message comes first.
            messages.clear();
            tools = false;
            fixed = request_tokens(&messages, 0);
        }
        // Newest first, while they fit; then start at a user message so no tool result or
        // reply is cut from what it answers.
        let mut used = fixed;
        let mut first = self.recent.len();
        for (i, e) in self.recent.iter().enumerate().rev() {
            if used.saturating_add(e.tokens) > budget {
                break;
            }
            used += e.tokens;
            first = i;
        }
        while first < self.recent.len() && self.recent[first].role != Role::User {
            first += 1;
        }
        let first_seq = self
            .recent
            .get(first)
            .map_or(self.message_count + 1, |e| e.seq);
        self.recent.drain(..first);
        messages.extend(self.recent.iter().map(|e| e.message.clone()));
        crate::retry::drop_superseded(&mut messages);
        Built {
            messages,
            tools,
            unsummarized_upto: (first_seq - 1 > self.summarized_seq).then_some(first_seq - 1),
        }
    }
}

fn push_section(system: &mut String, title: &str, body: &str) {
    if !system.is_empty() {
        system.push_str("\n\n");
    }
    system.push_str(title);
    system.push_str(body);
}

fn entry_of_stored(m: &StoredMessage) -> Option<Entry> {
    let message = to_message(
        m.role,
        &m.content,
        m.tool_calls.as_deref(),
        m.tool_call_id.as_deref(),
        m.status,
    )?;
    Some(Entry {
        seq: m.seq,
        tokens: u32::try_from(m.tokens).unwrap_or(u32::MAX),
        role: m.role,
        message,
    })
}

fn entry_of_new(seq: i64, m: &NewMessage) -> Option<Entry> {
    let message = to_message(
        m.role,
        &m.content,
        m.tool_calls.as_deref(),
        m.tool_call_id.as_deref(),
        m.status,
    )?;
    Some(Entry {
        seq,
        tokens: u32::try_from(m.tokens).unwrap_or(u32::MAX),
        role: m.role,
        message,
    })
}

/// The model's view of a stored message; `None` for replies that did not complete (they are
/// shown to the user but not fed back to the model).
fn to_message(
    role: Role,
    content: &str,
    tool_calls: Option<&str>,
    tool_call_id: Option<&str>,
    status: MessageStatus,
) -> Option<Message> {
    match role {
        Role::User => Some(Message::user(content)),
        Role::Assistant if status != MessageStatus::Complete => None,
        Role::Assistant => {
            let calls: Vec<ToolCall> = tool_calls
                .and_then(|j| serde_json::from_str(j).ok())
                .unwrap_or_default();
            let mut m = Message::assistant(content);
            if content.is_empty() && !calls.is_empty() {
                m.content = None;
            }
            m.tool_calls = calls;
            Some(m)
        }
        Role::Tool => Some(Message::tool_result(
            tool_call_id.unwrap_or_default(),
            content,
        )),
    }
}

#[cfg(test)]
#[path = "context_tests.rs"]
mod tests;
