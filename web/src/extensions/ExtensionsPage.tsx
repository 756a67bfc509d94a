import { useCallback, useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { ErrorAlert } from "../ui/ErrorAlert";
import { useLoad } from "../components/useLoad";
import { usePageTitle } from "../ui/usePageTitle";
import { formatDateTime } from "../format";
import { JobProgress } from "./JobProgress";
import { VersionView } from "./VersionView";
import { latestVersion } from "./versions";

type Detail = components["schemas"]["ExtensionDetail"];
type Summary = components["schemas"]["VersionSummary"];

/** `/extensions`: describe an extension, follow its generation, read and download its versions, iterate. */
export function ExtensionsPage() {
  usePageTitle("Extensions");
  const [params, setParams] = useSearchParams();
  const selected = params.get("id");
  const [prompt, setPrompt] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const list = useLoad((signal) => call(api.GET("/api/v1/extensions", { signal })), []);

  const create = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const accepted = await call(api.POST("/api/v1/extensions", { body: { prompt } }));
      setPrompt("");
      await list.reload();
      setParams({ id: accepted.extension_id });
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>Extensions</h1>
      <p className="muted">
        Describe a Chrome extension; Cistern generates it, checks it loads in Chromium and packages it.
      </p>
      <textarea
        className="ext-prompt"
        aria-label="Describe your extension"
        placeholder="e.g. Show how many tabs are open as a badge on the toolbar icon"
        rows={3}
        value={prompt}
        onChange={(e) => setPrompt(e.target.value)}
      />
      <button type="button" disabled={!prompt.trim() || busy} onClick={() => void create()}>
        Generate
      </button>
      {error && <ErrorAlert title="Could not start" error={error} />}
      {list.error && <ErrorAlert title="Could not load extensions" error={list.error} />}
      <ul aria-label="Your extensions">
        {list.data?.items.map((e) => (
          <li key={e.id}>
            <button
              type="button"
              className="link"
              aria-current={e.id === selected ? "true" : undefined}
              onClick={() => setParams({ id: e.id })}
            >
              {e.name}
            </button>{" "}
            <span className="muted">{formatDateTime(e.updated_at)}</span>
          </li>
        ))}
      </ul>
      {list.data?.items.length === 0 && <p className="muted">No extensions yet.</p>}
      {selected && <ExtensionView key={selected} id={selected} onChanged={list.reload} />}
    </section>
  );
}

/** `1.0.0`, or `seq-N` for a version without a number (pending or failed). */
const keyOf = (v: Summary) => v.version ?? `seq-${v.seq}`;

function ExtensionView({ id, onChanged }: { id: string; onChanged: () => Promise<void> }) {
  const detail = useLoad(
    (signal) => call(api.GET("/api/v1/extensions/{id}", { params: { path: { id } }, signal })),
    [id],
  );
  const reload = detail.reload;
  const pending = detail.data?.versions.filter((v) => v.status === "pending") ?? [];
  // A generating version changes on its own: its progress view reloads when the job ends, and
  // a slow poll catches anything the stream missed.
  const anyPending = pending.length > 0;
  useEffect(() => {
    if (!anyPending) return;
    const timer = setInterval(() => void reload(), 5000);
    return () => clearInterval(timer);
  }, [anyPending, reload]);
  const ended = useCallback(() => {
    void reload();
    void onChanged();
  }, [reload, onChanged]);
  if (detail.error) return <ErrorAlert title="Could not load the extension" error={detail.error} />;
  if (!detail.data) return <p>Loading…</p>;
  return (
    <>
      {pending.map((v) => (
        <JobProgress key={v.seq} jobId={v.job_id} onEnd={ended} />
      ))}
      <Versions detail={detail.data} reload={reload} />
    </>
  );
}

function Versions({ detail, reload }: { detail: Detail; reload: () => Promise<void> }) {
  const ready = detail.versions.filter((v) => v.status === "ready").map((v) => v.version);
  const latest = latestVersion(ready);
  // The newest ready version, else the newest finished attempt (a failed one shows its report).
  const finished = detail.versions.filter((v) => v.status !== "pending");
  const last = finished[finished.length - 1];
  const lastKey = last ? keyOf(last) : undefined;
  const [shown, setShown] = useState<string | undefined>(latest ?? lastKey);
  const [prompt, setPrompt] = useState("");
  const [base, setBase] = useState("");
  const [error, setError] = useState<Error>();
  // A version that just became ready is what the user waited for: show it (or the attempt that
  // just failed, when nothing is ready).
  useEffect(() => {
    setShown((s) => latest ?? s ?? lastKey);
  }, [latest, lastKey]);
  const iterate = async () => {
    setError(undefined);
    try {
      await call(
        api.POST("/api/v1/extensions/{id}/versions", {
          params: { path: { id: detail.id } },
          body: { prompt, base_version: base || undefined },
        }),
      );
      setPrompt("");
      await reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <article>
      <h2>{detail.name}</h2>
      <table aria-label="Versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Status</th>
            <th>From</th>
            <th>Prompt</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {detail.versions.map((v) => (
            <tr key={v.seq} aria-current={keyOf(v) === shown ? "true" : undefined}>
              <td>{v.version ?? "…"}</td>
              <td>
                <span
                  className={`badge ${v.status === "ready" ? "badge-ok" : v.status === "failed" ? "badge-bad" : "badge-warn"}`}
                >
                  {v.status}
                </span>
              </td>
              <td>{v.base_version ?? "—"}</td>
              <td>
                {v.prompt}
                {v.error && <div className="muted">{v.error}</div>}
              </td>
              <td>
                {v.status !== "pending" && (
                  <button type="button" onClick={() => setShown(keyOf(v))}>
                    Show
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown && <VersionView id={detail.id} version={shown} />}
      <h3>Iterate</h3>
      <textarea
        className="ext-prompt"
        aria-label="What to change"
        rows={2}
        value={prompt}
        onChange={(e) => setPrompt(e.target.value)}
      />
      <label>
        From version{" "}
        <select aria-label="Base version" value={base} onChange={(e) => setBase(e.target.value)}>
          <option value="">latest ({latest ?? "none"})</option>
          {ready.map((v) => v && <option key={v}>{v}</option>)}
        </select>
      </label>{" "}
      <button type="button" disabled={!prompt.trim() || ready.length === 0} onClick={() => void iterate()}>
        Iterate
      </button>
      {error && <ErrorAlert title="Could not iterate" error={error} />}
    </article>
  );
}
