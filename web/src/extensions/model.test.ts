import { describe, expect, it } from "vitest";
import { buildFileTree, defaultFile, fileUrl, isText, numberLines, readBlueprint, readReport, stageOf } from "./model";

describe("buildFileTree", () => {
  it("nests directories, lists them before files, sorts by name", () => {
    const tree = buildFileTree([
      { path: "popup.js", size: 3 },
      { path: "icons/icon16.png", size: 90 },
      { path: "manifest.json", size: 200 },
      { path: "icons/icon128.png", size: 400 },
      { path: "src/lib/util.js", size: 5 },
    ]);
    expect(tree.map((n) => n.name)).toEqual(["icons", "src", "manifest.json", "popup.js"]);
    const [icons, src] = tree;
    if (icons?.kind !== "dir" || src?.kind !== "dir") throw new Error("icons and src are directories");
    expect(icons.children.map((n) => n.path)).toEqual(["icons/icon128.png", "icons/icon16.png"]);
    expect(src.children[0]).toMatchObject({ kind: "dir", path: "src/lib" });
  });

  it("ignores empty segments and empty paths", () => {
    expect(
      buildFileTree([
        { path: "", size: 0 },
        { path: "a//b.js", size: 1 },
      ]),
    ).toEqual([
      { kind: "dir", name: "a", path: "a", children: [{ kind: "file", name: "b.js", path: "a/b.js", size: 1 }] },
    ]);
  });
});

describe("files", () => {
  it("opens the manifest first", () => {
    expect(
      defaultFile([
        { path: "a.js", size: 1 },
        { path: "manifest.json", size: 1 },
      ]),
    ).toBe("manifest.json");
    expect(defaultFile([{ path: "a.js", size: 1 }])).toBe("a.js");
    expect(defaultFile([])).toBeUndefined();
  });

  it("tells text from images", () => {
    expect(isText("icons/icon16.png")).toBe(false);
    expect(isText("popup.html")).toBe(true);
  });

  it("numbers lines without a phantom last line", () => {
    expect(numberLines("a\nb\n")).toEqual([
      { n: 1, line: "a" },
      { n: 2, line: "b" },
    ]);
    expect(numberLines("")).toEqual([{ n: 1, line: "" }]);
    expect(numberLines("x\r\ny")).toHaveLength(2);
  });

  it("encodes each segment of a file URL", () => {
    expect(fileUrl("e1", "1.0.0", "my dir/a#b.js")).toBe(
      "/api/v1/extensions/e1/versions/1.0.0/files/my%20dir/a%23b.js",
    );
  });
});

describe("readBlueprint", () => {
  it("reads the typed blueprint, with what Cistern filled in", () => {
    const b = readBlueprint({
      purpose: "Counts tabs.",
      features: ["badge"],
      permissions: [{ permission: "storage", reason: "keeps the count" }],
      file_plan: [{ path: "manifest.json", role: "manifest" }],
      change_kind: "minor",
      derived: ["file_plan"],
    });
    expect(b).toEqual({
      purpose: "Counts tabs.",
      features: ["badge"],
      permissions: [{ permission: "storage", reason: "keeps the count" }],
      filePlan: [{ path: "manifest.json", role: "manifest" }],
      changeKind: "minor",
      derived: ["file_plan"],
    });
    expect(readBlueprint(null)).toBeUndefined();
  });
});

describe("readReport", () => {
  it("reads findings, the browser check, repairs and timings", () => {
    const r = readReport({
      findings: [{ code: "icons.generated", file: "manifest.json", message: "added", severity: "warning" }],
      browser: { status: "loaded", extension_id: "x", service_worker_url: "u", duration_ms: 812 },
      repairs: [
        {
          round: 1,
          findings: [
            { code: "browser.uncaught_exception", file: "background.js", message: "SyntaxError", severity: "error" },
          ],
        },
      ],
      timings_ms: { validate: 3, browser_check: 812 },
    });
    expect(r?.findings[0]).toEqual({
      code: "icons.generated",
      file: "manifest.json",
      message: "added",
      severity: "warning",
    });
    expect(r?.browser.status).toBe("loaded");
    expect(r?.browser.text).toContain("812 ms");
    expect(r?.repairs[0]?.findings[0]?.code).toBe("browser.uncaught_exception");
    expect(r?.timings).toEqual([
      ["validate", 3],
      ["browser_check", 812],
    ]);
  });

  it("says not checked when there is no browser result", () => {
    expect(readReport({ findings: [] })?.browser).toEqual({ status: "not_checked", text: "Not checked." });
    const failed = readReport({ findings: [], browser: { status: "failed", errors: ["boom"], duration_ms: 1 } });
    expect(failed?.browser).toMatchObject({ status: "failed", errors: ["boom"] });
    expect(readReport(undefined)).toBeUndefined();
  });
});

describe("stageOf", () => {
  it("maps job states and progress messages to stages", () => {
    expect(stageOf("queued")).toEqual({ stage: "queued", label: "queued", failed: false });
    expect(stageOf("running", "repairing (round 2)")).toEqual({
      stage: "repairing",
      label: "repairing (round 2)",
      failed: false,
    });
    expect(stageOf("running", "checking in browser").stage).toBe("checking in browser");
    expect(stageOf("succeeded", "done").stage).toBe("done");
    expect(stageOf("dead", "failed").failed).toBe(true);
  });
});
