// End-to-end: the real cistern binary serving the built UI, driven in headless Chromium.
// Run with `npm run build && npm run test:e2e` (CISTERN_BIN, CHROMIUM_PATH optional).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium, watchedPage } from "./browser.mjs";
import { signedInContext } from "./screens.mjs";
import { startFakeLlm, startServer } from "./server.mjs";
import { axeViolations } from "./axe.mjs";

const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../test-results");
mkdirSync(resultsDir, { recursive: true });

/** Poll until `fn` returns a truthy value; fail with `what` after `ms`. */
async function eventually(what, fn, ms = 10_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

const text = (locator) => locator.innerText().then((t) => t.trim());
/** An element's text as written (a badge's innerText is upper-cased by its style). */
const raw = (locator) => locator.textContent().then((t) => t.trim());

/** The fake provider's one reply: prose, then a Markdown code block for the chat page. */
const FAKE_REPLY =
  "Cisterns collect rain from roofs and store it underground.\n\n" +
  '```rust\nfn main() {\n    let litres = 42;\n    println!("{litres}");\n}\n```\n';

const EMAIL = "ada@example.com";
const PASSWORD = "correct horse battery";
const STORAGE_KEY = "cistern.session";
/** The session record the UI keeps in localStorage (null when signed out). */
const storedSession = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? "null"), STORAGE_KEY);

/** The sign-in form's fields and submit button (the mode tabs have the same names). */
const form = (page) => ({
  email: page.getByLabel("Email", { exact: true }),
  password: page.getByLabel("Password", { exact: true }),
  submit: page.getByTestId("auth-form").locator("button[type=submit]"),
  error: page.getByTestId("auth-error"),
});

async function signIn(page, email, password) {
  const f = form(page);
  await f.email.fill(email);
  await f.password.fill(password);
  await f.submit.click();
}

/** GET /api/v1/me from the test itself (not the browser) with a bearer credential. */
const meWith = (baseUrl, credential) =>
  fetch(`${baseUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${credential}` } });

