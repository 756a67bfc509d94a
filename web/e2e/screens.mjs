// Screenshots of UI pages in light and dark, desktop and phone width, for a person to look at.
// Usage: node e2e/screens.mjs <outDir> <path>... (starts its own server; E2E_UI=preview works).
// Signs up a fresh account first, so signed-in pages render. Not a test: it asserts nothing.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { launchChromium } from "./browser.mjs";
import { startServer } from "./server.mjs";

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

/** Register `email` through the API and store the session the way the UI does. */
export async function signedInContext(browser, baseUrl, { colorScheme, viewport, email = "shots@example.com" }) {
  const body = JSON.stringify({ email, password: "correct horse battery" });
  const headers = { "Content-Type": "application/json" };
  let r = await fetch(`${baseUrl}/api/v1/auth/register`, { method: "POST", headers, body });
  if (r.status === 409) r = await fetch(`${baseUrl}/api/v1/auth/login`, { method: "POST", headers, body });
  const context = await browser.newContext({ colorScheme, viewport });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
  await page.locator("form button[type=submit]").first().click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 10_000 });
  if (!r.ok) throw new Error(`could not register/sign in ${email}: ${r.status}`);
  return { context, page };
}

/** Shoot each path in both schemes at both widths into `outDir`. */
export async function shoot(browser, baseUrl, outDir, paths) {
  mkdirSync(outDir, { recursive: true });
  for (const colorScheme of ["light", "dark"]) {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const { context, page } = await signedInContext(browser, baseUrl, { colorScheme, viewport });
      for (const p of paths) {
        await page.goto(`${baseUrl}${p}`);
        await page.waitForLoadState("networkidle");
        await page.waitForTimeout(300);
        const file = `${p.replace(/[^a-z0-9]+/gi, "_").replace(/^_|_$/g, "") || "root"}-${colorScheme}-${name}.png`;
        await page.screenshot({ path: path.join(outDir, file), fullPage: true });
      }
      await context.close();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [outDir, ...paths] = process.argv.slice(2);
  const server = await startServer({ env: { CISTERN_RATE_LIMIT__AUTH__BURST: "1000" } });
  const browser = await launchChromium();
  try {
    await shoot(browser, server.baseUrl, outDir, paths.length ? paths : ["/status"]);
  } finally {
    await browser.close();
    await server.stop();
  }
}
