// End-to-end: the real cistern binary serving the built UI, driven in headless Chromium.
// Run with `npm run build && npm run test:e2e` (CISTERN_BIN, CHROMIUM_PATH optional).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium, watchedPage } from "./browser.mjs";
import { startServer } from "./server.mjs";

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

describe("web UI served by cistern", () => {
  let server;
  let browser;
  /** Pages whose console must stay clean; every page's requests are checked. */
  const clean = [];
  const all = [];
  let page;

  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    const main = await watchedPage(browser);
    clean.push(main);
    all.push(main);
    page = main.page;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("status page shows the version and the sql and blobs checks as ok", async () => {
    const health = await (await fetch(`${server.baseUrl}/health/detailed`)).json();
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole("heading", { name: "Status", level: 1 }).waitFor();
    for (const name of ["sql", "blobs"]) {
      const row = page.locator(`tr[data-check="${name}"]`);
      await row.waitFor();
      assert.equal(await text(row.locator(".check-status")), "ok", `${name} check`);
      assert.match(await text(row.locator("td.num")), /^\d+(\.\d+)? ms$/, `${name} latency`);
    }
    assert.equal(await text(page.getByTestId("overall-status")), "ok");
    assert.match(health.version, /^\d+\.\d+\.\d+/);
    assert.equal(await text(page.getByTestId("version")), health.version);
    assert.match(await text(page.getByTestId("uptime")), /^\d+ (s|min|h|d)/);
    await page.screenshot({ path: path.join(resultsDir, "status.png"), fullPage: true });
  });

  it("menu links switch pages without reloading", async () => {
    await page.evaluate(() => (window.__sameDocument = true));
    await page.getByRole("navigation").getByRole("link", { name: "Chat" }).click();
    await page.getByRole("heading", { name: "Chat", level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/chat");
    assert.match(await text(page.getByTestId("app-summary")), /agent/);
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

    // Opening an operation shows its responses with their schemas resolved.
    await health.locator("summary").click();
    assert.match(await text(health.locator(".responses")), /200/);

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

  it("works on a narrow window without horizontal scrolling", async () => {
    const narrow = await watchedPage(browser, { width: 390, height: 844 });
    clean.push(narrow);
    all.push(narrow);
    await narrow.page.goto(`${server.baseUrl}/status`);
    await narrow.page.locator('tr[data-check="sql"]').waitFor();
    await narrow.page.getByRole("navigation").getByRole("link", { name: "API reference" }).waitFor();
    const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
    await narrow.page.screenshot({ path: path.join(resultsDir, "status-narrow.png"), fullPage: true });
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
    assert.equal(await text(bad.page.getByTestId("overall-status")), "degraded");
    assert.equal(await text(bad.page.locator('tr[data-check="blobs"] .check-status')), "error");
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
