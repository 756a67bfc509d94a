import { describe, expect, it } from "vitest";
import {
  budgetShare,
  budgetTone,
  formatCount,
  formatDateTime,
  formatRelative,
  formatUsd,
  metadataPairs,
} from "./format";

describe("account formatting", () => {
  it("counts and dollars", () => {
    expect(formatCount(1234567, "en-US")).toBe("1,234,567");
    expect(formatUsd(0, "en-US")).toBe("$0.00");
    expect(formatUsd(0.00421, "en-US")).toBe("$0.0042");
    expect(formatUsd(12.5, "en-US")).toBe("$12.50");
  });

  it("dates in the given zone, and bad input left as it is", () => {
    expect(formatDateTime("2026-12-01T00:00:00Z", "en-GB", "UTC")).toBe("1 Dec 2026, 00:00");
    expect(formatDateTime("not a date")).toBe("not a date");
  });

  it("relative times use the largest whole unit", () => {
    const now = Date.parse("2026-11-21T12:00:00Z");
    expect(formatRelative("2026-12-01T00:00:00Z", now, "en")).toBe("in 9 days");
    expect(formatRelative("2026-11-21T11:57:00Z", now, "en")).toBe("3 minutes ago");
    expect(formatRelative("2026-11-21T12:00:00Z", now, "en")).toBe("now");
  });

  it("budget share is clamped, null when unlimited, and toned", () => {
    expect(budgetShare(250, 1000)).toBe(0.25);
    expect(budgetShare(2000, 1000)).toBe(1);
    expect(budgetShare(5, 0)).toBe(1);
    expect(budgetShare(5, null)).toBeNull();
    expect(budgetTone(null)).toBe("ok");
    expect(budgetTone(0.8)).toBe("warn");
    expect(budgetTone(0.95)).toBe("bad");
  });

  it("metadata pairs keep strings as they are and encode the rest", () => {
    expect(metadataPairs({ name: "ci", days: 30, ok: true })).toEqual([
      ["name", "ci"],
      ["days", "30"],
      ["ok", "true"],
    ]);
    expect(metadataPairs(null)).toEqual([]);
  });
});
