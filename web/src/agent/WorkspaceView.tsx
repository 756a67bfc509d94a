import { useCallback, useMemo, useState, type KeyboardEvent } from "react";
import { Badge, Grid, Paper, Tabs } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCode, IconEye, IconGitCompare, IconHistory } from "@tabler/icons-react";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors";
import { AiPanel, type EditorContext } from "./AiPanel";
import { EditorArea } from "./EditorArea";
import { FileTree } from "./FileTree";
import { HistoryPanel } from "./HistoryPanel";
import { PreviewPanel } from "./PreviewPanel";
import { fileQuery, saveFile, snapshotsQuery, takeSnapshot, treeQuery, wsKey } from "./queries";
import { ReviewPanel } from "./ReviewPanel";
import type { Workspace, WorkspaceFileView } from "./types";

/** An edited file: the text in the editor and the hash of the version the edit started from. */
export interface Draft {
  text: string;
  baseHash?: string;
}

type Center = "editor" | "review" | "history" | "preview";

/**
 * One workspace: the file tree, the editor with its tabs, and the agent panel; the review of a
 * task's proposal, the snapshot history and the live preview are tabs beside the editor.
 *
 * The saved contents are the query cache's (`fileQuery`); the page keeps only the drafts of
 * edited files, so a file changed on the server (an accept, a restore) shows its new content
 * unless the user is editing it — then saving it answers 409 and says so.
 */
