/** Pure helpers of the jobs page (tested in events.test.ts). */
import type { components } from "../api/schema";

type JobEvent = components["schemas"]["JobEventView"];
type Depth = components["schemas"]["QueueDepthView"];

const TERMINAL = ["succeeded", "failed", "dead", "cancelled"];

/** Whether a job status (or a job event's kind) is final. */
export const isTerminal = (status: string): boolean => TERMINAL.includes(status);

/** A one-line summary of an event's data. */
export function describeEvent(e: Pick<JobEvent, "kind" | "data">): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.kind) {
    case "progress":
      return `${String(d.progress)}%${typeof d.message === "string" ? ` — ${d.message}` : ""}`;
    case "log":
      return typeof d.message === "string" ? d.message : "";
    case "attempt_failed":
    case "failed":
    case "dead":
      return `attempt ${String(d.attempt)}: ${String(d.error)}`;
    default:
      return e.kind === "succeeded" ? JSON.stringify(e.data) : "";
  }
}

/** Every queue's depths added up, for the stat cards above the per-queue table. */
export function totalDepths(depths: Depth[]): Omit<Depth, "queue"> {
  const total = { ready: 0, delayed: 0, running: 0, dead: 0 };
  for (const d of depths) {
    total.ready += d.ready;
    total.delayed += d.delayed;
    total.running += d.running;
    total.dead += d.dead;
  }
  return total;
}
