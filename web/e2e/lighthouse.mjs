// Lighthouse scores of UI pages, signed in, against Debian's Chromium and the real server.
// Not a test (scores are figures, recorded in docs/benchmarks.md): run `scripts/bench_ui.sh`,
// which installs Lighthouse outside the clone and sets LIGHTHOUSE_DIR.
// Usage: node e2e/lighthouse.mjs /chat /extensions
import path from "node:path";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

const lighthouseDir = process.env.LIGHTHOUSE_DIR;
if (!lighthouseDir) throw new Error("set LIGHTHOUSE_DIR (scripts/bench_ui.sh does)");
const { default: lighthouse } = await import(path.join(lighthouseDir, "node_modules/lighthouse/core/index.js"));
const { launch } = await import(path.join(lighthouseDir, "node_modules/chrome-launcher/dist/index.js"));

const paths = process.argv.slice(2);
const server = await startServer({ env: { CISTERN_RATE_LIMIT__AUTH__BURST: "1000" } });
const chrome = await launch({
  chromePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
});
try {
  // Sign in once through the UI in the same browser profile; Lighthouse keeps the storage.
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
  const page = await browser.contexts()[0].newPage();
  const credentials = { email: "lighthouse@example.com", password: "correct horse battery" };
  const reg = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(credentials),
  });
  if (!reg.ok) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  await page.goto(`${server.baseUrl}/login`);
  await page.getByLabel("Email", { exact: true }).fill(credentials.email);
  await page.getByLabel("Password", { exact: true }).fill(credentials.password);
  await page.locator("form button[type=submit]").first().click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  await page.close();

  const categories = ["performance", "accessibility", "best-practices"];
  console.log(`| page | ${categories.join(" | ")} |\n|---|${categories.map(() => "--:").join("|")}|`);
  for (const p of paths) {
    const result = await lighthouse(`${server.baseUrl}${p}`, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: categories,
      disableStorageReset: true,
      formFactor: "desktop",
      screenEmulation: { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false },
      throttlingMethod: "provided",
    });
    const scores = categories.map((c) => Math.round((result.lhr.categories[c]?.score ?? 0) * 100));
    console.log(`| ${p} | ${scores.join(" | ")} |`);
    for (const c of ["accessibility", "best-practices"]) {
      for (const ref of result.lhr.categories[c].auditRefs) {
        const audit = result.lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1)
          console.error(`  ${p} ${c}: ${audit.id} — ${audit.title}`);
      }
    }
  }
  await browser.close();
} finally {
  chrome.kill();
  await server.stop();
}
