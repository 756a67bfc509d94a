import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { precompressWasm, previewVendor } from "./vite-plugins/preview-vendor.ts";

// In development the UI runs on Vite's server and the API on a locally started
// `cistern serve --port 8080`; these prefixes are the server's, everything else is the UI's.
const server = process.env.CISTERN_DEV_SERVER ?? "http://127.0.0.1:8080";
// Matched as whole path segments, so the UI's own /api-docs page is not sent to the server.
const apiPrefixes = ["/api", "/health", "/metrics", "/v1"];

// `vite build --mode harness` (run by `npm run build` after the app's build) adds the test-only
// page preview-harness.html to dist/. A build of its own, so that sharing React and Mantine with
// it does not split the app's entry chunk; the assets both builds emit (the preview's worker,
// esbuild.wasm, the vendored React) have the same content hash and so the same file.
export default defineConfig(({ mode }) => ({
  // previewVendor, precompressWasm: the live preview's React as an ES module asset, and
  // esbuild.wasm stored gzipped (vite-plugins/preview-vendor.ts).
  plugins: [react(), previewVendor(), precompressWasm()],
  build: {
    outDir: "dist",
    // The binary embeds dist/; keep it free of source maps and of files it never serves.
    sourcemap: false,
    emptyOutDir: mode !== "harness",
    rolldownOptions: mode === "harness" ? { input: "preview-harness.html" } : {},
  },
  server: {
    host: "127.0.0.1",
    proxy: Object.fromEntries(apiPrefixes.map((p) => [`^${p}(/|$|\\?)`, { target: server, changeOrigin: true }])),
  },
}));
