/**
 * A chat message as Markdown (GitHub flavour: tables, task lists, strikethrough, autolinks)
 * with highlighted code. react-markdown builds React elements, never innerHTML: raw HTML in a
 * reply is shown as text, and `javascript:` links are dropped by its default URL filter. A
 * reply still streaming renders as it is: an unclosed fence is a code block to the end.
 *
 * Styling is Mantine's `Typography`; code blocks get a header with their language and a Copy
 * button, and the highlighted tokens are coloured for the current light or dark scheme.
 */
import type { Element } from "hast";
import type { ComponentPropsWithoutRef } from "react";
import { ActionIcon, Box, Code, CopyButton, Group, Text, Typography, useComputedColorScheme } from "@mantine/core";
import { IconCheck, IconCopy } from "@tabler/icons-react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { rehypeCodeHighlight, textOf, tokenColor } from "./highlight";

const remarkPlugins = [remarkGfm];
const rehypePlugins = [rehypeCodeHighlight];

type WithNode<T extends keyof React.JSX.IntrinsicElements> = ComponentPropsWithoutRef<T> & { node?: Element };

/** A fenced block: its language and a Copy button above the code, which scrolls sideways. */
function CodeBlock({ node, children }: WithNode<"pre">) {
  const code = node?.children.find((c): c is Element => c.type === "element" && c.tagName === "code");
  const classes = Array.isArray(code?.properties.className) ? code.properties.className.map(String) : [];
  const language = classes.find((c) => c.startsWith("language-"))?.slice("language-".length);
  const source = code ? textOf(code).replace(/\n$/, "") : "";
  return (
    <Box
      my="sm"
      bd="1px solid var(--mantine-color-default-border)"
      style={{ borderRadius: "var(--mantine-radius-md)", overflow: "hidden" }}
      data-testid="code-block"
    >
      <Group
        justify="space-between"
        px="sm"
        py={2}
        wrap="nowrap"
        style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}
      >
        <Text component="span" size="xs" ff="monospace">
          {language ?? "text"}
        </Text>
        <CopyButton value={source} timeout={1500}>
          {({ copied, copy }) => (
            <ActionIcon
              variant="subtle"
              color={copied ? "teal" : "gray"}
              size="sm"
              onClick={copy}
              aria-label={copied ? "Copied" : "Copy code"}
              title={copied ? "Copied" : "Copy code"}
            >
              {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            </ActionIcon>
          )}
        </CopyButton>
      </Group>
      {/* Focusable, so a long line can be scrolled to with the keyboard. */}
      <Box component="pre" p="sm" tabIndex={0} style={{ margin: 0, borderRadius: 0, maxWidth: "100%" }}>
        {children}
      </Box>
    </Box>
  );
}

/** Inline code is Mantine's `Code`; block code (the highlighter marks it `hljs`) stays as it is. */
function InlineOrBlockCode({ node: _node, className, children, ...rest }: WithNode<"code">) {
  if (className?.split(" ").includes("hljs")) {
    return (
      // Typography gives every <code> a background; a block's is its <pre>'s.
      <code className={className} style={{ backgroundColor: "transparent", padding: 0 }} {...rest}>
        {children}
      </code>
    );
  }
  return <Code>{children}</Code>;
}

export function Markdown({ text }: { text: string }) {
  const scheme = useComputedColorScheme("light");
  const components: Components = {
    pre: CodeBlock,
    code: InlineOrBlockCode,
    // Highlighted tokens: a colour per token kind, readable on the code block in either scheme.
    span: ({ node: _node, className, style, ...rest }: WithNode<"span">) => (
      <span className={className} style={{ ...style, color: tokenColor(className, scheme) }} {...rest} />
    ),
  };
  return (
    <Typography style={{ overflowWrap: "anywhere" }}>
      <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </ReactMarkdown>
    </Typography>
  );
}
