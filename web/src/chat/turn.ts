/**
 * A streamed chat turn (`POST /api/v1/chat/stream`) or retry
 * (`POST /api/v1/conversations/{id}/retry/stream`, the same events): the pure state it builds
 * from the server's events, and the fetch that reads them (read by the shared SSE client, `api/sse.ts`).
 */
import { postEvents, type SseMessage } from "../api/sse";

/** What the page shows of a turn in progress. */
export interface TurnState {
  conversationId?: string;
  reply: string;
  status: "streaming" | "done" | "error" | "stopped";
  error?: string;
  /** The stored reply's position, from `done`. */
  seq?: number;
  /** Token counts and cost of the turn (every model call it made), from `done`. */
  usage?: TurnUsage;
}

/** What a turn used: from `done`, or stored with its reply (`MessageView.usage`). */
export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  modelCalls: number;
  /** USD at the model's configured prices (0 for cached answers and unpriced models). */
  costUsd: number;
}

/** The server's usage object (`UsageView`) as the page keeps it; absent stays absent. */
export function usageOf(
  usage: { input_tokens?: number; output_tokens?: number; model_calls?: number; cost_usd?: number } | null | undefined,
): TurnUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    modelCalls: usage.model_calls ?? 1,
    costUsd: usage.cost_usd ?? 0,
  };
}

export const initialTurn: TurnState = { reply: "", status: "streaming" };

/** Folds one server event into the turn. Unknown events are ignored. */
export function applyEvent(state: TurnState, message: SseMessage): TurnState {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(message.data) as Record<string, unknown>;
  } catch {
    return state;
  }
  switch (message.event) {
    case "started":
      return { ...state, conversationId: String(data.conversation_id) };
    case "token":
      return { ...state, reply: state.reply + String(data.text ?? "") };
    case "done": {
      return {
        ...state,
        conversationId: String(data.conversation_id),
        reply: String(data.message ?? state.reply),
        status: "done",
        seq: typeof data.seq === "number" ? data.seq : undefined,
        usage: usageOf(data.usage as Parameters<typeof usageOf>[0]),
      };
    }
    case "error":
      return { ...state, status: "error", error: String(data.message ?? "the model failed") };
    default:
      return state;
  }
}

type FetchFn = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Runs a turn, calling `onState` after each event; aborting `signal` is the stop button. */
export function streamTurn(
  body: { message: string; conversation_id?: string; model?: string },
  fetchFn: FetchFn,
  onState: (state: TurnState) => void,
  signal: AbortSignal,
): Promise<TurnState> {
  return streamEvents("/api/v1/chat/stream", body, fetchFn, onState, signal);
}

/** The URL of a conversation's streamed retry. */
export function retryUrl(conversationId: string): string {
  return `/api/v1/conversations/${encodeURIComponent(conversationId)}/retry/stream`;
}

/**
 * Retries the conversation's last reply (the new one is appended after it), streamed like a
 * turn; aborting `signal` stops it. `model` switches the conversation's model from now on.
 */
export function streamRetry(
  conversationId: string,
  fetchFn: FetchFn,
  onState: (state: TurnState) => void,
  signal: AbortSignal,
  model?: string,
): Promise<TurnState> {
  return streamEvents(retryUrl(conversationId), model ? { model } : {}, fetchFn, onState, signal);
}

async function streamEvents(
  url: string,
  body: object,
  fetchFn: FetchFn,
  onState: (state: TurnState) => void,
  signal: AbortSignal,
): Promise<TurnState> {
  let state = initialTurn;
  const how = await postEvents(
    url,
    body,
    fetchFn,
    (message) => {
      state = applyEvent(state, message);
      onState(state);
    },
    signal,
  );
  if (state.status === "streaming") state = { ...state, status: how === "aborted" ? "stopped" : "error" };
  onState(state);
  return state;
}
