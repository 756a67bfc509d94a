import { describe, expect, it } from "vitest";
import { PatchError, applyPatch, parsePatch, splitLines } from "./patch";

// What the server sends for app.py changed in two places (cistern_edit::unified_diff, 3 lines
// of context), and for a file whose last line has no newline.
const BASE = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n";
const AFTER = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nK\nK2\nl\n";
const PATCH = [
  "diff --git a/app.py b/app.py",
  "--- a/app.py",
  "+++ b/app.py",
  "@@ -1,5 +1,5 @@",
  " a",
  "-b",
  "+B",
  " c",
  " d",
  " e",
  "@@ -8,5 +8,6 @@",
  " h",
  " i",
  " j",
  "-k",
  "+K",
  "+K2",
  " l",
  "",
].join("\n");

describe("parsePatch", () => {
  it("reads each hunk's numbers and lines, numbered from 1", () => {
    const hunks = parsePatch(PATCH);
    expect(hunks.map((h) => [h.id, h.oldStart, h.oldLines, h.newStart, h.newLines])).toEqual([
      [1, 1, 5, 1, 5],
      [2, 8, 5, 8, 6],
    ]);
    expect(hunks[0]?.lines.slice(0, 3)).toEqual([
      { sign: " ", text: "a\n" },
      { sign: "-", text: "b\n" },
      { sign: "+", text: "B\n" },
    ]);
  });
  it("takes a one-line range without a count and a missing final newline", () => {
    const [h] = parsePatch("@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n");
    expect(h).toMatchObject({ oldLines: 1, newLines: 1 });
    expect(h?.lines).toEqual([
      { sign: "-", text: "x" },
      { sign: "+", text: "y" },
    ]);
  });
});

describe("applyPatch", () => {
  it("turns the base into the proposal, and back when reversed", () => {
    expect(applyPatch(BASE, PATCH)).toBe(AFTER);
    expect(applyPatch(AFTER, PATCH, { reverse: true })).toBe(BASE);
  });
  it("applies only the chosen hunks", () => {
    expect(applyPatch(BASE, PATCH, { only: [1] })).toBe(BASE.replace("b\n", "B\n"));
    expect(applyPatch(BASE, PATCH, { only: [2] })).toBe(BASE.replace("k\n", "K\nK2\n"));
    expect(applyPatch(BASE, PATCH, { only: [] })).toBe(BASE);
  });
  it("creates and deletes whole files (/dev/null sides)", () => {
    const added =
      "diff --git a/n.txt b/n.txt\nnew file mode 100644\n--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n";
    expect(applyPatch("", added)).toBe("one\ntwo\n");
    expect(applyPatch("one\ntwo\n", added, { reverse: true })).toBe("");
    const deleted = "--- a/n.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n";
    expect(applyPatch("one\ntwo\n", deleted)).toBe("");
    expect(applyPatch("", deleted, { reverse: true })).toBe("one\ntwo\n");
  });
  it("inserts after a line when the old side is empty", () => {
    const insert = "@@ -2,0 +3 @@\n+new\n";
    expect(applyPatch("a\nb\nc\n", insert)).toBe("a\nb\nnew\nc\n");
  });
  it("keeps a missing final newline on either side", () => {
    const p = "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n";
    expect(applyPatch("a\nb", p)).toBe("a\nc\n");
    expect(applyPatch("a\nc\n", p, { reverse: true })).toBe("a\nb");
  });
  it("refuses a text the patch was not made from", () => {
    expect(() => applyPatch(BASE.replace("b", "x"), PATCH)).toThrow(PatchError);
    expect(() => applyPatch("a\n", PATCH)).toThrow(/outside the file/);
  });
  it("changes nothing with an empty patch", () => {
    expect(applyPatch(BASE, "")).toBe(BASE);
  });
});

describe("helpers", () => {
  it("splits lines as git counts them", () => {
    expect(splitLines("a\nb")).toEqual(["a\n", "b"]);
    expect(splitLines("a\n\n")).toEqual(["a\n", "\n"]);
    expect(splitLines("")).toEqual([]);
  });
});
