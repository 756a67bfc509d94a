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

/** `text` as numbered lines (a trailing newline adds no empty last line). */
export function numberLines(text: string): { n: number; line: string }[] {
  const lines = text.split(/\r\n|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((line, i) => ({ n: i + 1, line }));
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

/** The stages a generation goes through, in order. */
export const STAGES = [
  "queued",
  "generating",
  "validating",
  "checking in browser",
  "repairing",
  "packaging",
  "done",
] as const;

/**
 * The stage a job is in, from its status and last progress message (`repairing (round 2)`
 * keeps its round in `label`).
 */
export function stageOf(status: string, message?: string): { stage: string; label: string; failed: boolean } {
  if (status === "failed" || status === "dead" || status === "cancelled")
    return { stage: "failed", label: status, failed: true };
  if (status === "succeeded") return { stage: "done", label: "done", failed: false };
  if (!message || status === "queued") return { stage: "queued", label: "queued", failed: false };
  const stage = STAGES.find((s) => message.startsWith(s)) ?? "generating";
  return { stage, label: message, failed: false };
}
