import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { getSession } from "../auth/current";
import { ErrorAlert } from "../ui/ErrorAlert";
import { useLoad } from "../components/useLoad";
import { usePageTitle } from "../ui/usePageTitle";
import { formatDateTime } from "../format";
import { followEvents } from "../api/sse";

type Job = components["schemas"]["JobView"];
type Status = components["schemas"]["Status"];
type JobEvent = components["schemas"]["JobEventView"];
type Depth = components["schemas"]["QueueDepthView"];

/** The status filters offered, in the order people look for trouble. */
const FILTERS: { label: string; status?: Status }[] = [
  { label: "All" },
  { label: "Running", status: "running" },
  { label: "Queued", status: "queued" },
  { label: "Failed", status: "failed" },
  { label: "Dead", status: "dead" },
  { label: "Succeeded", status: "succeeded" },
];

const TONE: Record<Status, string> = {
  queued: "",
  running: "badge-warn",
  succeeded: "badge-ok",
  failed: "badge-bad",
  dead: "badge-bad",
  cancelled: "",
};

/** `/jobs`: your queues' depths, your jobs by status, and one job's events live with retry/cancel. */
export function JobsPage() {
  usePageTitle("Jobs");
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? undefined) as Status | undefined;
  const selected = params.get("job");

  const queues = useLoad((signal) => call(api.GET("/api/v1/queues", { signal })), []);
  const jobs = useLoad(
    (signal) => call(api.GET("/api/v1/jobs", { params: { query: { status, limit: 50 } }, signal })),
    [status],
  );
  const reloadJobs = jobs.reload;
  const reloadQueues = queues.reload;
  // Statuses change on their own (workers run jobs): refresh every few seconds.
  useEffect(() => {
    const timer = setInterval(() => {
      void reloadJobs();
      void reloadQueues();
    }, 5000);
    return () => clearInterval(timer);
  }, [reloadJobs, reloadQueues]);

  const set = (key: string, value?: string) =>
    setParams(
      (p) => {
        if (value) p.set(key, value);
        else p.delete(key);
        return p;
      },
      { replace: true },
    );

  return (
    <section className="page" aria-labelledby="jobs-title">
      <div className="page-head">
        <h1 id="jobs-title">Jobs</h1>
      </div>
      <p className="lead">Background work your apps run, and the pull queues they use.</p>

      <h2>Queues</h2>
      {queues.error && <ErrorAlert title="Could not load your queues." error={queues.error} />}
      {queues.data && <DepthTable depths={queues.data.queues} />}

      <h2>Jobs</h2>
      <div className="filter" role="tablist" aria-label="Filter jobs by status">
        {FILTERS.map((f) => (
          <button
            key={f.label}
            type="button"
            role="tab"
            aria-selected={status === f.status}
            className={status === f.status ? "active" : undefined}
            onClick={() => set("status", f.status)}
          >
            {f.label}
          </button>
        ))}
      </div>
      {jobs.error && <ErrorAlert title="Could not load your jobs." error={jobs.error} />}
      {!jobs.data && !jobs.error && <p className="muted">Loading…</p>}
      {jobs.data && <JobTable jobs={jobs.data.items} selected={selected} onSelect={(id) => set("job", id)} />}
      {selected && (
        <JobDetail
          key={selected}
          id={selected}
          onChanged={() => {
            void jobs.reload();
            void queues.reload();
          }}
        />
      )}
    </section>
  );
}

