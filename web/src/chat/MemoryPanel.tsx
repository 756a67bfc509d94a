/**
 * What the agent remembers about you, beside the chat: your standing instructions (procedural
 * memory, editable), remembered facts (semantic memory: add, forget) and the summaries of the
 * open conversation (episodic memory, read-only — they go with their conversation).
 * `version` changes after every turn, so facts the model remembered and new summaries show up.
 */
import { useEffect, useState } from "react";
import { api, call } from "../api/client";
import { ErrorAlert } from "../ui/ErrorAlert";
import { useLoad } from "../components/useLoad";

export function MemoryPanel({ conversation, version }: { conversation?: string; version: number }) {
  const [error, setError] = useState<Error | undefined>();
  const [newFact, setNewFact] = useState("");
  const [instructions, setInstructions] = useState<string | undefined>();

  const prompt = useLoad((signal) => call(api.GET("/api/v1/chat/system-prompt", { signal })), []);
  const facts = useLoad((signal) => call(api.GET("/api/v1/memory/facts", { signal })), [version]);
  const episodes = useLoad(
    (signal) =>
      conversation
        ? call(
            api.GET("/api/v1/memory/episodes", {
              params: { query: { conversation_id: conversation, limit: 5 } },
              signal,
            }),
          )
        : Promise.resolve({ items: [], next_cursor: null }),
    [conversation, version],
  );
  // The editable copy starts from what the server has.
  useEffect(() => setInstructions(prompt.data?.system_prompt), [prompt.data]);

  async function saveInstructions() {
    setError(undefined);
    try {
      await call(api.PUT("/api/v1/chat/system-prompt", { body: { system_prompt: instructions ?? "" } }));
      await prompt.reload();
    } catch (e) {
      setError(e as Error);
    }
  }

  async function addFact() {
    const content = newFact.trim();
    if (!content) return;
    setError(undefined);
    try {
      await call(api.POST("/api/v1/memory/facts", { body: { content } }));
      setNewFact("");
      await facts.reload();
    } catch (e) {
      setError(e as Error);
    }
  }

  async function forget(id: string) {
    await api.DELETE("/api/v1/memory/facts/{id}", { params: { path: { id } } });
    await facts.reload();
  }

  const latest = episodes.data?.items[0];
  return (
    <aside aria-label="Memory">
      <h2>Memory</h2>
      {(error ?? prompt.error ?? facts.error ?? episodes.error) && (
        <ErrorAlert title="Memory" error={(error ?? prompt.error ?? facts.error ?? episodes.error)!} />
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void saveInstructions();
        }}
      >
        <label>
          Instructions
          <textarea
            rows={3}
            value={instructions ?? ""}
            onChange={(e) => setInstructions(e.target.value)}
            placeholder="How the agent should answer you, in every conversation"
          />
        </label>
        <button type="submit" disabled={instructions === prompt.data?.system_prompt}>
          Save
        </button>
      </form>
      <h3>Facts</h3>
      <ul aria-label="Facts">
        {facts.data?.items.map((f) => (
          <li key={f.id}>
            {f.content}{" "}
            <button type="button" aria-label="Forget" onClick={() => void forget(f.id)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void addFact();
        }}
      >
        <input
          aria-label="New fact"
          value={newFact}
          onChange={(e) => setNewFact(e.target.value)}
          placeholder="Remember…"
        />
        <button type="submit" disabled={!newFact.trim()}>
          Add
        </button>
      </form>
      {latest && (
        <>
          <h3>Summary of this conversation</h3>
          <p className="muted">Messages 1–{latest.to_seq}, summarised when they fell out of the model's window.</p>
          <p style={{ whiteSpace: "pre-wrap" }}>{latest.summary}</p>
        </>
      )}
    </aside>
  );
}
