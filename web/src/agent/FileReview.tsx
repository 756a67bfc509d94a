import { useState } from "react";
import { createPortal } from "react-dom";
import { Badge, Box, Button, Code, Group, Paper, Stack, Text, useComputedColorScheme } from "@mantine/core";
import { IconCheck, IconExternalLink, IconX } from "@tabler/icons-react";
import type { DiffOnMount } from "@monaco-editor/react";
import { Diff, READ_ONLY_DIFF } from "./Diff";
import { StaleMerge } from "./Merge";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { CodeView } from "../ui/CodeView";
import { LoadingRows } from "../ui/QueryView";
import { StatusBadge } from "../ui/StatusBadge";
import { decided, languageOf, type Choice } from "./model";
import { editorTheme, modelPath } from "./monaco";
import { parsePatch, type PatchHunk } from "./patch";
import { AGENT, contentQuery, fileQuery } from "./queries";
import type { ProposedFile, Task } from "./types";

/**
 * The version of a file a task read and its proposal, as texts: both are contents of the
 * workspace by hash (an added file has no base, a deleted one no proposal).
 */
function useSides(workspaceId: string, file: ProposedFile) {
  const client = useQueryClient();
  return useQuery({
    queryKey: [...AGENT, "sides", workspaceId, file.base_hash ?? "", file.new_hash ?? ""],
    queryFn: async () => {
      const read = async (hash: string | null | undefined) =>
        hash ? (await client.fetchQuery(contentQuery(workspaceId, hash))).content : "";
      const [base, proposed] = await Promise.all([read(file.base_hash), read(file.new_hash)]);
      return { base, proposed };
    },
    staleTime: Infinity,
  });
}

/** The line a hunk's controls sit above: its first changed line on the proposal's side. */
function anchorLine(h: PatchHunk): number {
  const lead = h.lines.findIndex((l) => l.sign !== " ");
  return Math.max(0, h.newStart + Math.max(0, lead) - 1);
}

