import { useId, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { useUser } from "../auth/current";
import { ErrorAlert } from "../ui/ErrorAlert";
import { useLoad } from "../components/useLoad";
import { usePageTitle } from "../ui/usePageTitle";
import { formatDateTime, metadataPairs } from "../format";

type AuditPage = components["schemas"]["Page_AuditEventView"];
type AuditEvent = components["schemas"]["AuditEventView"];
type Action = components["schemas"]["Action"];

const PAGE_SIZE = 50;
/** Suggestions for the filter: every action the server records (its API document lists them). */
const KNOWN_ACTIONS: Action[] = [
  "auth.register",
  "auth.login",
  "auth.logout",
  "auth.refresh_replay",
  "api_key.create",
  "api_key.revoke",
  "quota.change",
];

function fetchPage(action: string, everyone: boolean, cursor: string | undefined, signal?: AbortSignal) {
  return call(
    api.GET("/api/v1/audit", {
      params: {
        query: {
          action: (action || undefined) as Action | undefined,
          all: everyone || undefined,
          cursor,
          limit: PAGE_SIZE,
        },
      },
      signal,
    }),
  );
}

/** `/audit`: your audit events, newest first (admins can see everyone's); filter and page. */
export function AuditLogPage() {
  usePageTitle("Audit log");
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const action = params.get("action") ?? "";
  const everyone = user.role === "admin" && params.get("all") === "1";

  const page = useLoad((signal) => fetchPage(action, everyone, undefined, signal), [action, everyone]);
  const [more, setMore] = useState<{ busy: boolean; error?: Error }>({ busy: false });

  const loadMore = async () => {
    const next = page.data?.next_cursor;
    if (next === null || next === undefined) return;
    setMore({ busy: true });
    try {
      const older = await fetchPage(action, everyone, next);
      page.setData((prev) => ({ items: [...(prev?.items ?? []), ...older.items], next_cursor: older.next_cursor }));
      setMore({ busy: false });
    } catch (e) {
      setMore({ busy: false, error: e as Error });
    }
  };

  const setQuery = (change: { action?: string; all?: boolean }) =>
    setParams(
      (p) => {
        if (change.action !== undefined) {
          if (change.action) p.set("action", change.action);
          else p.delete("action");
        }
        if (change.all !== undefined) {
          if (change.all) p.set("all", "1");
          else p.delete("all");
        }
        return p;
      },
      { replace: true },
    );

  return (
    <section className="page" aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">Audit log</h1>
      </div>
      <p className="lead">{everyone ? "Everyone's" : "Your"} sign-ins, keys and other account events, newest first.</p>

      <AuditFilter
        key={action}
        action={action}
        everyone={everyone}
        isAdmin={user.role === "admin"}
        onAction={(a) => setQuery({ action: a })}
        onEveryone={(all) => setQuery({ all })}
      />

      {page.error && <ErrorAlert title="Could not load the audit log." error={page.error} />}
      {!page.data && !page.error && <p className="muted">Loading…</p>}
      {page.data && (
        <div className={page.loading ? "stale" : undefined}>
          <EventTable page={page.data} showActor={everyone} me={user.id} />
          {more.error && <ErrorAlert title="Could not load older events." error={more.error} />}
          <div className="more">
            {page.data.next_cursor ? (
              <button type="button" onClick={() => void loadMore()} disabled={more.busy}>
                {more.busy ? "Loading…" : "Load more"}
              </button>
            ) : (
              page.data.items.length > 0 && <span className="muted">No older events.</span>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function AuditFilter(props: {
  action: string;
  everyone: boolean;
  isAdmin: boolean;
  onAction: (action: string) => void;
  onEveryone: (all: boolean) => void;
}) {
  const [draft, setDraft] = useState(props.action);
  const ids = { action: useId(), list: useId() };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onAction(draft.trim());
  };
  return (
    <form className="filter" onSubmit={submit} role="search" aria-label="Filter the audit log">
      <label htmlFor={ids.action}>Action</label>
      <input
        id={ids.action}
        list={ids.list}
        placeholder="All actions (e.g. auth.login)"
        autoComplete="off"
        spellCheck={false}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
      />
      <datalist id={ids.list}>
        {KNOWN_ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <button type="submit">Filter</button>
      {props.action && (
        <button
          type="button"
          onClick={() => {
            setDraft("");
            props.onAction("");
          }}
        >
          Clear
        </button>
      )}
      {props.isAdmin && (
        <label className="check">
          <input type="checkbox" checked={props.everyone} onChange={(e) => props.onEveryone(e.target.checked)} />
          Everyone's events
        </label>
      )}
    </form>
  );
}

function EventTable({ page, showActor, me }: { page: AuditPage; showActor: boolean; me: string }) {
  if (page.items.length === 0)
    return (
      <p className="muted" data-testid="no-events">
        No events match.
      </p>
    );
  return (
    <div className="table-wrap">
      <table className="table" data-testid="audit-events">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            {showActor && <th scope="col">Actor</th>}
            <th scope="col">Target</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((e) => (
            <EventRow key={e.id} event={e} showActor={showActor} me={me} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EventRow({ event: e, showActor, me }: { event: AuditEvent; showActor: boolean; me: string }) {
  const details = metadataPairs(e.metadata);
  return (
    <tr data-action={e.action} data-event-id={e.id}>
      <td className="nowrap">
        <time dateTime={e.created_at} title={e.created_at}>
          {formatDateTime(e.created_at)}
        </time>
      </td>
      <td>
        <code className="audit-action">{e.action}</code>
      </td>
      <td>
        <span className={`badge ${e.outcome === "success" ? "badge-ok" : "badge-bad"}`}>{e.outcome}</span>
      </td>
      {showActor && <td>{e.actor_id === me ? "you" : (e.actor_email ?? <Id value={e.actor_id} />)}</td>}
      <td>
        <Id value={e.target} />
      </td>
      <td className="details">
        {details.map(([k, v]) => (
          <span key={k} className="kv">
            <span className="muted">{k}</span> {v}
          </span>
        ))}
        {e.ip && (
          <span className="kv">
            <span className="muted">ip</span> {e.ip}
          </span>
        )}
        {e.request_id && (
          <span className="kv" title={e.request_id}>
            <span className="muted">request</span> {e.request_id.slice(0, 8)}
          </span>
        )}
      </td>
    </tr>
  );
}

/** Long ids shortened for reading; the full one on hover. */
function Id({ value }: { value?: string | null }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <code className="id" title={value}>
      {value.length > 13 ? `${value.slice(0, 8)}…${value.slice(-4)}` : value}
    </code>
  );
}
