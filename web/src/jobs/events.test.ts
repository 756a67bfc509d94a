import { describe, expect, it } from "vitest";
import { describeEvent, totalDepths } from "./events";

describe("describeEvent", () => {
  it("summarises each kind in one line", () => {
    expect(describeEvent({ kind: "progress", data: { progress: 40, message: "half" } as never })).toBe("40% — half");
    expect(describeEvent({ kind: "log", data: { message: "hi" } as never })).toBe("hi");
    expect(describeEvent({ kind: "dead", data: { attempt: 3, error: "boom" } as never })).toBe("attempt 3: boom");
    expect(describeEvent({ kind: "succeeded", data: { ok: 1 } as never })).toBe('{"ok":1}');
  });
});

describe("totalDepths", () => {
  it("adds every queue up", () => {
    const q = (queue: string, n: number) => ({ queue, ready: n, delayed: 1, running: 0, dead: 2 });
    expect(totalDepths([q("a", 2), q("b", 3)])).toEqual({ ready: 5, delayed: 2, running: 0, dead: 4 });
    expect(totalDepths([])).toEqual({ ready: 0, delayed: 0, running: 0, dead: 0 });
  });
});
