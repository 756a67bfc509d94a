/**
 * Token colours of Monaco's `vs` and `vs-dark` themes that fall below WCAG AA (4.5:1) on the
 * diff editor's tints (inserted/removed line and changed-text backgrounds stacked, as in
 * monaco.ts) — axe scans the review in the e2e. Each is Monaco's own colour darkened (light)
 * or lightened (dark) in small steps until it reaches 4.6:1 on every tint and the plain
 * background; every other token keeps Monaco's colour. Recompute when the tints or Monaco's
 * themes change.
 */
import type { editor } from "monaco-editor";

export const LIGHT_RULES: editor.ITokenThemeRule[] = [
  { token: "invalid", foreground: "b82b2b" },
  { token: "variable.predefined", foreground: "445fa1" },
  { token: "constant", foreground: "c60000" },
  { token: "comment", foreground: "007200" },
  { token: "number", foreground: "06724a" },
  { token: "annotation", foreground: "606060" },
  { token: "type", foreground: "006c6c" },
  { token: "tag.id.pug", foreground: "436492" },
  { token: "tag.class.pug", foreground: "436492" },
  { token: "metatag", foreground: "c90000" },
  { token: "metatag.content.html", foreground: "c30000" },
  { token: "metatag.html", foreground: "606060" },
  { token: "metatag.xml", foreground: "606060" },
  { token: "attribute.name", foreground: "c30000" },
  { token: "attribute.value.number", foreground: "06724a" },
  { token: "attribute.value.unit", foreground: "06724a" },
  { token: "string.sql", foreground: "c30000" },
  { token: "keyword.flow", foreground: "a600d0" },
  { token: "operator.scss", foreground: "606060" },
  { token: "operator.sql", foreground: "55616e" },
  { token: "operator.swift", foreground: "606060" },
  { token: "predefined.sql", foreground: "b300b3" },
];

export const DARK_RULES: editor.ITokenThemeRule[] = [
  { token: "invalid", foreground: "ff7272" },
  { token: "variable.predefined", foreground: "7aa1ff" },
  { token: "constant", foreground: "5ca5e1" },
  { token: "comment", foreground: "7bad66" },
  { token: "regexp", foreground: "de82b9" },
  { token: "annotation", foreground: "ee7b7b" },
  { token: "delimiter.html", foreground: "a1a1a1" },
  { token: "delimiter.xml", foreground: "a1a1a1" },
  { token: "tag", foreground: "5ca5e1" },
  { token: "tag.id.pug", foreground: "75a6ea" },
  { token: "tag.class.pug", foreground: "75a6ea" },
  { token: "meta.scss", foreground: "b0a17a" },
  { token: "metatag", foreground: "f4787d" },
  { token: "metatag.html", foreground: "5ca5e1" },
  { token: "metatag.xml", foreground: "5ca5e1" },
  { token: "string.sql", foreground: "ff7272" },
  { token: "keyword", foreground: "5ca5e1" },
  { token: "keyword.flow", foreground: "cf8eca" },
  { token: "keyword.flow.scss", foreground: "5ca5e1" },
  { token: "operator.scss", foreground: "a1a1a1" },
  { token: "operator.sql", foreground: "8ea1b4" },
  { token: "operator.swift", foreground: "a1a1a1" },
  { token: "predefined.sql", foreground: "ff4cff" },
];
