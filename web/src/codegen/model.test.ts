import { describe, expect, it } from "vitest";
import {
  INITIAL_PROGRESS,
  applyEvent,
  buildTree,
  defaultFile,
  dirPaths,
  errorCount,
  fileUrl,
  formatConfidence,
  formatDuration,
  parseMessage,
  stageLabel,
  stepOfMessage,
  stepperView,
  syntaxState,
  treeOrder,
  zipName,
  type Progress,
} from "./model";
import type { CodegenFile } from "./types";

const file = (path: string, errors = 0, checked = true): CodegenFile => ({
  path,
  language: "typescript",
  size: 10,
  syntax: {
    checked,
    ok: errors === 0,
    language: "typescript",
    more_errors: false,
    errors: Array.from({ length: errors }, (_, i) => ({ line: i + 1, column: 2, message: "unexpected `}`" })),
  },
});

describe("parseMessage", () => {
  it("reads a file line's number and path", () => {
    expect(parseMessage("file 1: src/App.tsx")).toEqual({ kind: "file", n: 1, path: "src/App.tsx" });
    expect(parseMessage("file 12: a dir/with: colon.txt")).toEqual({
      kind: "file",
      n: 12,
      path: "a dir/with: colon.txt",
    });
  });
  it("reads anything else as a stage", () => {
    for (const m of [
      "generating",
      "continuing (round 2)",
      "repairing (round 1)",
      "files found: 3",
      "file: x",
      "file 1:",
    ]) {
      expect(parseMessage(m)).toEqual({ kind: "stage", text: m });
    }
  });
});

describe("stepOfMessage", () => {
  it("maps the server's stages to the stepper's steps", () => {
    expect(stepOfMessage("generating")).toBe(1);
    expect(stepOfMessage("continuing (round 1)")).toBe(1);
    expect(stepOfMessage("files found: 4")).toBe(1);
    expect(stepOfMessage("checking syntax")).toBe(2);
    expect(stepOfMessage("repairing (round 1)")).toBe(3);
    expect(stepOfMessage("packaging")).toBe(4);
    expect(stepOfMessage("done")).toBe(5);
  });
});

describe("applyEvent", () => {
  const run = (events: [string, Record<string, unknown>?][]): Progress =>
    events.reduce((p, [kind, data]) => applyEvent(p, kind, data), INITIAL_PROGRESS);

  it("lists files as they are announced, once each, in order", () => {
    const p = run([
      ["progress", { progress: 10, message: "generating" }],
      ["progress", { progress: 20, message: "file 1: package.json" }],
      ["progress", { progress: 20, message: "file 2: src/App.tsx" }],
      ["progress", { progress: 20, message: "file 2: src/App.tsx" }],
    ]);
    expect(p.files).toEqual(["package.json", "src/App.tsx"]);
    expect(p.stage).toBe("generating");
    expect(p.percent).toBe(20);
    expect(p.step).toBe(1);
    expect(stageLabel(p)).toBe("Writing files (2 so far)");
  });

  it("follows the stages to done, keeping the files", () => {
    const p = run([
      ["progress", { progress: 10, message: "generating" }],
      ["progress", { progress: 20, message: "file 1: main.py" }],
      ["progress", { progress: 55, message: "checking syntax" }],
      ["progress", { progress: 60, message: "repairing (round 1)" }],
    ]);
    expect(stageLabel(p)).toBe("Repairing (round 1)");
    expect(stepperView(p)).toEqual({ active: 3, failed: false });
    const done = applyEvent(p, "succeeded", {});
    expect(done.status).toBe("succeeded");
    expect(done.files).toEqual(["main.py"]);
    expect(stepperView(done)).toEqual({ active: 6, failed: false });
    expect(stageLabel(done)).toBe("Done");
  });

  it("marks the step a job failed at, with its error", () => {
    const p = run([
      ["progress", { progress: 10, message: "generating" }],
      ["failed", { attempt: 1, error: "no files in the reply" }],
    ]);
    expect(p.error).toBe("no files in the reply");
    expect(stepperView(p)).toEqual({ active: 1, failed: true });
    expect(stageLabel(p)).toBe("Failed");
  });

  it("starts the file list over when a retried attempt starts generating again", () => {
    const p = run([
      ["progress", { progress: 10, message: "generating" }],
      ["progress", { progress: 20, message: "file 1: a.py" }],
      ["attempt_failed", { attempt: 1, error: "upstream 503" }],
      ["progress", { progress: 10, message: "generating" }],
      ["progress", { progress: 20, message: "file 1: b.py" }],
    ]);
    expect(p.files).toEqual(["b.py"]);
  });

  it("is queued before any progress and ignores unknown kinds", () => {
    expect(stageLabel(INITIAL_PROGRESS)).toBe("Queued");
    expect(applyEvent(INITIAL_PROGRESS, "log", { message: "x" })).toBe(INITIAL_PROGRESS);
  });
});

