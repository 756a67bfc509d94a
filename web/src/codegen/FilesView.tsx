import { useMemo } from "react";
import { Alert, Code, Grid, Group, List, NavLink, Paper, Text, VisuallyHidden } from "@mantine/core";
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconCircleX,
  IconFileCode,
  IconFolder,
  IconMinus,
} from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { CodeView } from "../ui/CodeView";
import { QueryView } from "../ui/QueryView";
import { formatBytes } from "../extensions/versions";
import { buildTree, errorCount, syntaxState, type TreeNode } from "./model";
import { fileQuery } from "./queries";
import type { CodegenFile } from "./types";

/**
 * A ready generation's files: the tree (grouped by directory, each file with its syntax check)
 * beside the open file's syntax report and code (above them on a phone). `open` is the file's
 * path (kept in the URL by the page).
 */
export function FilesView({
  id,
  files,
  open,
  onOpen,
}: {
  id: string;
  files: CodegenFile[];
  open: string | undefined;
  onOpen: (path: string) => void;
}) {
  const tree = useMemo(() => buildTree(files), [files]);
  const file = files.find((f) => f.path === open);
  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, md: 4, lg: 3 }}>
        <Paper withBorder radius="md" p={4} component="nav" aria-label="Files" data-testid="codegen-files">
          <Tree nodes={tree} open={open} onOpen={onOpen} />
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 8, lg: 9 }} miw={0}>
        {file ? (
          <OpenFile id={id} file={file} />
        ) : (
          <Text size="sm" c="dimmed">
            Pick a file to read it.
          </Text>
        )}
      </Grid.Col>
    </Grid>
  );
}

function Tree({
  nodes,
  open,
  onOpen,
}: {
  nodes: TreeNode<CodegenFile>[];
  open?: string;
  onOpen: (path: string) => void;
}) {
  return (
    <>
      {nodes.map((n) =>
        n.kind === "dir" ? (
          <NavLink
            key={n.path}
            component="button"
            label={`${n.name}/`}
            leftSection={<IconFolder size={16} />}
            defaultOpened
            childrenOffset="sm"
            data-dir={n.path}
          >
            <Tree nodes={n.children} open={open} onOpen={onOpen} />
          </NavLink>
        ) : (
          <NavLink
            key={n.path}
            component="button"
            label={n.name}
            active={n.path === open}
            aria-current={n.path === open ? "true" : undefined}
            leftSection={<IconFileCode size={16} />}
            rightSection={<SyntaxMark file={n.file} />}
            onClick={() => onOpen(n.path)}
            data-path={n.path}
            data-syntax={syntaxState(n.file)}
            styles={{ label: { wordBreak: "break-all" } }}
          />
        ),
      )}
    </>
  );
}

/** A file's syntax check beside its name: a check, a cross with the error count, or a dash. */
function SyntaxMark({ file }: { file: CodegenFile }) {
  const state = syntaxState(file);
  if (state === "errors") {
    return (
      <Group gap={2} wrap="nowrap" c="var(--mantine-color-red-light-color)">
        <IconCircleX size={16} aria-hidden />
        <Text size="xs" fw={600} c="inherit">
          {file.syntax.errors.length}
          {file.syntax.more_errors ? "+" : ""}
        </Text>
        <VisuallyHidden>syntax errors</VisuallyHidden>
      </Group>
    );
  }
  if (state === "ok") {
    return (
      <Group gap={2} wrap="nowrap" c="var(--mantine-color-green-light-color)">
        <IconCircleCheck size={16} aria-hidden />
        <VisuallyHidden>syntax ok</VisuallyHidden>
      </Group>
    );
  }
  return (
    <Group gap={2} wrap="nowrap" c="dimmed">
      <IconMinus size={16} aria-hidden />
      <VisuallyHidden>not checked</VisuallyHidden>
    </Group>
  );
}

/** The open file: its syntax report, then its code with the error lines marked. */
function OpenFile({ id, file }: { id: string; file: CodegenFile }) {
  const query = useQuery(fileQuery(id, file.path));
  const lines = useMemo(() => file.syntax.errors.map((e) => e.line), [file]);
  const state = syntaxState(file);
  return (
    <>
      {state === "errors" ? (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          title={`${errorCount(file.syntax)} in ${file.path}`}
          mb="sm"
          data-testid="codegen-syntax"
          data-state="errors"
        >
          <List size="sm" spacing={2} aria-label="Syntax errors">
            {file.syntax.errors.map((e, i) => (
              <List.Item key={i}>
                <Text span size="sm" ff="monospace">
                  {e.line}:{e.column}
                </Text>{" "}
                <Ticked text={e.message} />
              </List.Item>
            ))}
          </List>
          {file.syntax.more_errors && (
            <Text size="sm" mt={4}>
              More errors follow the first ones; fix these and check again.
            </Text>
          )}
        </Alert>
      ) : (
        <Group gap={6} mb="sm" data-testid="codegen-syntax" data-state={state} wrap="nowrap">
          {state === "ok" ? (
            <IconCircleCheck size={18} color="var(--mantine-color-green-light-color)" aria-hidden />
          ) : (
            <IconMinus size={18} aria-hidden />
          )}
          <Text size="sm">
            {state === "ok"
              ? `Syntax OK: parsed as ${file.syntax.language}.`
              : "Not checked: no parser for this kind of file."}
            <Text span size="sm" c="dimmed">
              {" "}
              · {formatBytes(file.size)}
            </Text>
          </Text>
        </Group>
      )}
      <QueryView query={query} what={file.path} skeletonRows={8}>
        {(text) => <CodeView code={text} fileName={file.path} maxHeight="min(70vh, 40rem)" highlightLines={lines} />}
      </QueryView>
    </>
  );
}

/** A message with `quoted` code (the parser's "missing `)`") shown as code. */
function Ticked({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/(`[^`]+`)/)
        .map((part, i) =>
          part.length > 2 && part.startsWith("`") && part.endsWith("`") ? (
            <Code key={i}>{part.slice(1, -1)}</Code>
          ) : (
            part
          ),
        )}
    </>
  );
}
