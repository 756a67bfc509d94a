/**
 * Pure logic of the coding workspace page: a file's editor language, a task's progress from its
 * events, and the review's hunk decisions (what the user chose here, what the server recorded,
 * and the accept and reject requests that carry them out).
 */
import { isTerminal } from "../jobs/events";
import type { ProposedFile, Review, ReviewRequest } from "./types";

const LANGUAGES: Record<string, string> = {
  ts: "typescript",
  tsx: "typescript",
  mts: "typescript",
  cts: "typescript",
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  json: "json",
  css: "css",
  scss: "scss",
  less: "less",
  html: "html",
  htm: "html",
  vue: "html",
  svelte: "html",
  md: "markdown",
  markdown: "markdown",
  py: "python",
  rs: "rust",
  go: "go",
  java: "java",
  kt: "kotlin",
  swift: "swift",
  c: "c",
  h: "c",
  cpp: "cpp",
  cc: "cpp",
  hpp: "cpp",
  cs: "csharp",
  rb: "ruby",
  php: "php",
  sh: "shell",
  bash: "shell",
  yml: "yaml",
  yaml: "yaml",
  toml: "ini",
  ini: "ini",
  xml: "xml",
  svg: "xml",
  sql: "sql",
  graphql: "graphql",
};

/** Monaco's language id for a path (`plaintext` when unknown). */
export function languageOf(path: string): string {
  const name = path.split("/").pop() ?? "";
  if (/^dockerfile$/i.test(name)) return "dockerfile";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return "plaintext";
  return LANGUAGES[name.slice(dot + 1).toLowerCase()] ?? "plaintext";
}

/** A path the user typed, tidied as the server normalises it; undefined when it can never be valid. */
export function cleanPath(input: string): string | undefined {
  const parts = input
    .trim()
    .replace(/\\/g, "/")
    .split("/")
    .filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.some((p) => p === ".." || p.toLowerCase() === ".git")) return undefined;
  // eslint-disable-next-line no-control-regex
  if (parts.some((p) => /[\u0000-\u001f]/.test(p))) return undefined;
  return parts.join("/");
}

