// End-to-end: Sage (/sage) on the real cistern binary and the fake provider, in headless
// Chromium. A project from the dialog; two pasted ingests (calm, then a burst of errors) scored
// with their band and factors; the 30-day chart with both points and a tooltip; a log file
// uploaded; the templates with the new ones marked; today's forecast with its three actions,
// marked accurate; alert settings refused on the field and then saved; a project deleted.
// Throughout: nothing but 127.0.0.1 is asked for, no console error, axe finds nothing serious;
// screenshots in light and dark, desktop and phone, with no sideways scroll on the phone.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { launchChromium } from "./browser.mjs";
import { signedInContext } from "./screens.mjs";
import { startFakeLlm, startServer } from "./server.mjs";
import { axeViolations } from "./axe.mjs";

const webDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const shotsDir = path.resolve(webDir, process.env.CARGO_TARGET_DIR ?? "../target", "ui-screenshots");

const EMAIL = "margaret@example.com";
const PASSWORD = "correct horse battery";

/** The fake model's one reply: a forecast as the forecast job's JSON schema asks for it. */
const FORECAST = {
  outlook: "medium",
  forecast:
    "Errors from the payments database rose sharply in the last ingest; expect more timeouts at the evening peak.",
  actions: [
    { title: "Check the database pool", detail: "Connections were refused 40 times in a minute.", priority: "high" },
    { title: "Watch checkout latency", detail: "p95 was above 900 ms during the burst.", priority: "medium" },
    { title: "Review the new error template", detail: "It first appeared today.", priority: "low" },
  ],
};

const pad = (n) => String(n).padStart(2, "0");
/** `count` lines of an ordinary web service minute by minute from `start` (minutes after 08:00). */
function calmLogs(count, start = 0) {
  const lines = [];
  for (let i = 0; i < count; i++) {
    const m = start + i;
    const at = `2026-12-07T${pad(8 + Math.floor(m / 60))}:${pad(m % 60)}:${pad((i * 7) % 60)}Z`;
    const ms = 20 + ((i * 13) % 60);
    if (i % 10 === 9) lines.push(`${at} WARN  cache  slow cache refill for key user:${1000 + i} took ${ms * 5} ms`);
    else if (i % 3 === 0) lines.push(`${at} INFO  http   GET /api/orders/${4000 + i} 200 ${ms}ms`);
    else if (i % 3 === 1) lines.push(`${at} INFO  http   POST /api/checkout 201 ${ms + 30}ms`);
    else lines.push(`${at} INFO  worker job email.send id=${9000 + i} done in ${ms}ms`);
  }
  return lines;
}
const CALM = calmLogs(60).join("\n");
/** The same service, then a burst of database errors and slow requests. */
const BURST = [
  ...calmLogs(20, 60),
  ...Array.from({ length: 40 }, (_, i) => {
    const at = `2026-12-07T09:${pad(20 + Math.floor(i / 20))}:${pad((i * 3) % 60)}Z`;
    return i % 4 === 3
      ? `${at} INFO  http   POST /api/checkout 503 ${2400 + i * 10}ms`
      : `${at} ERROR db     connection refused to payments-db:5432 (pool exhausted, 50/50 in use) attempt=${i}`;
  }),
].join("\n");
/** A rotated log file from the same service. */
const FILE_LOGS = calmLogs(30, 120).join("\n") + "\n";

