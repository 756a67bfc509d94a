// End-to-end: the coding workspace's live preview, on its test-only harness page
// (/preview-harness.html, built by `npm run build`) served by the real cistern binary, in
// headless Chromium. Prints the time to first preview of a 10-file React project (cold, warm).
// Run with `npm run build && npm run test:e2e` (CISTERN_BIN, CHROMIUM_PATH optional).
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { get } from "node:http";
import { after, before, describe, it } from "node:test";
import { launchChromium, watchedPage } from "./browser.mjs";
import { startServer } from "./server.mjs";

/** A 10-file React project in TSX: components, a hook, a util, CSS imports, index.html. */
function reactProject(title) {
  return {
    "index.html":
      '<!doctype html>\n<html lang="en">\n<head><title>App</title></head>\n<body>\n<div id="root"></div>\n<script type="module" src="/src/main.tsx"></script>\n</body>\n</html>\n',
    "src/main.tsx": [
      'import { StrictMode } from "react";',
      'import { createRoot } from "react-dom/client";',
      'import App from "./App";',
      'import "./styles.css";',
      'createRoot(document.getElementById("root")!).render(<StrictMode><App /></StrictMode>);',
      'console.log("mounted", { files: 10 });',
    ].join("\n"),
    "src/App.tsx": [
      'import { Header } from "./components/Header";',
      'import { Counter } from "./components/Counter";',
      'import { List } from "./components/List";',
      'import { Footer } from "./components/Footer";',
      "export default function App() {",
      `  return (<div><Header title=${JSON.stringify(title)} /><Counter /><List items={["a", "b"]} /><Footer /></div>);`,
      "}",
    ].join("\n"),
    "src/components/Header.tsx": [
      'import "./Header.css";',
      "export function Header({ title }: { title: string }) {",
      '  return <h1 className="header">{title}</h1>;',
      "}",
    ].join("\n"),
    "src/components/Header.css": ".header { color: rgb(0, 128, 0); }",
    "src/components/Counter.tsx": [
      'import { useCounter } from "../hooks/useCounter";',
      'import { format } from "../utils";',
      "export function Counter() {",
      "  const { count, increment } = useCounter(1);",
      "  return <button onClick={increment}>{format(count)}</button>;",
      "}",
    ].join("\n"),
    "src/components/List.tsx": [
      "export function List({ items }: { items: string[] }) {",
      "  return <ul>{items.map((i) => <li key={i}>{i}</li>)}</ul>;",
      "}",
    ].join("\n"),
    "src/components/Footer.tsx": "export const Footer = () => <footer>made offline</footer>;",
    "src/hooks/useCounter.ts": [
      'import { useCallback, useState } from "react";',
      "export function useCounter(start: number) {",
      "  const [count, setCount] = useState(start);",
      "  const increment = useCallback(() => setCount((c) => c + 1), []);",
      "  return { count, increment };",
      "}",
    ].join("\n"),
    "src/utils/index.ts": "export const format = (n: number): string => `count is ${n}`;",
    "src/styles.css": "body { font-family: sans-serif; }",
  };
}

const PREVIEW = 'iframe[title="Live preview"]';
/** The shell's and the wasm's headers are the server's: `E2E_UI=preview` (vite preview) has none. */
const SERVER_ONLY = process.env.E2E_UI === "preview" && "the policies and the gzipped wasm are the server's";

