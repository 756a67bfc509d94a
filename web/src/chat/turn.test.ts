import { describe, expect, it } from "vitest";
import { applyEvent, initialTurn, retryUrl, streamRetry, usageOf, type TurnState } from "./turn";

const ev = (event: string, data: unknown) => ({ event, data: JSON.stringify(data) });

describe("usageOf", () => {
  it("reads a stored reply's usage, and none for messages without it", () => {
    expect(usageOf({ input_tokens: 250, output_tokens: 25, model_calls: 2, cost_usd: 0.0003 })).toEqual({
      inputTokens: 250,
      outputTokens: 25,
      modelCalls: 2,
      costUsd: 0.0003,
    });
    expect(usageOf(null)).toBeUndefined();
    expect(usageOf(undefined)).toBeUndefined();
  });
});

describe("applyEvent", () => {
  it("appends tokens and ends with the stored reply and usage", () => {
    let s = applyEvent(initialTurn, ev("started", { conversation_id: "c1", user_seq: 1 }));
    s = applyEvent(s, ev("token", { text: "Hel" }));
    s = applyEvent(s, ev("token", { text: "lo" }));
    expect(s).toMatchObject({ conversationId: "c1", reply: "Hello", status: "streaming" });
    s = applyEvent(
      s,
      ev("done", {
        conversation_id: "c1",
        message: "Hello",
        seq: 2,
        message_count: 2,
        usage: { input_tokens: 24, output_tokens: 2, model_calls: 1, cost_usd: 0.000028 },
      }),
    );
    expect(s).toMatchObject({
      status: "done",
      reply: "Hello",
      seq: 2,
      usage: { inputTokens: 24, outputTokens: 2, modelCalls: 1, costUsd: 0.000028 },
    });
  });

  it("keeps the partial reply on an error event", () => {
    let s = applyEvent(initialTurn, ev("token", { text: "par" }));
    s = applyEvent(s, ev("error", { code: "unavailable", message: "cut" }));
    expect(s).toMatchObject({ status: "error", error: "cut", reply: "par" });
  });

  it("ignores malformed data and unknown events", () => {
    expect(applyEvent(initialTurn, { event: "token", data: "{" })).toBe(initialTurn);
    expect(applyEvent(initialTurn, ev("tool_call", { name: "recall" }))).toBe(initialTurn);
  });
});

describe("streamRetry", () => {
  it("posts to the conversation's retry stream and folds its events", async () => {
    const sse =
      'event: started\ndata: {"conversation_id":"c/1","user_seq":3}\n\n' +
      'event: token\ndata: {"text":"Again"}\n\n' +
      'event: done\ndata: {"conversation_id":"c/1","message":"Again","message_count":5,"usage":{"output_tokens":1}}\n\n';
    const calls: { url: string; init?: RequestInit }[] = [];
    const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), init });
      return new Response(sse, { status: 200, headers: { "Content-Type": "text/event-stream" } });
    };
    const seen: TurnState[] = [];
    const end = await streamRetry("c/1", fetchFn, (s) => seen.push(s), new AbortController().signal);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("/api/v1/conversations/c%2F1/retry/stream");
    expect(calls[0]?.init?.method).toBe("POST");
    expect(calls[0]?.init?.body).toBe("{}");
    expect(end).toMatchObject({ status: "done", reply: "Again", conversationId: "c/1" });
    expect(seen.some((s) => s.status === "streaming" && s.reply === "Again")).toBe(true);
  });

  it("sends the chosen model, and marks a stream stopped by its signal", async () => {
    const bodies: unknown[] = [];
    const ctrl = new AbortController();
    const fetchFn = async (_input: RequestInfo | URL, init?: RequestInit) => {
      bodies.push(init?.body);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('event: token\ndata: {"text":"Half"}\n\n'));
          init?.signal?.addEventListener("abort", () => c.error(new DOMException("aborted", "AbortError")));
        },
      });
      return new Response(stream, { status: 200 });
    };
    const end = streamRetry("c1", fetchFn, (s) => s.reply === "Half" && ctrl.abort(), ctrl.signal, "gpt-x");
    await expect(end).resolves.toMatchObject({ status: "stopped", reply: "Half" });
    expect(bodies).toEqual(['{"model":"gpt-x"}']);
  });

  it("turns a refused retry into an API error", async () => {
    const fetchFn = async () =>
      new Response(
        JSON.stringify({ error: { code: "nothing_to_retry", message: "nothing to retry", details: null } }),
        {
          status: 409,
          headers: { "Content-Type": "application/json" },
        },
      );
    await expect(streamRetry("c1", fetchFn, () => {}, new AbortController().signal)).rejects.toThrow(
      /nothing to retry/,
    );
    expect(retryUrl("c1")).toBe("/api/v1/conversations/c1/retry/stream");
  });
});
