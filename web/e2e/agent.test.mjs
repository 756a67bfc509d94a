// End-to-end: the coding workspace (/agent) on the real cistern binary and the fake provider,
// in headless Chromium. A workspace from a ZIP; an edit saved with Ctrl+S (a snapshot over the
// API); a patch task's hunks, one accepted and one rejected with a reason; an explain task's
// Markdown; a restore; a file edited while its task ran shown merged and accepted merged, and
// an overlapping edit shown as conflicts (the accept's 409); the preview following a save and
// an accept. Throughout: nothing but 127.0.0.1 is asked for, no console error but that 409,
// and axe finds nothing serious. Also prints the time from opening /agent to an editable file.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { crc32 } from "node:zlib";
import { launchChromium } from "./browser.mjs";
import { signedInContext } from "./screens.mjs";
import { startFakeLlm, startServer } from "./server.mjs";
import { axeViolations } from "./axe.mjs";

const webDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const shotsDir = path.resolve(webDir, process.env.CARGO_TARGET_DIR ?? "../target", "ui-screenshots");

const EMAIL = "linus@example.com";
const PASSWORD = "correct horse battery";

/** The project in the ZIP: two functions far enough apart to be two hunks of one diff. */
const APP = [
  "def greet(name):",
  '    return "hello " + name',
  "",
  "",
  "def shout(text):",
  '    """Upper-case text."""',
  "    return text.upper()",
  "",
  "",
  "def farewell(name):",
  '    return "bye " + name',
  "",
  "",
  'if __name__ == "__main__":',
  '    print(greet("ada"), farewell("ada"))',
  "",
].join("\n");
const EDIT = "# edited in the browser";

/**
 * The fake model's one reply: Markdown, then two SEARCH/REPLACE blocks for app.py and one for
 * src/name.js (the preview's accepted change).
 */
const REPLY = [
  "## What changed",
  "",
  "- `greet` now says **HELLO**",
  "- `farewell` now says **BYE**",
  "",
  "app.py",
  "<<<<<<< SEARCH",
  '    return "hello " + name',
  "=======",
  '    return "HELLO " + name',
  ">>>>>>> REPLACE",
  "",
  "app.py",
  "<<<<<<< SEARCH",
  '    return "bye " + name',
  "=======",
  '    return "BYE " + name',
  ">>>>>>> REPLACE",
  "",
  "src/name.js",
  "<<<<<<< SEARCH",
  'export let NAME = "workspace";',
  "=======",
  'export let NAME = "agent";',
  ">>>>>>> REPLACE",
  "",
].join("\n");
/** The project's name module (the preview's React app, added later, shows it). */
const NAME_JS = 'export let NAME = "workspace";\n';

/** A ZIP of `files` (stored, not deflated): enough for the server's reader. */
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, "utf8");
    const fileName = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

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

/** Milliseconds from the navigation's start until Monaco shows `text` in an editable editor. */
async function timeToEditable(page, url, text) {
  await page.goto(url);
  await page.waitForFunction(
    (t) => {
      // The workspace's editor is never read-only: showing the file is being able to type in it.
      const lines = document.querySelector("[data-testid=agent-editor] .monaco-editor .view-lines");
      return lines?.textContent?.includes(t);
    },
    text,
    { polling: 50, timeout: 60_000 },
  );
  return page.evaluate(() => Math.round(performance.now()));
}

