// The preview's build worker: esbuild-wasm, initialised once per page (the worker lives as long
// as the page), builds each project it is sent. A worker rather than the page because the app's
// Content-Security-Policy (`script-src 'self'`) forbids compiling WebAssembly; the server gives
// this one script (`assets/preview-builder-*.js`) its own policy with `'wasm-unsafe-eval'`, and a
// worker loaded from a URL runs under its response's policy, not the page's.
import * as esbuild from "esbuild-wasm";
import wasmURL from "esbuild-wasm/esbuild.wasm?url";
import { buildPreview } from "./build";
import type { BuildRequest, BuildResponse } from "./protocol";

let ready: Promise<void> | undefined;

self.onmessage = async (event: MessageEvent<BuildRequest>) => {
  const { id, files } = event.data;
  let response: BuildResponse;
  try {
    ready ??= esbuild.initialize({ wasmURL, worker: false });
    await ready;
    response = { id, outcome: await buildPreview(esbuild, files) };
  } catch (error) {
    response = { id, failure: error instanceof Error ? error.message : String(error) };
  }
  self.postMessage(response);
};
