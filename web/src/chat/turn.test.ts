import { describe, expect, it } from "vitest";
import { applyEvent, initialTurn } from "./turn";

const ev = (event: string, data: unknown) => ({ event, data: JSON.stringify(data) });

describe("applyEvent", () => {
  it("appends tokens and ends with the stored reply and usage", () => {
    let s = applyEvent(initialTurn, ev("started", { conversation_id: "c1", user_seq: 1 }));
    s = applyEvent(s, ev("token", { text: "Hel" }));
    s = applyEvent(s, ev("token", { text: "lo" }));
    expect(s).toMatchObject({ conversationId: "c1", reply: "Hello", status: "streaming" });
    s = applyEvent(s, ev("done", { conversation_id: "c1", message: "Hello", usage: { output_tokens: 2 } }));
    expect(s).toMatchObject({ status: "done", reply: "Hello", outputTokens: 2 });
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
