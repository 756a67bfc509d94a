import { describe, expect, it } from "vitest";
import { cellText, columnsOf, extraSections, fieldLabel, formatLatency, formatUptime } from "./health";

describe("formatUptime", () => {
  it("shows the largest unit and the next one when not zero", () => {
    expect(formatUptime(0)).toBe("0 s");
    expect(formatUptime(12.3)).toBe("12 s");
    expect(formatUptime(303)).toBe("5 min 3 s");
    expect(formatUptime(7200)).toBe("2 h");
    expect(formatUptime(3601)).toBe("1 h");
    expect(formatUptime(8040)).toBe("2 h 14 min");
    expect(formatUptime(3 * 86400 + 4 * 3600 + 59)).toBe("3 d 4 h");
  });
});

describe("formatLatency", () => {
  it("keeps precision where the numbers are small", () => {
    expect(formatLatency(0.423)).toBe("0.42 ms");
    expect(formatLatency(12.34)).toBe("12.3 ms");
    expect(formatLatency(1234.5)).toBe("1235 ms");
  });
});

describe("generic sections", () => {
  it("finds the report's sections the page has no dedicated view for", () => {
    const report = { status: "ok", version: "1", uptime_seconds: 1, checks: [], llm: {}, queues: [], jobs: { x: 1 } };
    expect(extraSections(report).map(([k]) => k)).toEqual(["queues", "jobs"]);
  });

  it("lists every key any row has, the named ones first", () => {
    const rows = [
      { b: 1, a: 2 },
      { c: 3, name: "x" },
    ];
    expect(columnsOf(rows, ["name", "missing"])).toEqual(["name", "b", "a", "c"]);
    expect(columnsOf([])).toEqual([]);
  });

  it("writes values as one line", () => {
    expect(cellText(true)).toBe("yes");
    expect(cellText(null)).toBe("—");
    expect(cellText(3)).toBe("3");
    expect(cellText(0.456)).toBe("0.46");
    expect(cellText({ a: 1 })).toBe('{"a":1}');
    expect(fieldLabel("consecutive_failures")).toBe("Consecutive failures");
  });
});
