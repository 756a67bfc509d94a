/**
 * Code highlighting for chat replies: a rehype plugin that colours fenced code blocks with the
 * shared lowlight grammars (`ui/lowlight.ts`).
 */
import type { Element, ElementContent, Root, RootContent } from "hast";
import { lowlight } from "../ui/lowlight";

/** Whether fences named `language` are highlighted. */
export function highlights(language: string): boolean {
  return lowlight.registered(language);
}

/** The rehype plugin: `<pre><code class="language-x">` gets `hljs` and coloured spans. */
export function rehypeCodeHighlight() {
  return (tree: Root) => {
    visit(tree);
  };
}

function visit(node: Root | Element) {
  for (const child of node.children) {
    if (child.type !== "element") continue;
    if (child.tagName === "pre") {
      for (const code of child.children) {
        if (code.type === "element" && code.tagName === "code") highlight(code);
      }
    } else {
      visit(child);
    }
  }
}

function highlight(code: Element) {
  const classes = (Array.isArray(code.properties.className) ? code.properties.className : []).map(String);
  code.properties.className = [...classes, "hljs"];
  const language = classes.find((cls) => cls.startsWith("language-"))?.slice("language-".length);
  if (!language || !lowlight.registered(language)) return;
  const result = lowlight.highlight(language, textOf(code));
  code.children = result.children as ElementContent[];
}

/** The text of a syntax-tree node (a code block's source, for its Copy button). */
export function textOf(node: Element | RootContent): string {
  if (node.type === "text") return node.value;
  if (node.type === "element") return node.children.map(textOf).join("");
  return "";
}

/** Token colours (GitHub's light and dark palettes), each AA-readable on Mantine's code background. */
const PALETTE: Record<string, { light: string; dark: string }> = {
  keyword: { light: "#cf222e", dark: "#ff7b72" },
  string: { light: "#0a3069", dark: "#a5d6ff" },
  title: { light: "#8250df", dark: "#d2a8ff" },
  number: { light: "#0550ae", dark: "#79c0ff" },
  comment: { light: "#57606a", dark: "#8b949e" },
  attr: { light: "#953800", dark: "#ffa657" },
  tag: { light: "#116329", dark: "#7ee787" },
  deletion: { light: "#82071e", dark: "#ffa198" },
};

const KIND: Record<string, keyof typeof PALETTE> = {
  keyword: "keyword",
  "selector-tag": "keyword",
  doctag: "keyword",
  string: "string",
  regexp: "string",
  addition: "tag",
  "meta-string": "string",
  title: "title",
  section: "title",
  "selector-id": "title",
  "selector-class": "title",
  number: "number",
  literal: "number",
  built_in: "number",
  symbol: "number",
  meta: "number",
  type: "attr",
  attr: "attr",
  attribute: "attr",
  variable: "attr",
  params: "attr",
  "template-variable": "attr",
  comment: "comment",
  quote: "comment",
  tag: "tag",
  name: "tag",
  "selector-pseudo": "tag",
  deletion: "deletion",
};

/** The colour of a highlighted token (`class="hljs-keyword"` …) in `scheme`; undefined for other spans. */
export function tokenColor(className: string | undefined, scheme: "light" | "dark"): string | undefined {
  if (!className) return undefined;
  for (const cls of className.split(" ")) {
    if (!cls.startsWith("hljs-")) continue;
    const kind = KIND[cls.slice("hljs-".length)];
    if (kind) return PALETTE[kind]![scheme];
  }
  return undefined;
}
