/**
 * The server's unified diffs (`cistern_edit::unified_diff`: `git apply` takes them) read and
 * applied in the browser. The page has a file's base content and a task's `patch`, not the
 * proposed content, and a snapshot's diff to the working tree, not the snapshot's content: the
 * proposal is the base with the patch, the snapshot is the working tree with the patch reversed.
 */

/** One line of a hunk: its sign and its text with its line ending (none for a last line without one). */
export interface PatchLine {
  sign: " " | "-" | "+";
  text: string;
}

/** One `@@ -old_start,old_lines +new_start,new_lines @@` hunk, numbered from 1 as the server does. */
export interface PatchHunk {
  id: number;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: PatchLine[];
}

/** A patch that does not fit the text it is applied to (the file changed since the diff was made). */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

const HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** The hunks of a one-file unified diff (file headers and `diff --git` lines are skipped). */
export function parsePatch(patch: string): PatchHunk[] {
  const hunks: PatchHunk[] = [];
  const rows = patch.split("\n");
  if (rows[rows.length - 1] === "") rows.pop();
  let hunk: PatchHunk | undefined;
  for (const row of rows) {
    const m = HEADER.exec(row);
    if (m) {
      hunk = {
        id: hunks.length + 1,
        oldStart: Number(m[1]),
        oldLines: m[2] === undefined ? 1 : Number(m[2]),
        newStart: Number(m[3]),
        newLines: m[4] === undefined ? 1 : Number(m[4]),
        lines: [],
      };
      hunks.push(hunk);
      continue;
    }
    if (!hunk) continue;
    const sign = row[0];
    if (sign === " " || sign === "-" || sign === "+") {
      hunk.lines.push({ sign, text: `${row.slice(1)}\n` });
    } else if (sign === "\\") {
      // `\ No newline at end of file`: the line before it has no ending.
      const last = hunk.lines[hunk.lines.length - 1];
      if (last) last.text = last.text.slice(0, -1);
    } else if (row === "") {
      // Some tools drop the space of an empty context line.
      hunk.lines.push({ sign: " ", text: "\n" });
    }
  }
  return hunks;
}

/** A text's lines as git counts them: split after each `\n`, endings kept. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * `text` with `patch` applied (`reverse`: undone — new side back to old). `only` applies just
 * those hunk ids (the others leave their lines as they were; hunks never overlap). Throws
 * `PatchError` when a hunk's lines are not where its header says.
 */
export function applyPatch(text: string, patch: string, opts: { reverse?: boolean; only?: readonly number[] } = {}) {
  const { reverse = false, only } = opts;
  const src = splitLines(text);
  const out: string[] = [];
  let pos = 0;
  for (const h of parsePatch(patch)) {
    const [start, count] = reverse ? [h.newStart, h.newLines] : [h.oldStart, h.oldLines];
    const from = h.lines.filter((l) => l.sign === " " || l.sign === (reverse ? "+" : "-")).map((l) => l.text);
    const to = h.lines.filter((l) => l.sign === " " || l.sign === (reverse ? "-" : "+")).map((l) => l.text);
    // An empty side's start is the line before it (as in `diff -u`).
    const at = count === 0 ? start : start - 1;
    if (at < pos || at + from.length > src.length) {
      throw new PatchError(`hunk ${h.id} (${reverse ? "+" : "-"}${start}) is outside the file`);
    }
    for (let i = 0; i < from.length; i++) {
      if (src[at + i] !== from[i]) throw new PatchError(`hunk ${h.id} does not match line ${at + i + 1}`);
    }
    out.push(...src.slice(pos, at));
    out.push(...(only && !only.includes(h.id) ? from : to));
    pos = at + from.length;
  }
  out.push(...src.slice(pos));
  return out.join("");
}
