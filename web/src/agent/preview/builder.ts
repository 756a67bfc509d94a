// The page's side of the build worker: one worker per page, started by the first build.
import type { BuildOutcome, BuildResponse } from "./protocol";

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (o: BuildOutcome) => void; reject: (e: Error) => void }>();

function start(): Worker {
  const w = new Worker(new URL("./preview-builder.worker.ts", import.meta.url), {
    type: "module",
    name: "preview-builder",
  });
  w.onmessage = (event: MessageEvent<BuildResponse>) => {
    const data = event.data;
    const waiter = pending.get(data.id);
    pending.delete(data.id);
    if ("failure" in data) waiter?.reject(new Error(data.failure));
    else waiter?.resolve(data.outcome);
  };
  w.onerror = (event) => {
    // The worker could not start (or crashed): fail everything waiting, start afresh next time.
    event.preventDefault();
    for (const waiter of pending.values()) waiter.reject(new Error(event.message || "the build worker failed"));
    pending.clear();
    w.terminate();
    worker = undefined;
  };
  return w;
}

/** Builds `files` in the page's build worker (esbuild-wasm is loaded by the first call). */
export function buildInWorker(files: Record<string, string>): Promise<BuildOutcome> {
  worker ??= start();
  const id = nextId++;
  const promise = new Promise<BuildOutcome>((resolve, reject) => pending.set(id, { resolve, reject }));
  worker.postMessage({ id, files });
  return promise;
}
