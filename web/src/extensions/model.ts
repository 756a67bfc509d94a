import { isTerminal } from "../jobs/events";
import type { components } from "../api/schema";
/**
 * Pure logic of the extensions page: the file tree, the blueprint and the validation report in
 * the page's terms (both are typed schemas in the API document), and the generation's stages
 * from the job's progress messages.
 */

/** A file as the API lists it. */
export interface FileEntry {
  path: string;
  size: number;
}

/** A directory or a file of the tree; directories first, then files, each sorted by name. */
export type TreeNode =
  | { kind: "dir"; name: string; path: string; children: TreeNode[] }
  | { kind: "file"; name: string; path: string; size: number };

/** Builds the tree from `a/b/c.js`-style paths (empty segments are ignored). */
export function buildFileTree(files: readonly FileEntry[]): TreeNode[] {
  const root: TreeNode[] = [];
  for (const file of files) {
    const parts = file.path.split("/").filter((p) => p !== "");
    const name = parts.pop();
    if (name === undefined) continue;
    let level = root;
    parts.forEach((part, i) => {
      const path = parts.slice(0, i + 1).join("/");
      let dir = level.find((n): n is Extract<TreeNode, { kind: "dir" }> => n.kind === "dir" && n.name === part);
      if (!dir) {
        dir = { kind: "dir", name: part, path, children: [] };
        level.push(dir);
      }
      level = dir.children;
    });
    level.push({ kind: "file", name, path: [...parts, name].join("/"), size: file.size });
  }
  sortTree(root);
  return root;
}

function sortTree(nodes: TreeNode[]) {
  nodes.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "dir" ? -1 : 1));
  for (const n of nodes) if (n.kind === "dir") sortTree(n.children);
}

/** The file to open first: the manifest when there is one, else the first file. */
export function defaultFile(files: readonly FileEntry[]): string | undefined {
  return files.find((f) => f.path === "manifest.json")?.path ?? files[0]?.path;
}

/** Whether the code view can show a file as text (icons and other binaries cannot). */
export function isText(path: string): boolean {
  return !/\.(png|jpe?g|gif|webp|ico|woff2?|ttf|zip)$/i.test(path);
}

/** The path of the files route: each segment encoded, `/` kept. */
export function fileUrl(id: string, version: string, path: string): string {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return `/api/v1/extensions/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}/files/${encoded}`;
}

type BlueprintSchema = components["schemas"]["Blueprint"];
type ReportSchema = components["schemas"]["Report"];
type FindingSchema = components["schemas"]["Finding"];

/** The blueprint as the page shows it (the API document types it: no parsing here). */
export interface Blueprint {
  purpose: string;
  features: string[];
  permissions: { permission: string; reason: string }[];
  filePlan: { path: string; role: string }[];
  changeKind?: string;
  /** What Cistern filled in because the model left it out. */
  derived: string[];
}

export function readBlueprint(b: BlueprintSchema | null | undefined): Blueprint | undefined {
  if (!b) return undefined;
  return {
    purpose: b.purpose,
    features: b.features,
    permissions: b.permissions,
    filePlan: b.file_plan,
    changeKind: b.change_kind,
    derived: b.derived ?? [],
  };
}

/** One finding of the report. */
export type Finding = { code: string; file?: string; message: string; severity: string };

/** What the real-browser check said, in words. */
export type BrowserResult =
  | { status: "loaded"; text: string }
  | { status: "failed"; text: string; errors: string[] }
  | { status: "not_checked"; text: string };

/** The validation report as the page shows it. */
export interface ReportView {
  findings: Finding[];
  browser: BrowserResult;
  repairs: { round: number; findings: Finding[] }[];
  timings: [string, number][];
}

function finding(f: FindingSchema): Finding {
  return { code: f.code, file: f.file ?? undefined, message: f.message, severity: f.severity };
}

export function readReport(r: ReportSchema | null | undefined): ReportView | undefined {
  if (!r) return undefined;
  const b = r.browser;
  let browser: BrowserResult;
  if (b?.status === "loaded") {
    browser = { status: "loaded", text: `Loaded in Chromium; its service worker started (${b.duration_ms} ms).` };
  } else if (b?.status === "failed") {
    browser = {
      status: "failed",
      text: "Chromium did not load it or its service worker did not start.",
      errors: b.errors,
    };
  } else {
    browser = { status: "not_checked", text: b?.reason ? `Not checked: ${b.reason}` : "Not checked." };
  }
  return {
    findings: r.findings.map(finding),
    browser,
    repairs: (r.repairs ?? []).map((x) => ({ round: x.round, findings: x.findings.map(finding) })),
    timings: Object.entries(r.timings_ms ?? {}).map(([k, v]) => [k, v ?? 0] as [string, number]),
  };
}

