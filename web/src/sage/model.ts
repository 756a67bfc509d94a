/** Sage's pure logic: score bands, factor wording, the chart's points, accepted files, form input. */
import type { Counts, Factor, Forecast, ForecastFeedback, Outlook, Priority, RiskPoint, TemplateView } from "./types";

export type Band = "low" | "medium" | "high";

/** A score's band: 0–29 low, 30–59 medium, 60–100 high (out-of-range scores are clamped). */
export function scoreBand(score: number): Band {
  if (score >= 60) return "high";
  if (score >= 30) return "medium";
  return "low";
}

const BAND_COLOR: Record<Band, string> = { low: "green", medium: "yellow", high: "red" };

/** The theme colour of a band (also of a forecast's outlook, which uses the same words). */
export function bandColor(band: Band | Outlook): string {
  return BAND_COLOR[band];
}

const PRIORITY_COLOR: Record<Priority, string> = { high: "red", medium: "yellow", low: "gray" };

export function priorityColor(priority: Priority): string {
  return PRIORITY_COLOR[priority] ?? "gray";
}

/** A factor's points as a signed whole number: "+23 pts", "+0.4 pts" below one. */
export function formatPoints(points: number): string {
  const shown = Math.abs(points) < 1 && points !== 0 ? points.toFixed(1) : String(Math.round(points));
  return `+${shown} ${shown === "1" ? "pt" : "pts"}`;
}

/** Factors strongest first, the ones worth a row (zero points say nothing). */
export function factorRows(factors: readonly Factor[]): Factor[] {
  return factors.filter((f) => f.points > 0 || f.severity > 0).sort((a, b) => b.points - a.points);
}

/** One point of the history chart. */
export interface ChartPoint {
  /** The x axis's category: the ingest's place, 1 to n (times can repeat; categories must not). */
  n: number;
  /** The axis label: a short local date and time. */
  time: string;
  score: number;
  /** For the tooltip. */
  at: string;
  labels: string[];
}

/** "7 Dec, 17:42" in the reader's locale (the chart's axis and tooltip). */
export function shortTime(iso: string, locale?: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone });
}

/** The risk history (oldest first, as the API sends it) as the chart's data. */
export function chartPoints(points: readonly RiskPoint[], locale?: string, timeZone?: string): ChartPoint[] {
  return [...points]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map((p, i) => ({ n: i + 1, time: shortTime(p.at, locale, timeZone), score: p.score, at: p.at, labels: p.labels }));
}

/** The templates table's rows: the top templates, each marked when it is among the new ones. */
export function templateRows(top: readonly TemplateView[], fresh: readonly TemplateView[]) {
  const isNew = new Set(fresh.map((t) => t.template));
  return top.map((t) => ({ ...t, isNew: isNew.has(t.template) }));
}

/** File names the drop zone takes: plain text logs. */
const LOG_FILE = /\.(log|txt|out|text)(\.\d+)?$/i;

/** Whether a dropped or picked file is plain-text logs (by type, else by name). */
export function isLogFile(file: { name: string; type: string }): boolean {
  if (file.type === "text/plain") return true;
  if (file.type !== "" && file.type !== "application/octet-stream") return false;
  return LOG_FILE.test(file.name);
}

/** Bytes as people read them: "812 B", "14.2 KB", "3.1 MB". */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} KB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** A whole number of seconds as its largest exact unit: "1 hour", "90 minutes", "45 seconds". */
export function formatInterval(seconds: number): string {
  const units: [string, number][] = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** The alert settings form as typed. */
export interface AlertDraft {
  threshold: string;
  webhook: string;
  interval: string;
}

/**
 * The PATCH body of the alert settings: an empty threshold or webhook turns alerts off (`null`).
 * Numbers are sent as typed (the server says what is out of range, on the field).
 */
export function alertPatch(d: AlertDraft): {
  alert_threshold: number | null;
  alert_webhook: string | null;
  alert_interval_secs?: number;
} {
  const threshold = d.threshold.trim();
  const webhook = d.webhook.trim();
  const interval = d.interval.trim();
  return {
    alert_threshold: threshold === "" ? null : Number(threshold),
    alert_webhook: webhook === "" ? null : webhook,
    ...(interval === "" ? {} : { alert_interval_secs: Number(interval) }),
  };
}

const isForecast = (a: ForecastFeedback | Forecast): a is Forecast => "actions" in a;

/**
 * The forecast once feedback is recorded. The feedback route answers the whole forecast with its
 * `feedback`; an answer that is the feedback alone is put on the forecast we have.
 */
export function withFeedback(forecast: Forecast, answer: ForecastFeedback | Forecast): Forecast {
  return isForecast(answer) ? answer : { ...forecast, feedback: answer };
}

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? "" : "s"}`;

/** An ingest's counts in one line: "60 records · 30 errors · 2 warnings · 1 new template". */
export function countsLine(c: Counts): string {
  const parts = [plural(c.records, "record"), plural(c.errors, "error"), plural(c.warnings, "warning")];
  if (c.new_templates > 0) parts.push(plural(c.new_templates, "new template"));
  return parts.join(" · ");
}
