// The preview's view of a project: paths, module resolution over the in-memory files, and which
// files to build (the entry detection). Pure: no esbuild, no DOM — unit-tested in Node.

/** A project: path (relative to its root, `/`-separated) → file text. */
export type Files = Record<string, string>;

/** The bare specifiers the preview can import offline (vendored, resolved by the import map). */
export const VENDORED_SPECIFIERS = [
  "react",
  "react-dom",
  "react-dom/client",
  "react/jsx-runtime",
  "react/jsx-dev-runtime",
] as const;

/** The packages behind `VENDORED_SPECIFIERS`, as the user knows them. */
export const VENDORED_PACKAGES = ["react", "react-dom"] as const;

/** The extensions tried, in order, for an import without one (and for `dir/index.*`). */
export const RESOLVE_EXTENSIONS = [".tsx", ".ts", ".jsx", ".js", ".mjs", ".cjs", ".json", ".css"];

/** Conventional entries of a React project, tried when `index.html` names no module script. */
export const CONVENTIONAL_ENTRIES = ["src/main", "src/index", "main", "index"].flatMap((base) =>
  [".tsx", ".jsx", ".ts", ".js"].map((ext) => base + ext),
);

/** `a/./b/../c` → `a/c`; leading `./` and `/` dropped; `null` if it climbs above the root. */
export function normalizePath(path: string): string | null {
  const out: string[] = [];
  for (const part of path.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out.join("/");
}

/** The directory of a project path (`""` for the root). */
export function dirname(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut < 0 ? "" : path.slice(0, cut);
}

/** The project with every key normalised (entries that climb above the root are dropped). */
export function normalizeFiles(files: Files): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    const key = normalizePath(path);
    if (key) out.set(key, text);
  }
  return out;
}

/** A URL the browser loads itself (left untouched by the build). */
export function isUrl(spec: string): boolean {
  return /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(spec);
}

/** A package import (`react`, `@scope/pkg/sub`), as opposed to a path or a URL. */
export function isBare(spec: string): boolean {
  return !spec.startsWith(".") && !spec.startsWith("/") && !isUrl(spec);
}

/** The package a bare specifier belongs to: `lodash/fp` → `lodash`, `@a/b/c` → `@a/b`. */
export function packageName(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? spec);
}

export function isVendored(spec: string): boolean {
  return (VENDORED_SPECIFIERS as readonly string[]).includes(spec);
}

/** The message shown in the preview for an import that cannot be resolved offline. */
export function notOfflineMessage(pkg: string): string {
  return `\`${pkg}\` is not available offline in the preview; vendored: ${VENDORED_PACKAGES.join(", ")}`;
}

/**
 * Resolves `spec` (a relative or root-absolute path) imported from the file `importer` (`""` for
 * the project root) to a project file: the exact path, then with each of `RESOLVE_EXTENSIONS`,
 * then `spec/index.*`. `null` when no file matches.
 */
export function resolvePath(files: Map<string, string>, importer: string, spec: string): string | null {
  const joined = spec.startsWith("/") ? spec : `${dirname(importer)}/${spec}`;
  const base = normalizePath(joined.split(/[?#]/)[0] ?? joined);
  if (base === null) return null;
  const candidates = [
    base,
    ...RESOLVE_EXTENSIONS.map((ext) => base + ext),
    ...RESOLVE_EXTENSIONS.map((ext) => `${base}/index${ext}`),
  ];
  return candidates.find((c) => c !== "" && files.has(c)) ?? null;
}

/** A local `<script src>` or `<link rel="stylesheet" href>` of `index.html`. */
export interface HtmlRef {
  kind: "module" | "classic" | "style";
  /** The attribute's value as written. */
  raw: string;
  /** The project file it names (`null`: no such file). */
  path: string | null;
  /** 1-based line of the tag in the HTML, for error messages. */
  line: number;
  /** The whole tag, and where it starts in the HTML. */
  tag: string;
  start: number;
}

const TAG = /<(script|link)\b([^>]*)>/gi;
const ATTR = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

function attributes(source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of source.matchAll(ATTR)) {
    out.set((m[1] ?? "").toLowerCase(), m[2] ?? m[3] ?? m[4] ?? "");
  }
  return out;
}

/**
 * The local scripts and stylesheets an HTML file references, in document order. A tag scanner,
 * not a parser: enough for the `<script src>` and `<link href>` tags people write (tags inside
 * comments are skipped).
 */
export function scanHtml(files: Map<string, string>, htmlPath: string, html: string): HtmlRef[] {
  const refs: HtmlRef[] = [];
  const comments = [...html.matchAll(/<!--[\s\S]*?-->/g)].map((m) => [m.index, m.index + m[0].length]);
  for (const m of html.matchAll(TAG)) {
    if (comments.some(([from = 0, to = 0]) => m.index >= from && m.index < to)) continue;
    const attrs = attributes(m[2] ?? "");
    const isScript = (m[1] ?? "").toLowerCase() === "script";
    const raw = isScript ? attrs.get("src") : attrs.get("href");
    if (raw === undefined || raw === "" || isUrl(raw)) continue;
    let kind: HtmlRef["kind"];
    if (isScript) {
      kind = attrs.get("type")?.toLowerCase() === "module" ? "module" : "classic";
    } else if (attrs.get("rel")?.toLowerCase().split(/\s+/).includes("stylesheet")) {
      kind = "style";
    } else {
      continue;
    }
    refs.push({
      kind,
      raw,
      path: resolvePath(files, htmlPath, raw),
      line: html.slice(0, m.index).split("\n").length,
      tag: m[0],
      start: m.index,
    });
  }
  return refs;
}

/** What to build for a preview. */
export interface ProjectPlan {
  /** The page: the project's `index.html`, or a default one with `<div id="root">`. */
  html: string;
  /** The page's path in the project (`null`: the default page). */
  htmlPath: string | null;
  /** Its local scripts and stylesheets; a conventional entry is appended when it names none. */
  refs: HtmlRef[];
}

const DEFAULT_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Preview</title>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;

/**
 * Finds the page and its entries: `index.html` (at the root, else `public/index.html`) with its
 * local scripts and stylesheets; when it has no local module script (or there is no page), the
 * first of `CONVENTIONAL_ENTRIES` that exists is added as one (a Vite or CRA layout). `null` when
 * there is nothing to show.
 */
export function detectProject(files: Map<string, string>): ProjectPlan | null {
  const htmlPath = ["index.html", "public/index.html"].find((p) => files.has(p)) ?? null;
  const html = htmlPath === null ? DEFAULT_HTML : (files.get(htmlPath) ?? "");
  const refs = htmlPath === null ? [] : scanHtml(files, htmlPath, html);
  const hasScript = refs.some((r) => r.kind !== "style");
  // A page with its own (classic or inline) scripts is a plain project: take it as it is.
  const hasInline = /<script\b(?![^>]*\bsrc\s*=)[^>]*>\s*\S/i.test(html);
  if (!hasScript && !(htmlPath !== null && hasInline)) {
    const entry = CONVENTIONAL_ENTRIES.find((p) => files.has(p));
    if (entry) {
      refs.push({ kind: "module", raw: entry, path: entry, line: 0, tag: "", start: -1 });
    } else if (htmlPath === null) {
      return null;
    }
  }
  return { html, htmlPath, refs };
}
