import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// In development the UI runs on Vite's server and the API on a locally started
// `cistern serve --port 8080`; these prefixes are the server's, everything else is the UI's.
const server = process.env.CISTERN_DEV_SERVER ?? "http://127.0.0.1:8080";
// Matched as whole path segments, so the UI's own /api-docs page is not sent to the server.
const apiPrefixes = ["/api", "/health", "/metrics", "/v1"];

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // The binary embeds dist/; keep it free of source maps and of files it never serves.
    sourcemap: false,
    emptyOutDir: true,
  },
  server: {
    host: "127.0.0.1",
    proxy: Object.fromEntries(apiPrefixes.map((p) => [`^${p}(/|$|\\?)`, { target: server, changeOrigin: true }])),
  },
});
