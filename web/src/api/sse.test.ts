import { describe, expect, it } from "vitest";
import { SseParser, followEvents, type SseMessage } from "../api/sse";

describe("SseParser", () => {
  it("dispatches on a blank line, with id, event and multi-line data", () => {
    const p = new SseParser();
    expect(p.push('id: 7\nevent: progress\ndata: {"a":\ndata: 1}\n\n')).toEqual([
      { id: "7", event: "progress", data: '{"a":\n1}' },
    ]);
    expect(p.lastEventId).toBe("7");
  });

  it("reassembles events split anywhere across chunks, \\r\\n included", () => {
    const wire = "id: 1\r\nevent: log\r\ndata: hello\r\n\r\n: keep-alive\r\n\r\nid: 2\r\ndata: x\r\n\r\n";
    for (let cut = 0; cut <= wire.length; cut++) {
      const p = new SseParser();
      const got = [...p.push(wire.slice(0, cut)), ...p.push(wire.slice(cut))];
      expect(got, `cut at ${cut}`).toEqual([
        { id: "1", event: "log", data: "hello" },
        { id: "2", event: "message", data: "x" },
      ]);
    }
  });

  it("ignores comments and events without data", () => {
    const p = new SseParser();
    expect(p.push(": ping\n\nevent: empty\n\n")).toEqual([]);
  });
});

function streamOf(text: string): Response {
  return new Response(new Blob([text]).stream(), { headers: { "content-type": "text/event-stream" } });
}

describe("followEvents", () => {
  it("reconnects with Last-Event-ID until a terminal event", async () => {
    const sent: (string | null)[] = [];
    const answers = ["id: 1\nevent: progress\ndata: {}\n\n", 'id: 2\nevent: succeeded\ndata: {"ok":true}\n\n'];
    const fetchFn = async (_url: RequestInfo | URL, init?: RequestInit) => {
      sent.push(new Headers(init?.headers).get("Last-Event-ID"));
      return streamOf(answers.shift() ?? "");
    };
    const got: SseMessage[] = [];
    await followEvents("/e", fetchFn, (m) => got.push(m), new AbortController().signal, 0);
    expect(got.map((m) => m.event)).toEqual(["progress", "succeeded"]);
    expect(sent).toEqual([null, "1"]);
  });

  it("throws the envelope's message on an HTTP error", async () => {
    const fetchFn = async () =>
      new Response(JSON.stringify({ error: { code: "not_found", message: "no such job", details: null } }), {
        status: 404,
        headers: { "content-type": "application/json" },
      });
    await expect(followEvents("/e", fetchFn, () => {}, new AbortController().signal)).rejects.toThrow("no such job");
  });
});
