/**
 * Code highlighting for chat replies: a rehype plugin that colours fenced code blocks with a
 * curated set of highlight.js grammars (through lowlight, which returns a syntax tree rather
 * than HTML, so nothing is ever set as innerHTML). Only the languages below are bundled;
 * rehype-highlight was not used because it always bundles lowlight's 37 "common" grammars.
 */
import type { Element, ElementContent, Root, RootContent } from "hast";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import dockerfile from "highlight.js/lib/languages/dockerfile";
import go from "highlight.js/lib/languages/go";
import ini from "highlight.js/lib/languages/ini";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { createLowlight } from "lowlight";

const lowlight = createLowlight({
  bash,
  c,
  cpp,
  css,
  diff,
  dockerfile,
  go,
  ini,
  java,
  javascript,
  json,
  markdown,
  python,
  rust,
  shell,
  sql,
  typescript,
  xml,
  yaml,
});
// Fence names models use that the grammars do not declare themselves.
lowlight.registerAlias({ bash: ["sh", "zsh"], ini: ["toml"], json: ["jsonc"], xml: ["html", "svg"] });

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

function textOf(node: Element | RootContent): string {
  if (node.type === "text") return node.value;
  if (node.type === "element") return node.children.map(textOf).join("");
  return "";
}
