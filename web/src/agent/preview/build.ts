// Builds a project for the preview with esbuild (esbuild-wasm in the browser's build worker, the
// same package's Node API in the unit tests): every local module script of the page is bundled
// with its relative imports and the CSS they import; classic scripts are checked for syntax and
// kept as written (they share globals, which bundling would break); stylesheets are bundled for
// their `@import`s. Bare imports of the vendored packages stay imports (the shell's import map
// resolves them); any other bare import fails the build with a message naming the package.
import type { Loader, Message, Plugin, PluginBuild } from "esbuild-wasm";
import {
  detectProject,
  isBare,
  isUrl,
  isVendored,
  normalizeFiles,
  normalizePath,
  notOfflineMessage,
  packageName,
  resolvePath,
  type Files,
  type HtmlRef,
} from "./project";
import type { BuildMessage, BuildOutcome, PreviewDocument, PreviewScript } from "./protocol";

/** The part of esbuild's API the build uses (the browser and the Node packages both have it). */
export interface Esbuild {
  build: PluginBuild["esbuild"]["build"];
  transform: PluginBuild["esbuild"]["transform"];
}

const NAMESPACE = "project";

/** The loader for a project file, by its extension. */
export function loaderFor(path: string): Loader {
  if (path.endsWith(".module.css")) return "local-css";
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  const loaders: Record<string, Loader> = {
    ts: "ts",
    mts: "ts",
    cts: "ts",
    tsx: "tsx",
    js: "jsx",
    jsx: "jsx",
    mjs: "js",
    cjs: "js",
    json: "json",
    css: "css",
    svg: "dataurl",
  };
  return loaders[ext] ?? "text";
}

/**
 * The esbuild plugin that serves the project from memory: relative and root-absolute imports
 * resolve to project files (with extension and `index.*` resolution), vendored packages stay
 * external, URLs stay as they are, and any other bare import is an error naming its package
 * (collected in `missing`).
 */
export function projectPlugin(files: Map<string, string>, missing: Set<string>): Plugin {
  return {
    name: "cistern-preview-project",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        // esbuild hands entry points over as `./path`.
        if (args.kind === "entry-point") return { path: normalizePath(args.path) ?? args.path, namespace: NAMESPACE };
        if (isUrl(args.path)) return { path: args.path, external: true };
        // In CSS, `@import "x.css"` and `url(x.png)` are relative.
        const inCss = args.kind === "import-rule" || args.kind === "url-token";
        if (isBare(args.path) && !inCss) {
          if (isVendored(args.path)) return { path: args.path, external: true };
          const pkg = packageName(args.path);
          missing.add(pkg);
          return { errors: [{ text: notOfflineMessage(pkg) }] };
        }
        const path = resolvePath(files, args.importer, args.path);
        if (path !== null) return { path, namespace: NAMESPACE };
        // A CSS url() to a file the project does not have (an image) is left for the browser.
        if (args.kind === "url-token") return { path: args.path, external: true };
        return { errors: [{ text: `Could not resolve "${args.path}": no such file in the project` }] };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: files.get(args.path) ?? "",
        loader: loaderFor(args.path),
      }));
    },
  };
}

/** An esbuild message as a `BuildMessage` (its file a project path). */
export function toBuildMessage(message: Message): BuildMessage {
  const loc = message.location;
  if (!loc) return { text: message.text };
  return {
    text: message.text,
    file: loc.file.replace(new RegExp(`^${NAMESPACE}:`), ""),
    line: loc.line,
    column: loc.column,
    lineText: loc.lineText,
  };
}

class BuildFailure extends Error {
  constructor(readonly messages: BuildMessage[]) {
    super(messages[0]?.text ?? "build failed");
  }
}

function esbuildErrors(error: unknown): BuildMessage[] {
  const errors = (error as { errors?: Message[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) return errors.map(toBuildMessage);
  return [{ text: error instanceof Error ? error.message : String(error) }];
}

/** Bundles one entry (a module script or a stylesheet): its JS and CSS. */
async function bundle(
  esbuild: Esbuild,
  files: Map<string, string>,
  entry: string,
  missing: Set<string>,
  warnings: BuildMessage[],
): Promise<{ js: string; css: string }> {
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: "esm",
      outdir: "/out",
      target: "es2022",
      jsx: "automatic",
      jsxDev: true,
      define: { "process.env.NODE_ENV": '"development"' },
      logLevel: "silent",
      plugins: [projectPlugin(files, missing)],
    });
    warnings.push(...result.warnings.map(toBuildMessage));
    const out = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? "";
    return { js: out(".js"), css: out(".css") };
  } catch (error) {
    throw new BuildFailure(esbuildErrors(error));
  }
}

