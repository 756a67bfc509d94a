/**
 * The chat page's server state, as TanStack Query options: conversations, a conversation's
 * messages, the models, and memory (instructions, facts, summaries). Mutations invalidate the
 * keys below.
 */
import { api, call } from "../api/client";
import type { components } from "../api/schema";

export type Conversation = components["schemas"]["ConversationView"];
export type Message = components["schemas"]["MessageView"];

export const chatKeys = {
  conversations: ["chat", "conversations"] as const,
  messages: (id: string) => ["chat", "messages", id] as const,
  models: ["models"] as const,
  systemPrompt: ["memory", "system-prompt"] as const,
  facts: ["memory", "facts"] as const,
  episodes: (conversation: string) => ["memory", "episodes", conversation] as const,
};

export const conversationsQuery = {
  queryKey: chatKeys.conversations,
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    call(api.GET("/api/v1/conversations", { params: { query: { limit: 200 } }, signal })),
};

/** The newest 200 messages of a conversation, oldest first. */
export const messagesQuery = (id: string) => ({
  queryKey: chatKeys.messages(id),
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    call(api.GET("/api/v1/conversations/{id}/messages", { params: { path: { id }, query: { limit: 200 } }, signal })),
});

/** The configured models (`GET /v1/models`, OpenAI-compatible); names only. */
export const modelsQuery = {
  queryKey: chatKeys.models,
  queryFn: async ({ signal }: { signal: AbortSignal }) => {
    const list = await call(api.GET("/v1/models", { signal }));
    return list.data.map((m) => m.id);
  },
  staleTime: 5 * 60_000,
};

export const systemPromptQuery = {
  queryKey: chatKeys.systemPrompt,
  queryFn: ({ signal }: { signal: AbortSignal }) => call(api.GET("/api/v1/chat/system-prompt", { signal })),
};

export const factsQuery = {
  queryKey: chatKeys.facts,
  queryFn: ({ signal }: { signal: AbortSignal }) => call(api.GET("/api/v1/memory/facts", { signal })),
};

/** The newest summary of a conversation's early messages (episodic memory), if any. */
export const episodesQuery = (conversation: string) => ({
  queryKey: chatKeys.episodes(conversation),
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    call(
      api.GET("/api/v1/memory/episodes", {
        params: { query: { conversation_id: conversation, limit: 1 } },
        signal,
      }),
    ),
});
