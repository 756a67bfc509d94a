/** Pure helpers of the LLM calls page (tested in calls.test.ts). */

export type CallStatusFilter = "" | "ok" | "error";

/** The filters as the page keeps them in its URL. */
export interface CallFilters {
  model: string;
  status: CallStatusFilter;
  app: string;
}

/** Filters from the URL's query; unknown status values are ignored. */
export function filtersFrom(params: URLSearchParams): CallFilters {
  const status = params.get("status");
  return {
    model: params.get("model")?.trim() ?? "",
    status: status === "ok" || status === "error" ? status : "",
    app: params.get("app")?.trim() ?? "",
  };
}

/** "1.2 s", "850 ms", "—". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

/** A stored body for reading: pretty JSON, or why there is none. */
export function bodyText(body: unknown, kind: "request" | "response", failed: boolean): string {
  if (body !== null && body !== undefined) return JSON.stringify(body, null, 2);
  if (kind === "response" && failed) return "No response: the call failed.";
  return "Not kept: the server stores prompts and answers only with llm.record_bodies = true.";
}

/** The assistant's text in a stored canonical response, when it has one. */
export function answerText(response: unknown): string | undefined {
  if (typeof response !== "object" || response === null) return undefined;
  const message = (response as { message?: { content?: unknown } }).message;
  const content = message?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const parts = content
      .map((p) => (typeof p === "object" && p !== null && "text" in p ? String((p as { text: unknown }).text) : ""))
      .filter(Boolean);
    return parts.length ? parts.join("") : undefined;
  }
  return undefined;
}
