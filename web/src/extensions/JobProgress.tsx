import { useEffect, useState } from "react";
import { api, call } from "../api/client";
import { getSession } from "../auth/current";
import { followEvents } from "../api/sse";
import { STAGES, stageOf } from "./model";

/**
 * A generation's live progress: the job's SSE events move the stage list along; a slow poll of
 * the job covers a stream that could not be opened. `onEnd` fires once when the job ends.
 */
export function JobProgress({ jobId, onEnd }: { jobId: string; onEnd: () => void }) {
  const [state, setState] = useState<{ status: string; message?: string; progress: number }>({
    status: "queued",
    progress: 0,
  });

  useEffect(() => {
    if (!jobId) return;
    const ctrl = new AbortController();
    let ended = false;
    const end = () => {
      if (!ended) {
        ended = true;
        onEnd();
      }
    };
    const poll = async () => {
      try {
        const job = await call(api.GET("/api/v1/jobs/{id}", { params: { path: { id: jobId } }, signal: ctrl.signal }));
        setState((s) => ({ status: job.status, progress: job.progress, message: s.message }));
        if (["succeeded", "failed", "dead", "cancelled"].includes(job.status)) end();
      } catch {
        // The next poll or event tries again.
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), 3000);
    followEvents(
      `/api/v1/jobs/${encodeURIComponent(jobId)}/events`,
      getSession().fetch,
      (m) => {
        const data = (JSON.parse(m.data) as { data?: { progress?: number; message?: string } }).data ?? {};
        if (m.event === "progress") {
          setState((s) => ({
            status: "running",
            progress: data.progress ?? s.progress,
            message: data.message ?? s.message,
          }));
        } else if (["succeeded", "failed", "dead", "cancelled"].includes(m.event)) {
          setState((s) => ({ ...s, status: m.event }));
          end();
        }
      },
      ctrl.signal,
    ).catch(() => {
      // Polling carries on.
    });
    return () => {
      ctrl.abort();
      clearInterval(timer);
    };
  }, [jobId, onEnd]);

  const { stage, label, failed } = stageOf(state.status, state.message);
  const at = STAGES.indexOf(stage as (typeof STAGES)[number]);
  return (
    <div className="card" aria-label="Generation progress" data-testid="extension-progress">
      <progress max={100} value={state.progress} aria-label="Progress" /> {label}
      <ol className="stages">
        {STAGES.map((s, i) => (
          <li key={s} className={failed ? "" : i < at ? "stage-done" : i === at ? "stage-now" : "muted"}>
            {s}
          </li>
        ))}
      </ol>
    </div>
  );
}
