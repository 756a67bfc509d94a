// The messages between the preview component, its build worker and the sandboxed shell
// (`public/preview/shell.html`). Types only, shared by the three.

/** One line of the preview's console (or an uncaught error). */
export interface ConsoleLine {
  level: "log" | "info" | "warn" | "error" | "debug";
  text: string;
}

/** A build message with its place in the project (`file` is a project path). */
export interface BuildMessage {
  text: string;
  file?: string;
  line?: number;
  column?: number;
  lineText?: string;
  /** `file:line:column`, filled in for the shell's message page. */
  place?: string;
}

/** A script of the page, in document order: a bundled module, or a classic script as written. */
export interface PreviewScript {
  /** The project file (or `index.html` for an inline script), for messages. */
  file: string;
  module: boolean;
  code: string;
}

/**
 * The page to show, ready for the shell. `html` is the project's page with each local script tag
 * replaced by `<script data-cistern-script="i"></script>` and each local stylesheet link by
 * `<style data-cistern-style="i"></style>`; the shell fills them from `scripts` and `styles`
 * (blob: URLs and inline styles of its own opaque origin), then appends `css` (the CSS the
 * modules imported).
 */
export interface PreviewDocument {
  html: string;
  scripts: PreviewScript[];
  styles: string[];
  css: string;
}

/** The result of building a project. */
export type BuildOutcome =
  | { ok: true; document: PreviewDocument; warnings: BuildMessage[]; ms: number }
  | { ok: false; title: string; errors: BuildMessage[]; missing: string[]; ms: number };

/** Component → worker. */
export interface BuildRequest {
  id: number;
  files: Record<string, string>;
}

/** Worker → component. `failure`: esbuild itself could not start or crashed. */
export type BuildResponse = { id: number; outcome: BuildOutcome } | { id: number; failure: string };

/** Component → shell: the page to render (with the import map's modules) or a message page. */
export type ShellRequest =
  | { type: "cistern-preview:render"; document: PreviewDocument; modules: Record<string, string> }
  | { type: "cistern-preview:message"; title: string; errors: BuildMessage[] };

/** Shell → component. */
export type ShellEvent =
  | { type: "cistern-preview:ready" }
  | { type: "cistern-preview:rendered" }
  | { type: "cistern-preview:console"; level: ConsoleLine["level"]; text: string };
