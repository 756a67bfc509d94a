import { Code } from "@mantine/core";

/**
 * Descriptions in the OpenAPI document come from Rust doc comments, which use Markdown
 * backticks for code. Render those spans as code; everything else stays plain text
 * (no HTML is ever interpreted, so a description cannot inject markup).
 */
export function Inline({ text }: { text: string }) {
  const parts = text.split(/(`[^`\n]+`)/g);
  return (
    <>
      {parts.map((part, i) =>
        part.length > 2 && part.startsWith("`") && part.endsWith("`") ? <Code key={i}>{part.slice(1, -1)}</Code> : part,
      )}
    </>
  );
}
