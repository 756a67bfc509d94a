/** Formatting shared by the account pages. `locale` is the browser's unless a test pins one. */

export function formatCount(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** Dollars with cents, and up to four decimals for the fractions of a cent tokens cost. */
export function formatUsd(usd: number, locale?: string): string {
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: usd !== 0 && Math.abs(usd) < 1 ? 4 : 2,
  }).format(usd);
}

/** "21 Nov 2026, 23:31" in the reader's locale and time zone. */
export function formatDateTime(iso: string, locale?: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short", timeZone });
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/** "in 9 days", "3 minutes ago", "now": the largest whole unit. */
export function formatRelative(iso: string, now: number = Date.now(), locale?: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((at - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  }
  return rtf.format(0, "second");
}

/** Share of the budget used, 0–1 (clamped); null when the budget is unlimited. */
export function budgetShare(used: number, limit: number | null | undefined): number | null {
  if (limit === null || limit === undefined) return null;
  if (limit <= 0) return 1;
  return Math.min(1, Math.max(0, used / limit));
}

/** A budget bar's tone: calm, then a warning past 75 %, then bad past 90 %. */
export function budgetTone(share: number | null): "ok" | "warn" | "bad" {
  if (share === null || share < 0.75) return "ok";
  return share < 0.9 ? "warn" : "bad";
}

/** An audit event's metadata as short "key: value" pairs. */
export function metadataPairs(metadata: unknown): [string, string][] {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) return [];
  return Object.entries(metadata as Record<string, unknown>).map(([k, v]) => [
    k,
    typeof v === "string" ? v : JSON.stringify(v),
  ]);
}