const pathAndQuery = (page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

describe("web UI served by cistern", () => {
  let server;
  let browser;
  /** Pages whose console must stay clean; every page's requests are checked. */
  const clean = [];
  const all = [];
  let page;
  let main;
  /** An API key created through the UI, for the calls this test makes itself. */
  let ciKey;

  /** A fake OpenAI-compatible provider, configured the zero-config way (OPENAI_BASE_URL). */
  let fakeLlm;

  before(async () => {
    fakeLlm = await startFakeLlm({ text: FAKE_REPLY });
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-e2e-fake-provider", OPENAI_BASE_URL: `${fakeLlm.baseUrl}/v1` },
    });
    browser = await launchChromium();
    main = await watchedPage(browser);
    clean.push(main);
    all.push(main);
    page = main.page;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await fakeLlm?.stop();
  });

  it("status page shows the version and the sql and blobs checks as ok", async () => {
    const health = await (await fetch(`${server.baseUrl}/health/detailed`)).json();
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole("heading", { name: "Status", level: 1 }).waitFor();
    for (const name of ["sql", "blobs"]) {
      const row = page.locator(`tr[data-check="${name}"]`);
      await row.waitFor();
      assert.equal(await raw(row.locator(".check-status")), "ok", `${name} check`);
      assert.match(await text(row.locator("td.num")), /^\d+(\.\d+)? ms$/, `${name} latency`);
    }
    assert.equal(await raw(page.getByTestId("overall-status")), "ok");
    assert.match(health.version, /^\d+\.\d+\.\d+/);
    assert.equal(await text(page.getByTestId("version")), health.version);
    assert.match(await text(page.getByTestId("uptime")), /^\d+ (s|min|h|d)/);
    await page.screenshot({ path: path.join(resultsDir, "status.png"), fullPage: true });
  });

  it("app pages send a signed-out visitor to /login?next=…; status and the API reference stay public", async () => {
    await page.goto(`${server.baseUrl}/chat`);
    await page.waitForURL((u) => u.pathname === "/login");
    assert.equal(new URL(page.url()).searchParams.get("next"), "/chat");
    await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
    for (const [route, heading] of [
      ["/status", "Status"],
      ["/api-docs", "API reference"],
    ]) {
      await page.goto(`${server.baseUrl}${route}`);
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      assert.equal(new URL(page.url()).pathname, route);
      await page.getByRole("banner").getByRole("link", { name: "Sign in" }).waitFor();
    }
  });

  it("registering through the UI signs in (first account: admin), and a reload keeps the session", async () => {
    await page.getByRole("banner").getByRole("link", { name: "Sign in" }).click();
    await page.getByRole("tab", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Create an account", level: 1 }).waitFor();
    assert.equal(await form(page).password.getAttribute("autocomplete"), "new-password");
    await signIn(page, EMAIL, PASSWORD);
    await page.getByTestId("user-email").filter({ hasText: EMAIL }).waitFor();
    assert.equal(await raw(page.getByTestId("user-role")), "admin");
    assert.equal(new URL(page.url()).pathname, "/");
    const stored = await storedSession(page);
    assert.match(stored?.refresh_token ?? "", /^rt_/, "the refresh token is kept for the next visit");
    assert.equal(stored.user.email, EMAIL);

    // A reload within the access token's life resumes without spending the refresh token.
    const refreshes = () => main.log.requests.filter((u) => new URL(u).pathname === "/api/v1/auth/refresh").length;
    const before = refreshes();
    await page.goto(`${server.baseUrl}/keys`);
    await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor();
    await page.getByTestId("user-email").filter({ hasText: EMAIL }).waitFor();
    assert.equal(refreshes(), before);
    assert.deepEqual(await storedSession(page), stored);
    await page.goto(`${server.baseUrl}/`);
  });

  it("menu links switch pages without reloading", async () => {
    await page.evaluate(() => (window.__sameDocument = true));
    await page.getByRole("navigation").getByRole("link", { name: "Sage", exact: true }).click();
    await page.getByRole("heading", { name: "Sage", level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/sage");
    assert.match(await text(page.getByTestId("app-summary")), /risk/);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "navigation reloaded the page");
  });

  for (const [route, heading] of [
    ["/sage", "Sage"],
    ["/api-docs", "API reference"],
    ["/status", "Status"],
  ]) {
    it(`deep link ${route} renders its page when loaded directly and on reload`, async () => {
      const res = await page.goto(`${server.baseUrl}${route}`);
      assert.equal(res.status(), 200);
      assert.match(res.headers()["content-type"] ?? "", /text\/html/);
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      await page.reload();
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      assert.equal(new URL(page.url()).pathname, route);
    });
  }

  it("an unknown UI path shows the not-found page", async () => {
    await page.goto(`${server.baseUrl}/no/such/page`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
  });

  it("API reference lists /health from the document and the filter narrows the list", async () => {
    const doc = await (await fetch(`${server.baseUrl}/api/openapi.json`)).json();
    const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    const total = Object.values(doc.paths).reduce((n, item) => n + methods.filter((m) => item[m]).length, 0);
    assert.ok(doc.paths["/health"]?.get, "the document describes GET /health");
    assert.ok(doc.paths["/health/detailed"]?.get, "the document describes GET /health/detailed");

    await page.goto(`${server.baseUrl}/api-docs`);
    const ops = page.getByTestId("operation");
    await eventually(`${total} operations`, async () => (await ops.count()) === total);
    const health = page.locator('[data-testid=operation][data-method=get][data-path="/health"]');
    assert.equal(await health.count(), 1);

    // Opening an operation shows its responses with their schemas resolved, and keeps it in the URL.
    await health.click();
    assert.match(await text(page.getByTestId("op-responses")), /200/);
    assert.equal(new URL(page.url()).searchParams.get("op"), "op-get-health");

    const filter = page.getByLabel("Filter operations");
    await filter.fill("health/detailed");
    await eventually("the filter to narrow the list", async () => (await ops.count()) < total);
    assert.equal(await health.count(), 0, "GET /health should be filtered out");
    const paths = await ops.evaluateAll((els) => els.map((e) => e.dataset.path));
    assert.ok(paths.includes("/health/detailed"), `filtered list: ${paths}`);
    assert.match(await text(page.getByTestId("op-count")), new RegExp(`^${paths.length} of ${total} operations$`));

    // The filter lives in the URL, so a reload (or a shared link) keeps it.
    await page.reload();
    await page.getByTestId("operation").first().waitFor();
    assert.equal(await page.getByLabel("Filter operations").inputValue(), "health/detailed");
    assert.equal(await ops.count(), paths.length);

    await page.getByLabel("Filter operations").fill("zz-no-such-operation");
    await page.getByText("No operations match").waitFor();
    assert.equal(await ops.count(), 0);
    await page.getByLabel("Filter operations").fill("");
    await eventually("the full list back", async () => (await ops.count()) === total);
  });

  it("an unknown path under /api/ answers a JSON 404 error envelope", async () => {
    const res = await page.request.get(`${server.baseUrl}/api/v1/no-such-endpoint`);
    assert.equal(res.status(), 404);
    assert.match(res.headers()["content-type"] ?? "", /application\/json/);
    const body = await res.json();
    assert.equal(typeof body.error?.code, "string", JSON.stringify(body));
    assert.ok(body.error.code.length > 0);
    assert.equal(typeof body.error.message, "string");
  });

  it("API keys: a new key is shown once with a Copy button, works, and stops working once revoked in the UI", async () => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.baseUrl });
    await page.getByRole("navigation").getByRole("link", { name: "API keys" }).click();
    await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor();
    await page.getByText("No keys yet").waitFor();

    const create = async (name, expires) => {
      await page.getByLabel("Name").fill(name);
      if (expires) await page.getByLabel("Expires").selectOption({ label: expires });
      await page.getByRole("button", { name: "Create key" }).click();
      const dialog = page.getByRole("dialog", { name: "Your new API key" });
      await dialog.waitFor();
      const key = await text(dialog.getByTestId("new-key"));
      return { dialog, key };
    };

    const { dialog, key } = await create("e2e laptop");
    assert.match(key, /^cst_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/);
    await page.screenshot({ path: path.join(resultsDir, "keys-dialog.png") });
    assert.match(await text(dialog), /won't be shown again/);
    await dialog.getByRole("button", { name: "Copy" }).click();
    await dialog.getByText("Copied to the clipboard.").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);

    const me = await meWith(server.baseUrl, key);
    assert.equal(me.status, 200, "the new key authenticates");
    assert.equal((await me.json()).email, EMAIL);

    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.locator('tr[data-key-name="e2e laptop"]');
    await row.waitFor();
    assert.equal(await raw(row.locator(".key-status")), "active");
    assert.match(await text(row), new RegExp(key.split("_").slice(0, 2).join("_")), "the row shows the prefix");
    assert.equal((await page.content()).includes(key), false, "the key is gone from the page after the dialog");
    await page.reload();
    await row.waitFor();
    assert.equal((await page.content()).includes(key), false, "the key is never listed");

    // A second key, kept for the calls this test makes later; Escape also closes the dialog.
    const second = await create("ci", "In 90 days");
    ciKey = second.key;
    await page.keyboard.press("Escape");
    await second.dialog.waitFor({ state: "detached" });

    // Revoking asks first; Cancel keeps the key.
    await row.getByRole("button", { name: "Revoke" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke “e2e laptop”?" });
    await confirm.waitFor();
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    assert.equal((await meWith(server.baseUrl, key)).status, 200, "cancel revoked nothing");

    await row.getByRole("button", { name: "Revoke" }).click();
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await confirm.waitFor({ state: "detached" });
    await eventually("the row to say revoked", async () => (await raw(row.locator(".key-status"))) === "revoked");
    assert.equal(await row.getByRole("button", { name: "Revoke" }).count(), 0);
    const after = await meWith(server.baseUrl, key);
    assert.equal(after.status, 401, "a revoked key is refused");
    assert.match(after.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal((await meWith(server.baseUrl, ciKey)).status, 200, "the other key still works");

    await page.screenshot({ path: path.join(resultsDir, "keys.png"), fullPage: true });
  });

  it("usage page shows this month's budget with a bar, the remaining tokens and when it resets", async () => {
    const usage = await (
      await fetch(`${server.baseUrl}/api/v1/usage`, { headers: { Authorization: `Bearer ${ciKey}` } })
    ).json();
    await page.getByRole("navigation").getByRole("link", { name: "Usage" }).click();
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    const budget = page.getByTestId("budget");
    await budget.waitFor();
    assert.match(await text(budget), new RegExp(`Token budget for ${usage.budget.month}`));
    const n = (x) => new Intl.NumberFormat("en-US").format(x);
    if (usage.budget.limit === null) {
      assert.match(await text(page.getByTestId("budget-used")), /no limit/);
      assert.equal(await text(page.getByTestId("budget-remaining")), "Unlimited");
    } else {
      assert.equal(
        await text(page.getByTestId("budget-used")),
        `${n(usage.budget.used)} of ${n(usage.budget.limit)} tokens used`,
      );
      const bar = page.getByRole("progressbar", { name: "Share of this month's token budget used" });
      assert.equal(
        await bar.getAttribute("aria-valuenow"),
        String(Math.round((usage.budget.used / usage.budget.limit) * 1000) / 10),
      );
      assert.equal(await text(page.getByTestId("budget-remaining")), `${n(usage.budget.remaining)} tokens`);
    }
    assert.equal(
      await page.getByTestId("budget-resets").locator("time").getAttribute("datetime"),
      usage.budget.resets_at,
    );
    assert.match(await text(page.getByTestId("budget-resets")), /\(in \d+ (day|days|hour|hours)\)/);
    assert.equal(await text(page.getByTestId("cost")), "$0.00");
    await page.getByTestId("no-usage").waitFor();
    await page.screenshot({ path: path.join(resultsDir, "usage.png"), fullPage: true });
  });

  it("LLM calls: a call through /v1 with an API key is listed, filtered by status, and opens", async () => {
    const headers = { Authorization: `Bearer ${ciKey}`, "content-type": "application/json" };
    const answer = await fetch(`${server.baseUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { ...headers, "x-cistern-app": "e2e" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Tell me about cisterns" }] }),
    });
    assert.equal(answer.status, 200);
    assert.match((await answer.json()).choices[0].message.content, /Cisterns collect rain/);
    await eventually("the call is in the log", async () => {
      const log = await (await fetch(`${server.baseUrl}/api/v1/llm/calls`, { headers })).json();
      return log.items.length === 1;
    });

    await page.getByRole("navigation").getByRole("link", { name: "LLM calls" }).click();
    await page.getByRole("heading", { name: "LLM calls", level: 1 }).waitFor();
    const rows = page.locator("[data-testid=llm-calls] tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    const row = await text(rows.first());
    assert.match(row, /gpt-4o-mini/);
    assert.match(row, /e2e/);
    assert.match(row, /\bok\b/i);

    await page.getByLabel("Status").selectOption("error");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByTestId("no-calls").waitFor();
    assert.match(pathAndQuery(page), /status=error/);
    await page.getByRole("button", { name: "Clear" }).click();
    await rows.first().waitFor();

    await rows.first().getByRole("button", { name: "Open" }).click();
    const dialog = page.getByTestId("llm-call");
    await dialog.getByTestId("llm-call-request").waitFor();
    // The server keeps prompts only with llm.record_bodies = true; the dialog says so.
    assert.match(await text(dialog.getByTestId("llm-call-request")), /record_bodies/);
    await page.screenshot({ path: path.join(resultsDir, "llm-calls.png"), fullPage: true });
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });
  });

  it("audit log lists register, key create and revoke; filters by action; pages with Load more; admins see everyone's", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    const rows = page.locator("[data-testid=audit-events] tbody tr");
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
    for (const a of ["auth.register", "api_key.create", "api_key.revoke"]) {
      assert.ok(actions.includes(a), `${a} in ${actions}`);
    }
    assert.equal(actions.filter((a) => a === "api_key.create").length, 2);

    await page.getByRole("combobox", { name: "Action" }).fill("api_key.revoke");
    await page.getByRole("button", { name: "Filter" }).click();
    await eventually("only revoke events", async () => {
      const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
      return shown.length === 1 && shown[0] === "api_key.revoke";
    });
    assert.equal(new URL(page.url()).searchParams.get("action"), "api_key.revoke");
    await page.getByRole("button", { name: "Clear" }).click();
    await eventually("the whole log back", async () => (await rows.count()) === actions.length);

    // More events than a page (50): the rest come from the cursor.
    for (let i = 0; i < 55; i++) {
      const res = await fetch(`${server.baseUrl}/api/v1/api-keys`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ciKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: `bulk ${i}` }),
      });
      assert.equal(res.status, 201);
    }
    await page.reload();
    await rows.first().waitFor();
    assert.equal(await rows.count(), 50);
    const total = actions.length + 55;
    await page.getByRole("button", { name: "Load more" }).click();
    await eventually(`all ${total} events`, async () => (await rows.count()) === total);
    await page.getByText("No older events.").waitFor();
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.eventId)));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      "newest first, no repeats across pages",
    );
    assert.equal(new Set(ids).size, ids.length);

    // The first account is an admin: it can switch to everyone's events (an Actor column appears).
    const everyone = page.getByLabel("Everyone's events");
    // (click, not check(): the box follows the URL, which updates a moment after the click)
    await everyone.click();
    await page.getByRole("columnheader", { name: "Actor" }).waitFor();
    assert.equal(await everyone.isChecked(), true);
    assert.equal(new URL(page.url()).searchParams.get("all"), "1");
    await page.screenshot({ path: path.join(resultsDir, "audit.png") });
    await everyone.click();
    await page.getByRole("columnheader", { name: "Actor" }).waitFor({ state: "detached" });
  });

  it("jobs page shows your queues' depths and an empty job list", async () => {
    const send = await fetch(`${server.baseUrl}/api/v1/queues/e2e-inbox/messages`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ciKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ messages: [{ body: { n: 1 } }, { body: { n: 2 } }, { body: "later", delay_s: 600 }] }),
    });
    assert.equal(send.status, 201);
    await page.getByRole("navigation").getByRole("link", { name: "Jobs" }).click();
    await page.getByRole("heading", { name: "Jobs", level: 1 }).waitFor();
    const row = page.locator("[data-testid=queue-depths] tbody tr");
    await row.first().waitFor();
    const cells = await row.first().locator("td").allInnerTexts();
    assert.deepEqual(
      cells.map((c) => c.trim()),
      ["e2e-inbox", "2", "1", "0", "0"],
    );
    await page.getByText("No jobs match", { exact: true }).waitFor();
    await page.getByRole("tab", { name: "Dead" }).click();
    assert.equal(new URL(page.url()).searchParams.get("status"), "dead");
    await page.getByText("No jobs match", { exact: true }).waitFor();
    await page.screenshot({ path: path.join(resultsDir, "jobs.png"), fullPage: true });
  });

  // After the LLM calls test: a chat turn is a call too.
  it("chat: a reply renders as Markdown with its code block highlighted, and Retry appends another", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Chat" }).click();
    // A new chat offers example prompts; the composer has focus.
    await page.getByTestId("chat-welcome").waitFor();
    assert.equal(await page.getByTestId("example-prompt").count(), 4);
    await page.getByRole("textbox", { name: "Message" }).fill("Show me some Rust");
    await page.getByRole("button", { name: "Send" }).click();
    // Stored replies (the one streaming is `streaming-reply`).
    const replies = page.getByTestId("assistant-message");
    const stored = replies.locator("pre code.language-rust.hljs");
    await stored.first().waitFor();
    assert.match(await text(stored.first()), /fn main\(\)/);
    const keyword = stored.first().locator(".hljs-keyword").first();
    assert.equal(await text(keyword), "fn");
    // Tokens are coloured: a keyword unlike the code around it.
    const [plain, coloured] = await stored
      .first()
      .evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el.querySelector(".hljs-keyword")).color]);
    assert.notEqual(plain, coloured);
    assert.match(await text(replies.first().locator("p").first()), /Cisterns collect rain/);
    // The user's message is a bubble of its own; each code block has a Copy button; the reply's
    // token counts are on its usage button.
    assert.equal(await text(page.getByTestId("user-message").first()), "Show me some Rust");
    await replies.first().getByRole("button", { name: "Copy code" }).waitFor();
    assert.match(
      await replies.first().getByTestId("reply-usage").getAttribute("aria-label"),
      /[\d,]+ prompt \+ [\d,]+ reply tokens · 1 model call · \$\d+\.\d{2}/,
    );
    // The new conversation is open (in the URL) and listed in the sidebar under Today.
    assert.ok(new URL(page.url()).searchParams.get("c"));
    const sidebar = page.getByRole("navigation", { name: "Conversations" });
    await sidebar.getByText("Today").waitFor();
    await sidebar.getByRole("button", { name: "Show me some Rust", exact: true }).waitFor();

    await page.getByRole("button", { name: "Retry", exact: true }).click();
    await eventually("the retried reply is stored after the first", async () => (await stored.count()) === 2);
    await page.getByRole("button", { name: "Retry", exact: true }).waitFor();

    // The memory sheet: a fact is added and forgotten, instructions are saved for good.
    await page.getByRole("button", { name: "Memory" }).click();
    const memory = page.getByRole("dialog", { name: "Memory" });
    await memory.getByRole("textbox", { name: "New fact" }).fill("My cistern holds 12,000 litres");
    await memory.getByRole("button", { name: "Add" }).click();
    const facts = memory.getByRole("list", { name: "Facts" }).getByRole("listitem");
    await eventually("the fact is listed", async () => (await facts.count()) === 1);
    assert.match(await text(facts.first()), /12,000 litres/);
    await memory.getByRole("textbox", { name: "Instructions" }).fill("Answer in metric units.");
    await memory.getByRole("button", { name: "Save" }).click();
    await eventually(
      "the instructions are saved",
      async () => await memory.getByRole("button", { name: "Save" }).isDisabled(),
    );
    await page.screenshot({ path: path.join(resultsDir, "chat-memory.png") });
    await facts.first().getByRole("button", { name: "Forget" }).click();
    await eventually("the fact is forgotten", async () => (await facts.count()) === 0);
    await page.keyboard.press("Escape");
    await page.screenshot({ path: path.join(resultsDir, "chat.png") });
    await page.reload();
    // The open conversation survives the reload (it is in the URL), each reply with its tokens
    // and cost (stored with it: this page load streamed nothing).
    await stored.first().waitFor();
    const usages = replies.getByTestId("reply-usage");
    assert.equal(await usages.count(), 2);
    for (const label of await usages.evaluateAll((els) => els.map((el) => el.getAttribute("aria-label")))) {
      assert.match(label, /^Usage: [\d,]+ prompt \+ [\d,]+ reply tokens · 1 model call · \$\d+\.\d{2}/);
    }
    await page.getByRole("button", { name: "Memory" }).click();
    await eventually(
      "the instructions outlive a reload",
      async () =>
        (await page
          .getByRole("dialog", { name: "Memory" })
          .getByRole("textbox", { name: "Instructions" })
          .inputValue()) === "Answer in metric units.",
    );
    await page.keyboard.press("Escape");
  });

  it("chat: while a reply streams, Stop replaces Send and the composer waits; stopping leaves the partial turn marked stopped", async () => {
    await page.getByRole("button", { name: "New chat" }).first().click();
    await page.getByTestId("chat-welcome").waitFor();
    // The fake provider answers at once; hold the stream back in the browser (its first chunk
    // comes after 3 s) so the turn is still waiting for the server when Stop is pressed.
    await page.evaluate(() => {
      const real = window.fetch.bind(window);
      window.fetch = async (input, init) => {
        const response = await real(input, init);
        const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
        if (!url.includes("/chat/stream") || !response.body) return response;
        const reader = response.body.getReader();
        let stream;
        const slow = new ReadableStream({
          start(controller) {
            stream = controller;
          },
          async pull(controller) {
            await new Promise((r) => setTimeout(r, 3000));
            const { value, done } = await reader.read();
            if (done) controller.close();
            else controller.enqueue(value);
          },
          cancel: (reason) => reader.cancel(reason),
        });
        init?.signal?.addEventListener("abort", () => stream.error(new DOMException("stopped", "AbortError")));
        return new Response(slow, { status: response.status, headers: response.headers });
      };
    });
    // Keyboard only: the composer has focus, Enter sends.
    const composer = page.getByRole("textbox", { name: "Message" });
    await eventually("the composer has focus", () => composer.evaluate((el) => el === document.activeElement));
    await page.keyboard.type("Tell me about cisterns");
    await page.keyboard.press("Enter");
    const stop = page.getByRole("button", { name: "Stop" });
    await stop.waitFor();
    assert.equal(await composer.isDisabled(), true, "the composer waits while the reply streams");
    assert.equal(await page.getByRole("button", { name: "Send" }).count(), 0);
    assert.equal(await page.getByTestId("streaming-reply").getAttribute("data-status"), "streaming");
    await page.getByTestId("user-message").getByText("Tell me about cisterns").waitFor();
    await stop.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Send" }).waitFor();
    assert.equal(await composer.isDisabled(), false);
    await eventually("the composer has focus again", () => composer.evaluate((el) => el === document.activeElement));
    // Stopped before the server's first event: the turn stays, marked stopped.
    const stopped = page.getByTestId("streaming-reply");
    assert.equal(await stopped.getAttribute("data-status"), "stopped");
    assert.equal(await stopped.getByTestId("reply-mark").textContent(), "stopped");
    // The message reached the server: its conversation is listed.
    await page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("button", { name: "Tell me about cisterns", exact: true })
      .waitFor();
    await page.reload();
  });

  it("chat: the sidebar searches, renames and deletes conversations", async () => {
    const sidebar = page.getByRole("navigation", { name: "Conversations" });
    const listed = sidebar.getByTestId("conversation");
    await eventually("both conversations are listed", async () => (await listed.count()) === 2);
    const search = page.getByRole("searchbox", { name: "Search conversations" });
    await search.fill("rust");
    await eventually("the search keeps one", async () => (await listed.count()) === 1);
    assert.equal(await text(listed.first().getByRole("button").first()), "Show me some Rust");
    await search.fill("no such title");
    await sidebar.getByText(/No conversation title matches/).waitFor();
    await search.fill("");
    await eventually("both are back", async () => (await listed.count()) === 2);

    await sidebar.getByRole("button", { name: "Actions for Show me some Rust" }).click();
    await page.getByRole("menuitem", { name: "Rename" }).click();
    const rename = page.getByRole("dialog", { name: "Rename conversation" });
    await rename.getByRole("textbox", { name: "Title" }).fill("Rust examples");
    await rename.getByRole("button", { name: "Save" }).click();
    await sidebar.getByRole("button", { name: "Rust examples", exact: true }).waitFor();

    await sidebar.getByRole("button", { name: "Actions for Rust examples" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete this conversation?" });
    await confirm.getByText(/Rust examples/).waitFor();
    await confirm.getByRole("button", { name: "Delete" }).click();
    await eventually("the conversation is deleted", async () => (await listed.count()) === 1);
    assert.equal(await sidebar.getByRole("button", { name: "Rust examples", exact: true }).count(), 0);
  });

  it("chat on a phone: the conversations are in a drawer and nothing scrolls sideways", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${server.baseUrl}/chat`);
      await page.getByTestId("chat-welcome").waitFor();
      // The side column is hidden; its drawer opens from the page header.
      assert.equal(await page.getByRole("navigation", { name: "Conversations" }).count(), 0);
      await page.getByRole("button", { name: "Conversations" }).click();
      const drawer = page.getByRole("dialog", { name: "Conversations" });
      await drawer.getByTestId("conversation").first().getByRole("button").first().click();
      await drawer.waitFor({ state: "detached" });
      await page.getByTestId("assistant-message").locator("pre code").first().waitFor();
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `/chat is ${wide}px wider than the window`);
      // The composer sits at the bottom of the window.
      const box = await page.getByTestId("composer").boundingBox();
      assert.ok(box && box.y + box.height > 844 - 40, `composer ends at ${box && box.y + box.height}`);
      await page.screenshot({ path: path.join(resultsDir, "chat-narrow.png") });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  // The fake provider only ever replies with fixed text, never the submit_extension tool call, so
  // a generation here ends failed (with the server's reason): the journey asserts up to that final
  // state, shown in the stepper. A ready version's tabs and code view are covered by unit tests.
  it("extensions, keyboard only: Tab to the prompt, type, Ctrl+Enter, follow the stepper to its end, open the tabs, delete", async () => {
    await page.goto(`${server.baseUrl}/extensions`);
    await page.getByRole("heading", { name: "Extensions", level: 1 }).waitFor();
    await page.getByTestId("extensions-empty").waitFor();
    // Skip link, then into the page: the prompt is the first control of the page.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    const prompt = page.getByRole("textbox", { name: "Describe your extension" });
    assert.equal(await prompt.evaluate((el) => el === document.activeElement), true, "Tab reaches the prompt");
    await page.keyboard.type("Show how many tabs are open as a badge on the toolbar icon");
    await page.keyboard.press("Control+Enter");

    // The new extension is listed as a card and selected; focus moves to its panel.
    const card = page.getByTestId("extension-card");
    await card.first().waitFor();
    assert.equal(await card.count(), 1);
    assert.equal(await card.first().getAttribute("aria-current"), "true");
    const name = page.getByTestId("extension-name");
    await eventually("focus on the new extension's heading", () =>
      name.evaluate((el) => el === document.activeElement).catch(() => false),
    );
    assert.equal(await prompt.inputValue(), "", "the prompt is cleared once accepted");

    // The stepper follows the job to its final state: failed at a step, with the reason.
    const progress = page.getByTestId("extension-progress");
    await progress.waitFor();
    assert.equal(await progress.locator("[data-step]").count(), 6);
    await eventually(
      "the generation to end",
      async () => ["failed", "dead"].includes(await progress.getAttribute("data-status")),
      30_000,
    );
    assert.equal(await progress.locator('[data-state="failed"]').count(), 1, "one step is marked failed");
    assert.equal(await progress.locator('[data-step="Queued"][data-state="done"]').count(), 1);
    const failure = page.getByTestId("extension-failure");
    assert.match(await text(failure), /submit_extension/);
    assert.match(await text(failure), /What to do/);
    await eventually(
      "the card to show the failed status",
      async () => (await card.first().getByTestId("extension-card-status").textContent()) === "failed",
    );
    await page.screenshot({ path: path.join(resultsDir, "extensions-failed.png"), fullPage: true });

    // Tab on to the version's tabs (a failed attempt opens on its report), arrow to Files.
    const report = page.getByRole("tab", { name: "Report" });
    await report.waitFor();
    for (let i = 0; i < 8 && !(await report.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    assert.equal(await report.evaluate((el) => el === document.activeElement), true, "Tab reaches the tabs");
    await page.keyboard.press("ArrowLeft");
    const files = page.getByRole("tab", { name: /^Files/ });
    await eventually(
      "the Files tab to be selected",
      async () => (await files.getAttribute("aria-selected")) === "true",
    );
    await page.getByRole("tabpanel").getByText("No files", { exact: true }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get("tab"), "files", "the tab is kept in the URL");

    // Phone width: no horizontal scroll.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await eventually("no horizontal scroll at 390 px", async () => (await overflow()) <= 0, 3000).catch(async (e) => {
      await page.screenshot({ path: path.join(resultsDir, "extensions-narrow.png"), fullPage: true });
      throw e;
    });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Delete: the dialog opens on Cancel and closes on Escape; confirming removes the extension.
    const del = page.getByTestId("extension-delete");
    await del.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: /^Delete / });
    await dialog.waitFor();
    await eventually("Cancel to be focused", () =>
      dialog
        .getByRole("button", { name: "Cancel" })
        .evaluate((el) => el === document.activeElement)
        .catch(() => false),
    );
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await del.focus();
    await page.keyboard.press("Enter");
    await dialog.getByRole("button", { name: "Delete extension" }).click();
    await page.getByTestId("extensions-empty").waitFor();
    await page.getByTestId("extension-detail").waitFor({ state: "detached" });
  });

  it("signing out returns to /login; a deep link to /keys then asks to sign in and comes back to /keys", async () => {
    await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((u) => u.pathname === "/login");
    await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
    assert.equal(await page.getByTestId("user-email").count(), 0);
    assert.equal(await storedSession(page), null);

    for (const route of ["/usage", "/audit", "/sage"]) {
      await page.goto(`${server.baseUrl}${route}`);
      await page.waitForURL((u) => u.pathname === "/login");
      assert.equal(new URL(page.url()).searchParams.get("next"), route);
    }

    await page.goto(`${server.baseUrl}/keys`);
    await page.waitForURL((u) => u.pathname === "/login");
    assert.equal(pathAndQuery(page), "/login?next=/keys");
    assert.equal(await form(page).password.getAttribute("autocomplete"), "current-password");
    await signIn(page, EMAIL, PASSWORD);
    await page.waitForURL((u) => u.pathname === "/keys");
    await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor();
    await page.getByTestId("user-email").filter({ hasText: EMAIL }).waitFor();
    await page.locator('tr[data-key-name="ci"]').waitFor();
  });

  it("a wrong password shows the server's message; registration problems show on their field", async () => {
    // Failed requests log console errors by design here, so this page is not in `clean`.
    const rough = await watchedPage(browser);
    all.push(rough);
    const p = rough.page;
    await p.goto(`${server.baseUrl}/login`);
    await signIn(p, EMAIL, "not the password");
    await eventually("the server's message", async () => (await text(form(p).error)) === "email or password is wrong");
    assert.equal(new URL(p.url()).pathname, "/login");
    assert.equal(await p.getByTestId("user-email").count(), 0);
    await p.screenshot({ path: path.join(resultsDir, "login-error.png") });

    await p.getByRole("tab", { name: "Create account" }).click();
    await signIn(p, "bob@example.com", "short");
    const password = form(p).password;
    await eventually(
      "the password field marked invalid",
      async () => (await password.getAttribute("aria-invalid")) === "true",
    );
    const describedBy = (await password.getAttribute("aria-describedby")).split(" ").filter(Boolean);
    const messages = await Promise.all(describedBy.map((id) => p.locator(`[id="${id}"]`).innerText()));
    assert.ok(
      messages.some((m) => /10 to 128 characters/.test(m) && /password/.test(m)),
      `messages: ${messages}`,
    );

    await signIn(p, "not-an-email", PASSWORD);
    await eventually(
      "the email field marked invalid",
      async () => (await form(p).email.getAttribute("aria-invalid")) === "true",
    );

    await signIn(p, EMAIL.toUpperCase(), PASSWORD);
    await eventually("the duplicate-email message", async () => /already/i.test(await text(form(p).error)));
    await rough.context.close();
  });

  it("an access token the server refuses is refreshed once and the request retried; a refused refresh returns to /login?next=", async () => {
    const rough = await watchedPage(browser);
    all.push(rough);
    const p = rough.page;
    const seen = (suffix) => rough.log.requests.filter((u) => new URL(u).pathname === suffix).length;
    await p.goto(`${server.baseUrl}/login?next=/usage`);
    await signIn(p, EMAIL, PASSWORD);
    await p.getByTestId("budget").waitFor();

    // The server says the access token has expired, once.
    let refusals = 0;
    const expired = (route) =>
      route.fulfill({
        status: 401,
        contentType: "application/json",
        headers: { "WWW-Authenticate": "Bearer" },
        body: JSON.stringify({ error: { code: "unauthorized", message: "access token expired", details: null } }),
      });
    await p.route("**/api/v1/usage", (route) => (refusals++ === 0 ? expired(route) : route.continue()));
    const [usageBefore, refreshBefore] = [seen("/api/v1/usage"), seen("/api/v1/auth/refresh")];
    await p.getByRole("button", { name: "Refresh" }).click();
    await eventually("the retried request", async () => seen("/api/v1/usage") === usageBefore + 2);
    await eventually(
      "the page settled",
      async () => (await text(p.getByRole("button", { name: /Refresh|Loading/ }))) === "Refresh",
    );
    assert.equal(seen("/api/v1/auth/refresh"), refreshBefore + 1, "exactly one refresh");
    assert.equal(await p.getByRole("alert").filter({ hasText: "Could not load" }).count(), 0);
    assert.equal(new URL(p.url()).pathname, "/usage");

    // Now the refresh is refused too: the session ends and the page asks to sign in again.
    await p.unroute("**/api/v1/usage");
    await p.route("**/api/v1/usage", expired);
    await p.route("**/api/v1/auth/refresh", (route) =>
      route.fulfill({
        status: 401,
        contentType: "application/json",
        body: JSON.stringify({
          error: { code: "unauthorized", message: "refresh token is invalid or expired: sign in again", details: null },
        }),
      }),
    );
    await p.getByRole("button", { name: "Refresh" }).click();
    await p.waitForURL((u) => u.pathname === "/login");
    assert.equal(pathAndQuery(p), "/login?next=/usage");
    assert.match(await text(p.getByTestId("session-notice")), /session has ended/);
    assert.equal(await storedSession(p), null);

    await p.unrouteAll();
    await signIn(p, EMAIL, PASSWORD);
    await p.waitForURL((u) => u.pathname === "/usage");
    await p.getByTestId("budget").waitFor();
    await rough.context.close();
  });

  it("refreshes the access token shortly before it expires (fake clock)", async () => {
    const timed = await watchedPage(browser);
    clean.push(timed);
    all.push(timed);
    const p = timed.page;
    const refreshes = () => timed.log.requests.filter((u) => new URL(u).pathname === "/api/v1/auth/refresh").length;
    await p.clock.install();
    await p.goto(`${server.baseUrl}/login?next=/keys`);
    await signIn(p, EMAIL, PASSWORD);
    await p.getByRole("heading", { name: "API keys", level: 1 }).waitFor();
    assert.equal(refreshes(), 0);
    const before = (await storedSession(p)).refresh_token;
    await p.clock.runFor(14 * 60_000 + 1_000); // the server's access tokens last 15 min
    await eventually("a proactive refresh", async () => refreshes() === 1);
    await eventually("the rotated refresh token stored", async () => (await storedSession(p)).refresh_token !== before);
    await p.getByRole("navigation").getByRole("link", { name: "Usage" }).click();
    await p.getByTestId("budget").waitFor();
    await timed.context.close();
  });

  it("works on a narrow window without horizontal scrolling", async () => {
    const narrow = await watchedPage(browser, { width: 390, height: 844 });
    clean.push(narrow);
    all.push(narrow);
    await narrow.page.goto(`${server.baseUrl}/status`);
    await narrow.page.locator('tr[data-check="sql"]').waitFor();
    // On a phone the navigation is behind the menu button (pages.test.mjs opens the drawer).
    await narrow.page.getByRole("button", { name: "Open navigation" }).waitFor();
    const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
    await narrow.page.screenshot({ path: path.join(resultsDir, "status-narrow.png"), fullPage: true });

    // Signed in, the header carries the email, role and Sign out: it must still fit.
    await narrow.page.goto(`${server.baseUrl}/login?next=/keys`);
    await signIn(narrow.page, EMAIL, PASSWORD);
    await narrow.page.locator('tr[data-key-name="ci"]').waitFor();
    for (const route of ["/keys", "/usage", "/audit", "/llm-calls", "/jobs", "/api-docs", "/sage"]) {
      await narrow.page.goto(`${server.baseUrl}${route}`);
      await narrow.page.locator("h1").waitFor();
      await narrow.page.waitForLoadState("networkidle");
      const wide = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `${route} is ${wide}px wider than the window`);
    }
    await narrow.page.goto(`${server.baseUrl}/keys`);
    await narrow.page.locator('tr[data-key-name="ci"]').waitFor();
    await narrow.page.screenshot({ path: path.join(resultsDir, "keys-narrow.png") });
    await narrow.context.close();
  });

  it("status page renders a degraded (503) report, refreshes every 10 s, and shows a clear error when the server is unreachable", async () => {
    // Failed requests log console errors by design here, so this page is not in `clean`.
    const bad = await watchedPage(browser);
    all.push(bad);
    const degraded = {
      status: "degraded",
      version: "9.9.9",
      uptime_seconds: 5,
      checks: [
        { name: "sql", status: "ok", latency_ms: 0.5, detail: "sqlite" },
        { name: "blobs", status: "error", latency_ms: 3, detail: "permission denied" },
      ],
    };
    let polls = 0;
    await bad.page.route("**/health/detailed", (route) => {
      polls += 1;
      return route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify(degraded) });
    });
    // A fake clock, so the 10 s refresh is checked without waiting 10 s.
    await bad.page.clock.install();
    await bad.page.goto(`${server.baseUrl}/status`);
    await bad.page.getByTestId("version").filter({ hasText: "9.9.9" }).waitFor();
    assert.equal(await raw(bad.page.getByTestId("overall-status")), "degraded");
    assert.equal(await raw(bad.page.locator('tr[data-check="blobs"] .check-status')), "error");
    assert.match(await text(bad.page.locator('tr[data-check="blobs"]')), /permission denied/);
    assert.equal(polls, 1);
    await bad.page.clock.runFor(10_000);
    await eventually("the status page to poll again after 10 s", () => polls === 2);

    await bad.page.unroute("**/health/detailed");
    await bad.page.route("**/health/detailed", (route) => route.abort("connectionrefused"));
    await bad.page.getByRole("button", { name: "Refresh" }).click();
    const alert = bad.page.getByTestId("status-error");
    await alert.waitFor();
    assert.match(await text(alert), /Could not load the server's health/);
    assert.match(await text(alert), /last report/);
    await bad.context.close();
  });

  it("made no console or page errors and no request to any host but 127.0.0.1", () => {
    const origin = new URL(server.baseUrl).origin;
    const requests = all.flatMap((p) => p.log.requests);
    assert.ok(requests.length > 10, `only ${requests.length} requests were recorded`);
    const foreign = requests.filter((u) => new URL(u).origin !== origin);
    assert.deepEqual(foreign, [], "requests to other origins");
    for (const p of clean) {
      assert.deepEqual(p.log.pageErrors, [], "uncaught page errors");
      assert.deepEqual(p.log.consoleErrors, [], "console errors");
    }
  });
});

