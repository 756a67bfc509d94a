import { useCallback, useEffect, useRef, useState } from "react";
import { fetchHealth, formatLatency, formatUptime, type HealthReport } from "./health";
import { usePageTitle } from "../ui/usePageTitle";

/** How often the page asks again; cheap for the server (two tiny checks). */
const REFRESH_MS = 10_000;

interface State {
  report?: HealthReport;
  error?: string;
  checkedAt?: Date;
  loading: boolean;
}

export function StatusPage() {
  usePageTitle("Status");
  const [state, setState] = useState<State>({ loading: true });
  const inFlight = useRef<AbortController | null>(null);

  const load = useCallback(async () => {
    inFlight.current?.abort();
    const ctrl = new AbortController();
    inFlight.current = ctrl;
    setState((s) => ({ ...s, loading: true }));
    try {
      const report = await fetchHealth(ctrl.signal);
      if (!ctrl.signal.aborted) setState({ report, checkedAt: new Date(), loading: false });
    } catch (e) {
      // Keep the last report on screen (marked stale) so a blip does not blank the page.
      if (!ctrl.signal.aborted)
        setState((s) => ({ ...s, error: (e as Error).message, checkedAt: new Date(), loading: false }));
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      clearInterval(timer);
      inFlight.current?.abort();
    };
  }, [load]);

  const { report, error, checkedAt, loading } = state;
  return (
    <section className="page" aria-labelledby="status-title">
      <div className="page-head">
        <h1 id="status-title">Status</h1>
        <div className="page-actions">
          {checkedAt && (
            <span className="muted" data-testid="checked-at">
              Checked {checkedAt.toLocaleTimeString()}
            </span>
          )}
          <button type="button" onClick={() => void load()} disabled={loading}>
            {loading ? "Checking…" : "Refresh"}
          </button>
        </div>
      </div>

      {error && (
        <div className="alert alert-error" role="alert" data-testid="status-error">
          <strong>Could not load the server's health.</strong> {error}
          {report && <div className="muted">Showing the last report received.</div>}
        </div>
      )}

      {!report && !error && <p className="muted">Loading…</p>}
      {report && <Report report={report} stale={Boolean(error)} />}
    </section>
  );
}

function Report({ report, stale }: { report: HealthReport; stale: boolean }) {
  const ok = report.status === "ok";
  return (
    <div className={stale ? "stale" : undefined}>
      <dl className="summary" data-testid="status-summary">
        <div className={`summary-card ${ok ? "is-ok" : "is-bad"}`}>
          <dt>Overall</dt>
          <dd data-testid="overall-status">
            <StatusBadge status={report.status} />
          </dd>
        </div>
        <div className="summary-card">
          <dt>Version</dt>
          <dd data-testid="version">{report.version}</dd>
        </div>
        <div className="summary-card">
          <dt>Uptime</dt>
          <dd data-testid="uptime">{formatUptime(report.uptime_seconds)}</dd>
        </div>
      </dl>

      <h2>Checks</h2>
      <div className="table-wrap">
        <table className="table" data-testid="checks">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Latency
              </th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {report.checks.map((c) => (
              <tr key={c.name} data-check={c.name}>
                <th scope="row">{c.name}</th>
                <td className="check-status">
                  <StatusBadge status={c.status} />
                </td>
                <td className="num">{formatLatency(c.latency_ms)}</td>
                <td className="muted">{c.detail ?? ""}</td>
              </tr>
            ))}
            {report.checks.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  The server reported no checks.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function StatusBadge({ status }: { status: string }) {
  const tone = status === "ok" ? "ok" : status === "degraded" ? "warn" : "bad";
  return <span className={`badge badge-${tone}`}>{status}</span>;
}