async function checkClassic(esbuild: Esbuild, path: string, code: string): Promise<void> {
  try {
    await esbuild.transform(code, { loader: "js", sourcefile: path, logLevel: "silent" });
  } catch (error) {
    throw new BuildFailure(esbuildErrors(error));
  }
}

/** The page with each reference's tag replaced by its placeholder (see `PreviewDocument`). */
function placeholders(html: string, refs: { ref: HtmlRef; placeholder: string }[]): string {
  let out = html;
  // From the end, so earlier offsets stay valid.
  for (const { ref, placeholder } of [...refs].sort((a, b) => b.ref.start - a.ref.start)) {
    if (ref.start < 0) continue;
    let end = ref.start + ref.tag.length;
    if (ref.kind !== "style") {
      const close = /^\s*<\/script\s*>/i.exec(out.slice(end));
      if (close) end += close[0].length;
    }
    out = out.slice(0, ref.start) + placeholder + out.slice(end);
  }
  // Appended entries (a conventional entry) go at the end of the body.
  const appended = refs.filter((r) => r.ref.start < 0).map((r) => r.placeholder);
  if (appended.length > 0) {
    const at = out.search(/<\/body\s*>/i);
    out = at < 0 ? out + appended.join("") : out.slice(0, at) + appended.join("") + out.slice(at);
  }
  return out;
}

async function buildDocument(
  esbuild: Esbuild,
  files: Map<string, string>,
  missing: Set<string>,
  warnings: BuildMessage[],
): Promise<PreviewDocument> {
  const plan = detectProject(files);
  if (plan === null) {
    throw new BuildFailure([
      {
        text: "Nothing to preview: the project has no index.html and no src/main.tsx (or .jsx, .ts, .js) or src/index.* entry",
      },
    ]);
  }
  const unknown = plan.refs.filter((r) => r.path === null);
  if (unknown.length > 0) {
    throw new BuildFailure(
      unknown.map((r) => ({
        text: `${r.kind === "style" ? "stylesheet" : "script"} "${r.raw}" is not a file of the project`,
        file: plan.htmlPath ?? undefined,
        line: r.line,
      })),
    );
  }
  const built = await Promise.all(
    plan.refs.map(async (ref) => {
      const path = ref.path ?? "";
      if (ref.kind === "classic") {
        const code = files.get(path) ?? "";
        await checkClassic(esbuild, path, code);
        return { js: code, css: "" };
      }
      return bundle(esbuild, files, path, missing, warnings);
    }),
  );
  const scripts: PreviewScript[] = [];
  const styles: string[] = [];
  let css = "";
  const marked = plan.refs.map((ref, i) => {
    const out = built[i] ?? { js: "", css: "" };
    if (ref.kind === "style") {
      styles.push(out.css);
      return { ref, placeholder: `<style data-cistern-style="${styles.length - 1}"></style>` };
    }
    css += out.css;
    scripts.push({ file: ref.path ?? "", module: ref.kind === "module", code: out.js });
    return { ref, placeholder: `<script data-cistern-script="${scripts.length - 1}"></script>` };
  });
  return { html: placeholders(plan.html, marked), scripts, styles, css };
}

/** Builds `files` for the preview. Never throws: a failed build is an outcome with messages. */
export async function buildPreview(esbuild: Esbuild, input: Files): Promise<BuildOutcome> {
  const started = performance.now();
  const files = normalizeFiles(input);
  const missing = new Set<string>();
  const warnings: BuildMessage[] = [];
  const ms = () => Math.round(performance.now() - started);
  try {
    const document = await buildDocument(esbuild, files, missing, warnings);
    return { ok: true, document, warnings, ms: ms() };
  } catch (error) {
    const errors = error instanceof BuildFailure ? error.messages : [{ text: String(error) }];
    const packages = [...missing];
    const title =
      packages.length > 0
        ? packages.map(notOfflineMessage).join("\n")
        : `Build failed with ${errors.length} error${errors.length === 1 ? "" : "s"}`;
    return { ok: false, title, errors, missing: packages, ms: ms() };
  }
}

/** `file:line:column` of a message, or `""`. */
export function messagePlace(m: BuildMessage): string {
  if (!m.file) return "";
  if (m.line === undefined) return m.file;
  return m.column === undefined ? `${m.file}:${m.line}` : `${m.file}:${m.line}:${m.column + 1}`;
}
