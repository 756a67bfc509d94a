/**
 * Pure logic of the code generator page: the job's progress messages in the page's terms (stage,
 * step, the files written so far), the file tree, and the numbers the page shows.
 */
import { isTerminal } from "../jobs/events";
import type { CodegenFile } from "./types";

/** Example prompts: a click fills the prompt box. */
export const EXAMPLES = [
  "A React + Vite todo app with local storage",
  "A FastAPI service with a /health route and a /items CRUD",
  "A Rust CLI that counts words in files",
] as const;

/** One progress message: a newly written file (`file N: path`) or a stage (`generating`, …). */
export type ProgressLine = { kind: "file"; n: number; path: string } | { kind: "stage"; text: string };

const FILE_LINE = /^file (\d+): (.+)$/;

export function parseMessage(message: string): ProgressLine {
  const m = FILE_LINE.exec(message);
  if (m) return { kind: "file", n: Number(m[1]), path: m[2]! };
  return { kind: "stage", text: message };
}

/** The steps of a generation, in the order the stepper shows them. */
export const STEPS = ["Queued", "Writing files", "Checking syntax", "Repairing", "Packaging", "Done"] as const;

/** The step a stage message belongs to. */
export function stepOfMessage(message: string): number {
  if (message.startsWith("checking")) return 2;
  if (message.startsWith("repairing")) return 3;
  if (message.startsWith("packaging")) return 4;
  if (message.startsWith("done")) return 5;
  // generating, file N: …, continuing (round N), files found: N
  return 1;
}

/** Where a generation stands, as its job's events told it. */
export interface Progress {
  /** The job's status: queued, running, succeeded, failed, dead, cancelled. */
  status: string;
  /** 0–100. */
  percent: number;
  /** The last stage message (`generating`, `repairing (round 1)`, …): never a file line. */
  stage?: string;
  /** Index into STEPS. */
  step: number;
  /** The files the model has finished, in the order it wrote them. */
  files: string[];
  /** Why the job failed (or why an attempt failed, while it is retried). */
  error?: string;
}

export const INITIAL_PROGRESS: Progress = { status: "queued", percent: 0, step: 0, files: [] };

export { isTerminal };

