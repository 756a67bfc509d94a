import { useEffect, useRef, useState } from "react";
import { getSession } from "../auth/current";
import { followEvents } from "../api/sse";
import { isTerminal } from "./events";

/** Folds one job event (its kind and parsed `data`) into an app's progress value. */
export type ApplyJobEvent<P> = (progress: P, kind: string, data: Record<string, unknown> | undefined) => P;

/**
 * Follows a job's event stream (`/api/v1/jobs/{id}/events`) into a progress value: a running job
 * moves it live, a finished one replays its history to the state it ended in. `onEnd` fires
 * once, when a job that was still running when this mounted (`live`) ends. `apply` should be a
 * module-level function (it is read once per job).
 */
export function useJobProgress<P>(
  jobId: string,
  live: boolean,
  onEnd: (() => void) | undefined,
  initial: P,
  apply: ApplyJobEvent<P>,
): { progress: P; streamError: Error | undefined } {
  return useEventProgress(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`, live, onEnd, initial, apply);
}

/**
 * `useJobProgress` over any route that streams a job's events in the same form (a coding agent
 * task's `/api/v1/agent/tasks/{id}/events`).
 */
export function useEventProgress<P>(
  url: string,
  live: boolean,
  onEnd: (() => void) | undefined,
  initial: P,
  apply: ApplyJobEvent<P>,
): { progress: P; streamError: Error | undefined } {
  const [progress, setProgress] = useState<P>(initial);
  const [streamError, setStreamError] = useState<Error>();
  const onEndRef = useRef(onEnd);
  useEffect(() => {
    onEndRef.current = onEnd;
  }, [onEnd]);
  const liveAtStart = useRef(live);

  useEffect(() => {
    const ctrl = new AbortController();
    let ended = false;
    followEvents(
      url,
      getSession().fetch,
      (m) => {
        let data: Record<string, unknown> | undefined;
        try {
          data = (JSON.parse(m.data) as { data?: Record<string, unknown> }).data;
        } catch {
          data = undefined;
        }
        setProgress((p) => apply(p, m.event, data));
        if (isTerminal(m.event) && !ended) {
          ended = true;
          if (liveAtStart.current) onEndRef.current?.();
        }
      },
      ctrl.signal,
    ).catch((e: Error) => {
      if (!ctrl.signal.aborted) setStreamError(e);
    });
    return () => ctrl.abort();
  }, [url, apply]);

  return { progress, streamError };
}
