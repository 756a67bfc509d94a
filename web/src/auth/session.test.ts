import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { parseStored, refreshDelayMs, Session, STORAGE_KEY, type SessionDeps, type SessionState } from "./session";

const user = { id: "u1", email: "ada@example.com", role: "user", created_at: "2026-01-01T00:00:00Z" };

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}
const unauthorized = (message = "access token expired") =>
  json(401, { error: { code: "unauthorized", message, details: null } }, { "WWW-Authenticate": "Bearer" });

/**
 * A fake server behind a fake fetch: rotating single-use refresh tokens, access tokens it can
 * expire on demand, and a log of every call. `gate` holds refresh answers back until released.
 */
function fakeServer() {
  let n = 0;
  const valid = new Set<string>();
  const refreshTokens = new Set<string>();
  const calls: { path: string; auth: string | null; body: unknown }[] = [];
  let releaseGate: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  const server = {
    calls,
    refreshAnswer: null as null | (() => Response | Promise<Response>),
    /** Mint a pair as login would. */
    pair(expiresIn = 900) {
      n += 1;
      const pair = {
        access_token: `at${n}`,
        refresh_token: `rt${n}`,
        token_type: "Bearer",
        expires_in: expiresIn,
        user,
      };
      valid.add(pair.access_token);
      refreshTokens.add(pair.refresh_token);
      return pair;
    },
    expireAll: () => valid.clear(),
    invalidate: (token: string) => valid.delete(token),
    holdRefreshes() {
      gate = new Promise((r) => (releaseGate = r));
    },
    release() {
      releaseGate?.();
      gate = null;
    },
    count: (path: string) => calls.filter((c) => c.path === path).length,
    fetch: async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request =
        input instanceof Request ? input : new Request(new URL(String(input), "http://cistern.test"), init);
      const path = new URL(request.url).pathname;
      const text = await request.text();
      const body: unknown = text ? JSON.parse(text) : undefined;
      const auth = request.headers.get("Authorization");
      calls.push({ path, auth, body });
      const bearer = auth?.replace(/^Bearer /, "") ?? "";
      switch (path) {
        case "/api/v1/auth/login": {
          const { password } = body as { password: string };
          return password === "correct horse" ? json(200, server.pair()) : unauthorized("email or password is wrong");
        }
        case "/api/v1/auth/refresh": {
          if (gate) await gate;
          if (server.refreshAnswer) return server.refreshAnswer();
          const { refresh_token } = body as { refresh_token: string };
          if (!refreshTokens.delete(refresh_token))
            return unauthorized("refresh token is invalid or expired: sign in again");
          return json(200, server.pair());
        }
        case "/api/v1/auth/logout":
          return new Response(null, { status: valid.has(bearer) ? 204 : 401 });
        default:
          return valid.has(bearer) ? json(200, { path, token: bearer }) : unauthorized();
      }
    },
  };
  return server;
}

/** The refresh token the storage holds, if any. */
const storedRefresh = (storage: { getItem: (k: string) => string | null }) =>
  parseStored(storage.getItem(STORAGE_KEY))?.refresh_token;

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

/** A session on the fake server, with a hand-driven clock and timers. */
function setup() {
  const server = fakeServer();
  const storage = memoryStorage();
  const clock = { now: 1_000_000 };
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextTimer = 1;
  const deps: SessionDeps = {
    fetch: server.fetch,
    storage,
    now: () => clock.now,
    setTimer: (fn, ms) => {
      const id = nextTimer++;
      timers.set(id, { at: clock.now + ms, fn });
      return id;
    },
    clearTimer: (id) => void timers.delete(id as number),
    withLock: (fn) => fn(),
  };
  const session = new Session(deps);
  const states: SessionState[] = [];
  session.subscribe(() => states.push(session.getState()));
  /** Move the clock, firing due timers. */
  const advance = (ms: number) => {
    clock.now += ms;
    for (const [id, t] of [...timers]) {
      if (t.at <= clock.now) {
        timers.delete(id);
        t.fn();
      }
    }
  };
  return { server, storage, clock, timers, session, states, advance };
}

async function signedIn() {
  const t = setup();
  await t.session.login("ada@example.com", "correct horse");
  t.server.calls.length = 0;
  return t;
}

