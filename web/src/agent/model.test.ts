import { describe, expect, it } from "vitest";
import {
  INITIAL_TASK_PROGRESS,
  applyTaskEvent,
  choose,
  chooseAll,
  cleanPath,
  conflictsOf,
  fileUrl,
  hunkState,
  languageOf,
  reviewPlan,
  taskStageLabel,
  undecidedCount,
  type TaskProgress,
} from "./model";
import type { ProposedFile, Review } from "./types";

const file = (path: string, ids: number[]): ProposedFile => ({
  path,
  status: "modified",
  patch: "",
  hunks: ids.map((id) => ({ id, header: "@@", old_start: id, old_lines: 1, new_start: id, new_lines: 1 })),
});

describe("languageOf", () => {
  it("maps extensions to Monaco's languages", () => {
    expect(languageOf("src/App.tsx")).toBe("typescript");
    expect(languageOf("index.HTML")).toBe("html");
    expect(languageOf("a/b/style.css")).toBe("css");
    expect(languageOf("package.json")).toBe("json");
    expect(languageOf("app.py")).toBe("python");
    expect(languageOf("Dockerfile")).toBe("dockerfile");
    expect(languageOf("Makefile")).toBe("plaintext");
    expect(languageOf(".gitignore")).toBe("plaintext");
  });
});

describe("paths", () => {
  it("tidies a typed path like the server, refusing what it would refuse", () => {
    expect(cleanPath(" ./src//a.ts ")).toBe("src/a.ts");
    expect(cleanPath("src\\b.ts")).toBe("src/b.ts");
    expect(cleanPath("../x")).toBeUndefined();
    expect(cleanPath(".git/config")).toBeUndefined();
    expect(cleanPath("  ")).toBeUndefined();
  });
  it("encodes each segment of a file's URL", () => {
    expect(fileUrl("w 1", "src/a b/c#.ts")).toBe("/api/v1/workspaces/w%201/files/src/a%20b/c%23.ts");
  });
});

describe("applyTaskEvent", () => {
  const run = (events: [string, Record<string, unknown>?][]): TaskProgress =>
    events.reduce((p, [kind, data]) => applyTaskEvent(p, kind, data), INITIAL_TASK_PROGRESS);

  it("counts the files read, searches, steps, proposals and repair rounds", () => {
    const p = run([
      ["progress", { progress: 5, message: "reading the workspace" }],
      ["progress", { progress: 15, message: "thinking (step 1)" }],
      ["progress", { progress: 30, message: "reading app.py" }],
      ["progress", { progress: 30, message: "reading app.py" }],
      ["progress", { progress: 30, message: "searching /def greet/" }],
      ["progress", { progress: 20, message: "thinking (step 2)" }],
      ["progress", { progress: 50, message: "repair round 1: edits refused" }],
      ["progress", { progress: 55, message: "applied edits to app.py" }],
    ]);
    expect(p).toMatchObject({ read: ["app.py"], searches: ["def greet"], steps: 2, repairs: 1, proposals: 1 });
    expect(taskStageLabel(p)).toBe("Applied edits to app.py");
    const done = applyTaskEvent(p, "succeeded", {});
    expect(taskStageLabel(done)).toBe("Done");
    expect(done.read).toEqual(["app.py"]);
  });
  it("keeps a failure's reason", () => {
    const p = run([["failed", { attempt: 1, error: "the model could not be called" }]]);
    expect(p.error).toBe("the model could not be called");
    expect(taskStageLabel(p)).toBe("Failed");
    expect(taskStageLabel(INITIAL_TASK_PROGRESS)).toBe("Queued");
  });
});

describe("review choices", () => {
  const files = [file("a.py", [1, 2]), file("b.py", [1])];
  const review: Review = { files: { "b.py": { "1": { accepted: false, reason: "no" } } } };

  it("shows the server's decision over a choice made here", () => {
    const c = choose({}, undefined, "b.py", [1], "accept");
    expect(hunkState(undefined, c, "b.py", 1)).toBe("accept");
    expect(hunkState(review, c, "b.py", 1)).toBe("rejected");
    expect(hunkState(review, c, "a.py", 2)).toBe("undecided");
  });
  it("never chooses for a decided hunk, and clears a choice", () => {
    let c = chooseAll({}, review, files, "accept");
    expect(c).toEqual({ "a.py": { 1: "accept", 2: "accept" }, "b.py": {} });
    c = choose(c, review, "a.py", [2], undefined);
    expect(c["a.py"]).toEqual({ 1: "accept" });
    expect(undecidedCount(review, files)).toBe(2);
  });
  it("rejects first (with the reason), then accepts, and counts what the accept would also reject", () => {
    let c = choose({}, undefined, "a.py", [1], "accept");
    c = choose(c, undefined, "a.py", [2], "reject");
    expect(reviewPlan(undefined, c, files, "  too noisy ")).toEqual({
      reject: { hunks: [{ path: "a.py", ids: [2] }], reason: "too noisy" },
      accept: { hunks: [{ path: "a.py", ids: [1] }] },
      leftOver: 1,
    });
  });
  it("leaves unchosen hunks undecided when nothing is accepted", () => {
    const c = choose({}, undefined, "b.py", [1], "reject");
    expect(reviewPlan(undefined, c, files, "")).toEqual({
      reject: { hunks: [{ path: "b.py", ids: [1] }] },
      accept: undefined,
      leftOver: 0,
    });
    expect(reviewPlan(undefined, {}, files, "")).toEqual({ reject: undefined, accept: undefined, leftOver: 0 });
  });
});

describe("conflictsOf", () => {
  it("reads a merge conflict's regions and ignores anything else", () => {
    const c = { path: "a.py", base_start: 3, base_lines: 1, current: "x\n", proposed: "y\n" };
    expect(conflictsOf({ conflicts: [c, { nope: 1 }] })).toEqual([c]);
    expect(conflictsOf({ field: "x" })).toEqual([]);
    expect(conflictsOf(undefined)).toEqual([]);
  });
});
