import { describe, expect, it } from "vitest";
import { detectProject, normalizeFiles, normalizePath, packageName, resolvePath, scanHtml } from "./project";

describe("paths", () => {
  it("normalises and refuses to climb above the root", () => {
    expect(normalizePath("./src/../src/./a.ts")).toBe("src/a.ts");
    expect(normalizePath("/index.html")).toBe("index.html");
    expect(normalizePath("../secret")).toBeNull();
  });

  it("names the package of a bare import", () => {
    expect(packageName("lodash/fp")).toBe("lodash");
    expect(packageName("@tanstack/react-query/devtools")).toBe("@tanstack/react-query");
  });
});

describe("resolvePath", () => {
  const files = normalizeFiles({
    "src/App.tsx": "",
    "src/util.ts": "",
    "src/components/index.jsx": "",
    "src/styles/app.css": "",
    "lib/data.json": "",
  });

  it("resolves relative imports with extension and index resolution", () => {
    expect(resolvePath(files, "src/main.tsx", "./App")).toBe("src/App.tsx");
    expect(resolvePath(files, "src/main.tsx", "./util.ts")).toBe("src/util.ts");
    expect(resolvePath(files, "src/main.tsx", "./components")).toBe("src/components/index.jsx");
    expect(resolvePath(files, "src/components/index.jsx", "../styles/app.css")).toBe("src/styles/app.css");
    expect(resolvePath(files, "src/main.tsx", "../lib/data")).toBe("lib/data.json");
  });

  it("resolves root-absolute paths from the project root", () => {
    expect(resolvePath(files, "src/components/index.jsx", "/src/App")).toBe("src/App.tsx");
    expect(resolvePath(files, "", "src/App.tsx")).toBe("src/App.tsx");
  });

  it("returns null for a missing file or one above the root", () => {
    expect(resolvePath(files, "src/main.tsx", "./Missing")).toBeNull();
    expect(resolvePath(files, "src/main.tsx", "../../etc/passwd")).toBeNull();
  });
});

describe("entry detection", () => {
  it("takes index.html's module script, classic scripts and stylesheets in order", () => {
    const files = normalizeFiles({
      "index.html": [
        "<!doctype html><html><head>",
        '<link rel="stylesheet" href="style.css">',
        '<!-- <script src="old.js"></script> -->',
        '<script src="https://example.com/x.js"></script>',
        "</head><body>",
        "<script src='vendor.js'></script>",
        '<script type="module" src="/src/main.tsx"></script>',
        "</body></html>",
      ].join("\n"),
      "style.css": "",
      "vendor.js": "",
      "src/main.tsx": "",
    });
    const plan = detectProject(files);
    expect(plan?.htmlPath).toBe("index.html");
    expect(plan?.refs.map((r) => [r.kind, r.path, r.line])).toEqual([
      ["style", "style.css", 2],
      ["classic", "vendor.js", 6],
      ["module", "src/main.tsx", 7],
    ]);
  });

  it("reports a referenced file that does not exist as a null path", () => {
    const files = normalizeFiles({ "index.html": '<script src="app.js"></script>' });
    expect(scanHtml(files, "index.html", files.get("index.html") ?? "")[0]?.path).toBeNull();
  });

  it("falls back to src/main.* or src/index.* when the page names no script", () => {
    const vite = detectProject(normalizeFiles({ "index.html": '<div id="root"></div>', "src/main.jsx": "" }));
    expect(vite?.refs.map((r) => r.path)).toEqual(["src/main.jsx"]);
    const cra = detectProject(normalizeFiles({ "public/index.html": "<div id=root></div>", "src/index.tsx": "" }));
    expect(cra?.htmlPath).toBe("public/index.html");
    expect(cra?.refs.map((r) => r.path)).toEqual(["src/index.tsx"]);
  });

  it("makes a default page with #root when there is no index.html", () => {
    const plan = detectProject(normalizeFiles({ "src/main.tsx": "", "src/App.tsx": "" }));
    expect(plan?.htmlPath).toBeNull();
    expect(plan?.html).toContain('<div id="root"></div>');
    expect(plan?.refs.map((r) => r.path)).toEqual(["src/main.tsx"]);
  });

  it("keeps a page with inline scripts as it is and finds nothing in an empty project", () => {
    const inline = detectProject(
      normalizeFiles({ "index.html": "<script>document.body.append('hi')</script>", "src/main.js": "" }),
    );
    expect(inline?.refs).toEqual([]);
    expect(detectProject(normalizeFiles({ "README.md": "# hi" }))).toBeNull();
  });
});