/**
 * The code generator's reply: Markdown with named fenced blocks (the forms the extractor reads:
 * `**path**` above a fence, and the path in the info string). `src/storage.ts` has a syntax error
 * the repair round cannot fix (the fake answers the repair with the same text), so the generation
 * is ready with one red file.
 */
const CODEGEN_REPLY = `Here is the project: a Vite app with React that keeps the todos in local storage.

**package.json**
\`\`\`json
{
  "name": "todo-app",
  "private": true,
  "type": "module",
  "scripts": { "dev": "vite", "build": "vite build" },
  "dependencies": { "react": "^19.0.0", "react-dom": "^19.0.0" },
  "devDependencies": { "vite": "^6.0.0", "@vitejs/plugin-react": "^4.3.0" }
}
\`\`\`

\`\`\`html index.html
<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>Todos</title></head>
  <body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body>
</html>
\`\`\`

\`\`\`tsx src/main.tsx
import { createRoot } from "react-dom/client";
import App from "./App";

createRoot(document.getElementById("root")!).render(<App />);
\`\`\`

\`\`\`tsx src/App.tsx
import { useState } from "react";
import { load, save } from "./storage";

export default function App() {
  const [todos, setTodos] = useState<string[]>(load);
  const [text, setText] = useState("");
  const add = () => {
    const next = [...todos, text];
    setTodos(next);
    save(next);
    setText("");
  };
  return (
    <main>
      <h1>Todos</h1>
      <input value={text} onChange={(e) => setText(e.target.value)} />
      <button onClick={add}>Add</button>
      <ul>{todos.map((t, i) => <li key={i}>{t}</li>)}</ul>
    </main>
  );
}
\`\`\`

\`\`\`ts src/storage.ts
export function load(): string[] {
  return JSON.parse(localStorage.getItem("todos") ?? "[]");
}

export function save(todos: string[]) {
  localStorage.setItem("todos", JSON.stringify(todos);
}
\`\`\`

Run \`npm install\`, then \`npm run dev\`.
`;

