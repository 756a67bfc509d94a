import { InlineText } from "../components/InlineText";
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { getJson } from "../api/client";
import { usePageTitle } from "../ui/usePageTitle";
import { OperationView } from "./OperationView";
import { groupByTag, listOperations, matchesFilter, type OpenApiDoc } from "./openapi";

/** Where the server serves its generated OpenAPI 3.1 document. */
export const OPENAPI_URL = "/api/openapi.json";

type Load = { state: "loading" } | { state: "error"; message: string } | { state: "ready"; doc: OpenApiDoc };

/** A browsable reference rendered from the live document; the filter lives in `?q=` so it can be linked. */
export function ApiDocsPage() {
  usePageTitle("API reference");
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";

  useEffect(() => {
    const ctrl = new AbortController();
    getJson<OpenApiDoc>(OPENAPI_URL, { signal: ctrl.signal }).then(
      (doc) => setLoad({ state: "ready", doc }),
      (e: Error) => {
        if (!ctrl.signal.aborted) setLoad({ state: "error", message: e.message });
      },
    );
    return () => ctrl.abort();
  }, []);

  const doc = load.state === "ready" ? load.doc : undefined;
  const all = useMemo(() => (doc ? listOperations(doc) : []), [doc]);
  const shown = useMemo(() => all.filter((o) => matchesFilter(o, query)), [all, query]);
  const groups = useMemo(() => (doc ? groupByTag(doc, shown) : []), [doc, shown]);

  const setQuery = (q: string) => setParams(q ? { q } : {}, { replace: true });

  return (
    <section className="page" aria-labelledby="docs-title">
      <div className="page-head">
        <h1 id="docs-title">API reference</h1>
        <a className="muted" href={OPENAPI_URL}>
          openapi.json
        </a>
      </div>

      {load.state === "loading" && <p className="muted">Loading the API document…</p>}
      {load.state === "error" && (
        <div className="alert alert-error" role="alert">
          <strong>Could not load the API document.</strong> {load.message}
        </div>
      )}

      {doc && (
        <>
          <p className="lead">
            {doc.info.title} <span className="muted">version {doc.info.version}</span>
          </p>
          {doc.info.description && (
            <p className="op-desc">
              <InlineText text={doc.info.description} />
            </p>
          )}

          <div className="filter">
            <label htmlFor="op-filter">Filter operations</label>
            <input
              id="op-filter"
              type="search"
              placeholder="method, path, tag or words, e.g. “post chat”"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              autoComplete="off"
            />
            <span className="muted" data-testid="op-count" aria-live="polite">
              {shown.length} of {all.length} operations
            </span>
          </div>

          {groups.length === 0 && <p className="muted">No operations match “{query}”.</p>}
          {groups.map((g) => (
            <section key={g.name} className="tag-group" aria-labelledby={`tag-${g.name}`}>
              <h2 id={`tag-${g.name}`}>{g.name}</h2>
              {g.description && (
                <p className="muted">
                  <InlineText text={g.description} />
                </p>
              )}
              {g.operations.map((entry) => (
                <OperationView key={entry.id} doc={doc} entry={entry} />
              ))}
            </section>
          ))}
        </>
      )}
    </section>
  );
}