/** Example prompts: a click fills the prompt box. */
export const EXAMPLES = [
  "Show how many tabs are open as a badge on the toolbar icon",
  "Add a dark mode toggle to every page, remembered per site",
  "Highlight every occurrence of a word I choose on the current page",
  "A popup with a Pomodoro timer that notifies me when a session ends",
] as const;

type VersionSummary = components["schemas"]["VersionSummary"];

/** A version's key in URLs and the picker: `1.0.0`, or `seq-N` for one without a number (pending or failed). */
export const versionKey = (v: Pick<VersionSummary, "version" | "seq">): string => v.version ?? `seq-${v.seq}`;

/** How the picker names a version: `v1.0.0`, or `Attempt 3` for one without a number. */
export const versionLabel = (v: Pick<VersionSummary, "version" | "seq">): string =>
  v.version ? `v${v.version}` : `Attempt ${v.seq}`;

/** The version to show first: the newest one (versions come oldest first). */
export function newestVersion<V extends Pick<VersionSummary, "version" | "seq">>(
  versions: readonly V[],
): V | undefined {
  return versions.reduce<V | undefined>((best, v) => (best === undefined || v.seq > best.seq ? v : best), undefined);
}

/** The steps of a generation, in the order the stepper shows them. */
export const STEPS = ["Queued", "Generating", "Validating", "Repairing", "Checking in browser", "Done"] as const;

/** Where a generation stands, as its job's events told it. */
export interface Progress {
  /** The job's status: queued, running, succeeded, failed, dead, cancelled. */
  status: string;
  /** 0–100. */
  percent: number;
  /** The last progress message (`validating`, `repairing (round 2)`, …). */
  message?: string;
  /** The step the last progress message was in (index into STEPS). */
  step: number;
  /** Repair rounds seen. */
  round: number;
  /** Why the job failed (or why an attempt failed, while it is retried). */
  error?: string;
}

export const INITIAL_PROGRESS: Progress = { status: "queued", percent: 0, step: 0, round: 0 };

export { isTerminal };

/** The step a progress message belongs to (`packaging` is the last step's work). */
export function stepOfMessage(message: string): number {
  if (message.startsWith("generating")) return 1;
  if (message.startsWith("validating")) return 2;
  if (message.startsWith("repairing")) return 3;
  if (message.startsWith("checking in browser")) return 4;
  if (message.startsWith("packaging") || message.startsWith("done")) return 5;
  return 1;
}

/** Applies one job event (`kind` and its parsed `data`) to the progress. */
export function applyEvent(p: Progress, kind: string, data: Record<string, unknown> | undefined): Progress {
  const str = (k: string) => (typeof data?.[k] === "string" ? (data[k] as string) : undefined);
  switch (kind) {
    case "progress": {
      const message = str("message") ?? p.message;
      const percent = typeof data?.progress === "number" ? data.progress : p.percent;
      const round = /round (\d+)/.exec(message ?? "")?.[1];
      return {
        ...p,
        status: "running",
        percent,
        message,
        step: message ? stepOfMessage(message) : p.step,
        round: round ? Math.max(p.round, Number(round)) : p.round,
      };
    }
    case "attempt_failed":
      return { ...p, status: "queued", error: str("error") };
    case "retried":
      return { ...p, status: "queued" };
    case "succeeded":
      return { ...p, status: "succeeded", percent: 100, step: STEPS.length - 1, error: undefined };
    case "failed":
    case "dead":
    case "cancelled":
      return { ...p, status: kind, error: str("error") ?? p.error };
    default:
      return p;
  }
}

/** What the stepper shows: the active step (STEPS.length when all are done) and whether it failed there. */
export function stepperView(p: Progress): { active: number; failed: boolean; label: string } {
  if (p.status === "succeeded") return { active: STEPS.length, failed: false, label: "Done" };
  if (["failed", "dead", "cancelled"].includes(p.status)) {
    return { active: p.step, failed: true, label: p.status === "cancelled" ? "Cancelled" : "Failed" };
  }
  if (p.status === "queued" && p.step === 0) return { active: 0, failed: false, label: "Queued" };
  return { active: p.step, failed: false, label: p.message ?? STEPS[p.step] ?? "Working" };
}
