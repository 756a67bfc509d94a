// Every page, the same checks: an axe-core accessibility scan in light and dark (no serious or
// critical violation), no horizontal scrolling at 390 × 844, the no-provider banner on the pages
// that need a model, sign-in with the keyboard alone — and a screenshot of each page in each
// theme and width, written to ../target/ui-screenshots/ for a person to look at (not committed).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium, watchedPage } from "./browser.mjs";
import { startServer } from "./server.mjs";
import { axeViolations } from "./axe.mjs";

const webDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const shotsDir = path.resolve(webDir, process.env.CARGO_TARGET_DIR ?? "../target", "ui-screenshots");

const EMAIL = "grace@example.com";
const PASSWORD = "correct horse battery";

/** Every page a user can open, with whether it needs a signed-in user and a model. */
const PAGES = [
  { path: "/status", name: "status" },
  { path: "/api-docs", name: "api-docs" },
  { path: "/login", name: "login", signedOut: true },
  { path: "/chat", name: "chat", llm: true },
  { path: "/extensions", name: "extensions", llm: true },
  { path: "/codegen", name: "codegen", llm: true },
  { path: "/agent", name: "agent" },
  { path: "/sage", name: "sage" },
  { path: "/keys", name: "keys" },
  { path: "/usage", name: "usage" },
  { path: "/llm-calls", name: "llm-calls" },
  { path: "/jobs", name: "jobs" },
  { path: "/audit", name: "audit" },
  { path: "/no-such-page", name: "not-found" },
];

const VIEWPORTS = { desktop: { width: 1400, height: 900 }, phone: { width: 390, height: 844 } };

/** Sign in through the form with the keyboard alone: Tab to each field, Enter to submit. */
async function signInWithKeyboard(page, baseUrl) {
  await page.goto(`${baseUrl}/login`);
  const email = page.getByLabel("Email", { exact: true });
  await email.waitFor();
  await page.keyboard.press("Tab");
  // Tab from the top of the page until the email field has focus (skip link, header, mode switch).
  for (let i = 0; i < 25 && !(await email.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  assert.ok(await email.evaluate((el) => el === document.activeElement), "Tab reaches the email field");
  await page.keyboard.type(EMAIL);
  await page.keyboard.press("Tab");
  const password = page.getByLabel("Password", { exact: true });
  assert.ok(await password.evaluate((el) => el === document.activeElement), "Tab moves on to the password");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 10_000 });
}

/** Load a page and wait until it has settled (data loaded, no skeletons left). */
async function open(page, baseUrl, p) {
  await page.goto(`${baseUrl}${p}`);
  await page.waitForLoadState("networkidle");
  await page
    .locator("[aria-busy=true]")
    .first()
    .waitFor({ state: "detached", timeout: 10_000 })
    .catch(() => {});
  await page.locator("h1").first().waitFor();
}

