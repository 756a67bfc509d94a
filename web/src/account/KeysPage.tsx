import { useId, useRef, useState, type FormEvent } from "react";
import { api, call } from "../api/client";
import { errorField } from "../api/errors";
import type { components } from "../api/schema";
import { Dialog } from "../components/Dialog";
import { ErrorAlert } from "../ui/ErrorAlert";
import { useLoad } from "../components/useLoad";
import { usePageTitle } from "../ui/usePageTitle";
import { formatDateTime } from "../format";

type ApiKey = components["schemas"]["ApiKeyView"];
type CreatedKey = components["schemas"]["CreatedApiKey"];

const EXPIRY_CHOICES = [
  { days: 0, label: "Never" },
  { days: 30, label: "In 30 days" },
  { days: 90, label: "In 90 days" },
  { days: 365, label: "In 1 year" },
];

function keyState(key: ApiKey, now = Date.now()): "active" | "revoked" | "expired" {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && Date.parse(key.expires_at) <= now) return "expired";
  return "active";
}

/** `/keys`: create, list and revoke API keys. */
export function KeysPage() {
  usePageTitle("API keys");
  const keys = useLoad((signal) => call(api.GET("/api/v1/api-keys", { signal })), []);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  return (
    <section className="page" aria-labelledby="keys-title">
      <div className="page-head">
        <h1 id="keys-title">API keys</h1>
      </div>
      <p className="lead">
        A key lets a program call the API as you, sent as <code>Authorization: Bearer &lt;key&gt;</code>.
      </p>

      <CreateKeyForm
        onCreated={(key) => {
          setCreated(key);
          keys.setData((list) => [stripSecret(key), ...(list ?? [])]);
        }}
      />

      <h2>Your keys</h2>
      {keys.error && <ErrorAlert title="Could not load your keys." error={keys.error} />}
      {keys.data && <KeyTable keys={keys.data} onRevoke={setRevoking} />}
      {!keys.data && !keys.error && <p className="muted">Loading…</p>}

      {created && <NewKeyDialog created={created} onClose={() => setCreated(null)} />}
      {revoking && (
        <RevokeDialog
          apiKey={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setRevoking(null);
            void keys.reload();
          }}
        />
      )}
    </section>
  );
}

/** The listing form of a new key: the secret must not linger in the list's state. */
function stripSecret({ key: _secret, ...view }: CreatedKey): ApiKey {
  return view;
}

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const [name, setName] = useState("");
  const [days, setDays] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const ids = { name: useId(), expiry: useId(), err: useId() };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const key = await call(
        api.POST("/api/v1/api-keys", { body: { name: name.trim(), expires_in_days: days || undefined } }),
      );
      setName("");
      setDays(0);
      onCreated(key);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const nameError = error && errorField(error) === "name";
  return (
    <form className="card form form-row" onSubmit={submit} noValidate aria-label="Create an API key">
      <div className="field grow">
        <label htmlFor={ids.name}>Name</label>
        <input
          id={ids.name}
          name="key-name"
          autoComplete="off"
          placeholder="e.g. laptop, CI"
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={error ? ids.err : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.expiry}>Expires</label>
        <select id={ids.expiry} value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.days} value={c.days}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Creating…" : "Create key"}
      </button>
      <div id={ids.err} role="alert" className="form-error full">
        {error?.message}
      </div>
    </form>
  );
}

function KeyTable({ keys, onRevoke }: { keys: ApiKey[]; onRevoke: (key: ApiKey) => void }) {
  if (keys.length === 0) return <p className="muted">No keys yet. Create one above.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="keys">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => {
            const state = keyState(k);
            return (
              <tr
                key={k.id}
                data-key-id={k.id}
                data-key-name={k.name}
                className={state === "active" ? undefined : "row-dim"}
              >
                <th scope="row">{k.name}</th>
                <td>
                  <code>{k.prefix}_…</code>
                </td>
                <td className="nowrap">
                  <When iso={k.created_at} />
                </td>
                <td className="nowrap">
                  {k.last_used_at ? <When iso={k.last_used_at} /> : <span className="muted">Never</span>}
                </td>
                <td className="nowrap">
                  {k.expires_at ? <When iso={k.expires_at} /> : <span className="muted">Never</span>}
                </td>
                <td className="key-status">
                  <span className={`badge ${state === "active" ? "badge-ok" : "badge-muted"}`}>{state}</span>
                </td>
                <td className="actions">
                  {state !== "revoked" && (
                    <button type="button" className="danger-quiet" onClick={() => onRevoke(k)}>
                      Revoke<span className="visually-hidden"> {k.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={iso}>
      {formatDateTime(iso)}
    </time>
  );
}

/** Shows a new key once, with a Copy button; after this it cannot be seen again. */
function NewKeyDialog({ created, onClose }: { created: CreatedKey; onClose: () => void }) {
  const keyBox = useRef<HTMLElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  /** Select the whole key, for copying by hand. */
  const selectKey = () => {
    const el = keyBox.current;
    const selection = window.getSelection();
    if (!el || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    selection.removeAllRanges();
    selection.addRange(range);
  };

  const copyKey = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopy("copied");
    } catch {
      // No clipboard permission: select the key so the user can copy it by hand.
      selectKey();
      setCopy("failed");
    }
  };

  return (
    <Dialog title="Your new API key" onClose={onClose} testId="new-key-dialog">
      <p>
        Copy the key for <strong>{created.name}</strong> now. <strong>It won't be shown again</strong>: Cistern keeps
        only a fingerprint of it.
      </p>
      <div className="key-box">
        <code ref={keyBox} className="key-value" aria-label="API key" data-testid="new-key" onClick={selectKey}>
          {created.key}
        </code>
        <button type="button" onClick={() => void copyKey()}>
          {copy === "copied" ? "Copied" : "Copy"}
        </button>
      </div>
      <p className="copy-status" role="status">
        {copy === "copied" && "Copied to the clipboard."}
        {copy === "failed" && "Could not use the clipboard: the key is selected, copy it with Ctrl+C."}
      </p>
      <form method="dialog" className="dialog-actions">
        <button type="submit" className="primary">
          Done
        </button>
      </form>
    </Dialog>
  );
}

/** Asks before revoking: programs using the key stop working at once. */
function RevokeDialog({ apiKey, onClose, onRevoked }: { apiKey: ApiKey; onClose: () => void; onRevoked: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await call(api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id: apiKey.id } } }));
      onRevoked();
    } catch (err) {
      setError(err as Error);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Revoke “${apiKey.name}”?`} onClose={onClose} testId="revoke-dialog">
      <p>
        Programs using <code>{apiKey.prefix}_…</code> will be refused from now on. This cannot be undone.
      </p>
      <div role="alert" className="form-error">
        {error?.message}
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={onClose} disabled={busy} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={() => void revoke()} disabled={busy}>
          {busy ? "Revoking…" : "Revoke key"}
        </button>
      </div>
    </Dialog>
  );
}
