/**
 * The signed-in session, in one place.
 *
 * - The tokens live in memory and in localStorage, as one record: the refresh token (so a
 *   later visit resumes) and the short-lived access token with its expiry and user (so a
 *   reload or a new tab within its lifetime needs no refresh at all). Persisting the access
 *   token exposes nothing the stored refresh token does not already, and it keeps rotations
 *   rare: every rotation is a window in which leaving the page loses the new refresh token
 *   and the next visit replays the old one, which the server answers by signing out.
 * - `fetch` attaches `Authorization: Bearer`. On a 401 it refreshes once and retries once.
 *   Refreshes are single-flight: concurrent 401s share one refresh, and a request that failed
 *   with a token that has since been replaced just retries with the new one.
 * - Refresh tokens are single-use, so the new one is stored every time, and refreshes are
 *   serialised across tabs (Web Locks) with the stored record re-read inside the lock: a tab
 *   that finds a newer access token there (another tab refreshed) adopts it instead of
 *   spending the refresh token again, which the server would treat as theft.
 * - The access token is refreshed shortly before it expires, and before a request if the
 *   timer was late (a sleeping laptop, a throttled background tab).
 * - A refresh the server refuses ends the session (state `signed-out`, reason `expired`);
 *   the router then sends app pages to /login?next=…. A refresh that never reached the
 *   server keeps the session: the next request tries again.
 *
 * Everything the browser provides is injected, so the unit tests run it on a fake fetch.
 */
import { ApiError, networkError, toApiError } from "../api/errors";
import type { components } from "../api/schema";

export type User = components["schemas"]["UserView"];
export type TokenPair = components["schemas"]["TokenPair"];

/** Why a session is not signed in: never was, signed out here or in another tab, refused refresh, server unreachable. */
export type SignedOutReason = "none" | "signed-out" | "expired" | "unreachable";

export type SessionState =
  { status: "loading" } | { status: "signed-out"; reason: SignedOutReason } | { status: "signed-in"; user: User };

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface SessionDeps {
  fetch: Fetch;
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  /** Runs `fn` while holding a lock shared by every tab of this origin. */
  withLock: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** localStorage key of the session record. */
export const STORAGE_KEY = "cistern.session";

/** What localStorage holds: everything needed to resume, and to skip a refresh while it can. */
export interface StoredSession {
  refresh_token: string;
  access_token: string;
  /** Epoch milliseconds. */
  expires_at: number;
  user: User;
}

/** The stored record, or null when absent or unreadable. */
export function parseStored(raw: string | null): StoredSession | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof v.refresh_token !== "string" || typeof v.access_token !== "string") return null;
    if (typeof v.expires_at !== "number" || typeof v.user?.id !== "string") return null;
    return v as StoredSession;
  } catch {
    return null;
  }
}

const AUTH = "/api/v1/auth";
/** Endpoints that take no access token: their 401 means "wrong credentials", never "refresh". */
const NO_TOKEN = /\/api\/v1\/auth\/(login|register|refresh|oidc)(\?|$)/;
const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

/**
 * When to refresh after receiving a token: a minute before expiry, or a fifth of a short
 * token's life before it; never sooner than a second (a zero lifetime must not spin).
 */
export function refreshDelayMs(expiresInSeconds: number): number {
  const life = Math.max(0, expiresInSeconds) * 1000;
  return Math.max(1_000, life - Math.min(60_000, life / 5));
}

/** Treat a token as expired this close to its end, so a request does not race the clock. */
const EXPIRY_SLACK_MS = 5_000;

function urlOf(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : String(input);
}