/** One proposed file: its header (Accept/Reject the file), the diff editor with per-hunk controls. */
export function FileReview({
  workspaceId,
  task,
  file,
  choices,
  onChoose,
  onOpen,
}: {
  workspaceId: string;
  task: Task;
  file: ProposedFile;
  choices: Readonly<Record<number, Choice>>;
  onChoose: (ids: number[], choice: Choice | undefined) => void;
  onOpen: () => void;
}) {
  const sides = useSides(workspaceId, file);
  // The file now: when it is not the version the task read, an accept merges three-way.
  const now = useQuery(fileQuery(workspaceId, file.path));
  const stale = now.isSuccess && (now.data?.hash ?? null) !== (file.base_hash ?? null);
  const dark = useComputedColorScheme("light") === "dark";
  const hunks = parsePatch(file.patch);
  const [zones, setZones] = useState<Map<number, HTMLElement>>();
  const ids = file.hunks.map((h) => h.id);
  const undecided = ids.filter((id) => !decided(task.review, file.path, id));

  // A hunk that starts on the first line has its controls right above the editor: Monaco
  // places a content widget from the line's offset without the zones above it, so one above
  // line 1 would cover the line.
  const atTop = new Set(hunks.filter((h) => anchorLine(h) === 0).map((h) => h.id));

  // Every other hunk gets an empty view zone after the line before its first change (room in
  // the text) and a content widget in that room holding its controls, rendered by a portal. Not
  // the zone itself: Monaco hides view zones from assistive technology, not content widgets.
  const onMount: DiffOnMount = (diff, monaco) => {
    const editor = diff.getModifiedEditor();
    const lines = editor.getModel()?.getLineCount() ?? 1;
    const nodes = new Map<number, HTMLElement>();
    const inText = hunks.filter((h) => !atTop.has(h.id));
    editor.changeViewZones((zonesAccessor) => {
      for (const h of inText) {
        // First among the zones after its line (the inline diff's deleted lines are zones
        // too), so the widget below that line lands in it.
        zonesAccessor.addZone({
          afterLineNumber: anchorLine(h),
          heightInLines: 2,
          ordinal: -1,
          domNode: document.createElement("div"),
        });
      }
    });
    for (const h of inText) {
      const node = document.createElement("div");
      // As wide as its controls (a content widget is otherwise squeezed to its minimum).
      node.style.width = "max-content";
      editor.addContentWidget({
        getId: () => `cistern.hunk.${h.id}`,
        getDomNode: () => node,
        getPosition: () => ({
          position: { lineNumber: Math.min(anchorLine(h), lines), column: 1 },
          preference: [monaco.editor.ContentWidgetPositionPreference.BELOW],
        }),
      });
      nodes.set(h.id, node);
    }
    setZones(nodes);
  };

  const lineCount = sides.data
    ? Math.max(sides.data.base.split("\n").length, sides.data.proposed.split("\n").length)
    : 10;
  const height = Math.min(520, Math.max(160, (lineCount + hunks.length * 2) * 19 + 24));

  return (
    <Paper
      withBorder
      radius="md"
      p="xs"
      component="section"
      aria-label={`Proposed changes to ${file.path}`}
      data-testid="agent-file-review"
      data-path={file.path}
    >
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Group gap="xs">
            <Code>{file.path}</Code>
            <StatusBadge status={file.status} />
            {stale && undecided.length > 0 && (
              <Badge color="yellow" variant="light" tt="none" data-testid="agent-stale">
                changed since the task read it — an accept merges
              </Badge>
            )}
          </Group>
          <Group gap={4}>
            <Button
              size="compact-sm"
              variant="light"
              color="green"
              disabled={undecided.length === 0}
              onClick={() => onChoose(undecided, "accept")}
              aria-label={`Accept file ${file.path}`}
            >
              Accept file
            </Button>
            <Button
              size="compact-sm"
              variant="light"
              color="red"
              disabled={undecided.length === 0}
              onClick={() => onChoose(undecided, "reject")}
              aria-label={`Reject file ${file.path}`}
            >
              Reject file
            </Button>
            <Button size="compact-sm" variant="subtle" leftSection={<IconExternalLink size={14} />} onClick={onOpen}>
              Open
            </Button>
          </Group>
        </Group>
        {sides.isPending ? (
          <LoadingRows rows={3} />
        ) : sides.data ? (
          <>
            {file.hunks
              .filter((h) => atTop.has(h.id))
              .map((h) => (
                <HunkBar
                  key={h.id}
                  path={file.path}
                  id={h.id}
                  header={h.header}
                  state={stateOf(h.id)}
                  onChoose={onChoose}
                />
              ))}
            <Box
              h={height}
              style={{ border: "1px solid var(--mantine-color-default-border)", borderRadius: 4, overflow: "hidden" }}
            >
              <Diff
                key={sides.dataUpdatedAt}
                original={sides.data.base}
                modified={sides.data.proposed}
                language={languageOf(file.path)}
                originalModelPath={modelPath(workspaceId, file.path, `base-${task.id}`)}
                modifiedModelPath={modelPath(workspaceId, file.path, `proposal-${task.id}`)}
                theme={editorTheme(dark)}
                onMount={onMount}
                loading={<LoadingRows rows={3} />}
                options={{
                  ...READ_ONLY_DIFF,
                  renderOverviewRuler: false,
                  ariaLabel: `Changes to ${file.path}`,
                  originalAriaLabel: `${file.path} as the task read it`,
                  modifiedAriaLabel: `${file.path} as proposed`,
                }}
              />
            </Box>
          </>
        ) : (
          <>
            <Text size="sm" c="dimmed">
              The file's versions could not be read ({sides.error?.message ?? "unknown error"}): its patch is shown
              instead.
            </Text>
            <CodeView code={file.patch} language="diff" />
          </>
        )}
        {stale && undecided.length > 0 && <StaleMerge workspaceId={workspaceId} taskId={task.id} path={file.path} />}
        {/* Without the diff editor, the hunks' controls are listed here instead of inside it. */}
        {!sides.isPending && !sides.data && (
          <Stack gap={4}>
            {file.hunks.map((h) => (
              <HunkBar
                key={h.id}
                path={file.path}
                id={h.id}
                header={h.header}
                state={stateOf(h.id)}
                onChoose={onChoose}
              />
            ))}
          </Stack>
        )}
        {zones &&
          sides.data &&
          file.hunks.map((h) => {
            const node = zones.get(h.id);
            return node
              ? createPortal(
                  <HunkBar path={file.path} id={h.id} header={h.header} state={stateOf(h.id)} onChoose={onChoose} />,
                  node,
                  `hunk-${h.id}`,
                )
              : null;
          })}
      </Stack>
    </Paper>
  );

  function stateOf(id: number) {
    return decided(task.review, file.path, id) ?? choices[id] ?? "undecided";
  }
}

/** A hunk's Accept and Reject (toggles until applied), or the server's decision once made. */
function HunkBar({
  path,
  id,
  header,
  state,
  onChoose,
}: {
  path: string;
  id: number;
  header: string;
  state: "accepted" | "rejected" | Choice | "undecided";
  onChoose: (ids: number[], choice: Choice | undefined) => void;
}) {
  const final = state === "accepted" || state === "rejected";
  return (
    <Group
      gap={6}
      px={6}
      py={2}
      wrap="nowrap"
      role="group"
      aria-label={`Hunk ${id} of ${path}`}
      data-testid="agent-hunk"
      data-path={path}
      data-hunk={id}
      data-state={state}
      style={{
        background: "var(--mantine-color-body)",
        borderTop: "1px dashed var(--mantine-color-default-border)",
        fontFamily: "var(--mantine-font-family)",
        height: 36,
      }}
    >
      <Text size="xs" ff="monospace" c="dimmed">
        {header}
      </Text>
      {final ? (
        <Badge color={state === "accepted" ? "green" : "red"} variant="light">
          {state}
        </Badge>
      ) : (
        <>
          <Button
            size="compact-xs"
            color="green"
            variant={state === "accept" ? "filled" : "light"}
            leftSection={<IconCheck size={12} />}
            aria-pressed={state === "accept"}
            aria-label={`Accept hunk ${id} of ${path}`}
            onClick={() => onChoose([id], state === "accept" ? undefined : "accept")}
          >
            Accept
          </Button>
          <Button
            size="compact-xs"
            color="red"
            variant={state === "reject" ? "filled" : "light"}
            leftSection={<IconX size={12} />}
            aria-pressed={state === "reject"}
            aria-label={`Reject hunk ${id} of ${path}`}
            onClick={() => onChoose([id], state === "reject" ? undefined : "reject")}
          >
            Reject
          </Button>
        </>
      )}
    </Group>
  );
}
