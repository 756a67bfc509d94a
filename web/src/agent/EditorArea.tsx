import { useEffect, useRef } from "react";
import {
  ActionIcon,
  Box,
  Button,
  Group,
  Kbd,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  useComputedColorScheme,
} from "@mantine/core";
import { IconDeviceFloppy, IconX } from "@tabler/icons-react";
import Editor, { type OnMount } from "@monaco-editor/react";
import { ErrorAlert } from "../ui/ErrorAlert";
import { LoadingRows } from "../ui/QueryView";
import type { EditorContext } from "./AiPanel";
import { languageOf } from "./model";
import { editorTheme, modelPath, monaco } from "./monaco";
import type { WorkspaceFileView } from "./types";

/** Monaco's options for the workspace's editors. */
export const EDITOR_OPTIONS = {
  automaticLayout: true,
  minimap: { enabled: false },
  fontSize: 13,
  scrollBeyondLastLine: false,
  tabSize: 2,
  accessibilitySupport: "auto",
} as const;

export const EDITOR_HEIGHT = "min(65vh, 640px)";

/**
 * The open files as tabs (a dot marks unsaved ones), Monaco on the active one, and the save bar:
 * an optional snapshot message and Save (Ctrl/Cmd+S), which saves every unsaved file and then
 * takes a snapshot.
 */
export function EditorArea({
  workspaceId,
  tabs,
  active,
  dirty,
  file,
  loading,
  draft,
  message,
  onMessage,
  onActivate,
  onClose,
  onEdit,
  onSave,
  saving,
  saveError,
  onContext,
}: {
  workspaceId: string;
  tabs: string[];
  active: string | undefined;
  dirty: string[];
  file: WorkspaceFileView | null | undefined;
  loading: boolean;
  draft: string | undefined;
  message: string;
  onMessage: (m: string) => void;
  onActivate: (path: string) => void;
  onClose: (path: string) => void;
  onEdit: (path: string, text: string) => void;
  onSave: () => void;
  saving: boolean;
  saveError: Error | null;
  onContext: (c: EditorContext | undefined) => void;
}) {
  const dark = useComputedColorScheme("light") === "dark";
  // Monaco's action is registered once per editor: it calls the latest save through this ref.
  const saveRef = useRef(onSave);
  const activeRef = useRef(active);
  const contextRef = useRef(onContext);
  useEffect(() => {
    saveRef.current = onSave;
    activeRef.current = active;
    contextRef.current = onContext;
  });

  // The model is the editor's state while the user types (a controlled `value` would race the
  // keyboard); the saved content is pushed into it when it changes on the server (an accept, a
  // restore, a reopened tab) and the user has no unsaved edit of it.
  const saved = file?.content;
  const clean = draft === undefined;
  useEffect(() => {
    if (!active || saved === undefined || !clean) return;
    const model = monaco.editor.getModel(monaco.Uri.parse(modelPath(workspaceId, active)));
    if (model && model.getValue() !== saved) model.setValue(saved);
  }, [workspaceId, active, saved, clean]);

  const onMount: OnMount = (editor) => {
    editor.addAction({
      id: "cistern.save",
      label: "Save and take a snapshot",
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS],
      run: () => saveRef.current(),
    });
    editor.onDidChangeCursorSelection((e) => {
      const path = activeRef.current;
      if (!path) return;
      const s = e.selection;
      contextRef.current({
        path,
        line: s.positionLineNumber,
        column: s.positionColumn,
        selection: s.isEmpty() ? undefined : { start_line: s.startLineNumber, end_line: s.endLineNumber },
      });
    });
  };

  if (tabs.length === 0 || !active) {
    return (
      <Text size="sm" c="dimmed" p="md">
        Open a file from the tree, or create one.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <ScrollArea type="auto" scrollbarSize={6}>
        <Group gap={4} wrap="nowrap" component="nav" aria-label="Open files" data-testid="agent-tabs">
          {tabs.map((p) => {
            const unsaved = dirty.includes(p);
            const name = p.split("/").pop();
            return (
              <Group key={p} gap={0} wrap="nowrap">
                <Button
                  size="compact-sm"
                  variant={p === active ? "light" : "subtle"}
                  color={p === active ? undefined : "gray"}
                  onClick={() => onActivate(p)}
                  aria-current={p === active ? "page" : undefined}
                  title={p}
                  data-testid="agent-tab"
                  data-path={p}
                  data-dirty={unsaved}
                >
                  {name}
                  {unsaved && (
                    <Text span c="orange" ml={4} aria-label="unsaved">
                      ●
                    </Text>
                  )}
                </Button>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  size="sm"
                  aria-label={`Close ${p}`}
                  onClick={() => onClose(p)}
                >
                  <IconX size={14} />
                </ActionIcon>
              </Group>
            );
          })}
        </Group>
      </ScrollArea>
      <Box
        h={EDITOR_HEIGHT}
        style={{ border: "1px solid var(--mantine-color-default-border)", borderRadius: 4, overflow: "hidden" }}
        data-testid="agent-editor"
        data-path={active}
      >
        {loading ? (
          <LoadingRows rows={5} />
        ) : file === null ? (
          <Text size="sm" p="md">
            {active} is no longer in the workspace.
          </Text>
        ) : (
          <Editor
            path={modelPath(workspaceId, active)}
            language={languageOf(active)}
            defaultValue={draft ?? file?.content ?? ""}
            theme={editorTheme(dark)}
            onChange={(v) => onEdit(active, v ?? "")}
            onMount={onMount}
            options={{ ...EDITOR_OPTIONS, ariaLabel: `Editor: ${active}` }}
            loading={<LoadingRows rows={5} />}
          />
        )}
      </Box>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSave();
        }}
      >
        <Group gap="xs" align="flex-end" wrap="wrap">
          <TextInput
            label="Snapshot message"
            placeholder="Optional: what changed"
            value={message}
            onChange={(e) => onMessage(e.currentTarget.value)}
            maxLength={500}
            style={{ flex: "1 1 220px" }}
            data-testid="agent-snapshot-message"
          />
          <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={saving} data-testid="agent-save">
            Save
          </Button>
          <Text size="xs" c="dimmed" visibleFrom="sm">
            <Kbd size="xs">Ctrl</Kbd>/<Kbd size="xs">⌘</Kbd> + <Kbd size="xs">S</Kbd> saves every unsaved file, then a
            snapshot
          </Text>
        </Group>
      </form>
      {saveError && <ErrorAlert title="Could not save" error={saveError} testId="agent-save-error" />}
    </Stack>
  );
}
