import { describe, expect, it } from "vitest";
import { languageOf, plainLines, toLines } from "./code";

describe("languageOf", () => {
  it("picks a grammar by extension or name", () => {
    expect(languageOf("popup.js")).toBe("javascript");
    expect(languageOf("src/a.TSX")).toBe("typescript");
    expect(languageOf("popup.html")).toBe("xml");
    expect(languageOf("manifest.json")).toBe("json");
    expect(languageOf("Dockerfile")).toBe("dockerfile");
    expect(languageOf("README")).toBeUndefined();
    expect(languageOf(".env")).toBeUndefined();
    expect(languageOf(undefined)).toBeUndefined();
  });
});

describe("toLines", () => {
  it("splits tokens that span lines and keeps their classes on each part", () => {
    const lines = toLines([
      {
        type: "element",
        tagName: "span",
        properties: { className: ["hljs-keyword"] },
        children: [{ type: "text", value: "const" }],
      },
      { type: "text", value: " a = 1;\n" },
      {
        type: "element",
        tagName: "span",
        properties: { className: ["hljs-comment"] },
        children: [{ type: "text", value: "/* one\ntwo */" }],
      },
      { type: "text", value: "\n" },
    ]);
    expect(lines).toEqual([
      [{ text: "const", className: "hljs-keyword" }, { text: " a = 1;" }],
      [{ text: "/* one", className: "hljs-comment" }],
      [{ text: "two */", className: "hljs-comment" }],
    ]);
  });

  it("keeps empty lines and has one line for empty text", () => {
    expect(plainLines("a\n\nb")).toEqual([[{ text: "a" }], [], [{ text: "b" }]]);
    expect(plainLines("")).toEqual([[]]);
    expect(plainLines("x\r\ny\n")).toHaveLength(2);
  });
});
