// Starts the real `cistern serve` on a free port with a fresh data dir, and stops it.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const webDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const READY = /cistern listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** The binary under test: $CISTERN_BIN, else the debug build next to web/. */
export function cisternBin() {
  return path.resolve(webDir, process.env.CISTERN_BIN || "../target/debug/cistern");
}

/**
 * Spawn the server and resolve once it prints its listening line.
 * Rejects (after killing the child) if it exits first or is not ready within `timeoutMs`.
 */
export async function startServer({ timeoutMs = 30_000, env = {}, args = [] } = {}) {
  const bin = cisternBin();
  if (!existsSync(bin)) {
    throw new Error(`cistern binary not found at ${bin}; build it (cargo build) or set CISTERN_BIN`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "cistern-e2e-"));
  const child = spawn(bin, ["serve", "--port", "0", "--data-dir", dataDir, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  const server = await waitUntilReady({ child, dataDir, ready: READY, name: "cistern", timeoutMs });
  if (process.env.E2E_UI === "preview") await putPreviewInFront(server, timeoutMs);
  return server;
}

/**
 * `E2E_UI=preview`: serve this checkout's `dist/` with `vite preview` (which proxies the API
 * prefixes to the server, see vite.config.ts) and point the test at it. For working on the UI in
 * a second checkout with a binary built elsewhere; CI tests the UI the binary embeds.
 */
async function putPreviewInFront(server, timeoutMs) {
  const port = await new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
  const vite = path.join(webDir, "node_modules/vite/bin/vite.js");
  const child = spawn(
    process.execPath,
    [vite, "preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    {
      cwd: webDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", CISTERN_DEV_SERVER: server.baseUrl },
    },
  );
  const preview = await waitUntilReady({
    child,
    dataDir: null,
    ready: /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/,
    name: "vite preview",
    timeoutMs,
  });
  const stopCistern = server.stop;
  server.apiUrl = server.baseUrl;
  server.baseUrl = preview.baseUrl;
  server.stop = async () => {
    await preview.stop();
    await stopCistern();
  };
}

/**
 * Start the fake OpenAI-compatible provider (`fake-llm`, built with `cargo build -p
 * cistern-llm-fake`, beside the cistern binary; $FAKE_LLM_BIN overrides) on a free port. Every
 * request gets the same reply: `text`, or the binary's default.
 */
export async function startFakeLlm({ timeoutMs = 30_000, text } = {}) {
  const bin = process.env.FAKE_LLM_BIN
    ? path.resolve(webDir, process.env.FAKE_LLM_BIN)
    : path.join(path.dirname(cisternBin()), "fake-llm");
  if (!existsSync(bin)) {
    throw new Error(`fake-llm not found at ${bin}; build it (cargo build -p cistern-llm-fake) or set FAKE_LLM_BIN`);
  }
  const args = ["--port", "0", ...(text === undefined ? [] : ["--text", text])];
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const ready = /fake-llm listening on (http:\/\/127\.0\.0\.1:\d+)/;
  return waitUntilReady({ child, dataDir: null, ready, name: "fake-llm", timeoutMs });
}

async function waitUntilReady({ child, dataDir, ready, name, timeoutMs }) {
  let output = "";
  const server = {
    child,
    dataDir,
    baseUrl: "",
    /** Everything the server printed so far, for failure messages. */
    output: () => output,
    stop: () => stopServer(server),
  };

  try {
    server.baseUrl = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not print its listening line within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onData = (chunk) => {
        output += chunk;
        const m = ready.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout.setEncoding("utf8").on("data", onData);
      child.stderr.setEncoding("utf8").on("data", (c) => (output += c));
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`));
      });
    });
  } catch (e) {
    await stopServer(server);
    e.message += `\n--- ${name} output ---\n${output}`;
    throw e;
  }
  return server;
}

/** SIGTERM by PID (graceful shutdown), SIGKILL after 10 s; then remove the data dir. */
export async function stopServer(server) {
  const { child } = server;
  const running = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const signal = (sig) => {
    try {
      process.kill(child.pid, sig);
    } catch {
      // Already gone (ESRCH): nothing to stop.
    }
  };
  if (running()) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    signal("SIGTERM");
    const timer = setTimeout(() => running() && signal("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (server.dataDir) rmSync(server.dataDir, { recursive: true, force: true });
}
