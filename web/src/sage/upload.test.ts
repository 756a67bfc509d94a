import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { upload } from "./upload";

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** A fake XMLHttpRequest answering each send with the next reply, reporting upload progress first. */
function fakeXhr(replies: Reply[], sent: { headers: Record<string, string>; body: unknown }[]) {
  return () => {
    const headers: Record<string, string> = {};
    let reply: Reply | undefined;
    const xhr = {
      upload: { onprogress: null as ((e: ProgressEvent) => void) | null },
      onload: null as (() => void) | null,
      onerror: null as (() => void) | null,
      onabort: null as (() => void) | null,
      onloadend: null as (() => void) | null,
      status: 0,
      statusText: "",
      responseText: "",
      open: () => {},
      setRequestHeader: (k: string, v: string) => (headers[k] = v),
      getResponseHeader: (k: string) => reply?.headers?.[k] ?? null,
      abort: () => xhr.onabort?.(),
      send: (body: unknown) => {
        sent.push({ headers, body });
        reply = replies.shift();
        queueMicrotask(() => {
          if (!reply) return xhr.onerror?.();
          xhr.upload.onprogress?.({ lengthComputable: true, loaded: 5, total: 10 } as ProgressEvent);
          xhr.upload.onprogress?.({ lengthComputable: true, loaded: 10, total: 10 } as ProgressEvent);
          Object.assign(xhr, { status: reply.status, responseText: reply.body });
          xhr.onload?.();
          xhr.onloadend?.();
        });
      },
    };
    return xhr as unknown as XMLHttpRequest;
  };
}

describe("upload", () => {
  it("sends the body with its type and the bearer token, reports progress, resolves to the JSON", async () => {
    const sent: { headers: Record<string, string>; body: unknown }[] = [];
    const progress: number[] = [];
    const answer = await upload<{ score: number }>({
      url: "/api/v1/sage/projects/p/ingest",
      body: "line one\nline two\n",
      contentType: "text/plain",
      token: async () => "t1",
      onProgress: (loaded, total) => progress.push(loaded / total),
      createXhr: fakeXhr([{ status: 200, body: '{"score": 42}' }], sent),
    });
    expect(answer).toEqual({ score: 42 });
    expect(progress).toEqual([0.5, 1]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers).toMatchObject({ "Content-Type": "text/plain", Authorization: "Bearer t1" });
    expect(sent[0]?.body).toBe("line one\nline two\n");
  });

  it("on a 401 asks for a fresh token once and sends again with it", async () => {
    const sent: { headers: Record<string, string>; body: unknown }[] = [];
    const asked: (string | undefined)[] = [];
    const answer = await upload<{ ok: boolean }>({
      url: "/x",
      body: "a",
      contentType: "text/plain",
      token: async (rejected) => {
        asked.push(rejected);
        return rejected ? "t2" : "t1";
      },
      createXhr: fakeXhr(
        [
          { status: 401, body: '{"error":{"code":"unauthorized","message":"expired"}}' },
          { status: 200, body: '{"ok":true}' },
        ],
        sent,
      ),
    });
    expect(answer).toEqual({ ok: true });
    expect(asked).toEqual([undefined, "t1"]);
    expect(sent.map((s) => s.headers.Authorization)).toEqual(["Bearer t1", "Bearer t2"]);
  });

  it("throws the API's error envelope as an ApiError, with details and Retry-After", async () => {
    const body = JSON.stringify({
      error: { code: "payload_too_large", message: "the logs are larger than 10 bytes", details: { field: "logs" } },
    });
    const err = await upload({
      url: "/x",
      body: "a",
      contentType: "text/plain",
      token: async () => null,
      createXhr: fakeXhr([{ status: 413, body, headers: { "Retry-After": "7" } }], []),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 413,
      code: "payload_too_large",
      message: "the logs are larger than 10 bytes",
      details: { field: "logs" },
      retryAfter: 7,
    });
  });

  it("a body that is not the envelope still gives a readable error; a network failure is status 0", async () => {
    const proxy = await upload({
      url: "/x",
      body: "a",
      contentType: "text/plain",
      token: async () => null,
      createXhr: fakeXhr([{ status: 502, body: "<html>bad gateway</html>" }], []),
    }).catch((e: unknown) => e);
    expect(proxy).toMatchObject({ status: 502, code: "http_502" });
    const down = await upload({
      url: "/x",
      body: "a",
      contentType: "text/plain",
      token: async () => null,
      createXhr: fakeXhr([], []),
    }).catch((e: unknown) => e);
    expect(down).toMatchObject({ status: 0, code: "network" });
  });
});
