/**
 * The one lowlight instance (highlight.js grammars that return a syntax tree rather than HTML, so
 * nothing is ever set as innerHTML), shared by the chat's Markdown and CodeView. Only the grammars
 * below are bundled — rehype-highlight was not used because it always bundles lowlight's 37
 * "common" grammars. Heavy: import it only from lazy pages, so it stays out of the entry chunk.
 */
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

export const lowlight = createLowlight({
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
// Fence names and file types models use that the grammars do not declare themselves.
lowlight.registerAlias({
  bash: ["sh", "zsh"],
  ini: ["toml"],
  json: ["jsonc"],
  javascript: ["js", "jsx"],
  typescript: ["ts", "tsx"],
  xml: ["html", "svg"],
});