describe("code generator", () => {
  const shotsDir = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    "..",
    process.env.CARGO_TARGET_DIR ?? "../target",
    "ui-screenshots",
  );
  const PROMPT = "A React + Vite todo app with local storage";
  const EXAMPLE_FASTAPI = "A FastAPI service with a /health route and a /items CRUD";
  let fakeLlm;
  let server;
  let browser;
  let watched;
  let page;

  before(async () => {
    mkdirSync(shotsDir, { recursive: true });
    fakeLlm = await startFakeLlm({ text: CODEGEN_REPLY });
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-e2e-fake-provider", OPENAI_BASE_URL: `${fakeLlm.baseUrl}/v1` },
    });
    browser = await launchChromium();
    watched = await watchedPage(browser);
    page = watched.page;
    const reg = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    assert.equal(reg.status, 201, await reg.text());
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await fakeLlm?.stop();
  });

  it("codegen: type a prompt, see its framework, generate, watch the files arrive, read them, download, reopen from the history, regenerate", async () => {
    await page.goto(`${server.baseUrl}/login?next=/codegen`);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole("heading", { name: "Code generator", level: 1 }).waitFor();
    await page.getByTestId("codegen-empty").waitFor();

    // An example fills the prompt; the framework it would get shows before sending.
    await page.getByTestId("codegen-example").filter({ hasText: "FastAPI" }).click();
    const prompt = page.getByRole("textbox", { name: "Describe the project" });
    assert.match(await prompt.inputValue(), /FastAPI/);
    const badge = page.getByTestId("codegen-detected-badge");
    await eventually("FastAPI to be detected", async () => (await raw(badge).catch(() => "")).startsWith("FastAPI · "));

    // Typing another prompt re-detects (debounced) with the confidence and the words that decided it.
    await prompt.fill(PROMPT);
    await eventually("React + Vite to be detected", async () => /^React \+ Vite · \d+%$/.test(await raw(badge)));
    assert.match(await text(page.getByTestId("codegen-evidence")), /react/i);

    // The picker offers "Detect automatically" and every framework; a chosen one wins.
    const picker = page.getByTestId("codegen-framework");
    await picker.click();
    assert.equal(await page.getByRole("option").count(), 16, "Detect automatically + 15 frameworks");
    await page.getByRole("option", { name: "Rust CLI" }).click();
    await eventually("the choice to show", async () => (await raw(badge)) === "Rust CLI · your choice");
    await picker.click();
    await page.getByRole("option", { name: "Detect automatically" }).click();
    await eventually("detection again", async () => /^React \+ Vite · \d+%$/.test(await raw(badge)));

    // Record every file the live list shows (the fake model is fast: they may not stay long alone).
    await page.evaluate(() => {
      window.__liveFiles = [];
      new MutationObserver(() => {
        for (const li of document.querySelectorAll("[data-testid=codegen-live-file]")) {
          const p = li.textContent.trim();
          if (!window.__liveFiles.includes(p)) window.__liveFiles.push(p);
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await prompt.focus();
    await page.keyboard.press("Control+Enter");

    // The generation is selected (its id in the URL) and its job followed to the end.
    await page.waitForURL((u) => u.searchParams.has("id"));
    const id = new URL(page.url()).searchParams.get("id");
    const progress = page.getByTestId("codegen-progress");
    await progress.waitFor();
    await eventually(
      "the job to succeed",
      async () => (await progress.getAttribute("data-status")) === "succeeded",
      30_000,
    );
    assert.equal(await prompt.inputValue(), "", "the prompt is cleared once accepted");
    const live = await page.evaluate(() => window.__liveFiles);
    assert.deepEqual(live, ["package.json", "index.html", "src/main.tsx", "src/App.tsx", "src/storage.ts"]);
    assert.equal(await progress.locator('[data-state="done"]').count(), 6, "every step done");
    await page.getByTestId("codegen-files").waitFor();
    await page.screenshot({ path: path.join(shotsDir, "codegen-just-generated-light-desktop.png"), fullPage: true });

    const detail = page.getByTestId("codegen-generation");
    await eventually("the generation to be ready", async () => (await detail.getAttribute("data-status")) === "ready");
    assert.equal(await detail.getAttribute("data-id"), id);
    assert.equal(await raw(page.getByTestId("codegen-status")), "ready");
    assert.equal(await text(page.getByTestId("codegen-stat-framework")), "React + Vite");
    assert.equal(await text(page.getByTestId("codegen-stat-files")), "6");
    assert.match(await text(page.getByTestId("codegen-warnings")), /README added/);

    // The tree: grouped by directory, each file with its syntax check; the broken file opens first.
    const tree = page.getByRole("navigation", { name: "Files" });
    assert.equal(await tree.locator("[data-dir]").count(), 1);
    assert.equal(await tree.locator("[data-path]").count(), 6);
    assert.equal(await tree.locator('[data-path="src/storage.ts"]').getAttribute("data-syntax"), "errors");
    assert.equal(await tree.locator('[data-path="src/App.tsx"]').getAttribute("data-syntax"), "ok");
    assert.equal(await tree.locator('[data-path="README.md"]').getAttribute("data-syntax"), "unchecked");
    const syntax = page.getByTestId("codegen-syntax");
    assert.equal(await syntax.getAttribute("data-state"), "errors");
    assert.match(await text(syntax), /1 error in src\/storage\.ts[\s\S]*6:54 missing \)/);
    assert.equal(await text(page.getByTestId("code-view-file")), "src/storage.ts");

    // A click opens a file: its code, its syntax status, and the file in the URL.
    await tree.locator('[data-path="src/App.tsx"]').click();
    await eventually("App.tsx to open", async () => (await text(page.getByTestId("code-view-file"))) === "src/App.tsx");
    await page.getByTestId("code-view").getByText("export default function App").waitFor();
    assert.equal(await syntax.getAttribute("data-state"), "ok");
    assert.match(await text(syntax), /Syntax OK/);
    assert.equal(new URL(page.url()).searchParams.get("file"), "src/App.tsx");

    // Download ZIP: the session's credentials fetch a real ZIP.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("codegen-download").click()]);
    assert.equal(download.suggestedFilename(), "a-react-vite-todo-app.zip");
    const zip = readFileSync(await download.path());
    assert.equal(zip.subarray(0, 2).toString("latin1"), "PK");

    // The history lists it, marked current; a reload keeps the generation and the file open.
    const items = page.getByTestId("codegen-history-item");
    await eventually(
      "the history to list it as ready",
      async () => (await items.first().getAttribute("data-status")) === "ready",
    );
    assert.equal(await items.count(), 1);
    assert.equal(await items.first().getAttribute("aria-current"), "page");
    await page.reload();
    await eventually(
      "App.tsx open after a reload",
      async () => (await text(page.getByTestId("code-view-file")).catch(() => "")) === "src/App.tsx",
    );
    assert.equal(
      await page.getByTestId("codegen-progress").count(),
      0,
      "a finished generation opened later shows no progress",
    );

    // Screenshots of a finished generation, light and dark, desktop and phone (no sideways scroll),
    // with a new prompt typed and its framework detected.
    await prompt.fill(EXAMPLE_FASTAPI);
    await eventually("FastAPI to be detected", async () => (await raw(badge)).startsWith("FastAPI · "));
    for (const colorScheme of ["light", "dark"]) {
      for (const [name, viewport] of Object.entries({
        desktop: { width: 1400, height: 900 },
        phone: { width: 390, height: 844 },
      })) {
        await page.emulateMedia({ colorScheme });
        await page.setViewportSize(viewport);
        await page.getByTestId("code-view").waitFor();
        await page.waitForTimeout(200);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        await page.screenshot({
          path: path.join(shotsDir, `codegen-ready-${colorScheme}-${name}.png`),
          fullPage: true,
        });
        assert.ok(overflow <= 0, `codegen [${colorScheme}-${name}] scrolls sideways by ${overflow}px`);
        if (name === "desktop") assert.deepEqual(await axeViolations(page), [], `axe [${colorScheme}]`);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Regenerate: the same prompt again, past the cache: a new generation, selected and listed.
    await page.getByTestId("codegen-regenerate").click();
    await page.waitForURL((u) => u.searchParams.get("id") !== id);
    const second = new URL(page.url()).searchParams.get("id");
    await eventually(
      "the new generation to open and be ready",
      async () =>
        (await detail.getAttribute("data-id")) === second && (await detail.getAttribute("data-status")) === "ready",
      30_000,
    );
    assert.equal(await page.getByTestId("codegen-cached").count(), 0, "a regeneration is not from the cache");
    await eventually("the history to list both", async () => (await items.count()) === 2);
    assert.equal(await items.first().getAttribute("data-id"), second, "newest first");

    // The same prompt with the cache on: answered at once by the first generation, marked so.
    await prompt.fill(PROMPT);
    await page.getByTestId("codegen-prompt-submit").click();
    await page.waitForURL((u) => u.searchParams.get("id") === id);
    await page.getByTestId("codegen-cached").waitFor();
    assert.equal(await items.count(), 2, "a cache hit makes no new generation");

    // A history entry opens its generation.
    await page.locator(`[data-testid=codegen-history-item][data-id="${second}"]`).click();
    await page.waitForURL((u) => u.searchParams.get("id") === second);
    await eventually("the second generation to open", async () => (await detail.getAttribute("data-id")) === second);

    // A prompt the server refuses: its message under the field.
    await prompt.fill("x".repeat(20_001));
    await page.getByTestId("codegen-prompt-submit").click();
    await eventually(
      "the prompt to be marked invalid",
      async () => (await prompt.getAttribute("aria-invalid")) === "true",
    );
    await page.getByText("prompt must be 1 to 20000 characters").first().waitFor();

    // Delete: confirmed in a dialog, then gone from the history.
    await page.getByTestId("codegen-delete").click();
    const dialog = page.getByRole("dialog", { name: "Delete this generation?" });
    await dialog.getByRole("button", { name: "Delete generation" }).click();
    await dialog.waitFor({ state: "hidden" });
    await eventually("one generation left", async () => (await items.count()) === 1);
    assert.equal(new URL(page.url()).searchParams.get("id"), null, "nothing selected");
  });

  it("codegen: a failed generation says why, with its cause", async () => {
    // A model that answers prose only: no files, so the generation fails.
    const prose = await startFakeLlm({ text: "I would start with a plan, then write the code." });
    const failing = await startServer({
      env: { OPENAI_API_KEY: "sk-e2e-fake-provider", OPENAI_BASE_URL: `${prose.baseUrl}/v1` },
    });
    try {
      const { context, page: p } = await signedInContext(browser, failing.baseUrl, {
        viewport: { width: 1280, height: 800 },
      });
      await p.goto(`${failing.baseUrl}/codegen`);
      await p.getByRole("textbox", { name: "Describe the project" }).fill("A Rust CLI that counts words in files");
      await p.getByTestId("codegen-prompt-submit").click();
      const detail = p.getByTestId("codegen-generation");
      await eventually(
        "the generation to fail",
        async () => (await detail.getAttribute("data-status").catch(() => "")) === "failed",
        30_000,
      );
      const failure = p.getByTestId("codegen-failure");
      await failure.waitFor();
      assert.match(await text(failure), /The generation failed/);
      assert.match(await text(p.getByTestId("codegen-error-kind")), /\w+/);
      assert.equal(await p.getByTestId("codegen-download").isDisabled(), true);
      await p.screenshot({ path: path.join(shotsDir, "codegen-failed-light-desktop.png"), fullPage: true });
      await context.close();
    } finally {
      await failing.stop();
      await prose.stop();
    }
  });

  it("codegen: made no console or page errors and no request to any host but 127.0.0.1", () => {
    assert.deepEqual(watched.log.pageErrors, []);
    // The refused prompt's 422s are the browser logging a failed request, as designed.
    const refused = /status of 422 .* @ .*\/api\/v1\/(generate_code|codegen\/detect)$/;
    assert.deepEqual(
      watched.log.consoleErrors.filter((e) => !refused.test(e)),
      [],
    );
    for (const url of watched.log.requests) assert.equal(new URL(url).hostname, "127.0.0.1", url);
  });
});