export class Session {
  private state: SessionState = { status: "loading" };
  private access: { token: string; expiresAt: number } | null = null;
  private inflight: Promise<string | null> | null = null;
  private timer: unknown = null;
  /** Bumped whenever the session is replaced or ended, so a late refresh cannot resurrect it. */
  private epoch = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly deps: SessionDeps) {}

  // --- observing (shaped for React's useSyncExternalStore) ---

  getState = (): SessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  // --- signing in and out ---

  /** On page load: resume from the stored refresh token, or settle as signed out. */
  async start(): Promise<void> {
    if (this.state.status !== "loading") return;
    if (!this.stored()) {
      this.setState({ status: "signed-out", reason: "none" });
      return;
    }
    try {
      await this.refresh();
    } catch {
      // The server did not answer; keep the stored token so a reload can resume.
      if (this.state.status === "loading") this.setState({ status: "signed-out", reason: "unreachable" });
    }
  }

  login(email: string, password: string): Promise<User> {
    return this.authenticate("login", { email, password });
  }

  register(email: string, password: string): Promise<User> {
    return this.authenticate("register", { email, password });
  }

  /** Ends the session on the server (best effort) and here, whatever the server says. */
  async logout(): Promise<void> {
    try {
      const token = await this.currentToken();
      if (token) {
        await this.deps.fetch(`${AUTH}/logout`, {
          method: "POST",
          headers: { ...JSON_HEADERS, Authorization: `Bearer ${token}` },
          body: JSON.stringify({ refresh_token: this.stored()?.refresh_token }),
        });
      }
    } catch {
      // Offline or already signed out there: the local session ends regardless.
    }
    this.end("signed-out");
  }

  /** Another tab changed localStorage: follow its sign-out, sign-in or refresh. */
  onStorage(key: string | null, newValue: string | null): void {
    if (key !== STORAGE_KEY && key !== null) return;
    const record = parseStored(newValue);
    if (!record) {
      if (this.state.status === "signed-in") this.end("signed-out", false);
      return;
    }
    if (record.access_token !== this.access?.token && this.usable(record)) {
      this.epoch += 1; // a refresh of ours still in flight must not overwrite this
      this.adopt(record, false);
    }
  }

  // --- authenticated requests ---

  /**
   * `fetch` with the access token attached; a 401 gets one refresh and one retry.
   * Takes what `fetch` takes, including a `Request` (as openapi-fetch passes).
   */
  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    // A Request's body can be read once: keep a copy for the retry.
    const spare = input instanceof Request ? input.clone() : undefined;
    const send = (token: string | null, request?: Request): Promise<Response> => {
      if (request) {
        if (token) request.headers.set("Authorization", `Bearer ${token}`);
        return this.deps.fetch(request);
      }
      const headers = new Headers(init?.headers);
      if (token) headers.set("Authorization", `Bearer ${token}`);
      return this.deps.fetch(input, { ...init, headers });
    };

    const token = NO_TOKEN.test(urlOf(input)) ? null : await this.currentToken();
    const response = await send(token, input instanceof Request ? input : undefined);
    if (response.status !== 401 || token === null) return response;

    const fresh = await this.refreshAfter(token).catch(() => null);
    if (!fresh) return response;
    await response.body?.cancel().catch(() => undefined);
    return send(fresh, spare);
  };

  /**
   * The access token for a request `fetch` cannot make (an XMLHttpRequest with upload progress);
   * given a token the server refused (`rejected`), a fresh one, or null once the session ended.
   */
  token = (rejected?: string): Promise<string | null> =>
    rejected === undefined ? this.currentToken() : this.refreshAfter(rejected).catch(() => null);

  /**
   * Exchange the stored refresh token for a new pair. Single-flight: callers during a refresh
   * share it. Resolves to the new access token, or null when the server refused (the session
   * has then ended); rejects with an ApiError when the server could not be asked.
   */
  refresh(): Promise<string | null> {
    if (!this.inflight) {
      this.inflight = this.doRefresh().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  // --- internals ---

  /** The access token to send now: refreshed first if it has (nearly) run out. */
  private async currentToken(): Promise<string | null> {
    const access = this.access;
    if (!access) return null;
    if (this.deps.now() < access.expiresAt - EXPIRY_SLACK_MS) return access.token;
    try {
      return await this.refreshAfter(access.token);
    } catch {
      return access.token; // Unreachable: send what we have and let the request fail on its own.
    }
  }

  /** Refresh because `used` was rejected, unless it has already been replaced. */
  private refreshAfter(used: string): Promise<string | null> {
    if (this.access && this.access.token !== used) return Promise.resolve(this.access.token);
    return this.refresh();
  }

  private async doRefresh(): Promise<string | null> {
    const epoch = this.epoch;
    return this.deps.withLock(async () => {
      if (epoch !== this.epoch) return this.access?.token ?? null; // signed out or in meanwhile
      // Re-read inside the lock: another tab may have refreshed (or signed out) already.
      const stored = this.stored();
      if (!stored) {
        this.end(this.state.status === "loading" ? "none" : "signed-out", false);
        return null;
      }
      if (stored.access_token !== this.access?.token && this.usable(stored)) {
        this.adopt(stored, false);
        return stored.access_token;
      }
      let response: Response;
      try {
        response = await this.deps.fetch(`${AUTH}/refresh`, {
          method: "POST",
          headers: JSON_HEADERS,
          body: JSON.stringify({ refresh_token: stored.refresh_token }),
        });
      } catch (e) {
        throw networkError(e);
      }
      const body: unknown = await response.json().catch(() => undefined);
      if (epoch !== this.epoch) return this.access?.token ?? null;
      if (response.ok) {
        const record = this.record(body as TokenPair);
        this.adopt(record, true);
        return record.access_token;
      }
      // 401 (expired, revoked, reused) or a malformed token: the session is over.
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        this.end("expired");
        return null;
      }
      throw toApiError(response, body); // 429, 5xx: try again later
    });
  }

  private async authenticate(kind: "login" | "register", credentials: { email: string; password: string }) {
    let response: Response;
    try {
      response = await this.deps.fetch(`${AUTH}/${kind}`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify(credentials),
      });
    } catch (e) {
      throw networkError(e);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw toApiError(response, body);
    const pair = body as TokenPair;
    if (typeof pair?.access_token !== "string") {
      throw new ApiError("The server sent a sign-in answer without a token", response.status, "bad_json");
    }
    this.epoch += 1;
    this.adopt(this.record(pair), true);
    return pair.user;
  }

  private stored(): StoredSession | null {
    return parseStored(this.deps.storage.getItem(STORAGE_KEY));
  }

  /** An access token worth sending: not within the slack of its expiry. */
  private usable(record: StoredSession): boolean {
    return this.deps.now() < record.expires_at - EXPIRY_SLACK_MS;
  }

  private record(pair: TokenPair): StoredSession {
    return {
      refresh_token: pair.refresh_token,
      access_token: pair.access_token,
      expires_at: this.deps.now() + pair.expires_in * 1000,
      user: pair.user,
    };
  }

  /** Take `record` as the session; `persist` false when it came from storage. */
  private adopt(record: StoredSession, persist: boolean): void {
    this.access = { token: record.access_token, expiresAt: record.expires_at };
    if (persist) this.deps.storage.setItem(STORAGE_KEY, JSON.stringify(record));
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    const lifeSeconds = Math.max(0, (record.expires_at - this.deps.now()) / 1000);
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      // A failure here is retried by the next request (which finds the token expired).
      this.refresh().catch(() => undefined);
    }, refreshDelayMs(lifeSeconds));
    const prev = this.state;
    const { user } = record;
    const same =
      prev.status === "signed-in" &&
      prev.user.id === user.id &&
      prev.user.email === user.email &&
      prev.user.role === user.role;
    if (!same) this.setState({ status: "signed-in", user });
  }

  /** Forget the session here. `forget` false when storage already says so (another tab). */
  private end(reason: SignedOutReason, forget = true): void {
    this.epoch += 1;
    this.access = null;
    if (forget) this.deps.storage.removeItem(STORAGE_KEY);
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    this.setState({ status: "signed-out", reason });
  }

  private setState(next: SessionState): void {
    this.state = next;
    for (const listener of [...this.listeners]) listener();
  }
}

/** The browser's implementations of everything the session needs. */
export function browserDeps(): SessionDeps {
  return {
    fetch: (input, init) => globalThis.fetch(input, init),
    storage: window.localStorage,
    now: () => Date.now(),
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (handle) => window.clearTimeout(handle as number),
    withLock: (fn) =>
      "locks" in navigator && navigator.locks
        ? (navigator.locks.request("cistern.session.refresh", () => fn()) as Promise<Awaited<ReturnType<typeof fn>>>)
        : fn(),
  };
}
