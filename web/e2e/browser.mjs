// Debian's Chromium driven by playwright-core; no browser is ever downloaded.
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    // The background-networking flags keep Chromium from calling home on a closed network.
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/**
 * A page that records what a user would call breakage: console errors, uncaught exceptions,
 * and every request (to prove the UI talks to nothing but the server that served it).
 */
export async function watchedPage(browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const log = { consoleErrors: [], pageErrors: [], requests: [] };
  page.on("console", (msg) => {
    if (msg.type() === "error") log.consoleErrors.push(`${msg.text()} @ ${msg.location().url}`);
  });
  page.on("pageerror", (err) => log.pageErrors.push(String(err)));
  // On the context, so requests from every page and worker are counted.
  context.on("request", (req) => log.requests.push(req.url()));
  return { context, page, log };
}
