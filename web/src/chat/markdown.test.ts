import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { MantineProvider } from "@mantine/core";
import { describe, expect, it } from "vitest";
import { highlights, tokenColor } from "./highlight";
import { Markdown } from "./Markdown";

const render = (text: string, scheme: "light" | "dark" = "light") =>
  renderToStaticMarkup(createElement(MantineProvider, { forceColorScheme: scheme }, createElement(Markdown, { text })));

describe("Markdown", () => {
  it("renders GitHub-flavoured Markdown", () => {
    const html = render("# Title\n\nSome **bold** and `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done");
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toMatch(/<code[^>]*>code<\/code>/);
    expect(html).toContain("<table>");
    expect(html).toContain('type="checkbox"');
  });

  it("highlights a fenced block in the fence's language", () => {
    const html = render('```rust\nfn main() { let x = "hi"; }\n```');
    expect(html).toContain('class="language-rust hljs"');
    expect(html).toContain('<span class="hljs-keyword" style="color:#cf222e">fn</span>');
    expect(html).toContain('<span class="hljs-string" style="color:#0a3069">&quot;hi&quot;</span>');
    expect(html).toContain('aria-label="Copy code"');
  });

  it("colours tokens for the dark scheme too", () => {
    expect(render("```rust\nfn x() {}\n```", "dark")).toContain(
      '<span class="hljs-keyword" style="color:#ff7b72">fn</span>',
    );
    expect(tokenColor("hljs-title function_", "light")).toBe("#8250df");
    expect(tokenColor("something-else", "light")).toBeUndefined();
  });

  it("knows the common fence aliases and leaves unknown languages plain", () => {
    for (const lang of ["ts", "js", "py", "sh", "toml", "html", "json", "sql", "go", "yaml"]) {
      expect(highlights(lang), lang).toBe(true);
    }
    const html = render("```klingon\nqapla'\n```");
    expect(html).toContain('class="language-klingon hljs"');
    expect(html).not.toContain("hljs-");
  });

  it("never renders raw HTML from a reply", () => {
    const html = render(
      'Hi <img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n<div onclick="x()">block</div>\n\n[link](javascript:alert(3))',
    );
    expect(html).not.toMatch(/<img|<script|<div onclick/);
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain('href="javascript:');
  });

  it("escapes HTML inside code blocks", () => {
    const html = render("```html\n<script>alert(1)</script>\n```");
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;");
  });

  it("renders a reply cut mid-fence as a code block so far", () => {
    const html = render("Here:\n\n```python\ndef f(x):\n    return x");
    expect(html).toContain("<p>Here:</p>");
    expect(html).toContain('class="language-python hljs"');
    expect(html).toMatch(/<span class="hljs-keyword"[^>]*>def<\/span>/);
  });
});
