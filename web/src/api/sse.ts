/**
 * Server-Sent Events over `fetch`: the one SSE client every streaming page uses (job events,
 * chat turns, extension progress). The browser's EventSource cannot send an `Authorization`
 * header, and the API authenticates with bearer tokens, so streams are read with the session's
 * fetch and parsed here (the same wire format, per the HTML standard).
 */
import { networkError, toApiError } from "./errors";

type FetchFn = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** One dispatched event. */
export interface SseMessage {
  /** The `id:` field in effect (the last one seen), if any. */
  id?: string;
  /** The `event:` field; `message` when absent. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
}

/** Incremental parser: feed text as it arrives, get the events it completes. */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  /** The last `id:` seen: send it as `Last-Event-ID` to resume. */
  lastEventId?: string;

  push(chunk: string): SseMessage[] {
    const out: SseMessage[] = [];
    // A line ends at \r\n, \n or \r. Keep a trailing partial line for the next chunk, and a
    // final \r too: it may be the first half of a \r\n split across chunks.
    let text = this.buffer + chunk;
    const held = text.endsWith("\r") ? "\r" : "";
    if (held) text = text.slice(0, -1);
    const lines = text.split(/\r\n|\n|\r/);
    this.buffer = (lines.pop() ?? "") + held;
    for (const line of lines) {
      if (line === "") {
        if (this.data.length > 0) {
          out.push({ id: this.lastEventId, event: this.event || "message", data: this.data.join("\n") });
        }
        this.event = "";
        this.data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") this.event = value;
      else if (field === "data") this.data.push(value);
      else if (field === "id" && !value.includes("\0")) this.lastEventId = value;
    }
    return out;
  }
}

/** The event kinds that end a job's run (and its stream). */
export const TERMINAL_KINDS = ["succeeded", "failed", "dead", "cancelled"];

/**
 * Follows `url` until a terminal event, `signal` aborts, or an HTTP error (thrown as an
 * ApiError). When the server ends the stream early (it bounds every stream) this reconnects
 * with `Last-Event-ID`, so nothing is missed or repeated.
 */
export async function followEvents(
  url: string,
  fetchFn: FetchFn,
  onEvent: (message: SseMessage) => void,
  signal: AbortSignal,
  reconnectMs = 1000,
): Promise<void> {
  const parser = new SseParser();
  while (!signal.aborted) {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    if (parser.lastEventId !== undefined) headers["Last-Event-ID"] = parser.lastEventId;
    let response: Response;
    try {
      response = await fetchFn(url, { headers, signal });
    } catch (e) {
      if (signal.aborted) return;
      throw networkError(e);
    }
    if (!response.ok) throw toApiError(response, await response.json().catch(() => undefined));
    if (!response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let ended = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const message of parser.push(value)) {
          onEvent(message);
          if (TERMINAL_KINDS.includes(message.event)) ended = true;
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw networkError(e);
    }
    if (ended) return;
    await new Promise((resolve) => setTimeout(resolve, reconnectMs));
  }
}

/**
 * POSTs `body` as JSON to `url` and reads the answer as one event stream (no reconnect: a POST
 * is not repeated). Resolves `"ended"` when the server closed the stream, `"aborted"` when
 * `signal` stopped it (the Stop button); throws an ApiError for an HTTP error or a dropped
 * connection.
 */
export async function postEvents(
  url: string,
  body: object,
  fetchFn: FetchFn,
  onEvent: (message: SseMessage) => void,
  signal: AbortSignal,
): Promise<"ended" | "aborted"> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (signal.aborted) return "aborted";
    throw networkError(e);
  }
  if (!response.ok) throw toApiError(response, await response.json().catch(() => undefined));
  if (!response.body) return "ended";
  const parser = new SseParser();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const message of parser.push(value)) onEvent(message);
    }
  } catch (e) {
    if (signal.aborted) return "aborted";
    throw networkError(e);
  }
  return signal.aborted ? "aborted" : "ended";
}
