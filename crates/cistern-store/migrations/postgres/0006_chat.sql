-- Chat (issue 6): conversations, their messages as rows, and the agents' memory.
-- Times are Unix milliseconds; ids are text (UUIDv7). Every table is owned by a user and goes
-- with them (ON DELETE CASCADE); every query of cistern-agents is scoped by the owner.

-- One row per conversation. `message_count` is exact and doubles as the last message's `seq`
-- (seqs are gapless, 1..=message_count). `turn_token`/`turn_expires` are the turn lease: a turn
-- takes it with the compare-and-set that appends the user's message and gives it back with the
-- one that appends the reply, so turns of one conversation never interleave, whichever
-- instance runs them; an expired lease (a crashed instance) can be taken over.
CREATE TABLE conversations (
    id             TEXT PRIMARY KEY NOT NULL,
    owner          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    model          TEXT,
    message_count  BIGINT NOT NULL,
    version        BIGINT NOT NULL,
    summarized_seq BIGINT NOT NULL DEFAULT 0,  -- messages up to here are in episodic memory
    turn_token     TEXT,
    turn_expires   BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
-- An owner's conversations, most recently active first; (updated_at, id) is the page cursor.
CREATE INDEX conversations_owner ON conversations (owner, updated_at, id);

-- One row per message, never one growing value. The primary key is the cursor: the last page
-- of a 100,000-message conversation is one short range scan.
CREATE TABLE chat_messages (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    content         TEXT NOT NULL,
    tool_calls      TEXT,                    -- JSON array of OpenAI-shaped calls
    tool_call_id    TEXT,                    -- a tool result: the call it answers
    tokens          BIGINT NOT NULL,         -- estimated when written, for context budgets
    status          TEXT NOT NULL CHECK (status IN ('complete', 'partial', 'error')),
    error           TEXT,                    -- why a reply is partial or failed
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

-- Episodic memory: rolling summaries of what fell out of a conversation's context window. The
-- latest one (highest to_seq) covers messages 1..=to_seq.
CREATE TABLE memory_episodes (
    id              TEXT PRIMARY KEY NOT NULL,
    owner           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    to_seq          BIGINT NOT NULL,
    summary         TEXT NOT NULL,
    tokens          BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX memory_episodes_conversation ON memory_episodes (conversation_id, to_seq);
CREATE INDEX memory_episodes_owner ON memory_episodes (owner, created_at);

-- Semantic memory: facts, searchable by full text (a generated tsvector, GIN-indexed) and, when
-- an embedding model is configured, by vector (little-endian f32s; cosine computed in Rust over
-- the owner's facts).
CREATE TABLE memory_facts (
    id              TEXT PRIMARY KEY NOT NULL,
    owner           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content         TEXT NOT NULL,
    source          TEXT NOT NULL,           -- 'api', 'chat' (the remember tool), an app's name
    embedding       BYTEA,
    embedding_model TEXT,
    created_at      BIGINT NOT NULL,
    search          TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', content)) STORED
);
CREATE INDEX memory_facts_owner ON memory_facts (owner, created_at, id);
CREATE INDEX memory_facts_search ON memory_facts USING GIN (search);

-- Procedural memory: the user's standing instructions (their system prompt).
CREATE TABLE memory_instructions (
    owner      TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content    TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