export function WorkspaceView({ workspace }: { workspace: Workspace }) {
  const id = workspace.id;
  const client = useQueryClient();
  const tree = useQuery(treeQuery(id));
  const [tabs, setTabs] = useState<string[]>([]);
  const [active, setActive] = useState<string>();
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [center, setCenter] = useState<Center>("editor");
  const [message, setMessage] = useState("");
  const [context, setContext] = useState<EditorContext>();
  const [taskId, setTaskId] = useState<string>();

  // Open a first file once the tree is known: the entry point or the first one.
  const paths = useMemo(() => (tree.data ?? []).map((f) => f.path), [tree.data]);
  const shownTabs = useMemo(
    () => (tabs.length === 0 && paths.length > 0 && active === undefined ? [firstFile(paths)] : tabs),
    [tabs, paths, active],
  );
  const shownActive = active ?? shownTabs[0];

  const files = useQueries({ queries: shownTabs.map((p) => fileQuery(id, p)) });
  const saved = new Map<string, WorkspaceFileView | null | undefined>(shownTabs.map((p, i) => [p, files[i]?.data]));
  const dirty = shownTabs.filter((p) => {
    const d = drafts[p];
    const s = saved.get(p);
    return d !== undefined && s !== undefined && d.text !== (s?.content ?? "");
  });

  const openFile = useCallback(
    (path: string) => {
      setTabs((t) => {
        const base = t.length === 0 && shownTabs.length > 0 ? shownTabs : t;
        return base.includes(path) ? base : [...base, path];
      });
      setActive(path);
      setCenter("editor");
    },
    [shownTabs],
  );
  const closeFile = (path: string) => {
    const rest = shownTabs.filter((p) => p !== path);
    setTabs(rest);
    setDrafts(({ [path]: _, ...others }) => others);
    if (shownActive === path) setActive(rest[rest.length - 1] ?? "");
  };
  const edit = useCallback(
    (path: string, text: string) => {
      const s = client.getQueryData(fileQuery(id, path).queryKey);
      setDrafts((d) => {
        // Back to the saved text (an undo, or the server's content pushed in): no draft.
        if (s && text === s.content) {
          const { [path]: _, ...others } = d;
          return others;
        }
        return { ...d, [path]: { text, baseHash: d[path]?.baseHash ?? s?.hash } };
      });
    },
    [client, id],
  );
  /** Replaces the open tabs' paths after a rename. */
  const renamed = (from: string, to: string) => {
    setTabs(shownTabs.map((p) => (p === from ? to : p)));
    if (shownActive === from) setActive(to);
    setDrafts(({ [from]: _, ...others }) => others);
  };

  const save = useMutation({
    mutationFn: async () => {
      const outcome = { saved: [] as string[], conflicts: [] as string[] };
      for (const path of dirty) {
        const draft = drafts[path]!;
        try {
          const file = await saveFile(id, path, draft.text, draft.baseHash);
          const view: WorkspaceFileView = { ...file, content: draft.text };
          client.setQueryData(fileQuery(id, path).queryKey, view);
          setDrafts(({ [path]: _, ...others }) => others);
          outcome.saved.push(path);
        } catch (e) {
          if (e instanceof ApiError && e.status === 409) outcome.conflicts.push(path);
          else throw e;
        }
      }
      const snapshot = outcome.saved.length > 0 ? await takeSnapshot(id, message.trim() || undefined) : undefined;
      return { ...outcome, snapshot };
    },
    onSuccess: ({ saved: done, conflicts, snapshot }) => {
      if (snapshot) {
        setMessage("");
        notifications.show({
          color: "green",
          message: `Saved ${done.join(", ")}; snapshot “${snapshot.message}”.`,
        });
      }
      if (conflicts.length > 0) {
        notifications.show({
          color: "red",
          autoClose: false,
          title: "Saved meanwhile by someone else",
          message: `${conflicts.join(", ")} changed on the server since you opened ${
            conflicts.length === 1 ? "it" : "them"
          }: nothing was overwritten. Copy your edits, close the tab and open the file again.`,
        });
      }
      if (done.length === 0 && conflicts.length === 0) notifications.show({ message: "Nothing to save." });
      void client.invalidateQueries({ queryKey: treeQuery(id).queryKey });
      void client.invalidateQueries({ queryKey: snapshotsQuery(id).queryKey });
      // A proposal under review may now be stale: its sides and merge are read again.
      void client.invalidateQueries({ queryKey: [...wsKey(id), "review"] });
      void client.invalidateQueries({ queryKey: [...wsKey(id), "merge-preview"] });
    },
  });
  const saveNow = useCallback(() => {
    if (!save.isPending) save.mutate();
  }, [save]);

  /** After an accept or a restore: the tree, the open files and the history are read again. */
  const changed = () => void client.invalidateQueries({ queryKey: wsKey(id) });

  const onKeyDown = (e: KeyboardEvent) => {
    // Outside the editor (Monaco handles its own Ctrl/Cmd+S): the same save, not the browser's.
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      saveNow();
    }
  };

  const activeFile = shownActive ? saved.get(shownActive) : undefined;
  return (
    <Grid gap="md" onKeyDown={onKeyDown} data-testid="agent-workspace" data-id={id}>
      <Grid.Col span={{ base: 12, md: 3, lg: 2 }}>
        <FileTree
          workspaceId={id}
          tree={tree}
          open={shownActive}
          dirty={dirty}
          onOpen={openFile}
          onClosed={closeFile}
          onRenamed={renamed}
          contentOf={(p) => drafts[p]?.text ?? saved.get(p)?.content}
        />
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 9, lg: 7 }} miw={0}>
        <Paper withBorder radius="md" p="xs" miw={0}>
          <Tabs value={center} onChange={(v) => setCenter((v as Center | null) ?? "editor")} keepMounted={false}>
            <Tabs.List aria-label="Workspace views">
              <Tabs.Tab value="editor" leftSection={<IconCode size={16} />}>
                Editor
              </Tabs.Tab>
              <Tabs.Tab value="review" leftSection={<IconGitCompare size={16} />} data-testid="agent-review-tab">
                Review
              </Tabs.Tab>
              <Tabs.Tab value="history" leftSection={<IconHistory size={16} />} data-testid="agent-history-tab">
                History
              </Tabs.Tab>
              <Tabs.Tab value="preview" leftSection={<IconEye size={16} />} data-testid="agent-preview-tab">
                Preview
              </Tabs.Tab>
              {dirty.length > 0 && (
                <Badge variant="light" color="orange" ml="auto" style={{ alignSelf: "center" }}>
                  {dirty.length} unsaved
                </Badge>
              )}
            </Tabs.List>
            <Tabs.Panel value="editor" pt="xs">
              <EditorArea
                workspaceId={id}
                tabs={shownTabs}
                active={shownActive}
                dirty={dirty}
                file={activeFile}
                loading={shownActive !== undefined && activeFile === undefined}
                draft={shownActive ? drafts[shownActive]?.text : undefined}
                message={message}
                onMessage={setMessage}
                onActivate={setActive}
                onClose={closeFile}
                onEdit={edit}
                onSave={saveNow}
                saving={save.isPending}
                saveError={save.error}
                onContext={setContext}
              />
            </Tabs.Panel>
            <Tabs.Panel value="review" pt="xs">
              <ReviewPanel workspaceId={id} taskId={taskId} onChanged={changed} onOpenFile={openFile} />
            </Tabs.Panel>
            <Tabs.Panel value="history" pt="xs">
              <HistoryPanel workspaceId={id} onRestored={changed} />
            </Tabs.Panel>
            <Tabs.Panel value="preview" pt="xs">
              <PreviewPanel workspaceId={id} paths={paths} />
            </Tabs.Panel>
          </Tabs>
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 3 }} miw={0}>
        <AiPanel
          workspaceId={id}
          context={context}
          taskId={taskId}
          onTask={setTaskId}
          onProposal={() => setCenter("review")}
        />
      </Grid.Col>
    </Grid>
  );
}

const ENTRY = /^(src\/)?(App|app|main|index)\.[a-z]+$/;

/** The file opened first: an entry point when there is one, else the first that is not a README. */
function firstFile(paths: readonly string[]): string {
  return paths.find((p) => ENTRY.test(p)) ?? paths.find((p) => !/^readme/i.test(p)) ?? paths[0]!;
}