describe("session", () => {
  it("signs in: stores the refresh token, reports the user, attaches the access token", async () => {
    const { session, storage, server } = setup();
    const u = await session.login("ada@example.com", "correct horse");
    expect(u.email).toBe("ada@example.com");
    expect(session.getState()).toEqual({ status: "signed-in", user });
    expect(storedRefresh(storage)).toBe("rt1");
    const res = await session.fetch("/api/v1/me");
    expect(res.status).toBe(200);
    expect(server.calls.at(-1)?.auth).toBe("Bearer at1");
  });

  it("a wrong password is the server's message and never triggers a refresh", async () => {
    const { session, server } = setup();
    const err = await session.login("ada@example.com", "nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe("email or password is wrong");
    expect((err as ApiError).status).toBe(401);
    expect(server.count("/api/v1/auth/refresh")).toBe(0);
    expect(session.getState().status).toBe("loading");
  });

  it("on a 401 refreshes once, retries once, and stores the rotated refresh token", async () => {
    const { session, server, storage } = await signedIn();
    server.expireAll();
    const res = await session.fetch("/api/v1/usage");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: "/api/v1/usage", token: "at2" });
    expect(server.calls.map((c) => c.path)).toEqual(["/api/v1/usage", "/api/v1/auth/refresh", "/api/v1/usage"]);
    expect(server.calls[1]?.body).toEqual({ refresh_token: "rt1" });
    expect(storedRefresh(storage)).toBe("rt2");
  });

  it("concurrent 401s share one refresh (single-flight) and all retry with the new token", async () => {
    const { session, server } = await signedIn();
    server.expireAll();
    server.holdRefreshes();
    const pending = ["/api/v1/me", "/api/v1/usage", "/api/v1/api-keys", "/api/v1/audit"].map((p) => session.fetch(p));
    // Let every first attempt fail and join the refresh before it answers.
    await new Promise((r) => setTimeout(r, 10));
    server.release();
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(server.count("/api/v1/auth/refresh")).toBe(1);
    const retries = server.calls.filter((c) => c.path !== "/api/v1/auth/refresh" && c.auth === "Bearer at2");
    expect(retries).toHaveLength(4);
  });

  it("a 401 for a token that was already replaced retries without another refresh", async () => {
    const { session, server } = await signedIn();
    server.expireAll();
    const first = session.fetch("/api/v1/me");
    await first;
    expect(server.count("/api/v1/auth/refresh")).toBe(1);
    // A request that left with at1 before the refresh finished comes back 401 now.
    server.calls.length = 0;
    const lateOld = await session["refreshAfter"]("at1");
    expect(lateOld).toBe("at2");
    expect(server.count("/api/v1/auth/refresh")).toBe(0);
  });

  it("token() gives the access token for an XMLHttpRequest; given a refused one, one refresh; null once ended", async () => {
    const { session, server } = await signedIn();
    expect(await session.token()).toBe("at1");
    server.expireAll();
    expect(await session.token("at1")).toBe("at2");
    expect(await session.token("at1")).toBe("at2");
    expect(server.count("/api/v1/auth/refresh")).toBe(1);
    server.refreshAnswer = () => unauthorized("refresh token is invalid or expired: sign in again");
    expect(await session.token("at2")).toBeNull();
    expect(session.getState().status).toBe("signed-out");
  });

  it("retries only once: a second 401 is returned, not looped on", async () => {
    const { session, server } = await signedIn();
    server.expireAll();
    // Every token the refresh hands out is rejected too.
    server.refreshAnswer = () => json(200, { ...server.pair(), access_token: "dud" });
    const res = await session.fetch("/api/v1/me");
    expect(res.status).toBe(401);
    expect(server.calls.map((c) => c.path)).toEqual(["/api/v1/me", "/api/v1/auth/refresh", "/api/v1/me"]);
  });

  it("a refused refresh ends the session: storage cleared, state signed-out (expired), the 401 returned", async () => {
    const { session, server, storage, states } = await signedIn();
    server.expireAll();
    server.refreshAnswer = () =>
      unauthorized("this refresh token was already used; the session is signed out for safety");
    const [a, b] = await Promise.all([session.fetch("/api/v1/me"), session.fetch("/api/v1/usage")]);
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(server.count("/api/v1/auth/refresh")).toBe(1);
    expect(storage.map.has(STORAGE_KEY)).toBe(false);
    expect(session.getState()).toEqual({ status: "signed-out", reason: "expired" });
    expect(states.at(-1)).toEqual({ status: "signed-out", reason: "expired" });
    // Signed out: the next request goes without a token and is not retried.
    server.calls.length = 0;
    expect((await session.fetch("/api/v1/me")).status).toBe(401);
    expect(server.calls).toEqual([{ path: "/api/v1/me", auth: null, body: undefined }]);
  });

  it("a refresh that cannot reach the server keeps the session", async () => {
    const { session, server, storage } = await signedIn();
    server.expireAll();
    server.refreshAnswer = () => Promise.reject(new TypeError("Failed to fetch"));
    const res = await session.fetch("/api/v1/me");
    expect(res.status).toBe(401);
    expect(session.getState().status).toBe("signed-in");
    expect(storedRefresh(storage)).toBe("rt1");
    await expect(session.refresh()).rejects.toMatchObject({ code: "network" });
  });

  it("refreshes proactively shortly before the access token expires", async () => {
    const { session, server, timers, advance, storage } = await signedIn();
    expect(refreshDelayMs(900)).toBe(840_000);
    expect(refreshDelayMs(30)).toBe(24_000);
    expect(refreshDelayMs(0)).toBe(1_000);
    expect(timers.size).toBe(1);
    advance(839_000);
    expect(server.count("/api/v1/auth/refresh")).toBe(0);
    advance(1_000);
    await session.refresh(); // joins the timer's refresh if still running
    expect(server.count("/api/v1/auth/refresh")).toBe(1);
    expect(storedRefresh(storage)).toBe("rt2");
    expect(timers.size).toBe(1); // the next one is scheduled
  });

  it("refreshes before sending when the timer was late (the token has run out)", async () => {
    const { session, server, clock } = await signedIn();
    clock.now += 901_000; // the timer never fired (a sleeping laptop)
    const res = await session.fetch("/api/v1/me");
    expect(res.status).toBe(200);
    expect(server.calls.map((c) => [c.path, c.auth])).toEqual([
      ["/api/v1/auth/refresh", null],
      ["/api/v1/me", "Bearer at2"],
    ]);
  });

  /** A stored record as an earlier visit left it, its access token `ageMs` old. */
  const storeRecord = (t: ReturnType<typeof setup>, ageMs: number) => {
    const pair = t.server.pair();
    t.storage.setItem(
      STORAGE_KEY,
      JSON.stringify({
        refresh_token: pair.refresh_token,
        access_token: pair.access_token,
        expires_at: t.clock.now - ageMs + pair.expires_in * 1000,
        user,
      }),
    );
    return pair;
  };

  it("resumes from storage on start without a refresh while the access token is good", async () => {
    const t = setup();
    storeRecord(t, 60_000);
    await t.session.start();
    expect(t.session.getState()).toEqual({ status: "signed-in", user });
    expect(t.server.calls).toEqual([]);
    expect((await t.session.fetch("/api/v1/me")).status).toBe(200);
    expect(t.server.calls.map((c) => c.auth)).toEqual(["Bearer at1"]);
    // The refresh is still scheduled a minute before the stored token's expiry.
    t.advance(900_000 - 60_000 - 60_000);
    await t.session.refresh();
    expect(t.server.count("/api/v1/auth/refresh")).toBe(1);
  });

  it("resumes with one refresh when the stored access token has run out, or settles signed out without a record", async () => {
    const a = setup();
    storeRecord(a, 901_000);
    await a.session.start();
    expect(a.session.getState()).toEqual({ status: "signed-in", user });
    expect(storedRefresh(a.storage)).toBe("rt2");

    const b = setup();
    await b.session.start();
    expect(b.session.getState()).toEqual({ status: "signed-out", reason: "none" });
    expect(b.server.calls).toEqual([]);
    expect(a.server.count("/api/v1/auth/refresh")).toBe(1);
  });

  it("start with a stale stored token ends signed out (expired)", async () => {
    const t = setup();
    const { session, storage } = t;
    storeRecord(t, 901_000);
    t.server.refreshAnswer = () => unauthorized("refresh token is invalid or expired: sign in again");
    await session.start();
    expect(session.getState()).toEqual({ status: "signed-out", reason: "expired" });
    expect(storage.map.has(STORAGE_KEY)).toBe(false);
  });

  it("adopts a refresh another tab made instead of spending the refresh token again", async () => {
    const { session, server, storage, clock } = await signedIn();
    // Another tab refreshed: rt1 is spent, its new record is in the shared storage.
    const other = await server.fetch("/api/v1/auth/refresh", {
      method: "POST",
      body: JSON.stringify({ refresh_token: "rt1" }),
    });
    const pair = (await other.json()) as { refresh_token: string; access_token: string };
    storage.setItem(STORAGE_KEY, JSON.stringify({ ...pair, expires_at: clock.now + 900_000, user }));
    server.calls.length = 0;
    // This tab's token is refused (it missed the storage event): it finds the new one and retries.
    server.invalidate("at1");
    const res = await session.fetch("/api/v1/me");
    expect(res.status).toBe(200);
    expect(server.count("/api/v1/auth/refresh")).toBe(0);
    expect(server.calls.map((c) => c.auth)).toEqual(["Bearer at1", "Bearer at2"]);
    expect(storedRefresh(storage)).toBe("rt2");
  });

  it("a refresh under the cross-tab lock uses the latest stored refresh token", async () => {
    const { session, server, storage, clock } = await signedIn();
    const other = await server.fetch("/api/v1/auth/refresh", {
      method: "POST",
      body: JSON.stringify({ refresh_token: "rt1" }),
    });
    const pair = (await other.json()) as { refresh_token: string; access_token: string };
    // Stored by the other tab, but already (nearly) expired: this tab must refresh, with rt2.
    storage.setItem(STORAGE_KEY, JSON.stringify({ ...pair, expires_at: clock.now + 1_000, user }));
    server.calls.length = 0;
    server.expireAll();
    expect((await session.fetch("/api/v1/me")).status).toBe(200);
    expect(server.calls[1]?.body).toEqual({ refresh_token: "rt2" });
    expect(storedRefresh(storage)).toBe("rt3");
  });

  it("follows another tab's refresh and sign-in through the storage event", async () => {
    const { session, server, clock } = await signedIn();
    const pair = server.pair();
    const record = JSON.stringify({ ...pair, expires_at: clock.now + 900_000, user: { ...user, role: "admin" } });
    session.onStorage(STORAGE_KEY, record);
    expect(session.getState()).toEqual({ status: "signed-in", user: { ...user, role: "admin" } });
    await session.fetch("/api/v1/me");
    expect(server.calls.at(-1)?.auth).toBe(`Bearer ${pair.access_token}`);

    const fresh = setup();
    await fresh.session.start();
    fresh.session.onStorage(STORAGE_KEY, record);
    expect(fresh.session.getState().status).toBe("signed-in");
  });

  it("logout revokes on the server with the refresh token and clears everything", async () => {
    const { session, server, storage, timers } = await signedIn();
    await session.logout();
    expect(server.calls).toEqual([{ path: "/api/v1/auth/logout", auth: "Bearer at1", body: { refresh_token: "rt1" } }]);
    expect(storage.map.has(STORAGE_KEY)).toBe(false);
    expect(timers.size).toBe(0);
    expect(session.getState()).toEqual({ status: "signed-out", reason: "signed-out" });
  });

  it("logout still signs out here when the server cannot be reached", async () => {
    const t = await signedIn();
    const broken = new Session({
      ...t.session["deps"],
      fetch: () => Promise.reject(new TypeError("Failed to fetch")),
    });
    t.storage.setItem(STORAGE_KEY, t.storage.getItem(STORAGE_KEY)!);
    broken["access"] = { token: "at1", expiresAt: t.clock.now + 60_000 };
    await broken.logout();
    expect(broken.getState()).toEqual({ status: "signed-out", reason: "signed-out" });
    expect(t.storage.map.has(STORAGE_KEY)).toBe(false);
  });

  it("a refresh that finishes after sign-out does not sign back in", async () => {
    const { session, server } = await signedIn();
    server.holdRefreshes();
    const late = session.refresh();
    await session.logout();
    server.release();
    expect(await late).toBeNull();
    expect(session.getState()).toEqual({ status: "signed-out", reason: "signed-out" });
  });

  it("follows a sign-out in another tab (storage event)", async () => {
    const { session } = await signedIn();
    session.onStorage(STORAGE_KEY, null);
    expect(session.getState()).toEqual({ status: "signed-out", reason: "signed-out" });
  });

  it("passes a Request (as openapi-fetch sends) through, body intact on the retry", async () => {
    const { session, server } = await signedIn();
    server.expireAll();
    const req = new Request("http://cistern.test/api/v1/api-keys", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "ci" }),
    });
    const res = await session.fetch(req);
    expect(res.status).toBe(200);
    const posts = server.calls.filter((c) => c.path === "/api/v1/api-keys");
    expect(posts.map((c) => [c.auth, c.body])).toEqual([
      ["Bearer at1", { name: "ci" }],
      ["Bearer at2", { name: "ci" }],
    ]);
  });
});
