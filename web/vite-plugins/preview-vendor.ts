// Vendors React for the coding workspace's live preview (src/agent/preview/).
//
// React 19 ships CommonJS only, and the preview runs the user's code as ES modules resolved
// through an import map. At build time this plugin bundles react, react-dom, react-dom/client and
// react/jsx-runtime (development builds: readable errors and warnings, which matter more in a
// workspace than size, and the production build's errors point at react.dev — offline here) into
// one ES module, emitted as a hashed asset `assets/preview-react-<hash>.js`, and generates one
// small facade module per specifier whose named exports are the package's own (read from the
// package in Node), so `import { useState } from "react"` works. Nothing of this is in the main
// bundle: `virtual:cistern-preview-vendor` (the asset's URL and the facades' source) is imported
// only by the preview's lazy code, which fetches the asset when a preview first renders.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

const VIRTUAL = "virtual:cistern-preview-vendor";
const RESOLVED = "\0" + VIRTUAL;

/** Each vendored specifier and the key of its module in the shared bundle. */
const PACKAGES: Record<string, string> = {
  react: "React",
  "react-dom": "ReactDOM",
  "react-dom/client": "ReactDOMClient",
  "react/jsx-runtime": "JSXRuntime",
  "react/jsx-dev-runtime": "JSXDevRuntime",
};

/** The specifier the facades import the shared bundle by (mapped by the preview's import map). */
const BUNDLE_SPECIFIER = "cistern:preview-react";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

async function bundleReact(root: string): Promise<string> {
  const esbuild = await import("esbuild-wasm");
  const entry = Object.entries(PACKAGES)
    .map(([spec, key]) => `${key}: require(${JSON.stringify(spec)})`)
    .join(", ");
  const result = await esbuild.build({
    stdin: { contents: `module.exports = { ${entry} };`, resolveDir: root, loader: "js" },
    bundle: true,
    format: "esm",
    minify: true,
    write: false,
    target: "es2022",
    define: { "process.env.NODE_ENV": '"development"' },
  });
  await esbuild.stop();
  const out = result.outputFiles[0];
  if (!out) throw new Error("esbuild produced no output for the preview's React bundle");
  return out.text;
}

/** The facade module of `spec`: the bundle's module for it, re-exported name by name. */
function facade(root: string, spec: string, key: string): string {
  const require = createRequire(root + "/package.json");
  const names = Object.keys(require(spec) as object).filter(
    (n) => IDENTIFIER.test(n) && n !== "default" && n !== "__esModule",
  );
  return [
    `import bundle from ${JSON.stringify(BUNDLE_SPECIFIER)};`,
    `const m = bundle.${key};`,
    "export default m;",
    `export const { ${names.join(", ")} } = m;`,
  ].join("\n");
}

export function previewVendor(): Plugin {
  let root = process.cwd();
  let building = false;
  let code: Promise<string> | undefined;
  let fileName = "";
  const bundled = () => (code ??= bundleReact(root));
  return {
    name: "cistern-preview-vendor",
    configResolved(config) {
      root = config.root;
      building = config.command === "build";
    },
    resolveId(id) {
      return id === VIRTUAL ? RESOLVED : null;
    },
    async load(id) {
      if (id !== RESOLVED) return null;
      const source = await bundled();
      const hash = createHash("sha256").update(source).digest("base64url").slice(0, 10);
      fileName = `assets/preview-react-${hash}.js`;
      if (building) this.emitFile({ type: "asset", fileName, source });
      const facades = Object.fromEntries(Object.entries(PACKAGES).map(([s, k]) => [s, facade(root, s, k)]));
      return [
        `export const bundleUrl = ${JSON.stringify("/" + fileName)};`,
        `export const bundleSpecifier = ${JSON.stringify(BUNDLE_SPECIFIER)};`,
        `export const facades = ${JSON.stringify(facades)};`,
      ].join("\n");
    },
    // The dev server has no emitted assets: serve the bundle at the same path.
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (!fileName || req.url !== "/" + fileName) return next();
        void bundled().then((source) => {
          res.setHeader("content-type", "text/javascript");
          res.end(source);
        }, next);
      });
    },
  };
}

/**
 * Stores the esbuild-wasm binary gzipped only (`assets/esbuild-<hash>.wasm.gz`: 3.8 MB instead of
 * 14 MB in dist/ and so in the binary); the server sends it as stored with `content-encoding:
 * gzip` under its own name (crates/cistern/src/http/ui.rs, `precompressed`); `vite preview`
 * does the same. The dev server serves the package's file.
 */
export function precompressWasm(): Plugin {
  return {
    name: "cistern-precompress-wasm",
    configurePreviewServer(server) {
      const dist = path.resolve(server.config.root, server.config.build.outDir);
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? "").split("?")[0] ?? "";
        if (!/^\/assets\/esbuild-[\w-]+\.wasm$/.test(url)) return next();
        readFile(path.join(dist, url + ".gz")).then((body) => {
          res.setHeader("content-type", "application/wasm");
          res.setHeader("content-encoding", "gzip");
          res.end(body);
        }, next);
      });
    },
    generateBundle(_options, bundle) {
      for (const [fileName, output] of Object.entries(bundle)) {
        if (output.type !== "asset" || !/\/esbuild-[\w-]+\.wasm$/.test(fileName)) continue;
        delete bundle[fileName];
        const source = gzipSync(output.source, { level: 9 });
        this.emitFile({ type: "asset", fileName: `${fileName}.gz`, source });
      }
    },
  };
}
