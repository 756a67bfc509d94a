import { useState } from "react";
import { createPortal } from "react-dom";
import { Badge, Box, Button, Code, Group, Paper, Stack, Text, useComputedColorScheme } from "@mantine/core";
import { IconCheck, IconExternalLink, IconX } from "@tabler/icons-react";
import type { DiffOnMount } from "@monaco-editor/react";
import { Diff } from "./Diff";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { CodeView } from "../ui/CodeView";
import { LoadingRows } from "../ui/QueryView";
import { StatusBadge } from "../ui/StatusBadge";
import { EDITOR_OPTIONS } from "./EditorArea";
import { decided, languageOf, type Choice } from "./model";
import { editorTheme, modelPath } from "./monaco";
import { applyPatch, parsePatch, sha256, type PatchHunk } from "./patch";
import { diffQuery, fileQuery, wsKey } from "./queries";
import type { ProposedFile, Task } from "./types";

/** The base a task read and its proposal, as texts (the server gives the patch, not the result). */
interface Sides {
  base: string;
  proposed: string;
  /** The file changed since the task read it (an accept merges three-way). */
  stale: boolean;
}

/**
 * The base of a proposed file: the file now when it still has the task's base hash; else the
 * file at the task's base snapshot (the working tree with the snapshot's diff undone), when
 * that is the version the task read; else unknown (the page then shows the patch as text).
 */
function useSides(workspaceId: string, task: Task, file: ProposedFile) {
  const client = useQueryClient();
  return useQuery({
    queryKey: [...wsKey(workspaceId), "review", task.id, file.path],
    queryFn: async (): Promise<Sides | null> => {
      if (!file.base_hash) return { base: "", proposed: applyPatch("", file.patch), stale: false };
      const now = await client.fetchQuery({ ...fileQuery(workspaceId, file.path), staleTime: 0 });
      if (now?.hash === file.base_hash) {
        return { base: now.content, proposed: applyPatch(now.content, file.patch), stale: false };
      }
      if (!task.base_snapshot_id) return null;
      const diff = await client.fetchQuery({ ...diffQuery(workspaceId, task.base_snapshot_id), staleTime: 0 });
      const change = diff.files.find((f) => f.path === file.path);
      try {
        const base = change ? applyPatch(now?.content ?? "", change.patch, { reverse: true }) : (now?.content ?? "");
        if ((await sha256(base)) !== file.base_hash) return null;
        return { base, proposed: applyPatch(base, file.patch), stale: true };
      } catch {
        return null;
      }
    },
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
  const sides = useSides(workspaceId, task, file);
  const dark = useComputedColorScheme("light") === "dark";
  const hunks = parsePatch(file.patch);
  const [zones, setZones] = useState<Map<number, HTMLElement>>();
  const ids = file.hunks.map((h) => h.id);
  const undecided = ids.filter((id) => !decided(task.review, file.path, id));

  // Each hunk gets an empty view zone above its first changed line (room in the text) and a
  // content widget in that room holding its controls, rendered by a portal. Not the zone itself:
  // Monaco hides view zones from assistive technology, and content widgets are not hidden.
  const onMount: DiffOnMount = (diff, monaco) => {
    const editor = diff.getModifiedEditor();
    const lines = editor.getModel()?.getLineCount() ?? 1;
    const nodes = new Map<number, HTMLElement>();
    const { ABOVE, BELOW } = monaco.editor.ContentWidgetPositionPreference;
    editor.changeViewZones((zonesAccessor) => {
      for (const h of hunks) {
        // First among the zones after its line (the inline diff's deleted lines are zones too),
        // or last before line 1, so the widget beside that line lands in it.
        const anchor = anchorLine(h);
        zonesAccessor.addZone({
          afterLineNumber: anchor,
          heightInLines: 2,
          ordinal: anchor === 0 ? Number.MAX_SAFE_INTEGER : -1,
          domNode: document.createElement("div"),
        });
      }
    });
    for (const h of hunks) {
      const node = document.createElement("div");
      // As wide as its controls (a content widget is otherwise squeezed to its minimum).
      node.style.width = "max-content";
      const anchor = anchorLine(h);
      editor.addContentWidget({
        getId: () => `cistern.hunk.${h.id}`,
        getDomNode: () => node,
        getPosition: () => ({
          position: { lineNumber: Math.min(Math.max(anchor, 1), lines), column: 1 },
          preference: [anchor === 0 ? ABOVE : BELOW],
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
            {sides.data?.stale && undecided.length > 0 && (
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
                ...EDITOR_OPTIONS,
                readOnly: true,
                originalEditable: false,
                renderMarginRevertIcon: false,
                renderOverviewRuler: false,
                useInlineViewWhenSpaceIsLimited: true,
                ariaLabel: `Changes to ${file.path}`,
              }}
            />
          </Box>
        ) : (
          <>
            <Text size="sm" c="dimmed">
              The version the task read is not available any more: its patch is shown instead.
            </Text>
            <CodeView code={file.patch} language="diff" />
          </>
        )}
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
