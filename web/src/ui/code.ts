/**
 * Pure helpers of the code view (CodeView.tsx): which grammar a file name wants, and a
 * highlighted syntax tree cut into lines (a token may span lines: a block comment, a template
 * string), so each line can carry its number.
 */
import type { ElementContent, RootContent } from "hast";

/** File extensions to highlight.js grammar names (the ones CodeView registers). */
const BY_EXTENSION: Record<string, string> = {
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "javascript",
  ts: "typescript",
  mts: "typescript",
  tsx: "typescript",
  json: "json",
  css: "css",
  html: "xml",
  htm: "xml",
  svg: "xml",
  xml: "xml",
  md: "markdown",
  markdown: "markdown",
  sh: "bash",
  bash: "bash",
  py: "python",
  rs: "rust",
  go: "go",
  java: "java",
  c: "c",
  h: "c",
  cpp: "cpp",
  cc: "cpp",
  hpp: "cpp",
  sql: "sql",
  yaml: "yaml",
  yml: "yaml",
  toml: "ini",
  ini: "ini",
  diff: "diff",
  patch: "diff",
};

/** The grammar for `fileName` (by its extension; `Dockerfile` by name), or undefined for plain text. */
export function languageOf(fileName: string | undefined): string | undefined {
  if (!fileName) return undefined;
  const base = fileName.split("/").pop() ?? "";
  if (/^dockerfile$/i.test(base)) return "dockerfile";
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return undefined;
  return BY_EXTENSION[base.slice(dot + 1).toLowerCase()];
}

/** A run of text with the highlight classes of every token it is inside. */
export interface Segment {
  text: string;
  className?: string;
}

/**
 * The highlighted tree as lines of segments. A trailing newline adds no empty last line, and an
 * empty text is one empty line.
 */
export function toLines(nodes: readonly (RootContent | ElementContent)[]): Segment[][] {
  const lines: Segment[][] = [[]];
  const walk = (list: readonly (RootContent | ElementContent)[], classes: string[]) => {
    for (const node of list) {
      if (node.type === "text") {
        const parts = node.value.split(/\r\n|\n/);
        parts.forEach((part, i) => {
          if (i > 0) lines.push([]);
          if (part === "") return;
          const className = classes.length > 0 ? classes.join(" ") : undefined;
          lines[lines.length - 1]!.push(className ? { text: part, className } : { text: part });
        });
      } else if (node.type === "element") {
        const own = Array.isArray(node.properties.className) ? node.properties.className.map(String) : [];
        walk(node.children, [...classes, ...own]);
      }
    }
  };
  walk(nodes, []);
  if (lines.length > 1 && lines[lines.length - 1]!.length === 0) lines.pop();
  return lines;
}

/** Plain text as lines of one unstyled segment each (for unknown languages). */
export function plainLines(text: string): Segment[][] {
  return toLines([{ type: "text", value: text }]);
}
