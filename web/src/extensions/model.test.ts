import { describe, expect, it } from "vitest";
import {
  INITIAL_PROGRESS,
  applyEvent,
  buildFileTree,
  defaultFile,
  fileUrl,
  isText,
  newestVersion,
  readBlueprint,
  readReport,
  stepperView,
  versionKey,
  versionLabel,
  type Progress,
} from "./model";

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

describe("progress", () => {
  const run = (events: [string, Record<string, unknown>?][]): Progress =>
    events.reduce((p, [kind, data]) => applyEvent(p, kind, data), INITIAL_PROGRESS);

  it("starts queued and follows the stages, counting repair rounds", () => {
    expect(stepperView(INITIAL_PROGRESS)).toEqual({ active: 0, failed: false, label: "Queued" });
    const p = run([
      ["progress", { progress: 10, message: "generating" }],
      ["progress", { progress: 40, message: "validating" }],
      ["progress", { progress: 50, message: "repairing (round 1)" }],
      ["progress", { progress: 50, message: "validating" }],
      ["progress", { progress: 60, message: "repairing (round 2)" }],
    ]);
    expect(p).toMatchObject({ status: "running", percent: 60, step: 3, round: 2 });
    expect(stepperView(p)).toEqual({ active: 3, failed: false, label: "repairing (round 2)" });
    const checking = applyEvent(p, "progress", { progress: 65, message: "checking in browser" });
    expect(stepperView(checking).active).toBe(4);
    expect(stepperView(applyEvent(checking, "progress", { progress: 96, message: "packaging" })).active).toBe(5);
  });

  it("ends done, or failed at the step it was in with the reason", () => {
    const done = run([
      ["progress", { message: "generating" }],
      ["succeeded", {}],
    ]);
    expect(stepperView(done)).toEqual({ active: 6, failed: false, label: "Done" });
    const failed = run([
      ["progress", { message: "generating" }],
      ["attempt_failed", { error: "the model could not be called" }],
      ["progress", { message: "validating" }],
      ["failed", { error: "unusable after a repair round" }],
    ]);
    expect(failed.error).toBe("unusable after a repair round");
    expect(stepperView(failed)).toEqual({ active: 2, failed: true, label: "Failed" });
    expect(applyEvent(INITIAL_PROGRESS, "log", { message: "x" })).toBe(INITIAL_PROGRESS);
  });
});

describe("versions", () => {
  it("keys and names versions with or without a number; the newest is the highest seq", () => {
    expect(versionKey({ version: "1.0.1", seq: 2 })).toBe("1.0.1");
    expect(versionKey({ version: null, seq: 3 })).toBe("seq-3");
    expect(versionLabel({ version: "1.0.1", seq: 2 })).toBe("v1.0.1");
    expect(versionLabel({ seq: 3 })).toBe("Attempt 3");
    expect(newestVersion([{ seq: 1 }, { seq: 3 }, { seq: 2 }])?.seq).toBe(3);
    expect(newestVersion([])).toBeUndefined();
  });
});