/** Poll until `fn` returns a truthy value; fail with `what` after `ms`. */
async function eventually(what, fn, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`timed out waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

describe("Sage (/sage)", () => {
  let server;
  let fakeLlm;
  let browser;
  let context;
  let page;
  let token;
  let projectId;
  const consoleErrors = [];
  const requests = [];

  const api = async (method, p, body) => {
    const r = await fetch(`${server.apiUrl ?? server.baseUrl}${p}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: r.status === 204 ? undefined : await r.json() };
  };
  const apiGet = async (p) => {
    const r = await api("GET", p);
    assert.equal(r.status, 200, `GET ${p}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const watch = (c, p) => {
    c.on("request", (req) => requests.push(req.url()));
    p.on("console", (msg) => {
      if (msg.type() === "error") consoleErrors.push(`${msg.text()} @ ${msg.location().url}`);
    });
    p.on("pageerror", (err) => consoleErrors.push(String(err)));
  };
  const ingestByPaste = async (logs) => {
    const before = await page.getByTestId("sage-ingest-row").count();
    await page.getByTestId("sage-paste").fill(logs);
    await page.getByTestId("sage-paste-submit").click();
    await page.getByTestId("sage-ingested").waitFor();
    await eventually("the new ingest's row", async () => (await page.getByTestId("sage-ingest-row").count()) > before);
  };

  before(async () => {
    fakeLlm = await startFakeLlm({ text: JSON.stringify(FORECAST) });
    server = await startServer({
      env: {
        OPENAI_API_KEY: "sk-e2e-fake-provider",
        OPENAI_BASE_URL: `${fakeLlm.baseUrl}/v1`,
        CISTERN_RATE_LIMIT__AUTH__BURST: "1000",
      },
    });
    browser = await launchChromium();
    ({ context, page } = await signedInContext(browser, server.baseUrl, {
      email: EMAIL,
      viewport: { width: 1400, height: 900 },
      colorScheme: "light",
    }));
    watch(context, page);
    const r = await fetch(`${server.apiUrl ?? server.baseUrl}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    token = (await r.json()).access_token;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await fakeLlm?.stop();
  });

  it("creates a project from the dialog; it opens with no score yet and asks for logs", async () => {
    await page.goto(`${server.baseUrl}/sage`);
    await page.getByTestId("sage-empty").waitFor();
    assert.deepEqual(await axeViolations(page), [], "the empty list passes axe");
    await page.getByTestId("sage-new").first().click();
    const dialog = page.getByRole("dialog", { name: "New project" });
    await dialog.getByLabel("Name").fill("checkout-api");
    await dialog.getByLabel("Description").fill("The checkout service's application logs");
    await dialog.getByTestId("sage-project-save").click();
    const project = page.getByTestId("sage-project");
    await project.waitFor();
    projectId = await project.getAttribute("data-id");
    assert.equal(new URL(page.url()).pathname, `/sage/${projectId}`);
    await page.getByRole("heading", { name: "checkout-api", level: 1 }).waitFor();
    await page.getByTestId("sage-no-score").waitFor();
    await page.getByTestId("sage-forecast-none").filter({ hasText: "Ingest logs to get a forecast" }).waitFor();
    await page.getByTestId("sage-chart-empty").waitFor();
    const stored = await apiGet(`/api/v1/sage/projects/${projectId}`);
    assert.equal(stored.name, "checkout-api");
    assert.equal(stored.ingests, 0);
    assert.deepEqual(await axeViolations(page), [], "the new project passes axe");
  });

  it("scores pasted logs, then a burst of errors higher: the score, band, labels and factors, and the chart's two points", async () => {
    await ingestByPaste(CALM);
    const first = (await apiGet(`/api/v1/sage/projects/${projectId}/ingests`)).items[0];
    assert.equal(first.source, "paste");
    assert.equal(first.lines, 60);
    assert.equal(await page.getByTestId("sage-score").textContent(), String(first.score));

    await ingestByPaste(BURST);
    const second = (await apiGet(`/api/v1/sage/projects/${projectId}/ingests`)).items[0];
    assert.notEqual(second.id, first.id);
    assert.ok(second.score > first.score, `the burst scores higher (${second.score} > ${first.score})`);
    const shown = page.getByTestId("sage-score");
    await eventually("the burst's score", async () => (await shown.textContent()) === String(second.score));
    const band = second.score >= 60 ? "high" : second.score >= 30 ? "medium" : "low";
    assert.equal(
      await page.locator("[data-testid=sage-risk-panel] [data-testid=sage-band]").getAttribute("data-band"),
      band,
    );
    // Every label of the score is a badge; every factor a row with its points and sentence.
    for (const label of second.labels) {
      await page.getByTestId("sage-labels").getByText(label, { exact: true }).waitFor();
    }
    const factors = page.getByTestId("sage-factor");
    assert.ok((await factors.count()) > 0, "the burst has factors");
    assert.match(await factors.first().innerText(), /\+\d+(\.\d)? pts?\s+\S/);

    const chart = page.getByTestId("sage-chart");
    await eventually(
      "two points on the chart",
      async () => (await chart.getAttribute("data-points").catch(() => null)) === "2",
    );
    const history = await apiGet(`/api/v1/sage/projects/${projectId}/risk-history?days=30`);
    assert.deepEqual(
      history.points.map((p) => p.score),
      [first.score, second.score],
    );
    // Hovering the right end of the plot shows the latest point: its time, score and labels.
    const surface = chart.locator(".recharts-surface");
    await surface.scrollIntoViewIfNeeded();
    const box = await surface.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width - 12, box.y + box.height / 2, { steps: 8 });
    const tip = page.getByTestId("sage-chart-tooltip");
    await tip.waitFor();
    const tipText = await tip.innerText();
    assert.match(tipText, new RegExp(`\\b${second.score}\\b`));
    for (const label of second.labels) assert.ok(tipText.includes(label), `${label} in the tooltip: ${tipText}`);
    mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, "sage-scored-light-desktop.png"), fullPage: true });
    await page.mouse.move(0, 0);
    assert.deepEqual(await axeViolations(page), [], "the scored project passes axe");
  });

  it("uploads a log file as text/plain; the ingest history lists all three, newest first", async () => {
    const chooser = page.waitForEvent("filechooser");
    await page.getByTestId("sage-file").click();
    await (await chooser).setFiles({ name: "checkout.log.1", mimeType: "", buffer: Buffer.from(FILE_LOGS) });
    await page.getByTestId("sage-ingested").filter({ hasText: "30 lines scored" }).waitFor();
    const rows = page.getByTestId("sage-ingest-row");
    await eventually("three ingests listed", async () => (await rows.count()) === 3);
    const listed = (await apiGet(`/api/v1/sage/projects/${projectId}/ingests`)).items;
    assert.deepEqual(
      listed.map((i) => [i.source, i.lines]),
      [
        ["text", 30],
        ["paste", 60],
        ["paste", 60],
      ],
    );
    assert.deepEqual(
      await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id"))),
      listed.map((i) => i.id),
    );
    // A file that is not plain text is refused before anything is sent.
    const refused = page.waitForEvent("filechooser");
    await page.getByTestId("sage-file").click();
    await (
      await refused
    ).setFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from([137, 80, 78, 71]) });
    await page.getByRole("alert").filter({ hasText: "photo.png is not a plain-text log" }).waitFor();
    assert.equal((await apiGet(`/api/v1/sage/projects/${projectId}/ingests`)).items.length, 3);
  });

  it("shows the upload's progress on a slow link, then the new score", async () => {
    // 1.2 MB at 400 KB/s: the bar is seen moving before the answer.
    const big = calmLogs(14_000, 180).join("\n") + "\n";
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 400_000,
    });
    const chooser = page.waitForEvent("filechooser");
    await page.getByTestId("sage-file").click();
    await (await chooser).setFiles({ name: "big.log", mimeType: "text/plain", buffer: Buffer.from(big) });
    const bar = page.getByTestId("sage-progress").getByRole("progressbar");
    await page
      .getByTestId("sage-progress")
      .getByText(/Uploading big\.log/)
      .waitFor();
    const seen = await eventually("a partial upload", async () => {
      const v = Number(await bar.getAttribute("aria-valuenow").catch(() => "0"));
      return v > 0 && v < 100 ? v : 0;
    });
    assert.ok(seen > 0 && seen < 100, `progress ${seen}`);
    await page.getByTestId("sage-ingested").filter({ hasText: "14,000 lines scored" }).waitFor({ timeout: 30_000 });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await cdp.detach();
    assert.equal((await apiGet(`/api/v1/sage/projects/${projectId}/ingests`)).items[0].lines, 14_000);
  });

  it("renames the project from its settings", async () => {
    await page.getByTestId("sage-settings").click();
    const dialog = page.getByRole("dialog", { name: "Project settings" });
    await dialog.getByLabel("Name").fill("checkout-api (prod)");
    await dialog.getByTestId("sage-project-save").click();
    await page.getByRole("heading", { name: "checkout-api (prod)", level: 1 }).waitFor();
    assert.equal((await apiGet(`/api/v1/sage/projects/${projectId}`)).name, "checkout-api (prod)");
  });

  it("lists the templates with counts and an example line; the new ones are marked", async () => {
    const templates = await apiGet(`/api/v1/sage/projects/${projectId}/templates`);
    const table = page.getByTestId("sage-templates");
    await table.waitFor();
    assert.equal(await table.getByTestId("sage-template").count(), templates.top.length);
    const newOnes = templates.top.filter((t) => templates.new.some((n) => n.template === t.template));
    assert.ok(newOnes.length > 0, "templates first seen today are new");
    assert.equal(await table.locator("[data-testid=sage-template][data-new=true]").count(), newOnes.length);
    const db = templates.top.find((t) => t.errors > 0);
    assert.ok(db, "an error template");
    const row = table.getByTestId("sage-template").filter({ hasText: db.template });
    await row.getByText(db.example, { exact: true }).waitFor();
    const font = await row.getByText(db.example, { exact: true }).evaluate((el) => getComputedStyle(el).fontFamily);
    assert.match(font, /mono/i);
  });

  it("shows today's forecast with three actions, and records it as accurate", async () => {
    await page.reload();
    const outlook = page.getByTestId("sage-outlook");
    await outlook.waitFor({ timeout: 30_000 });
    assert.equal(await outlook.getAttribute("data-outlook"), "medium");
    const body = page.getByTestId("sage-forecast-body");
    await body.getByText(FORECAST.forecast).waitFor();
    const actions = body.getByTestId("sage-action");
    assert.equal(await actions.count(), 3);
    for (const [i, a] of FORECAST.actions.entries()) {
      const text = await actions.nth(i).innerText();
      assert.ok(text.includes(a.title) && text.includes(a.detail), text);
      assert.match(text, new RegExp(a.priority, "i"));
    }
    await page.getByLabel("Was it right? (optional comment)").fill("the pool ran dry at 18:00");
    await page.getByTestId("sage-accurate").click();
    const feedback = page.getByTestId("sage-feedback");
    await feedback.waitFor();
    assert.equal(await feedback.getAttribute("data-accurate"), "true");
    assert.match(await feedback.innerText(), /accurate: “the pool ran dry at 18:00”/);
    const stored = await apiGet(`/api/v1/sage/projects/${projectId}/forecast`);
    assert.equal(stored.feedback?.accurate, true);
    assert.equal(stored.feedback?.comment, "the pool ran dry at 18:00");
    assert.deepEqual(await axeViolations(page), [], "the forecast passes axe");
  });

  it("alert settings: a bad webhook is refused on its field, good ones are saved", async () => {
    const form = page.getByTestId("sage-alert-form");
    await form.getByLabel("Threshold").fill("70");
    await form.getByLabel("Webhook URL").fill("ftp://hooks.example.com/x");
    await form.getByTestId("sage-alert-save").click();
    const webhook = form.getByLabel("Webhook URL");
    await eventually("the webhook marked invalid", async () => (await webhook.getAttribute("aria-invalid")) === "true");
    const described = await webhook.getAttribute("aria-describedby");
    assert.ok(described, "the error describes the field");
    assert.match(await page.locator(`[id="${described.split(" ").pop()}"]`).innerText(), /http/);
    assert.equal((await apiGet(`/api/v1/sage/projects/${projectId}`)).alert_webhook ?? null, null);
    assert.deepEqual(await axeViolations(page), [], "the field error passes axe");

    await webhook.fill("http://127.0.0.1:9/hooks/sage");
    await form.getByLabel("At most one alert per").fill("3600");
    await form.getByTestId("sage-alert-save").click();
    await form.getByTestId("sage-alert-saved").waitFor();
    const saved = await apiGet(`/api/v1/sage/projects/${projectId}`);
    assert.equal(saved.alert_threshold, 70);
    assert.equal(saved.alert_webhook, "http://127.0.0.1:9/hooks/sage");
    assert.equal(saved.alert_interval_secs, 3600);
  });

  it("lists the projects as cards with their latest score; deletes one after confirming", async () => {
    const scratch = await api("POST", "/api/v1/sage/projects", { name: "scratch", description: "to delete" });
    assert.equal(scratch.status, 201);
    await page.goto(`${server.baseUrl}/sage`);
    const cards = page.getByTestId("sage-project-card");
    await eventually("two cards", async () => (await cards.count()) === 2);
    const last = (await apiGet(`/api/v1/sage/projects/${projectId}`)).last_score;
    const card = page.locator(`[data-testid=sage-project-card][data-id="${projectId}"]`);
    assert.equal(await card.getByTestId("sage-card-score").textContent(), String(last));
    assert.deepEqual(await axeViolations(page), [], "the project cards pass axe");

    await page.locator(`[data-testid=sage-project-card][data-id="${scratch.body.id}"]`).click();
    await page.getByRole("heading", { name: "scratch", level: 1 }).waitFor();
    await page.getByTestId("sage-delete").click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete project" }).click();
    await page.waitForURL((u) => u.pathname === "/sage");
    await eventually("one card left", async () => (await cards.count()) === 1);
    assert.equal((await api("GET", `/api/v1/sage/projects/${scratch.body.id}`)).status, 404);
  });

  it("fits a phone without sideways scrolling; screenshots in light and dark, desktop and phone", async () => {
    mkdirSync(shotsDir, { recursive: true });
    for (const colorScheme of ["light", "dark"]) {
      for (const [name, viewport] of Object.entries({
        desktop: { width: 1400, height: 900 },
        phone: { width: 390, height: 844 },
      })) {
        const { context: c, page: p } = await signedInContext(browser, server.baseUrl, {
          email: EMAIL,
          viewport,
          colorScheme,
        });
        watch(c, p);
        await p.goto(`${server.baseUrl}/sage`);
        await p.getByTestId("sage-project-card").first().waitFor();
        await p.screenshot({ path: path.join(shotsDir, `sage-list-${colorScheme}-${name}.png`), fullPage: true });
        await p.goto(`${server.baseUrl}/sage/${projectId}`);
        await p.getByTestId("sage-chart").waitFor();
        await p.getByTestId("sage-templates").waitFor();
        await p.waitForLoadState("networkidle");
        await p.waitForTimeout(400);
        await p.screenshot({ path: path.join(shotsDir, `sage-project-${colorScheme}-${name}.png`), fullPage: true });
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `no sideways scroll at ${name} (${overflow} px)`);
        assert.deepEqual(await axeViolations(p), [], `axe, project, ${colorScheme} ${name}`);
        await c.close();
      }
    }
  });

  it("asked nothing but 127.0.0.1 and logged no console error", () => {
    assert.ok(requests.length > 0);
    for (const url of requests) {
      const u = new URL(url);
      if (u.protocol === "data:" || u.protocol === "blob:") continue;
      assert.equal(u.hostname, "127.0.0.1", url);
    }
    // The one error the journey provokes on purpose: the refused webhook's 422.
    const expected = (e) => /status of 422/.test(e) && /\/api\/v1\/sage\/projects\/[^/]+$/.test(e);
    assert.equal(consoleErrors.filter(expected).length, 1, consoleErrors.join("\n"));
    assert.deepEqual(
      consoleErrors.filter((e) => !expected(e)),
      [],
    );
  });
});