/** The API path of a workspace file: each segment encoded, `/` kept. */
export function fileUrl(workspaceId: string, path: string): string {
  return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/files/${path.split("/").map(encodeURIComponent).join("/")}`;
}

// ---------------------------------------------------------------------------------------------
// A task's progress
// ---------------------------------------------------------------------------------------------

/** Where a task stands, folded from its job's events. */
export interface TaskProgress {
  status: string;
  percent: number;
  /** The last stage message (`thinking (step 2)`, `reading src/app.py`, …). */
  stage?: string;
  /** Files the agent read, in order, once each. */
  read: string[];
  /** Searches it ran (their patterns). */
  searches: string[];
  /** Edits it proposed that the engine applied. */
  proposals: number;
  /** Proposals refused and sent back for repair. */
  repairs: number;
  /** Model calls so far. */
  steps: number;
  error?: string;
}

export const INITIAL_TASK_PROGRESS: TaskProgress = {
  status: "queued",
  percent: 0,
  read: [],
  searches: [],
  proposals: 0,
  repairs: 0,
  steps: 0,
};

/** Applies one job event of a task (see `apps/agent/job.rs` for the stage messages). */
export function applyTaskEvent(p: TaskProgress, kind: string, data: Record<string, unknown> | undefined): TaskProgress {
  const str = (k: string) => (typeof data?.[k] === "string" ? (data[k] as string) : undefined);
  switch (kind) {
    case "progress": {
      const percent = typeof data?.progress === "number" ? data.progress : p.percent;
      const stage = str("message");
      const next: TaskProgress = { ...p, status: "running", percent, stage: stage ?? p.stage };
      if (!stage) return next;
      let m: RegExpExecArray | null;
      if ((m = /^reading (.+)$/.exec(stage)) && stage !== "reading the workspace") {
        if (!p.read.includes(m[1]!)) next.read = [...p.read, m[1]!];
      } else if ((m = /^searching \/(.*)\/$/.exec(stage))) {
        next.searches = [...p.searches, m[1]!];
      } else if ((m = /^thinking \(step (\d+)\)$/.exec(stage))) {
        next.steps = Math.max(p.steps, Number(m[1]));
      } else if (stage.startsWith("applied edits to ")) {
        next.proposals = p.proposals + 1;
      } else if ((m = /^repair round (\d+)/.exec(stage))) {
        next.repairs = Math.max(p.repairs, Number(m[1]));
      }
      return next;
    }
    case "succeeded":
      return { ...p, status: "succeeded", percent: 100, stage: "done" };
    case "failed":
    case "dead":
    case "cancelled":
      return { ...p, status: kind, error: str("error") ?? p.error };
    default:
      return p;
  }
}

/** The progress line: what the agent is doing now, in words. */
export function taskStageLabel(p: TaskProgress): string {
  if (p.status === "succeeded") return "Done";
  if (isTerminal(p.status)) return "Failed";
  if (!p.stage) return "Queued";
  return p.stage.charAt(0).toUpperCase() + p.stage.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Review: hunk decisions
// ---------------------------------------------------------------------------------------------

/** What the user chose for a hunk on this page, not yet sent. */
export type Choice = "accept" | "reject";

/** Path → hunk id → choice. */
export type Choices = Readonly<Record<string, Readonly<Record<number, Choice>>>>;

/** A hunk's state as the page shows it. */
export type HunkState = "accepted" | "rejected" | Choice | "undecided";

/** The server's decision on a hunk, if it has one. */
export function decided(
  review: Review | null | undefined,
  path: string,
  id: number,
): "accepted" | "rejected" | undefined {
  const d = review?.files[path]?.[String(id)];
  if (!d) return undefined;
  return d.accepted ? "accepted" : "rejected";
}

export function hunkState(review: Review | null | undefined, choices: Choices, path: string, id: number): HunkState {
  return decided(review, path, id) ?? choices[path]?.[id] ?? "undecided";
}

/** `choices` with the given hunks set to `choice` (or cleared with `undefined`); decided hunks are left out. */
export function choose(
  choices: Choices,
  review: Review | null | undefined,
  path: string,
  ids: readonly number[],
  choice: Choice | undefined,
): Choices {
  const file: Record<number, Choice> = { ...choices[path] };
  for (const id of ids) {
    if (decided(review, path, id)) continue;
    if (choice) file[id] = choice;
    else delete file[id];
  }
  return { ...choices, [path]: file };
}

/** Every undecided hunk of the proposal set to `choice`. */
export function chooseAll(
  choices: Choices,
  review: Review | null | undefined,
  files: readonly ProposedFile[],
  choice: Choice,
): Choices {
  return files.reduce(
    (c, f) =>
      choose(
        c,
        review,
        f.path,
        f.hunks.map((h) => h.id),
        choice,
      ),
    choices,
  );
}

/** Hunks of the proposal the server has not decided. */
export function undecidedCount(review: Review | null | undefined, files: readonly ProposedFile[]): number {
  return files.reduce((n, f) => n + f.hunks.filter((h) => !decided(review, f.path, h.id)).length, 0);
}

/**
 * The requests that carry out the user's choices: first a reject of the hunks to reject (with
 * the reason), then an accept of those to accept — in that order, since an accept rejects every
 * hunk still undecided, without a reason. `leftOver` counts the undecided hunks with no choice
 * that the accept would reject too (none when nothing is accepted: they stay to decide later).
 */
export function reviewPlan(
  review: Review | null | undefined,
  choices: Choices,
  files: readonly ProposedFile[],
  reason: string,
): { reject?: ReviewRequest; accept?: ReviewRequest; leftOver: number } {
  const pick = (choice: Choice) =>
    files
      .map((f) => ({
        path: f.path,
        ids: f.hunks.map((h) => h.id).filter((id) => !decided(review, f.path, id) && choices[f.path]?.[id] === choice),
      }))
      .filter((h) => h.ids.length > 0);
  const rejects = pick("reject");
  const accepts = pick("accept");
  const chosen = [...rejects, ...accepts].reduce((n, h) => n + h.ids.length, 0);
  const trimmed = reason.trim();
  return {
    reject: rejects.length ? { hunks: rejects, ...(trimmed ? { reason: trimmed } : {}) } : undefined,
    accept: accepts.length ? { hunks: accepts } : undefined,
    leftOver: accepts.length ? undecidedCount(review, files) - chosen : 0,
  };
}

/** A merge conflict of a 409 `merge_conflict` (`details.conflicts`). */
export interface Conflict {
  path: string;
  base_start: number;
  base_lines: number;
  current: string;
  proposed: string;
}

/** The conflicts of an error's details, if it is a merge conflict. */
export function conflictsOf(details: unknown): Conflict[] {
  if (typeof details !== "object" || details === null) return [];
  const list = (details as { conflicts?: unknown }).conflicts;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (c): c is Conflict =>
      typeof c === "object" &&
      c !== null &&
      typeof (c as Conflict).path === "string" &&
      typeof (c as Conflict).base_start === "number",
  );
}