describe("live preview", { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  let context;
  let log;
  let frame;

  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    ({ context, page, log } = await watchedPage(browser));
    await page.goto(`${server.baseUrl}/preview-harness.html`);
    await page.waitForFunction(() => window.cisternPreview !== undefined);
    frame = page.frameLocator(PREVIEW);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Sets the harness's project and returns ms until `text` is visible inside the preview. */
  async function show(p, files, text) {
    const started = Date.now();
    await p.evaluate((f) => window.cisternPreview.setFiles(f), files);
    await p.frameLocator(PREVIEW).getByText(text, { exact: true }).waitFor({ timeout: 60_000 });
    return Date.now() - started;
  }

  it("renders a React project, logs its console and updates after a change", async () => {
    const cold = await show(page, reactProject("Hello from the preview"), "Hello from the preview");
    // Relative imports, index files, hooks from `react` by name, CSS imported by a component.
    await frame.getByRole("button", { name: "count is 1" }).click();
    await frame.getByRole("button", { name: "count is 2" }).waitFor();
    assert.equal(await frame.getByRole("heading").evaluate((h) => getComputedStyle(h).color), "rgb(0, 128, 0)");
    await page.getByTestId("preview-console").getByText('mounted {"files":10}').waitFor();
    assert.ok(
      (await page.evaluate(() => window.cisternPreview.console)).some((l) => l.text === 'mounted {"files":10}'),
      "onConsole got the line",
    );
    const firstBuild = await page.getByTestId("preview-status").innerText();
    const rebuild = await show(page, reactProject("Changed after a save"), "Changed after a save");
    assert.match(await page.getByTestId("preview-status").innerText(), /^Built in \d+ ms/);

    // Warm: a new page in the same browser (the wasm and React from the HTTP cache).
    const second = await context.newPage();
    await second.goto(`${server.baseUrl}/preview-harness.html`);
    await second.waitForFunction(() => window.cisternPreview !== undefined);
    const warm = await show(second, reactProject("Warm start"), "Warm start");
    await second.close();
    console.log(
      `time to first preview of a 10-file React project: cold ${cold} ms, warm (cached) ${warm} ms; ` +
        `rebuild after a change (300 ms debounce included) ${rebuild} ms; first build: ${firstBuild}`,
    );
  });

  it("names a package it cannot resolve offline, inside the preview", async () => {
    const files = reactProject("unused");
    files["src/utils/index.ts"] =
      'import { padStart } from "lodash";\nexport const format = (n: number) => padStart(String(n), 3);';
    await page.evaluate((f) => window.cisternPreview.setFiles(f), files);
    await frame.getByText("`lodash` is not available offline in the preview; vendored: react, react-dom").waitFor();
    await frame.getByText("src/utils/index.ts:1:26").waitFor();
  });

  it("shows a build error with its file and line", async () => {
    const files = reactProject("unused");
    files["src/components/List.tsx"] = "export function List() {\n  return <ul><li>one</ul>;\n}";
    await page.evaluate((f) => window.cisternPreview.setFiles(f), files);
    await frame.getByText(/^Build failed with \d+ errors?$/).waitFor();
    await frame
      .getByText(/^src\/components\/List\.tsx:2:\d+$/)
      .first()
      .waitFor();
    assert.match(await page.getByTestId("preview-status").innerText(), /^Build failed/);
  });

  it("runs a plain HTML project sandboxed, with no network and no app privileges", { skip: SERVER_ONLY }, async () => {
    const target = `${server.baseUrl}/health`;
    await page.evaluate((f) => window.cisternPreview.setFiles(f), {
      "index.html":
        '<html><head><link rel="stylesheet" href="css/site.css"></head><body><p id="out">plain</p>' +
        '<script src="js/a.js"></script><script src="js/b.js"></script></body></html>',
      "css/site.css": '@import "base.css";',
      "css/base.css": "#out { color: rgb(200, 0, 0); }",
      "js/a.js": "var message = 'plain project ran';",
      "js/b.js": [
        "document.getElementById('out').textContent = message;",
        "try { localStorage.length; console.log('storage reachable'); } catch (e) { console.log('no storage: ' + e.name); }",
        `fetch(${JSON.stringify(target)}).then(() => console.log('fetch went through'), () => console.log('fetch blocked'));`,
        "fetch('https://example.com/').then(() => console.log('remote went through'), () => console.log('remote blocked'));",
        "window.addEventListener('DOMContentLoaded', () => console.warn('loaded'));",
        "setTimeout(() => { throw new Error('boom'); });",
      ].join("\n"),
    });
    await frame.getByText("plain project ran").waitFor();
    assert.equal(await frame.locator("#out").evaluate((p) => getComputedStyle(p).color), "rgb(200, 0, 0)");
    const panel = page.getByTestId("preview-console");
    for (const line of ["no storage: SecurityError", "fetch blocked", "remote blocked", "loaded"]) {
      await panel.getByText(line, { exact: true }).waitFor();
    }
    await panel.getByText(/^Uncaught Error: boom/).waitFor();
    assert.ok(!log.requests.includes(target), "the preview's fetch never left the frame");
  });

  it(
    "serves esbuild.wasm as stored, gzipped, and inflated for a client without gzip",
    { skip: SERVER_ONLY },
    async () => {
      const name = readdirSync(new URL("../dist/assets/", import.meta.url)).find((f) => f.endsWith(".wasm.gz"));
      assert.ok(name, "the build stores esbuild's wasm gzipped");
      const url = `${server.baseUrl}/assets/${name.replace(/\.gz$/, "")}`;
      const fetchRaw = (encoding) =>
        new Promise((resolve, reject) => {
          get(url, { headers: { "accept-encoding": encoding } }, (res) => {
            let bytes = 0;
            res.on("data", (chunk) => (bytes += chunk.length));
            res.on("end", () => resolve({ headers: res.headers, bytes }));
          }).on("error", reject);
        });
      const gzipped = await fetchRaw("gzip, deflate, br");
      assert.equal(gzipped.headers["content-encoding"], "gzip");
      assert.equal(gzipped.headers["content-type"], "application/wasm");
      const plain = await fetchRaw("identity");
      assert.equal(plain.headers["content-encoding"], undefined);
      assert.ok(plain.bytes > 3 * gzipped.bytes, `${plain.bytes} inflated vs ${gzipped.bytes} stored`);
    },
  );

  it("made no request outside 127.0.0.1, and the harness page logged no errors of its own", () => {
    const outside = log.requests.filter((u) => !/^(https?:\/\/127\.0\.0\.1[:/]|blob:|data:)/.test(u));
    assert.deepEqual(outside, []);
    // The preview frame's own console (its CSP blocking the fetches above) is the project's.
    assert.deepEqual(
      log.consoleErrors.filter((e) => !/@ (blob:null\/|\S*\/preview\/shell\.html)/.test(e)),
      [],
    );
    // Its one uncaught error is the plain project's own, on purpose.
    assert.deepEqual(
      log.pageErrors.filter((e) => e !== "Error: boom"),
      [],
    );
  });
});
