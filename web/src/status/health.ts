/** Loading and formatting the server's detailed health report. */
import { api } from "../api/client";
import { ApiError, networkError, toApiError } from "../api/errors";
import type { paths } from "../api/schema";

export type HealthReport = paths["/health/detailed"]["get"]["responses"][200]["content"]["application/json"];
export type HealthCheck = HealthReport["checks"][number];

/** A degraded server answers 503 with a full report; that is data to show, not an error. */
function isHealthReport(body: unknown): body is HealthReport {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.status === "string" && typeof b.version === "string" && Array.isArray(b.checks);
}

export async function fetchHealth(signal?: AbortSignal): Promise<HealthReport> {
  let result;
  try {
    result = await api.GET("/health/detailed", { signal });
  } catch (e) {
    throw networkError(e);
  }
  const { data, error, response } = result;
  if (response.ok && isHealthReport(data)) return data;
  if (response.status === 503 && isHealthReport(error)) return error;
  if (response.ok) throw new ApiError("The health report has an unexpected shape", response.status, "bad_body");
  throw toApiError(response, error);
}

/** "42 s", "5 min 3 s", "2 h 14 min", "3 d 4 h": two units are enough to read at a glance. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const parts = [
    [Math.floor(s / 86400), "d"],
    [Math.floor(s / 3600) % 24, "h"],
    [Math.floor(s / 60) % 60, "min"],
    [s % 60, "s"],
  ] as const;
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return "0 s";
  const shown = [parts[first]!];
  const next = parts[first + 1];
  // The largest unit plus the next one when it is not zero: "2 h", "2 h 14 min".
  if (next && next[0] > 0) shown.push(next);
  return shown.map(([n, unit]) => `${n} ${unit}`).join(" ");
}

/** Sub-millisecond latencies are common for the embedded stores, so keep two decimals there. */
export function formatLatency(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** The parts of the report every server sends; anything else is a section the page shows generically. */
const KNOWN_KEYS = new Set(["status", "version", "uptime_seconds", "checks", "llm"]);

/** Report sections this page has no dedicated view for (e.g. `queues`), in the server's order. */
export function extraSections(report: object): [string, unknown][] {
  return Object.entries(report).filter(([key]) => !KNOWN_KEYS.has(key));
}

/** The columns of a list of records: every key any row has, in first-seen order, `first` ones first. */
export function columnsOf(rows: unknown[], first: string[] = []): string[] {
  const seen = new Set<string>();
  for (const row of rows) {
    if (typeof row === "object" && row !== null && !Array.isArray(row)) {
      for (const key of Object.keys(row)) seen.add(key);
    }
  }
  return [...first.filter((key) => seen.has(key)), ...[...seen].filter((key) => !first.includes(key))];
}

/** A field's value as one line of text: numbers rounded, booleans as yes/no, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** `consecutive_failures` → "Consecutive failures". */
export function fieldLabel(key: string): string {
  const words = key.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
