/**
 * Read-only code with line numbers, syntax highlighting, a file name header and a Copy button.
 * Long lines scroll inside the box, never the page. Shared by the pages that show generated code
 * (extensions, code generator, coding agent).
 *
 * highlight.js is heavy: import this module only from lazy pages, so it stays out of the main
 * chunk. Highlighting is `ui/lowlight.ts`'s tree, rendered as React elements.
 */
import { useMemo } from "react";
import { ActionIcon, Badge, Box, CopyButton, Group, Paper, Text } from "@mantine/core";
import { IconCheck, IconCopy } from "@tabler/icons-react";
import { lowlight } from "./lowlight";
import { languageOf, plainLines, toLines, type Segment } from "./code";
import "./CodeView.css";

/** Highlighted lines of `code` in `language` (plain lines when the grammar is unknown). */
function highlight(code: string, language: string | undefined): Segment[][] {
  if (!language || !lowlight.registered(language)) return plainLines(code);
  return toLines(lowlight.highlight(language, code).children);
}

/** A unified diff's line as added or removed (file headers `+++`/`---` are neither). */
function diffKind(segments: Segment[]): "add" | "del" | undefined {
  const text = segments.map((s) => s.text).join("");
  if (text.startsWith("+") && !text.startsWith("+++")) return "add";
  if (text.startsWith("-") && !text.startsWith("---")) return "del";
  return undefined;
}

export interface CodeViewProps {
  code: string;
  /** A highlight.js grammar name or alias; by default from `fileName`'s extension. */
  language?: string;
  /** Shown in the header, and names the scroll region for screen readers. */
  fileName?: string;
  /** The box's most height before it scrolls (px or any CSS length); unbounded by default. */
  maxHeight?: number | string;
  /** 1-based line numbers to mark (e.g. the lines a finding is about). */
  highlightLines?: readonly number[];
}

export function CodeView({ code, language, fileName, maxHeight, highlightLines }: CodeViewProps) {
  const lang = language ?? languageOf(fileName);
  const lines = useMemo(() => highlight(code, lang), [code, lang]);
  const marked = useMemo(() => new Set(highlightLines ?? []), [highlightLines]);
  const digits = String(lines.length).length;
  return (
    <Paper withBorder radius="md" className="cistern-code" data-testid="code-view" miw={0}>
      <Group justify="space-between" wrap="nowrap" gap="xs" px="sm" py={6} className="cistern-code-header">
        <Text size="sm" ff="monospace" fw={600} truncate="end" miw={0} data-testid="code-view-file">
          {fileName ?? lang ?? "text"}
        </Text>
        <Group gap={6} wrap="nowrap">
          {lang && (
            <Badge variant="default" size="sm" radius="sm" tt="none">
              {lang}
            </Badge>
          )}
          <CopyButton value={code} timeout={1500}>
            {({ copied, copy }) => (
              <ActionIcon
                variant="subtle"
                color={copied ? "teal" : "gray"}
                onClick={copy}
                aria-label={copied ? "Copied" : `Copy ${fileName ?? "code"}`}
                title={copied ? "Copied" : "Copy"}
                data-testid="code-view-copy"
              >
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            )}
          </CopyButton>
        </Group>
      </Group>
      <Box
        component="pre"
        className="cistern-code-body"
        tabIndex={0}
        role="region"
        aria-label={fileName ? `Contents of ${fileName}` : "Code"}
        style={{ maxHeight, ["--cistern-code-digits" as string]: `${digits}ch` }}
      >
        <code>
          {lines.map((segments, i) => (
            <span
              key={i}
              className="cistern-code-line"
              data-marked={marked.has(i + 1) || undefined}
              data-diff={lang === "diff" ? diffKind(segments) : undefined}
            >
              <span className="cistern-code-ln" aria-hidden="true">
                {i + 1}
              </span>
              {segments.map((s, j) =>
                s.className ? (
                  <span key={j} className={s.className}>
                    {s.text}
                  </span>
                ) : (
                  s.text
                ),
              )}
              {"\n"}
            </span>
          ))}
        </code>
      </Box>
    </Paper>
  );
}
