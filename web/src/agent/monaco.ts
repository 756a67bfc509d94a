/**
 * Monaco from the bundle, never from a CDN: `@monaco-editor/react` is handed the bundled
 * `monaco-editor` (its loader's default would fetch Monaco from jsDelivr), and Monaco's web
 * workers are Vite `?worker` chunks served by Cistern like every other asset. Only the workers
 * the page needs are bundled: the editor's own, and the language services of JSON, CSS, HTML
 * and TypeScript/JavaScript; other languages get highlighting only.
 *
 * This module is imported by the coding workspace page alone, so Monaco is part of that lazy
 * chunk and of no other page.
 */
import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import CssWorker from "monaco-editor/language/css/css.worker?worker";
import HtmlWorker from "monaco-editor/language/html/html.worker?worker";
import JsonWorker from "monaco-editor/language/json/json.worker?worker";
import TsWorker from "monaco-editor/language/typescript/ts.worker?worker";
import { DARK_RULES, LIGHT_RULES } from "./themeRules";

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    switch (label) {
      case "json":
        return new JsonWorker();
      case "css":
      case "scss":
      case "less":
        return new CssWorker();
      case "html":
      case "handlebars":
      case "razor":
        return new HtmlWorker();
      case "typescript":
      case "javascript":
        return new TsWorker();
      default:
        return new EditorWorker();
    }
  },
};

// A workspace is not a TypeScript project Monaco can resolve (no node_modules, no tsconfig):
// its semantic errors would mark every import red. Syntax errors are still shown.
for (const defaults of [monaco.typescript.typescriptDefaults, monaco.typescript.javascriptDefaults]) {
  defaults.setDiagnosticsOptions({ noSemanticValidation: true, noSyntaxValidation: false });
}
monaco.typescript.typescriptDefaults.setCompilerOptions({
  jsx: monaco.typescript.JsxEmit.ReactJSX,
  target: monaco.typescript.ScriptTarget.ES2020,
  allowNonTsExtensions: true,
});

// Monaco's themes with AA contrast (axe runs in the e2e): fainter diff tints in both, and the
// token colours still below 4.5:1 on them adjusted (themeRules.ts).
const diffTints = {
  "diffEditor.insertedTextBackground": "#2ea04324",
  "diffEditor.insertedLineBackground": "#2ea04312",
  "diffEditor.removedTextBackground": "#f8514924",
  "diffEditor.removedLineBackground": "#f8514912",
};
monaco.editor.defineTheme("cistern-dark", {
  base: "vs-dark",
  inherit: true,
  rules: DARK_RULES,
  colors: diffTints,
});
monaco.editor.defineTheme("cistern-light", { base: "vs", inherit: true, rules: LIGHT_RULES, colors: diffTints });

/** Monaco's theme for Mantine's colour scheme. */
export const editorTheme = (dark: boolean) => (dark ? "cistern-dark" : "cistern-light");

loader.config({ monaco });

/** The model URI of a workspace file: its real path, so the language services see `.tsx` as JSX. */
export const modelPath = (workspaceId: string, path: string, side = "tree") => `file:///${side}/${workspaceId}/${path}`;

export { monaco };
