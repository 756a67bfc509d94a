import * as esbuild from "esbuild-wasm";
import { afterAll, describe, expect, it } from "vitest";
import { buildPreview, messagePlace } from "./build";

afterAll(() => esbuild.stop());

const react = {
  "index.html":
    '<!doctype html><html><body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>',
  "src/main.tsx": [
    'import { createRoot } from "react-dom/client";',
    'import App from "./App";',
    'import "./index.css";',
    'createRoot(document.getElementById("root")!).render(<App />);',
  ].join("\n"),
  "src/App.tsx": [
    'import { useState } from "react";',
    'import { greet } from "./lib";',
    "export default function App() {",
    "  const [n] = useState(1);",
    "  return <h1>{greet(n)}</h1>;",
    "}",
  ].join("\n"),
  "src/lib/index.ts": 'export const greet = (n: number): string => "hello " + n;',
  "src/index.css": '@import "./theme.css";\nh1 { color: red; }',
  "src/theme.css": "body { margin: 0; }",
};

describe("buildPreview", () => {
  it("bundles a React project: relative imports, index files, CSS inlined, React left to the import map", async () => {
    const outcome = await buildPreview(esbuild, react);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const doc = outcome.document;
    expect(doc.scripts).toHaveLength(1);
    const code = doc.scripts[0]?.code ?? "";
    expect(doc.scripts[0]?.module).toBe(true);
    expect(code).toMatch(/from "react-dom\/client"/);
    expect(code).toMatch(/from "react"/);
    expect(code).toMatch(/from "react\/jsx-dev-runtime"/);
    expect(code).toContain('"hello "');
    expect(doc.css).toContain("margin: 0");
    expect(doc.css).toContain("color: red");
    expect(doc.html).toContain('<script data-cistern-script="0"></script>');
    expect(doc.html).not.toContain("/src/main.tsx");
  });

  it("names an unvendored package", async () => {
    const outcome = await buildPreview(esbuild, {
      ...react,
      "src/lib/index.ts": 'import _ from "lodash/fp";\nexport const greet = (n: number) => _.identity("hi " + n);',
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.missing).toEqual(["lodash"]);
    expect(outcome.title).toBe("`lodash` is not available offline in the preview; vendored: react, react-dom");
    expect(messagePlace(outcome.errors[0] ?? { text: "" })).toBe("src/lib/index.ts:1:15");
  });

  it("reports a syntax error with its file and line", async () => {
    const outcome = await buildPreview(esbuild, {
      ...react,
      "src/App.tsx": "export default function App() {\n  return <h1>hi</h2>;\n}",
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.missing).toEqual([]);
    expect(outcome.title).toMatch(/^Build failed with \d+ errors?$/);
    expect(outcome.errors[0]?.file).toBe("src/App.tsx");
    expect(outcome.errors[0]?.line).toBe(2);
  });

  it("reports a missing relative import and a missing page script", async () => {
    const missingImport = await buildPreview(esbuild, {
      ...react,
      "src/App.tsx": 'import x from "./nope";\nexport default x;',
    });
    expect(!missingImport.ok && missingImport.errors[0]).toMatchObject({ file: "src/App.tsx", line: 1 });
    expect(!missingImport.ok && missingImport.errors[0]?.text).toContain('"./nope"');
    const missingScript = await buildPreview(esbuild, { "index.html": '<p>hi</p>\n<script src="app.js"></script>' });
    expect(!missingScript.ok && missingScript.errors[0]).toMatchObject({ file: "index.html", line: 2 });
  });

  it("keeps a plain project's classic scripts as written and bundles its stylesheets", async () => {
    const outcome = await buildPreview(esbuild, {
      "index.html":
        '<html><head><link rel="stylesheet" href="css/site.css"></head><body><p id="p"></p><script src="a.js"></script><script src="./b.js"></script></body></html>',
      "css/site.css": '@import "base.css";\np { color: blue; }',
      "css/base.css": "html { font-family: serif; }",
      "a.js": "var shared = 'from a';",
      "b.js": "document.getElementById('p').textContent = shared;",
    });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const doc = outcome.document;
    expect(doc.scripts.map((s) => [s.file, s.module, s.code])).toEqual([
      ["a.js", false, "var shared = 'from a';"],
      ["b.js", false, "document.getElementById('p').textContent = shared;"],
    ]);
    expect(doc.styles[0]).toContain("font-family: serif");
    expect(doc.html).toBe(
      '<html><head><style data-cistern-style="0"></style></head><body><p id="p"></p><script data-cistern-script="0"></script><script data-cistern-script="1"></script></body></html>',
    );
  });

  it("reports a classic script's syntax error with its line", async () => {
    const outcome = await buildPreview(esbuild, {
      "index.html": '<script src="a.js"></script>',
      "a.js": "let a = 1;\nlet = ;",
    });
    expect(!outcome.ok && outcome.errors[0]).toMatchObject({ file: "a.js", line: 2 });
  });

  it("says when there is nothing to preview", async () => {
    const outcome = await buildPreview(esbuild, { "README.md": "hi" });
    expect(!outcome.ok && outcome.errors[0]?.text).toMatch(/^Nothing to preview/);
  });
});