describe("coding workspace (/agent)", () => {
  let server;
  let fakeLlm;
  let browser;
  let context;
  let page;
  let token;
  const consoleErrors = [];
  const requests = [];
  let workspaceId;

  const apiGet = async (p) => {
    const r = await fetch(`${server.baseUrl}${p}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200, `GET ${p}`);
    return r.json();
  };
  const apiPut = async (p, content) => {
    const r = await fetch(`${server.baseUrl}/api/v1/workspaces/${workspaceId}/files/${p}`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ content }),
    });
    assert.equal(r.status, 200, `PUT ${p}`);
  };
  /** Runs a patch task from the AI panel; its review once every hunk is listed. */
  const runPatch = async (prompt, hunkCount) => {
    const shown = page.getByTestId("agent-review");
    const before = (await shown.count()) > 0 ? await shown.getAttribute("data-task") : null;
    await page.getByTestId("agent-mode").click();
    await page.getByRole("option", { name: "Change the code" }).click();
    await page.getByTestId("agent-prompt").fill(prompt);
    await page.getByTestId("agent-run").click();
    const review = page.locator(`[data-testid=agent-review]:not([data-task="${before}"])`);
    await review.waitFor({ timeout: 30_000 });
    await eventually(
      "the proposal's hunks",
      async () => (await review.getByTestId("agent-hunk").count()) === hunkCount,
    );
    return review;
  };
  const fileText = async (path) => (await apiGet(`/api/v1/workspaces/${workspaceId}/files/${path}`)).content;
  const snapshots = async () => (await apiGet(`/api/v1/workspaces/${workspaceId}/snapshots`)).items;

  before(async () => {
    fakeLlm = await startFakeLlm({ text: REPLY });
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
    context.on("request", (req) => requests.push(req.url()));
    page.on("console", (msg) => {
      if (msg.type() === "error") consoleErrors.push(`${msg.text()} @ ${msg.location().url}`);
    });
    page.on("pageerror", (err) => consoleErrors.push(String(err)));
    const r = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
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

  it("creates a workspace from an uploaded ZIP and opens its entry file in Monaco", async () => {
    await page.goto(`${server.baseUrl}/agent`);
    await page.getByTestId("agent-empty").waitFor();
    await page.getByTestId("agent-new").click();
    const chooser = page.waitForEvent("filechooser");
    await page.getByTestId("agent-upload-zip").click();
    await (
      await chooser
    ).setFiles({
      name: "hello-project.zip",
      mimeType: "application/zip",
      buffer: zip({ "app.py": APP, "README.md": "# Hello\n", "src/name.js": NAME_JS }),
    });
    const ws = page.getByTestId("agent-workspace");
    await ws.waitFor();
    workspaceId = await ws.getAttribute("data-id");
    assert.equal(await page.getByTestId("agent-workspace-select").inputValue(), "hello-project");
    await page.locator("[data-testid=agent-file][data-path='README.md']").waitFor();
    await page
      .locator("[data-testid=agent-editor][data-path='app.py'] .view-lines", { hasText: "def greet" })
      .waitFor();
    assert.equal(await fileText("app.py"), APP);
  });

  it("saves an edit with Ctrl+S and a snapshot message: the snapshot and the content are on the server", async () => {
    const editor = page.locator("[data-testid=agent-editor] .monaco-editor").first();
    await editor.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type(EDIT);
    await page.locator("[data-testid=agent-tab][data-dirty=true]").waitFor();
    await page.getByTestId("agent-snapshot-message").fill("browser edit");
    await editor.click();
    await page.keyboard.press("Control+s");
    await page.locator("[data-testid=agent-tab][data-dirty=false]").waitFor();
    await eventually("the snapshot", async () => (await snapshots())[0]?.message === "browser edit");
    assert.equal(await fileText("app.py"), APP + EDIT);
  });

  it("runs a patch task; one hunk accepted and one rejected: the file has exactly the accepted change", async () => {
    await page.getByTestId("agent-prompt").fill("Make the greetings louder");
    await page.getByTestId("agent-run").click();
    const hunks = page.getByTestId("agent-hunk");
    await eventually("the three hunks of the proposal", async () => (await hunks.count()) === 3, 30_000).catch(
      async (e) => {
        if (process.env.AGENT_DEBUG) await page.screenshot({ path: "/tmp/dbg-fail.png", fullPage: true });
        throw e;
      },
    );
    if (process.env.AGENT_DEBUG) {
      await page.screenshot({ path: "/tmp/dbg-review.png", fullPage: true });
      console.log(
        await hunks.first().evaluate((el) => {
          const out = [];
          for (let e = el; e; e = e.parentElement) {
            out.push(
              `${e.tagName}.${e.className} hidden=${e.getAttribute("aria-hidden")} role=${e.getAttribute("role")}`,
            );
          }
          return out.join("\n");
        }),
      );
    }
    await page.getByRole("button", { name: "Accept hunk 1 of app.py" }).click();
    await page.getByRole("button", { name: "Reject hunk 2 of app.py" }).click();
    await page.getByTestId("agent-reject-reason").fill("keep the farewell quiet");
    await page.getByTestId("agent-apply-choices").click();
    await page.locator("[data-testid=agent-hunk][data-hunk='1'][data-state=accepted]").waitFor();
    await page.locator("[data-testid=agent-hunk][data-hunk='2'][data-state=rejected]").waitFor();

    assert.equal(await fileText("app.py"), (APP + EDIT).replace('"hello "', '"HELLO "'));
    const taskId = await page.getByTestId("agent-review").getAttribute("data-task");
    const task = await apiGet(`/api/v1/agent/tasks/${taskId}`);
    assert.deepEqual(task.review.files["app.py"]["1"].accepted, true);
    assert.deepEqual(task.review.files["app.py"]["2"], { accepted: false, reason: "keep the farewell quiet" });
    const messages = (await snapshots()).map((s) => s.message);
    assert.ok(messages[0].startsWith("Accepted task"), messages.join(" | "));

    // The editor shows the accepted content; the history lists the accept's snapshots.
    await page.getByRole("tab", { name: "Editor" }).click();
    await page.locator("[data-testid=agent-editor] .view-lines", { hasText: '"HELLO "' }).waitFor();
    await page.getByTestId("agent-history-tab").click();
    await page.getByTestId("agent-snapshot").filter({ hasText: "Accepted task" }).first().waitFor();
    await page.getByTestId("agent-snapshot").filter({ hasText: "Before accepting task" }).first().waitFor();
    await page.getByTestId("agent-review-tab").click();
    assert.deepEqual(await axeViolations(page), [], "the review passes axe");
  });

  it("an explain task renders its Markdown", async () => {
    const before = await page.getByTestId("agent-task").getAttribute("data-id");
    await page.getByTestId("agent-mode").click();
    await page.getByRole("option", { name: "Explain" }).click();
    await page.getByTestId("agent-prompt").fill("What does app.py do?");
    await page.getByTestId("agent-run").click();
    const task = page.locator(`[data-testid=agent-task][data-status=done]:not([data-id="${before}"])`);
    await task.waitFor({ timeout: 30_000 });
    const explanation = task.getByTestId("agent-explanation");
    await explanation.getByRole("heading", { name: "What changed" }).waitFor();
    assert.equal(await explanation.locator("strong", { hasText: "HELLO" }).count(), 1);
    assert.equal(await page.getByTestId("agent-open-review").count(), 0, "an explanation proposes nothing");
  });

  it("restores an older snapshot: the working tree is the imported project again", async () => {
    await page.getByTestId("agent-history-tab").click();
    await page.getByTestId("agent-snapshot").filter({ hasText: "Imported" }).click();
    await page.getByTestId("agent-snapshot-diff").waitFor();
    await page.getByTestId("agent-restore").click();
    await page.getByRole("dialog").getByRole("button", { name: "Restore" }).click();
    await eventually("the restore snapshot", async () => (await snapshots())[0]?.message.startsWith("Restored"));
    assert.equal(await fileText("app.py"), APP);
    await page.getByTestId("agent-snapshot-same").waitFor();
    await page.getByRole("dialog").waitFor({ state: "detached" });
    assert.deepEqual(await axeViolations(page), [], "the history passes axe");
  });

  it("a file changed while its task ran is shown merged and accepted merged; an overlapping change shows its conflicts", async () => {
    // A task reads app.py; the user then edits the end of app.py and saves: the review says the
    // file changed and shows what accepting writes — both changes.
    const review = await runPatch("Make the greetings louder", 3);
    await page.getByRole("tab", { name: "Editor" }).click();
    await page.locator("[data-testid=agent-file][data-path='app.py']").click();
    const editor = page.locator("[data-testid=agent-editor][data-path='app.py'] .monaco-editor").first();
    await editor.locator(".view-lines", { hasText: "farewell" }).waitFor();
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText("# changed meanwhile\n");
    await page.locator("[data-testid=agent-tab][data-path='app.py'][data-dirty=true]").waitFor();
    await page.keyboard.press("Control+s");
    await page.locator("[data-testid=agent-tab][data-path='app.py'][data-dirty=false]").waitFor();
    await page.getByTestId("agent-review-tab").click();
    const file = review.locator("[data-testid=agent-file-review][data-path='app.py']");
    await file.getByTestId("agent-stale").waitFor();
    const merged = file.locator("[data-testid=agent-merged][data-outcome=merged]");
    await merged.locator(".editor.modified .view-lines:not(.line-delete)", { hasText: "changed meanwhile" }).waitFor();
    await merged.locator(".editor.modified .view-lines:not(.line-delete)", { hasText: '"HELLO "' }).waitFor();
    mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, "agent-merge-light-desktop.png"), fullPage: true });
    assert.deepEqual(await axeViolations(page), [], "the merge view passes axe");
    await review.getByTestId("agent-accept-all").click();
    await review.getByText("0 undecided", { exact: false }).waitFor();
    const expected = (APP + "# changed meanwhile\n").replace('"hello "', '"HELLO "').replace('"bye "', '"BYE "');
    assert.equal(await fileText("app.py"), expected);

    // The user changes the very line the next task changes: the review shows the conflict
    // before the accept, the accept answers 409 with it, and nothing changes.
    await apiPut("app.py", APP);
    await apiPut("src/name.js", NAME_JS);
    await page.goto(`${server.baseUrl}/agent?ws=${workspaceId}`);
    await page.locator("[data-testid=agent-editor] .view-lines", { hasText: "greet(name)" }).waitFor();
    const task = await (await runPatch("Make the greetings louder, again", 3)).getAttribute("data-task");
    const mine = APP.replace('"hello "', '"hey "');
    await apiPut("app.py", mine);
    await page.goto(`${server.baseUrl}/agent?ws=${workspaceId}`);
    await page.locator("[data-testid=agent-editor] .view-lines", { hasText: "greet(name)" }).waitFor();
    await page.getByTestId("agent-task-select").click();
    await page.getByRole("option").filter({ hasText: "again" }).click();
    await page.getByTestId("agent-review-tab").click();
    const second = page.locator(`[data-testid=agent-review][data-task="${task}"]`);
    const conflictFile = second.locator("[data-testid=agent-file-review][data-path='app.py']");
    await conflictFile.getByTestId("agent-conflicts").waitFor();
    await second.getByTestId("agent-accept-all").click();
    const refused = second.getByRole("alert").filter({ hasText: "Nothing was accepted" });
    await refused.waitFor();
    assert.ok((await refused.getByTestId("agent-conflict").first().textContent()).includes('"hey "'));
    assert.equal(await fileText("app.py"), mine, "a conflicting accept changes nothing");
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(shotsDir, "agent-conflict-light-desktop.png"), fullPage: true });
    assert.deepEqual(await axeViolations(page), [], "the conflicts pass axe");
    await second.getByTestId("agent-reject-all").click();
    await second.getByText("0 undecided", { exact: false }).waitFor();
    await apiPut("app.py", APP);
  });

  it("the preview runs the workspace's React project in its sandbox and follows a save and an accept", async () => {
    const put = apiPut;
    await put("index.html", '<div id="root"></div>\n<script type="module" src="/src/main.jsx"></script>\n');
    await put(
      "src/main.jsx",
      'import { createRoot } from "react-dom/client";\nimport App from "./App";\n\ncreateRoot(document.getElementById("root")).render(<App />);\n',
    );
    await put(
      "src/App.jsx",
      'import { NAME } from "./name";\n\nexport default function App() {\n  return <h1>Hello {NAME}</h1>;\n}\n',
    );
    await put("src/name.js", 'export let NAME = "workspace";\n');
    await page.goto(`${server.baseUrl}/agent?ws=${workspaceId}`);
    await page.getByTestId("agent-preview-tab").click();
    const frame = page.frameLocator('iframe[title="Live preview"]');
    await frame.getByText("Hello workspace", { exact: true }).waitFor({ timeout: 60_000 });

    // A save in the editor: the preview builds the saved files again.
    await page.getByRole("tab", { name: "Editor" }).click();
    await page.locator("[data-testid=agent-file][data-path='src/name.js']").click();
    const editor = page.locator("[data-testid=agent-editor][data-path='src/name.js'] .monaco-editor").first();
    await editor.locator(".view-lines", { hasText: "workspace" }).waitFor();
    const tab = (dirty) => page.locator(`[data-testid=agent-tab][data-path='src/name.js'][data-dirty=${dirty}]`);
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    // One input event, as a paste: typed key by key, Monaco's suggestions may take the "(".
    await page.keyboard.insertText("NAME = NAME.toUpperCase();");
    await tab(true).waitFor();
    await page.keyboard.press("Control+s");
    await tab(false).waitFor();
    await eventually("the saved edit", async () => (await fileText("src/name.js")).includes("toUpperCase"));
    await page.getByTestId("agent-preview-tab").click();
    await frame.getByText("Hello WORKSPACE", { exact: true }).waitFor({ timeout: 60_000 });

    // An accepted patch: the preview builds the accepted files.
    const review = await runPatch("Rename the project", 3);
    await review.getByTestId("agent-accept-all").click();
    await review.getByText("0 undecided", { exact: false }).waitFor();
    assert.match(await fileText("src/name.js"), /NAME = "agent"/);
    await page.getByTestId("agent-preview-tab").click();
    await frame.getByText("Hello AGENT", { exact: true }).waitFor({ timeout: 60_000 });
  });

  it("time from opening /agent to an editable file, cold and warm", async () => {
    const url = `${server.baseUrl}/agent?ws=${workspaceId}`;
    // A new browser context signed in through the form: the page's and Monaco's chunks are not
    // in its cache (cold); then the same page again (warm: cached, immutable assets).
    const { context: fresh, page: p } = await signedInContext(browser, server.baseUrl, {
      email: EMAIL,
      viewport: { width: 1400, height: 900 },
    });
    fresh.on("request", (req) => requests.push(req.url()));
    const cold = await timeToEditable(p, url, "greet(name)").catch(async (e) => {
      if (process.env.AGENT_DEBUG) await p.screenshot({ path: "/tmp/dbg-time.png", fullPage: true });
      throw e;
    });
    const warm = await timeToEditable(p, url, "greet(name)");
    console.log(`# time to an editable file: cold ${cold} ms, warm ${warm} ms`);
    await fresh.close();
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
        c.on("request", (req) => requests.push(req.url()));
        p.on("pageerror", (err) => consoleErrors.push(String(err)));
        await p.goto(`${server.baseUrl}/agent?ws=${workspaceId}`);
        await p.locator("[data-testid=agent-editor] .view-lines", { hasText: "greet(name)" }).waitFor();
        await p.screenshot({ path: path.join(shotsDir, `agent-editor-${colorScheme}-${name}.png`), fullPage: true });
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `no sideways scroll at ${name} (${overflow} px)`);
        await p.getByTestId("agent-task-select").click();
        await p.getByRole("option").filter({ hasText: "patch" }).first().click();
        await p.getByTestId("agent-review-tab").click();
        await p.getByTestId("agent-hunk").first().waitFor();
        await p.waitForTimeout(300);
        await p.screenshot({ path: path.join(shotsDir, `agent-review-${colorScheme}-${name}.png`), fullPage: true });
        assert.deepEqual(await axeViolations(p), [], `axe, review, ${colorScheme} ${name}`);
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
    // The one error the journey provokes on purpose: the conflicting accept's 409.
    const expected = (e) => /status of 409/.test(e) && /\/api\/v1\/agent\/tasks\/[^/]+\/accept$/.test(e);
    assert.equal(consoleErrors.filter(expected).length, 1, consoleErrors.join("\n"));
    assert.deepEqual(
      consoleErrors.filter((e) => !expected(e)),
      [],
    );
  });
});
