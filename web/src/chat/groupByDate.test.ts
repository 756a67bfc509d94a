import { describe, expect, it } from "vitest";
import { groupByDate, isAtBottom, searchByTitle } from "./groupByDate";

const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).getTime();

describe("groupByDate", () => {
  const now = at(2026, 12, 7, 9);
  const labels = (times: number[]) =>
    groupByDate(times, (t) => t, now, "en-GB").map((g) => `${g.label}:${g.items.length}`);

  it("puts items in Today, Yesterday, Previous 7 days, then months", () => {
    expect(
      labels([
        at(2026, 12, 7, 8),
        at(2026, 12, 7, 0),
        at(2026, 12, 6, 23),
        at(2026, 12, 6, 0),
        at(2026, 12, 5),
        at(2026, 11, 30),
        at(2026, 11, 29),
        at(2026, 11, 2),
        at(2026, 10, 31),
        at(2025, 12, 25),
      ]),
    ).toEqual(["Today:2", "Yesterday:2", "Previous 7 days:2", "November 2026:2", "October 2026:1", "December 2025:1"]);
  });

  it("leaves out empty groups and keeps the order of items", () => {
    const groups = groupByDate([at(2026, 10, 3), at(2026, 10, 1)], (t) => t, now, "en-GB");
    expect(groups).toEqual([{ label: "October 2026", items: [at(2026, 10, 3), at(2026, 10, 1)] }]);
    expect(groupByDate([], (t: number) => t, now)).toEqual([]);
  });

  it("counts a future time (clock skew) as today", () => {
    expect(labels([now + 60_000])).toEqual(["Today:1"]);
  });
});

describe("searchByTitle", () => {
  const items = [{ title: "Rust lifetimes" }, { title: "Café opening hours" }, { title: "rusty bikes" }];

  it("matches every word, ignoring case and accents", () => {
    expect(searchByTitle(items, "rust").map((i) => i.title)).toEqual(["Rust lifetimes", "rusty bikes"]);
    expect(searchByTitle(items, "cafe HOURS").map((i) => i.title)).toEqual(["Café opening hours"]);
    expect(searchByTitle(items, "rust bikes").map((i) => i.title)).toEqual(["rusty bikes"]);
  });

  it("returns everything for a blank query", () => {
    expect(searchByTitle(items, "  ")).toBe(items);
  });
});

describe("isAtBottom", () => {
  it("is true at the end and within the slack, false once scrolled up", () => {
    expect(isAtBottom({ scrollTop: 600, scrollHeight: 1000, clientHeight: 400 })).toBe(true);
    expect(isAtBottom({ scrollTop: 560, scrollHeight: 1000, clientHeight: 400 })).toBe(true);
    expect(isAtBottom({ scrollTop: 300, scrollHeight: 1000, clientHeight: 400 })).toBe(false);
    expect(isAtBottom({ scrollTop: 0, scrollHeight: 300, clientHeight: 400 })).toBe(true);
  });
});