describe("buildTree", () => {
  it("groups paths by directory, directories first, sorted by name", () => {
    const tree = buildTree([
      file("src/main.tsx"),
      file("package.json"),
      file("src/components/List.tsx"),
      file("README.md"),
      file("index.html"),
    ]);
    expect(tree.map((n) => n.name)).toEqual(["src", "index.html", "package.json", "README.md"]);
    const src = tree[0];
    if (src?.kind !== "dir") throw new Error("src is a directory");
    expect(src.children.map((n) => n.path)).toEqual(["src/components", "src/main.tsx"]);
    expect(dirPaths(tree)).toEqual(["src", "src/components"]);
    expect(treeOrder(tree).map((f) => f.path)).toEqual([
      "src/components/List.tsx",
      "src/main.tsx",
      "index.html",
      "package.json",
      "README.md",
    ]);
  });
  it("ignores empty segments", () => {
    const tree = buildTree([{ path: "a//b.txt" }, { path: "" }]);
    expect(treeOrder(tree)).toEqual([{ path: "a//b.txt" }]);
    expect(tree[0]?.kind === "dir" && tree[0].children[0]?.path).toBe("a/b.txt");
  });
});

describe("defaultFile", () => {
  it("opens a file with a syntax error first", () => {
    expect(defaultFile([file("src/App.tsx"), file("src/util.ts", 2)])).toBe("src/util.ts");
  });
  it("else the entry point, else the first file that is not the README", () => {
    expect(defaultFile([file("README.md"), file("package.json"), file("src/App.tsx")])).toBe("src/App.tsx");
    expect(defaultFile([file("main.py"), file("requirements.txt")])).toBe("main.py");
    expect(defaultFile([file("README.md"), file("Cargo.toml")])).toBe("Cargo.toml");
    expect(defaultFile([])).toBeUndefined();
  });
});

describe("syntax", () => {
  it("says ok, errors or unchecked", () => {
    expect(syntaxState(file("a.ts"))).toBe("ok");
    expect(syntaxState(file("a.ts", 1))).toBe("errors");
    expect(syntaxState(file("a.txt", 0, false))).toBe("unchecked");
  });
  it("counts errors, with a plus past the server's limit", () => {
    expect(errorCount({ errors: [{ line: 1, column: 1, message: "x" }], more_errors: false })).toBe("1 error");
    expect(errorCount({ errors: [], more_errors: false })).toBe("0 errors");
    expect(errorCount({ errors: [{ line: 1, column: 1, message: "x" }], more_errors: true })).toBe("1+ errors");
  });
});

describe("formatting", () => {
  it("encodes each path segment of a file's URL", () => {
    expect(fileUrl("g 1", "src/a b/c#.ts")).toBe("/api/v1/generations/g%201/files/src/a%20b/c%23.ts");
  });
  it("shows confidence as a whole percentage, clamped", () => {
    expect(formatConfidence(0.824)).toBe("82%");
    expect(formatConfidence(1)).toBe("100%");
    expect(formatConfidence(1.3)).toBe("100%");
  });
  it("shows durations in ms, s or min", () => {
    expect(formatDuration(840)).toBe("840 ms");
    expect(formatDuration(12_400)).toBe("12.4 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });
  it("names the ZIP after the prompt's first words", () => {
    expect(zipName("A React + Vite todo app with local storage")).toBe("a-react-vite-todo-app.zip");
    expect(zipName("!!!", "fastapi")).toBe("fastapi.zip");
  });
});
