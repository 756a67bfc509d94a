import { useEffect, useState } from "react";
import { api, call } from "../api/client";
import { getSession } from "../auth/current";
import { ErrorAlert } from "../ui/ErrorAlert";
import { useLoad } from "../components/useLoad";
import {
  buildFileTree,
  defaultFile,
  fileUrl,
  isText,
  numberLines,
  readBlueprint,
  readReport,
  type TreeNode,
} from "./model";
import { ReportView } from "./ReportView";
import { formatBytes } from "./versions";

/**
 * One version: download and diff, the blueprint, the files as a tree with a read-only code view,
 * and the validation report. `version` is `1.0.0` or `seq-N` (a failed version has no number).
 */
export function VersionView({ id, version }: { id: string; version: string }) {
  const v = useLoad(
    (signal) =>
      call(api.GET("/api/v1/extensions/{id}/versions/{version}", { params: { path: { id, version } }, signal })),
    [id, version],
  );
  const [diff, setDiff] = useState<string>();
  const [open, setOpen] = useState<string>();
  useEffect(() => {
    setDiff(undefined);
    setOpen(undefined);
  }, [id, version]);
  if (v.error) return <ErrorAlert title="Could not load the version" error={v.error} />;
  if (!v.data) return <p>Loading…</p>;
  const d = v.data;
  const base = `/api/v1/extensions/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`;
  const blueprint = readBlueprint(d.blueprint);
  const report = readReport(d.report);
  const shownFile = open ?? defaultFile(d.files);
  const ready = d.status === "ready";
  return (
    <div className="card" data-testid="extension-version">
      <h3>
        {d.version ? `Version ${d.version}` : `Attempt ${d.seq}`}{" "}
        <span className={`badge ${ready ? "badge-ok" : d.status === "failed" ? "badge-bad" : "badge-warn"}`}>
          {d.status}
        </span>
      </h3>
      {d.error && <p role="alert">{d.error}</p>}
      {ready && d.version && (
        <p>
          <button type="button" onClick={() => void save(`${base}/download`, `${d.version}.zip`)}>
            Download ZIP
          </button>{" "}
          <button type="button" onClick={() => void showDiff(`${base}/diff`, setDiff)}>
            {d.base_version ? `Diff from ${d.base_version}` : "Diff (all new)"}
          </button>
        </p>
      )}
      {diff !== undefined && <DiffView text={diff} />}
      {blueprint && (
        <>
          <h4>Blueprint</h4>
          <p>{blueprint.purpose}</p>
          {blueprint.features.length > 0 && (
            <ul aria-label="Features">
              {blueprint.features.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
          <table aria-label="Permissions">
            <thead>
              <tr>
                <th>Permission</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {blueprint.permissions.map((p) => (
                <tr key={p.permission}>
                  <td>
                    <code>{p.permission}</code>
                  </td>
                  <td>{p.reason || <span className="muted">no reason given</span>}</td>
                </tr>
              ))}
              {blueprint.permissions.length === 0 && (
                <tr>
                  <td colSpan={2} className="muted">
                    No permissions.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <h5>File plan{blueprint.changeKind ? ` (${blueprint.changeKind} change)` : ""}</h5>
          {blueprint.derived.includes("file_plan") && (
            <p className="muted">The model sent no file plan: Cistern listed the files it generated.</p>
          )}
          <ul aria-label="File plan">
            {blueprint.filePlan.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code> — {f.role}
              </li>
            ))}
          </ul>
        </>
      )}
      {d.files.length > 0 && d.version && (
        <>
          <h4>Files</h4>
          <div className="ext-files">
            <ul className="tree" aria-label="Files">
              <Tree nodes={buildFileTree(d.files)} open={shownFile} onOpen={setOpen} />
            </ul>
            {shownFile && <CodeView url={fileUrl(id, d.version, shownFile)} path={shownFile} />}
          </div>
        </>
      )}
      <h4>Validation report</h4>
      {report ? <ReportView report={report} /> : <p className="muted">No report yet.</p>}
    </div>
  );
}

function Tree({ nodes, open, onOpen }: { nodes: TreeNode[]; open?: string; onOpen: (path: string) => void }) {
  return (
    <>
      {nodes.map((n) =>
        n.kind === "dir" ? (
          <li key={n.path}>
            <span className="muted">{n.name}/</span>
            <ul>
              <Tree nodes={n.children} open={open} onOpen={onOpen} />
            </ul>
          </li>
        ) : (
          <li key={n.path}>
            <button
              type="button"
              className="link"
              aria-current={n.path === open ? "true" : undefined}
              onClick={() => onOpen(n.path)}
            >
              {n.name}
            </button>{" "}
            <span className="muted">{formatBytes(n.size)}</span>
          </li>
        ),
      )}
    </>
  );
}

/** A file, read-only: numbered lines for text, the image itself for icons. */
function CodeView({ url, path }: { url: string; path: string }) {
  const [content, setContent] = useState<{ text?: string; image?: string; error?: string }>();
  useEffect(() => {
    const ctrl = new AbortController();
    let objectUrl: string | undefined;
    setContent(undefined);
    getSession()
      .fetch(url, { signal: ctrl.signal })
      .then(async (r) => {
        if (!r.ok) return setContent({ error: `could not load ${path} (${r.status})` });
        if (isText(path)) return setContent({ text: await r.text() });
        objectUrl = URL.createObjectURL(await r.blob());
        setContent({ image: objectUrl });
      })
      .catch((e: Error) => {
        if (!ctrl.signal.aborted) setContent({ error: e.message });
      });
    return () => {
      ctrl.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [url, path]);
  return (
    <figure className="code-view" aria-label={`Contents of ${path}`}>
      <figcaption>
        <code>{path}</code>
      </figcaption>
      {!content && <p>Loading…</p>}
      {content?.error && <p role="alert">{content.error}</p>}
      {content?.image && <img src={content.image} alt={path} />}
      {content?.text !== undefined && (
        <pre className="code numbered">
          {numberLines(content.text).map(({ n, line }) => (
            <span key={n} className="code-line">
              <span className="ln" aria-hidden="true">
                {n}
              </span>
              {line}
              {"\n"}
            </span>
          ))}
        </pre>
      )}
    </figure>
  );
}

function DiffView({ text }: { text: string }) {
  if (!text.trim()) return <p className="muted">No changes.</p>;
  return (
    <pre className="code diff" aria-label="Diff">
      {text.split("\n").map((line, i) => (
        <span key={i} className={line.startsWith("+") ? "diff-add" : line.startsWith("-") ? "diff-del" : undefined}>
          {line}
          {"\n"}
        </span>
      ))}
    </pre>
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
