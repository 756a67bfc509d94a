import { useId, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { Dialog } from "../components/Dialog";
import { ErrorAlert } from "../ui/ErrorAlert";
import { useLoad } from "../components/useLoad";
import { usePageTitle } from "../ui/usePageTitle";
import { formatCount, formatDateTime, formatUsd } from "../format";
import { answerText, bodyText, filtersFrom, formatMs, type CallFilters } from "./calls";

type CallPage = components["schemas"]["Page_CallView"];
type CallView = components["schemas"]["CallView"];

const PAGE_SIZE = 50;

function fetchPage(f: CallFilters, cursor: string | undefined, signal?: AbortSignal) {
  return call(
    api.GET("/api/v1/llm/calls", {
      params: {
        query: {
          model: f.model || undefined,
          status: f.status || undefined,
          app: f.app || undefined,
          cursor,
          limit: PAGE_SIZE,
        },
      },
      signal,
    }),
  );
}

/** `/llm-calls`: your calls through the LLM gateway, newest first; filter, page, open one. */
export function CallsPage() {
  usePageTitle("LLM calls");
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const page = useLoad((signal) => fetchPage(filters, undefined, signal), [filters.model, filters.status, filters.app]);
  const [more, setMore] = useState<{ busy: boolean; error?: Error }>({ busy: false });
  const [open, setOpen] = useState<string | null>(null);

  const loadMore = async () => {
    const next = page.data?.next_cursor;
    if (!next) return;
    setMore({ busy: true });
    try {
      const older = await fetchPage(filters, next);
      page.setData((prev) => ({ items: [...(prev?.items ?? []), ...older.items], next_cursor: older.next_cursor }));
      setMore({ busy: false });
    } catch (e) {
      setMore({ busy: false, error: e as Error });
    }
  };

  const apply = (f: CallFilters) =>
    setParams(
      (p) => {
        for (const key of ["model", "status", "app"] as const) {
          if (f[key]) p.set(key, f[key]);
          else p.delete(key);
        }
        return p;
      },
      { replace: true },
    );

  return (
    <section className="page" aria-labelledby="calls-title">
      <div className="page-head">
        <h1 id="calls-title">LLM calls</h1>
        <button type="button" onClick={() => void page.reload()} disabled={page.loading}>
          Refresh
        </button>
      </div>
      <p className="lead">
        Every model call made with your account — through <code>/v1</code> or by an app — with its tokens, cost and
        latency. Open one to see the prompt and the answer, when the server keeps them.
      </p>
      <FilterForm key={`${filters.model}|${filters.status}|${filters.app}`} filters={filters} onApply={apply} />
      {page.error && <ErrorAlert title="Could not load the call log." error={page.error} />}
      {!page.data && !page.error && <p className="muted">Loading…</p>}
      {page.data && (
        <div className={page.loading ? "stale" : undefined}>
          <CallTable page={page.data} onOpen={setOpen} />
          {more.error && <ErrorAlert title="Could not load older calls." error={more.error} />}
          <div className="more">
            {page.data.next_cursor ? (
              <button type="button" onClick={() => void loadMore()} disabled={more.busy}>
                {more.busy ? "Loading…" : "Load more"}
              </button>
            ) : (
              page.data.items.length > 0 && <span className="muted">No older calls.</span>
            )}
          </div>
        </div>
      )}
      {open && <CallDialog id={open} onClose={() => setOpen(null)} />}
    </section>
  );
}

function FilterForm({ filters, onApply }: { filters: CallFilters; onApply: (f: CallFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  const ids = { model: useId(), status: useId(), app: useId() };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({ ...draft, model: draft.model.trim(), app: draft.app.trim() });
  };
  const active = filters.model || filters.status || filters.app;
  return (
    <form className="filter" onSubmit={submit} role="search" aria-label="Filter the LLM calls">
      <label htmlFor={ids.model}>Model</label>
      <input
        id={ids.model}
        placeholder="Any"
        value={draft.model}
        onChange={(e) => setDraft({ ...draft, model: e.target.value })}
      />
      <label htmlFor={ids.status}>Status</label>
      <select
        id={ids.status}
        value={draft.status}
        onChange={(e) => setDraft({ ...draft, status: e.target.value as CallFilters["status"] })}
      >
        <option value="">Any</option>
        <option value="ok">ok</option>
        <option value="error">error</option>
      </select>
      <label htmlFor={ids.app}>App</label>
      <input
        id={ids.app}
        placeholder="Any (api, chat, …)"
        value={draft.app}
        onChange={(e) => setDraft({ ...draft, app: e.target.value })}
      />
      <button type="submit">Filter</button>
      {active && (
        <button
          type="button"
          onClick={() => {
            const none = { model: "", status: "", app: "" } as const;
            setDraft(none);
            onApply(none);
          }}
        >
          Clear
        </button>
      )}
    </form>
  );
}

function CallTable({ page, onOpen }: { page: CallPage; onOpen: (id: string) => void }) {
  if (page.items.length === 0)
    return (
      <p className="muted" data-testid="no-calls">
        No calls match.
      </p>
    );
  return (
    <div className="table-wrap">
      <table className="table" data-testid="llm-calls">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Model</th>
            <th scope="col">App</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Tokens in / out
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Latency
            </th>
            <th scope="col">
              <span className="sr-only">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((c) => (
            <CallRow key={c.id} call={c} onOpen={onOpen} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CallRow({ call: c, onOpen }: { call: CallView; onOpen: (id: string) => void }) {
  return (
    <tr data-call-id={c.id} data-status={c.status}>
      <td className="nowrap">
        <time dateTime={c.created_at} title={c.created_at}>
          {formatDateTime(c.created_at)}
        </time>
      </td>
      <td>
        <code>{c.model}</code>
        {c.deployment && <span className="muted"> via {c.deployment}</span>}
      </td>
      <td>{c.app}</td>
      <td>
        <span className={`badge ${c.status === "ok" ? "badge-ok" : "badge-bad"}`} title={c.error_message ?? undefined}>
          {c.status === "ok" ? "ok" : (c.error_kind ?? "error")}
        </span>
        {c.cache_hit && <span className="badge"> cached</span>}
        {c.stream && <span className="muted"> stream</span>}
      </td>
      <td className="num">
        {formatCount(c.tokens_in)} / {formatCount(c.tokens_out)}
        {c.tokens_estimated && <span title="Counted locally: the provider reported no usage"> ≈</span>}
      </td>
      <td className="num">{formatUsd(c.cost_usd)}</td>
      <td className="num" title={c.first_token_ms !== null ? `first token ${formatMs(c.first_token_ms)}` : undefined}>
        {formatMs(c.total_ms)}
      </td>
      <td>
        <button type="button" className="link" onClick={() => onOpen(c.id)}>
          Open
        </button>
      </td>
    </tr>
  );
}

function CallDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const detail = useLoad(
    (signal) => call(api.GET("/api/v1/llm/calls/{id}", { params: { path: { id } }, signal })),
    [id],
  );
  const d = detail.data;
  const failed = d?.status === "error";
  const answer = d ? answerText(d.response) : undefined;
  return (
    <Dialog title="LLM call" onClose={onClose} testId="llm-call" wide>
      {detail.error && <ErrorAlert title="Could not load the call." error={detail.error} />}
      {!d && !detail.error && <p className="muted">Loading…</p>}
      {d && (
        <>
          <dl className="facts">
            <dt>Model</dt>
            <dd>
              <code>{d.model}</code> → {d.provider ?? "—"} {d.upstream_model && <code>{d.upstream_model}</code>}
            </dd>
            <dt>Outcome</dt>
            <dd>
              {failed ? `${d.error_kind ?? "error"}: ${d.error_message ?? ""}` : "ok"} · {d.attempts} attempt(s)
              {d.fallbacks > 0 && `, ${d.fallbacks} fallback(s)`}
            </dd>
            <dt>Tokens</dt>
            <dd>
              {formatCount(d.tokens_in)} in, {formatCount(d.tokens_out)} out · {formatUsd(d.cost_usd)}
            </dd>
            <dt>Latency</dt>
            <dd>
              {formatMs(d.total_ms)} total, first token {formatMs(d.first_token_ms)}
            </dd>
          </dl>
          {answer !== undefined && (
            <>
              <h3>Answer</h3>
              <p data-testid="llm-call-answer" className="answer">
                {answer}
              </p>
            </>
          )}
          <h3>Request</h3>
          <pre className="code" data-testid="llm-call-request">
            {bodyText(d.request, "request", failed)}
          </pre>
          <h3>Response</h3>
          <pre className="code" data-testid="llm-call-response">
            {bodyText(d.response, "response", failed)}
          </pre>
        </>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