describe("every page", () => {
  let server;
  let browser;
  const contexts = {};
  const findings = [];

  before(async () => {
    mkdirSync(shotsDir, { recursive: true });
    // No LLM provider: the model-backed pages must say so up front.
    server = await startServer({
      env: { OPENAI_API_KEY: "", OPENAI_BASE_URL: "", ANTHROPIC_API_KEY: "", GEMINI_API_KEY: "", OLLAMA_HOST: "" },
    });
    browser = await launchChromium();
    const reg = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    assert.equal(reg.status, 201, await reg.text());
    for (const colorScheme of ["light", "dark"]) {
      for (const [width, viewport] of Object.entries(VIEWPORTS)) {
        const watched = await watchedPage(browser, viewport);
        await watched.page.emulateMedia({ colorScheme });
        contexts[`${colorScheme}-${width}`] = watched;
      }
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("signs in with the keyboard alone (Tab, type, Enter)", async () => {
    for (const { page } of Object.values(contexts)) await signInWithKeyboard(page, server.baseUrl);
  });

  for (const p of PAGES) {
    it(`${p.path}: no serious or critical axe violation in light or dark; no horizontal scroll on a phone`, async () => {
      for (const [key, { page }] of Object.entries(contexts)) {
        if (p.signedOut) await page.evaluate(() => localStorage.removeItem("cistern.session"));
        await open(page, server.baseUrl, p.path);
        await page.screenshot({ path: path.join(shotsDir, `${p.name}-${key}.png`), fullPage: true });
        if (key.endsWith("desktop")) {
          for (const v of await axeViolations(page)) findings.push(`${p.path} [${key}] ${v}`);
        } else {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `${p.path} [${key}] scrolls sideways by ${overflow}px`);
        }
        if (p.llm) {
          const banner = page.getByTestId("provider-banner");
          await banner.waitFor({ timeout: 10_000 });
          assert.match(await banner.innerText(), /No LLM provider is configured[\s\S]*OPENAI_API_KEY/);
        }
        if (p.signedOut) await signInWithKeyboard(page, server.baseUrl);
      }
      assert.deepEqual(
        findings.filter((f) => f.startsWith(`${p.path} `)),
        [],
      );
    });
  }

  it("the theme switch flips light and dark and is remembered across a reload", async () => {
    const { page } = contexts["light-desktop"];
    await open(page, server.baseUrl, "/status");
    const scheme = () => page.evaluate(() => document.documentElement.getAttribute("data-mantine-color-scheme"));
    assert.equal(await scheme(), "light", "follows the system at first");
    await page.getByTestId("theme-toggle").click();
    assert.equal(await scheme(), "dark");
    await page.reload();
    assert.equal(await scheme(), "dark", "the choice survives a reload");
    await page.getByTestId("theme-toggle").click();
    assert.equal(await scheme(), "light");
  });

  it("on a phone the navigation is a drawer that traps focus and closes on Escape", async () => {
    const { page } = contexts["light-phone"];
    await open(page, server.baseUrl, "/status");
    assert.equal(await page.getByRole("navigation", { name: "Main" }).isVisible(), false, "no side bar on a phone");
    await page.getByRole("button", { name: "Open navigation" }).click();
    const drawer = page.getByRole("dialog");
    await drawer.waitFor();
    assert.deepEqual(await axeViolations(page), [], "the open drawer passes axe too");
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      assert.ok(await drawer.evaluate((d) => d.contains(document.activeElement)), "focus stays in the drawer");
    }
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "hidden" });
    await page.getByRole("button", { name: "Open navigation" }).click();
    await page.getByRole("dialog").getByRole("link", { name: "Usage" }).click();
    await page.waitForURL((u) => u.pathname === "/usage");
    await page.getByRole("dialog").waitFor({ state: "hidden" });
  });

  it("with no provider but the built-in model, the model pages name it instead of warning", async (t) => {
    // scripts/test.sh fetches the default model and exports its path; without it, say so.
    const model = process.env.CISTERN_TEST_LOCAL_MODEL;
    if (!model) {
      t.skip("CISTERN_TEST_LOCAL_MODEL is not set (scripts/test.sh sets it)");
      return;
    }
    const local = await startServer({
      args: ["--model", model],
      env: { OPENAI_API_KEY: "", OPENAI_BASE_URL: "", ANTHROPIC_API_KEY: "", GEMINI_API_KEY: "", OLLAMA_HOST: "" },
    });
    try {
      const health = await (await fetch(`${local.baseUrl}/health/detailed`)).json();
      assert.ok(health.llm.default_model, `the local model answers: ${JSON.stringify(health.llm)}`);
      await fetch(`${local.baseUrl}/api/v1/auth/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      });
      const { page, context } = await watchedPage(browser);
      await signInWithKeyboard(page, local.baseUrl);
      for (const p of ["/chat", "/extensions", "/codegen"]) {
        await open(page, local.baseUrl, p);
        const banner = page.getByTestId("local-model-banner");
        await banner.waitFor({ timeout: 10_000 });
        assert.ok((await banner.innerText()).includes(health.llm.default_model));
        assert.equal(await page.getByTestId("provider-banner").count(), 0, "no 'no provider' warning");
        assert.deepEqual(await axeViolations(page), []);
      }
      await context.close();
    } finally {
      await local.stop();
    }
  });

  it("made no console or page errors and no request to any host but 127.0.0.1", () => {
    for (const { log } of Object.values(contexts)) {
      assert.deepEqual(log.pageErrors, []);
      assert.deepEqual(log.consoleErrors, []);
      for (const url of log.requests) assert.equal(new URL(url).hostname, "127.0.0.1", url);
    }
  });
});