/** Applies one job event (`kind` and its parsed `data`) to the progress. */
export function applyEvent(p: Progress, kind: string, data: Record<string, unknown> | undefined): Progress {
  const str = (k: string) => (typeof data?.[k] === "string" ? (data[k] as string) : undefined);
  switch (kind) {
    case "progress": {
      const percent = typeof data?.progress === "number" ? data.progress : p.percent;
      const message = str("message");
      if (message === undefined) return { ...p, status: "running", percent };
      const line = parseMessage(message);
      if (line.kind === "file") {
        // Numbered from 1 across the generation; a replayed event is not a new file.
        const files = p.files.includes(line.path) ? p.files : [...p.files, line.path];
        return { ...p, status: "running", percent, step: Math.max(p.step, 1), files };
      }
      // `generating` starts an attempt: a retried one announces its files again, from 1.
      const files = line.text === "generating" ? [] : p.files;
      return { ...p, status: "running", percent, stage: line.text, step: stepOfMessage(line.text), files };
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

/** What the stage line says: the stage in words, a file count while they are written. */
export function stageLabel(p: Progress): string {
  if (p.status === "succeeded") return "Done";
  if (p.status === "cancelled") return "Cancelled";
  if (isTerminal(p.status)) return "Failed";
  if (p.status === "queued" && p.step === 0) return "Queued";
  const stage = p.stage ?? "generating";
  if (p.step === 1 && p.files.length > 0 && stage === "generating") {
    return `Writing files (${p.files.length} so far)`;
  }
  return stage.charAt(0).toUpperCase() + stage.slice(1);
}

/** The stepper's active step (STEPS.length when all are done) and whether it failed there. */
export function stepperView(p: Progress): { active: number; failed: boolean } {
  if (p.status === "succeeded") return { active: STEPS.length, failed: false };
  return { active: p.step, failed: isTerminal(p.status) };
}

/** A directory or a file of the tree; directories first, then files, each sorted by name. */
export type TreeNode<F> =
  | { kind: "dir"; name: string; path: string; children: TreeNode<F>[] }
  | { kind: "file"; name: string; path: string; file: F };

/** Groups `a/b/c.ts`-style paths by directory (empty segments are ignored). */
export function buildTree<F extends { path: string }>(files: readonly F[]): TreeNode<F>[] {
  const root: TreeNode<F>[] = [];
  for (const file of files) {
    const parts = file.path.split("/").filter((p) => p !== "");
    const name = parts.pop();
    if (name === undefined) continue;
    let level = root;
    parts.forEach((part, i) => {
      let dir = level.find((n): n is Extract<TreeNode<F>, { kind: "dir" }> => n.kind === "dir" && n.name === part);
      if (!dir) {
        dir = { kind: "dir", name: part, path: parts.slice(0, i + 1).join("/"), children: [] };
        level.push(dir);
      }
      level = dir.children;
    });
    level.push({ kind: "file", name, path: [...parts, name].join("/"), file });
  }
  sortTree(root);
  return root;
}

function sortTree<F>(nodes: TreeNode<F>[]) {
  nodes.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "dir" ? -1 : 1));
  for (const n of nodes) if (n.kind === "dir") sortTree(n.children);
}

/** The files in the order the tree shows them. */
export function treeOrder<F>(nodes: readonly TreeNode<F>[]): F[] {
  return nodes.flatMap((n) => (n.kind === "dir" ? treeOrder(n.children) : [n.file]));
}

/** Every directory path of the tree (to open them all at first). */
export function dirPaths<F>(nodes: readonly TreeNode<F>[]): string[] {
  return nodes.flatMap((n) => (n.kind === "dir" ? [n.path, ...dirPaths(n.children)] : []));
}

const ENTRY = /^(src\/)?(app|main|index|lib)\.[a-z]+$|^(src\/)?App\.[a-z]+$/;

/** The file to open first: one with a syntax error, else the entry point, else the first in the tree. */
export function defaultFile(files: readonly CodegenFile[]): string | undefined {
  const ordered = treeOrder(buildTree(files));
  return (
    ordered.find((f) => !f.syntax.ok)?.path ??
    files.find((f) => ENTRY.test(f.path))?.path ??
    ordered.find((f) => !/^readme/i.test(f.path))?.path ??
    ordered[0]?.path
  );
}

/** A file's syntax check in a word: `ok`, `errors` (how many), or `unchecked`. */
export function syntaxState(f: Pick<CodegenFile, "syntax">): "ok" | "errors" | "unchecked" {
  if (!f.syntax.ok) return "errors";
  return f.syntax.checked ? "ok" : "unchecked";
}

/** "3 errors", "1 error", "20+ errors" (the server stops counting at its limit). */
export function errorCount(s: Pick<CodegenFile["syntax"], "errors" | "more_errors">): string {
  const n = s.errors.length;
  return `${n}${s.more_errors ? "+" : ""} error${n === 1 && !s.more_errors ? "" : "s"}`;
}

/** The path of the files route: each segment encoded, `/` kept. */
export function fileUrl(id: string, path: string): string {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return `/api/v1/generations/${encodeURIComponent(id)}/files/${encoded}`;
}

/** A confidence of 0..1 as a whole percentage: `82%`. */
export const formatConfidence = (c: number): string => `${Math.round(Math.min(1, Math.max(0, c)) * 100)}%`;

/** A duration in ms as people read it: `840 ms`, `12.4 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A ZIP name from the prompt: its first few words, file-name safe. */
export function zipName(prompt: string, framework?: string): string {
  const words = prompt
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean)
    .slice(0, 5);
  const base = words.join("-") || framework || "project";
  return `${base}.zip`;
}
