/**
 * The Chat app: conversations on the left, the open one with a streaming reply and a stop
 * button, retry, rename/delete, and the memory panel (`MemoryPanel.tsx`). Replies are
 * rendered as Markdown with highlighted code (`Markdown.tsx`); the user's own messages stay
 * plain text, as typed.
 */
import { lazy, Suspense, useRef, useState } from "react";
import { api, call } from "../api/client";
import { getSession } from "../auth/current";
import { ErrorAlert } from "../ui/ErrorAlert";
import { useLoad } from "../components/useLoad";
import { usePageTitle } from "../ui/usePageTitle";
import { MemoryPanel } from "./MemoryPanel";
import { streamRetry, streamTurn, type TurnState } from "./turn";

// The Markdown renderer and its grammars are a chunk of their own, loaded by this page only.
const Markdown = lazy(() => import("./Markdown").then((m) => ({ default: m.Markdown })));

/** An assistant reply: plain text until the renderer has loaded, then Markdown. */
function Reply({ text }: { text: string }) {
  return (
    <Suspense fallback={<p style={{ whiteSpace: "pre-wrap" }}>{text}</p>}>
      <Markdown text={text} />
    </Suspense>
  );
}

export function ChatPage() {
  usePageTitle("Chat");
  const [open, setOpen] = useState<string | undefined>();
  const [draft, setDraft] = useState("");
  // A turn or retry in flight; `message` is the user's (none for a retry).
  const [turn, setTurn] = useState<{ message?: string; state: TurnState } | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const stop = useRef<AbortController | null>(null);

  const conversations = useLoad((signal) => call(api.GET("/api/v1/conversations", { signal })), []);
  const messages = useLoad(
    (signal) =>
      open
        ? call(
            api.GET("/api/v1/conversations/{id}/messages", {
              params: { path: { id: open }, query: { limit: 200 } },
              signal,
            }),
          )
        : Promise.resolve({ items: [], next_cursor: null }),
    [open],
  );
  // The newest message of the open conversation: a retry answers again what it replied to.
  const last = messages.data?.items.at(-1);
  // Bumped after every turn: the memory panel reloads (the model may have remembered facts).
  const [turns, setTurns] = useState(0);

  /** Streams a turn or a retry; the stop button aborts it. */
  async function stream(
    message: string | undefined,
    start: (onState: (state: TurnState) => void, signal: AbortSignal) => Promise<TurnState>,
  ) {
    setError(undefined);
    const ctrl = new AbortController();
    stop.current = ctrl;
    try {
      const end = await start((state) => setTurn({ message, state }), ctrl.signal);
      if (end.conversationId && end.conversationId !== open) setOpen(end.conversationId);
      else await messages.reload();
      await conversations.reload();
      setTurns((n) => n + 1);
      setTurn(undefined);
    } catch (e) {
      setError(e as Error);
    } finally {
      stop.current = null;
    }
  }

  async function send() {
    const message = draft.trim();
    if (!message || stop.current) return;
    setDraft("");
    const body = open ? { message, conversation_id: open } : { message };
    await stream(message, (onState, signal) => streamTurn(body, getSession().fetch, onState, signal));
  }

  /** Answers the last user message again; the old reply stays in history. */
  async function retry() {
    if (!open || stop.current) return;
    const id = open;
    await stream(undefined, (onState, signal) => streamRetry(id, getSession().fetch, onState, signal));
  }

  async function rename(id: string, current: string) {
    const title = window.prompt("Rename conversation", current);
    if (!title) return;
    await call(api.PATCH("/api/v1/conversations/{id}", { params: { path: { id } }, body: { title } })).catch(setError);
    await conversations.reload();
  }

  async function remove(id: string) {
    if (!window.confirm("Delete this conversation?")) return;
    await api.DELETE("/api/v1/conversations/{id}", { params: { path: { id } } });
    if (open === id) setOpen(undefined);
    await conversations.reload();
  }

  return (
    <div className="chat-page" style={{ display: "grid", gridTemplateColumns: "14rem 1fr 16rem", gap: "1rem" }}>
      <aside aria-label="Conversations">
        <button type="button" onClick={() => setOpen(undefined)}>
          New chat
        </button>
        {conversations.error && <ErrorAlert title="Conversations" error={conversations.error} />}
        <ul>
          {conversations.data?.items.map((c) => (
            <li key={c.id}>
              <button type="button" aria-current={c.id === open} onClick={() => setOpen(c.id)}>
                {c.title}
              </button>
              <button type="button" aria-label="Rename" onClick={() => rename(c.id, c.title)}>
                ✎
              </button>
              <button type="button" aria-label="Delete" onClick={() => remove(c.id)}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section aria-label="Messages">
        {error && <ErrorAlert title="Chat" error={error} />}
        {messages.data?.items
          // Failed replies are shown even when empty: they are what a retry is for.
          .filter((m) => m.role !== "tool" && (m.content || m.status !== "complete"))
          .map((m) => (
            <div key={m.seq} className={`msg msg-${m.role}`}>
              <strong>{m.role === "user" ? "You" : "Agent"}:</strong>
              {m.role === "user" ? <p style={{ whiteSpace: "pre-wrap" }}>{m.content}</p> : <Reply text={m.content} />}
              {m.status !== "complete" && <em> ({m.status})</em>}
            </div>
          ))}
        {!turn && last?.role === "assistant" && (
          <button
            type="button"
            className="retry"
            onClick={() => void retry()}
            title="Answer the last message again; this reply stays in the history"
          >
            {last.status === "complete" ? "Retry" : `Retry (reply ${last.status === "error" ? "failed" : "stopped"})`}
          </button>
        )}
        {turn && (
          <>
            {turn.message !== undefined && (
              <p className="msg msg-user" style={{ whiteSpace: "pre-wrap" }}>
                <strong>You:</strong> {turn.message}
              </p>
            )}
            <div className="msg msg-assistant" aria-live="polite">
              <strong>Agent:</strong>
              <Reply text={turn.state.reply} />
              {turn.state.status === "error" && <em> (error: {turn.state.error})</em>}
            </div>
          </>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <textarea value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="Message" rows={3} />
          {turn?.state.status === "streaming" ? (
            <button type="button" onClick={() => stop.current?.abort()}>
              Stop
            </button>
          ) : (
            <button type="submit" disabled={!draft.trim()}>
              Send
            </button>
          )}
        </form>
      </section>
      <MemoryPanel conversation={open} version={turns} />
    </div>
  );
}
