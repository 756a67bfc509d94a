import { describe, expect, it } from "vitest";
import {
  alertPatch,
  chartPoints,
  countsLine,
  factorRows,
  formatInterval,
  formatPoints,
  isLogFile,
  scoreBand,
  templateRows,
  withFeedback,
} from "./model";
import type { Factor, Forecast, TemplateView } from "./types";

describe("scoreBand", () => {
  it("puts 0–29 low, 30–59 medium, 60–100 high, at the edges too", () => {
    expect([0, 29, 30, 59, 60, 100].map(scoreBand)).toEqual(["low", "low", "medium", "medium", "high", "high"]);
  });
  it("clamps scores outside 0–100 into the end bands", () => {
    expect(scoreBand(-5)).toBe("low");
    expect(scoreBand(140)).toBe("high");
  });
});

const factor = (label: string, points: number, severity = points / 100): Factor => ({
  label,
  severity,
  points,
  detail: `${label} explained`,
  observed: 0,
  baseline: null,
  templates: [],
  values: [],
  lines: null,
});

describe("factors", () => {
  it("formats points as a signed whole number, one decimal below one", () => {
    expect(formatPoints(23.4)).toBe("+23 pts");
    expect(formatPoints(1)).toBe("+1 pt");
    expect(formatPoints(0.42)).toBe("+0.4 pts");
    expect(formatPoints(0)).toBe("+0 pts");
  });
  it("lists the factors that add something, strongest first", () => {
    const rows = factorRows([factor("Volume Anomaly", 4), factor("Quiet", 0, 0), factor("High Error Rate", 41)]);
    expect(rows.map((f) => f.label)).toEqual(["High Error Rate", "Volume Anomaly"]);
  });
});

describe("chartPoints", () => {
  it("orders the points by time and keeps score and labels for the tooltip", () => {
    const points = chartPoints(
      [
        { ingest_id: "b", at: "2026-12-07T12:00:00Z", score: 70, labels: ["High Error Rate"] },
        { ingest_id: "a", at: "2026-12-06T09:30:00Z", score: 10, labels: [] },
      ],
      "en-GB",
      "UTC",
    );
    expect(points.map((p) => [p.n, p.time, p.score, p.labels])).toEqual([
      [1, "6 Dec, 09:30", 10, []],
      [2, "7 Dec, 12:00", 70, ["High Error Rate"]],
    ]);
  });
});

describe("templateRows", () => {
  const t = (template: string): TemplateView => ({
    template,
    records: 1,
    errors: 0,
    warnings: 0,
    example: template,
    first_seen: "2026-12-07T00:00:00Z",
    last_seen: "2026-12-07T00:00:00Z",
  });
  it("marks the top templates that are among the new ones", () => {
    const rows = templateRows([t("GET <*>"), t("db timeout <*>")], [t("db timeout <*>")]);
    expect(rows.map((r) => [r.template, r.isNew])).toEqual([
      ["GET <*>", false],
      ["db timeout <*>", true],
    ]);
  });
});

describe("isLogFile", () => {
  it("takes plain text by type, and .log/.txt (rotated too) when the type is unknown", () => {
    expect(isLogFile({ name: "x.bin", type: "text/plain" })).toBe(true);
    expect(isLogFile({ name: "app.log", type: "" })).toBe(true);
    expect(isLogFile({ name: "app.log.1", type: "application/octet-stream" })).toBe(true);
    expect(isLogFile({ name: "notes.TXT", type: "" })).toBe(true);
  });
  it("refuses other files", () => {
    expect(isLogFile({ name: "app.log.gz", type: "application/gzip" })).toBe(false);
    expect(isLogFile({ name: "photo.png", type: "image/png" })).toBe(false);
    expect(isLogFile({ name: "data.bin", type: "" })).toBe(false);
  });
});

describe("alert settings", () => {
  it("sends an empty threshold or webhook as null (alerts off) and numbers as numbers", () => {
    expect(alertPatch({ threshold: "", webhook: "  ", interval: "3600" })).toEqual({
      alert_threshold: null,
      alert_webhook: null,
      alert_interval_secs: 3600,
    });
    expect(alertPatch({ threshold: "70", webhook: " https://hooks.example.com/x ", interval: "" })).toEqual({
      alert_threshold: 70,
      alert_webhook: "https://hooks.example.com/x",
    });
  });
  it("says an interval in its largest exact unit", () => {
    expect(formatInterval(3600)).toBe("1 hour");
    expect(formatInterval(5400)).toBe("90 minutes");
    expect(formatInterval(604800)).toBe("7 days");
    expect(formatInterval(61)).toBe("61 seconds");
  });
});

describe("withFeedback", () => {
  const forecast: Forecast = {
    id: "f1",
    day: "2026-12-07",
    outlook: "medium",
    text: "More timeouts tonight.",
    actions: [],
    source: "model",
    model: "smart",
    created_at: "2026-12-07T08:00:00Z",
    feedback: null,
  };
  const feedback = { accurate: true, comment: "spot on", created_at: "2026-12-07T20:00:00Z" };
  it("puts the recorded feedback on the forecast", () => {
    expect(withFeedback(forecast, feedback)).toEqual({ ...forecast, feedback });
  });
  it("takes an answer that is the whole forecast as it is", () => {
    const answered = { ...forecast, text: "as stored", feedback };
    expect(withFeedback(forecast, answered)).toBe(answered);
  });
});

describe("countsLine", () => {
  it("says the counts in words, new templates only when there are some", () => {
    expect(countsLine({ records: 60, errors: 30, warnings: 1, templates: 5, new_templates: 1 })).toBe(
      "60 records · 30 errors · 1 warning · 1 new template",
    );
    expect(countsLine({ records: 1, errors: 0, warnings: 0, templates: 1, new_templates: 0 })).toBe(
      "1 record · 0 errors · 0 warnings",
    );
  });
});
