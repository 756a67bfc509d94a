import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { getSession } from "../auth/current";
import { ErrorAlert } from "../components/ErrorAlert";
import { useLoad } from "../components/useLoad";
import { usePageTitle } from "../components/usePageTitle";
import { formatBytes, latestVersion } from "./versions";

type Detail = components["schemas"]["ExtensionDetail"];

/** `/extensions`: describe an extension, follow its generation, read and download its versions, iterate. */
export function ExtensionsPage() {
  usePageTitle("Extensions");
  const [params, setParams] = useSearchParams();
  const selected = params.get("id");
  const [prompt, setPrompt] = useState("");
  const [error, setError] = useState<Error>();
  const list = useLoad((signal) => call(api.GET("/api/v1/extensions", { signal })), []);

  const create = async () => {
    setError(undefined);
    try {
      const accepted = await call(api.POST("/api/v1/extensions", { body: { prompt } }));
      setPrompt("");
      await list.reload();
      setParams({ id: accepted.extension_id });
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <section>
      <h1>Extensions</h1>
      <textarea aria-label="Describe your extension" value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      <button type="button" disabled={!prompt.trim()} onClick={() => void create()}>
        Generate
      </button>
      {error && <ErrorAlert title="Could not start" error={error} />}
      {list.error && <ErrorAlert title="Could not load extensions" error={list.error} />}
      <ul>
        {list.data?.extensions.map((e) => (
          <li key={e.id}>
            <button type="button" onClick={() => setParams({ id: e.id })}>
              {e.name}
            </button>
          </li>
        ))}
      </ul>
      {selected && <ExtensionView id={selected} />}
    </section>
  );
}

function ExtensionView({ id }: { id: string }) {
  const detail = useLoad(
    (signal) => call(api.GET("/api/v1/extensions/{id}", { params: { path: { id } }, signal })),
    [id],
  );
  const reload = detail.reload;
  const pending = detail.data?.versions.some((v) => v.status === "pending");
  // A generating version changes on its own: poll while one is pending.
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [pending, reload]);
  if (detail.error) return <ErrorAlert title="Could not load the extension" error={detail.error} />;
  if (!detail.data) return <p>Loading…</p>;
  return <Versions detail={detail.data} reload={reload} />;
}

function Versions({ detail, reload }: { detail: Detail; reload: () => Promise<void> }) {
  const ready = detail.versions.filter((v) => v.status === "ready").map((v) => v.version);
  const [shown, setShown] = useState<string | undefined>(latestVersion(ready));
  const [prompt, setPrompt] = useState("");
  const [error, setError] = useState<Error>();
  const iterate = async () => {
    setError(undefined);
    try {
      await call(api.POST("/api/v1/extensions/{id}/versions", { params: { path: { id: detail.id } }, body: { prompt } }));
      setPrompt("");
      await reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <article>
      <h2>{detail.name}</h2>
      <table>
        <tbody>
          {detail.versions.map((v) => (
            <tr key={v.seq}>
              <td>{v.version ?? "…"}</td>
              <td>{v.status}</td>
              <td>{v.prompt}</td>
              <td>{v.error}</td>
              <td>
                {v.version && v.status === "ready" && (
                  <button type="button" onClick={() => setShown(v.version ?? undefined)}>
                    Show
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown && <VersionView id={detail.id} version={shown} />}
      <textarea aria-label="What to change" value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      <button type="button" disabled={!prompt.trim() || ready.length === 0} onClick={() => void iterate()}>
        Iterate
      </button>
      {error && <ErrorAlert title="Could not iterate" error={error} />}
    </article>
  );
}

function VersionView({ id, version }: { id: string; version: string }) {
  const v = useLoad(
    (signal) => call(api.GET("/api/v1/extensions/{id}/versions/{version}", { params: { path: { id, version } }, signal })),
    [id, version],
  );
  const [diff, setDiff] = useState<string>();
  if (v.error) return <ErrorAlert title="Could not load the version" error={v.error} />;
  if (!v.data) return <p>Loading…</p>;
  const base = `/api/v1/extensions/${id}/versions/${version}`;
  return (
    <div>
      <h3>Version {version}</h3>
      <p>
        <button type="button" onClick={() => void save(`${base}/download`, `${version}.zip`)}>
          Download ZIP
        </button>{" "}
        <button type="button" onClick={() => void showDiff(`${base}/diff`, setDiff)}>
          Diff
        </button>
      </p>
      {diff !== undefined && <pre>{diff}</pre>}
      <h4>Blueprint</h4>
      <pre>{JSON.stringify(v.data.blueprint, null, 2)}</pre>
      <h4>Files</h4>
      <ul>
        {v.data.files.map((f) => (
          <li key={f.path}>
            {f.path} ({formatBytes(f.size)})
          </li>
        ))}
      </ul>
      <h4>Validation report</h4>
      <pre>{JSON.stringify(v.data.report, null, 2)}</pre>
    </div>
  );
}

/** Downloads `url` with the session's credentials (a plain link would carry no token). */
async function save(url: string, filename: string) {
  const response = await getSession().fetch(new Request(url));
  if (!response.ok) return;
  const href = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(href);
}

async function showDiff(url: string, set: (text: string) => void) {
  const response = await getSession().fetch(new Request(url));
  set(response.ok ? await response.text() : `could not load the diff (${response.status})`);
}