function DepthTable({ depths }: { depths: Depth[] }) {
  if (depths.length === 0) return <p className="muted">No messages in your queues.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="queue-depths">
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col" className="num">
              Ready
            </th>
            <th scope="col" className="num">
              Delayed
            </th>
            <th scope="col" className="num">
              Leased
            </th>
            <th scope="col" className="num">
              Dead
            </th>
          </tr>
        </thead>
        <tbody>
          {depths.map((d) => (
            <tr key={d.queue}>
              <td>
                <code>{d.queue}</code>
              </td>
              <td className="num">{d.ready}</td>
              <td className="num">{d.delayed}</td>
              <td className="num">{d.running}</td>
              <td className="num">{d.dead}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JobTable({
  jobs,
  selected,
  onSelect,
}: {
  jobs: Job[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  if (jobs.length === 0) return <p className="muted">No jobs match.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="jobs">
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Name</th>
            <th scope="col">Queue</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Progress
            </th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Job</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id} data-job-id={j.id} aria-selected={j.id === selected}>
              <td className="nowrap">{formatDateTime(j.created_at)}</td>
              <td>
                <code>{j.name}</code>
              </td>
              <td>{j.queue}</td>
              <td>
                <span className={`badge ${TONE[j.status]}`}>{j.status}</span>
              </td>
              <td className="num">{j.progress}%</td>
              <td className="num">
                {j.attempts}/{j.max_attempts}
              </td>
              <td>
                <button type="button" className="link" onClick={() => onSelect(j.id)} title={j.id}>
                  {j.id.slice(0, 8)}…
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One job: its state, its events as they happen, and what you can do to it. */
function JobDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const job = useLoad((signal) => call(api.GET("/api/v1/jobs/{id}", { params: { path: { id } }, signal })), [id]);
  const [events, setEvents] = useState<JobEvent[]>([]);
  const [streamError, setStreamError] = useState<Error>();
  const [action, setAction] = useState<{ busy: boolean; error?: Error }>({ busy: false });
  const reloadJob = job.reload;

  useEffect(() => {
    const ctrl = new AbortController();
    setEvents([]);
    followEvents(
      `/api/v1/jobs/${encodeURIComponent(id)}/events`,
      getSession().fetch,
      (m) => {
        const event = JSON.parse(m.data) as JobEvent;
        setEvents((prev) => [...prev, event]);
        void reloadJob();
      },
      ctrl.signal,
    ).catch((e: Error) => setStreamError(e));
    return () => ctrl.abort();
  }, [id, reloadJob]);

  const act = async (what: "cancel" | "retry") => {
    setAction({ busy: true });
    try {
      const path = what === "cancel" ? "/api/v1/jobs/{id}/cancel" : "/api/v1/jobs/{id}/retry";
      const answer = await call(api.POST(path, { params: { path: { id } } }));
      job.setData(() => answer.job);
      setAction({ busy: false });
      onChanged();
    } catch (e) {
      setAction({ busy: false, error: e as Error });
    }
  };

  const j = job.data;
  return (
    <section className="card" aria-label="Job details" data-testid="job-detail">
      {job.error && <ErrorAlert title="Could not load this job." error={job.error} />}
      {j && (
        <>
          <h3>
            <code>{j.name}</code> <span className={`badge ${TONE[j.status]}`}>{j.status}</span>
          </h3>
          <progress max={100} value={j.progress} aria-label="Progress" /> {j.progress}%
          <p className="muted">
            Attempt {j.attempts} of {j.max_attempts} · queue {j.queue} · created {formatDateTime(j.created_at)}
          </p>
          <div className="actions">
            {(j.status === "queued" || j.status === "running") && (
              <button type="button" disabled={action.busy || j.cancel_requested} onClick={() => void act("cancel")}>
                {j.cancel_requested ? "Cancelling…" : "Cancel"}
              </button>
            )}
            {(j.status === "failed" || j.status === "dead" || j.status === "cancelled") && (
              <button type="button" disabled={action.busy} onClick={() => void act("retry")}>
                Retry
              </button>
            )}
          </div>
          {action.error && <ErrorAlert title="That did not work." error={action.error} />}
          {j.errors.length > 0 && (
            <ol className="errors" aria-label="Failed attempts">
              {j.errors.map((e) => (
                <li key={`${e.attempt}-${e.at}`}>
                  Attempt {e.attempt}: {e.error}
                </li>
              ))}
            </ol>
          )}
          {j.result !== null && j.result !== undefined && (
            <pre className="result">{JSON.stringify(j.result, null, 2)}</pre>
          )}
        </>
      )}
      <h4>Events</h4>
      {streamError && <ErrorAlert title="The live event stream stopped." error={streamError} />}
      {events.length === 0 ? (
        <p className="muted">No events yet.</p>
      ) : (
        <ol className="events" data-testid="job-events">
          {events.map((e) => (
            <li key={e.id} data-kind={e.kind}>
              <span className="muted">{formatDateTime(e.at)}</span> <code>{e.kind}</code> {describe(e)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** A one-line summary of an event's data. */
export function describe(e: JobEvent): string {
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
