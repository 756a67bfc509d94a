/**
 * Pure helpers of the chat page: the sidebar's date groups, its title search, and whether the
 * message list should keep following a stream.
 */

/** One sidebar section: a label and its items, newest first as given. */
export interface DateGroup<T> {
  label: string;
  items: T[];
}

const DAY = 86_400_000;

/** Local midnight of the day `ms` falls in. */
function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * Groups items (already sorted newest first) by `at(item)` (Unix ms): Today, Yesterday,
 * Previous 7 days, then one group per month ("November 2026"). Empty groups are left out;
 * the order of items is kept.
 */
export function groupByDate<T>(items: T[], at: (item: T) => number, now: number, locale?: string): DateGroup<T>[] {
  const today = startOfDay(now);
  const yesterday = startOfDay(today - DAY / 2);
  const weekAgo = startOfDay(today - 7 * DAY + DAY / 2);
  const groups: DateGroup<T>[] = [];
  const push = (label: string, item: T) => {
    const last = groups.at(-1);
    if (last?.label === label) last.items.push(item);
    else {
      const existing = groups.find((g) => g.label === label);
      if (existing) existing.items.push(item);
      else groups.push({ label, items: [item] });
    }
  };
  for (const item of items) {
    const t = at(item);
    if (t >= today) push("Today", item);
    else if (t >= yesterday) push("Yesterday", item);
    else if (t >= weekAgo) push("Previous 7 days", item);
    else push(new Date(t).toLocaleDateString(locale, { month: "long", year: "numeric" }), item);
  }
  return groups;
}

/** Items whose title contains every word of `query` (case- and accent-insensitive). */
export function searchByTitle<T extends { title: string }>(items: T[], query: string): T[] {
  const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return items;
  return items.filter((item) => {
    const title = fold(item.title);
    return words.every((w) => title.includes(w));
  });
}

/**
 * Whether a scrolled box shows its end (within `slack` pixels): the list follows a stream while
 * this holds, and offers "Jump to latest" once the reader has scrolled up.
 */
export function isAtBottom(
  box: { scrollTop: number; scrollHeight: number; clientHeight: number },
  slack = 48,
): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= slack;
}
