import { useMemo, useState } from "react";
import { ActionIcon, FileButton, Group, Menu, NavLink, Paper, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconDots,
  IconFileCode,
  IconFilePlus,
  IconFileZip,
  IconFolder,
  IconPencil,
  IconTrash,
} from "@tabler/icons-react";
import { useMutation, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { ApiError } from "../api/errors";
import { buildTree, type TreeNode } from "../codegen/model";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { EmptyState } from "../ui/EmptyState";
import { QueryView } from "../ui/QueryView";
import { NameDialog } from "./dialogs";
import { cleanPath } from "./model";
import { deleteFile, fileQuery, importZip, saveFile, wsKey } from "./queries";
import type { WorkspaceFile } from "./types";

type Action = { kind: "new" } | { kind: "rename"; path: string } | { kind: "delete"; path: string } | undefined;

/**
 * The working tree by directory, with New file, Upload ZIP, and per file Rename (a new file
 * with the content, then the old one deleted) and Delete. Unsaved files carry a dot.
 */
export function FileTree({
  workspaceId,
  tree,
  open,
  dirty,
  onOpen,
  onClosed,
  onRenamed,
  contentOf,
}: {
  workspaceId: string;
  tree: UseQueryResult<WorkspaceFile[]>;
  open: string | undefined;
  dirty: string[];
  onOpen: (path: string) => void;
  onClosed: (path: string) => void;
  onRenamed: (from: string, to: string) => void;
  contentOf: (path: string) => string | undefined;
}) {
  const client = useQueryClient();
  const [action, setAction] = useState<Action>();
  const refresh = () => void client.invalidateQueries({ queryKey: wsKey(workspaceId) });
  const exists = (p: string) => (tree.data ?? []).some((f) => f.path === p);

  const create = useMutation({
    mutationFn: async (input: string) => {
      const path = cleanPath(input);
      if (!path) throw new Error("That path cannot be used: no “..”, no .git, not empty.");
      if (exists(path)) throw new Error(`${path} already exists.`);
      await saveFile(workspaceId, path, "");
      return path;
    },
    onSuccess: (path) => {
      setAction(undefined);
      refresh();
      onOpen(path);
    },
  });
  const rename = useMutation({
    mutationFn: async ({ from, input }: { from: string; input: string }) => {
      const to = cleanPath(input);
      if (!to) throw new Error("That path cannot be used: no “..”, no .git, not empty.");
      if (to === from) return { from, to };
      if (exists(to)) throw new Error(`${to} already exists.`);
      const content = contentOf(from) ?? (await client.fetchQuery(fileQuery(workspaceId, from)))?.content;
      if (content === undefined) throw new ApiError(`${from} is no longer in the workspace`, 404, "not_found");
      await saveFile(workspaceId, to, content);
      await deleteFile(workspaceId, from);
      return { from, to };
    },
    onSuccess: ({ from, to }) => {
      setAction(undefined);
      onRenamed(from, to);
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (path: string) => deleteFile(workspaceId, path).then(() => path),
    onSuccess: (path) => {
      setAction(undefined);
      onClosed(path);
      refresh();
    },
  });
  const upload = useMutation({
    mutationFn: (zip: File) => importZip(workspaceId, zip),
    onSuccess: (r) => {
      notifications.show({
        color: r.skipped.length ? "yellow" : "green",
        message: `Imported ${r.imported.length} file${r.imported.length === 1 ? "" : "s"}${
          r.skipped.length ? `; skipped ${r.skipped.map((s) => `${s.path} (${s.reason})`).join(", ")}` : ""
        }.`,
      });
      refresh();
    },
    onError: (e: Error) => notifications.show({ color: "red", title: "Could not import the ZIP", message: e.message }),
  });

  const nodes = useMemo(() => buildTree(tree.data ?? []), [tree.data]);
  return (
    <Paper withBorder radius="md" p={4} component="section" aria-labelledby="agent-files-title">
      <Group justify="space-between" px={6} py={2} wrap="nowrap">
        <Text fw={600} size="sm" id="agent-files-title">
          Files
        </Text>
        <Group gap={2} wrap="nowrap">
          <Tooltip label="New file">
            <ActionIcon
              variant="subtle"
              aria-label="New file"
              onClick={() => setAction({ kind: "new" })}
              data-testid="agent-new-file"
            >
              <IconFilePlus size={18} />
            </ActionIcon>
          </Tooltip>
          <FileButton onChange={(f) => f && upload.mutate(f)} accept=".zip,application/zip">
            {(props) => (
              <Tooltip label="Upload a ZIP into this workspace">
                <ActionIcon
                  variant="subtle"
                  aria-label="Upload a ZIP into this workspace"
                  loading={upload.isPending}
                  {...props}
                >
                  <IconFileZip size={18} />
                </ActionIcon>
              </Tooltip>
            )}
          </FileButton>
        </Group>
      </Group>
      <QueryView
        query={tree}
        what="the files"
        isEmpty={(d) => d.length === 0}
        empty={<EmptyState title="No files yet">Create a file or upload a ZIP with the buttons above.</EmptyState>}
      >
        {() => (
          <nav aria-label="Files" data-testid="agent-files">
            <Nodes
              nodes={nodes}
              open={open}
              dirty={dirty}
              onOpen={onOpen}
              onRename={(path) => setAction({ kind: "rename", path })}
              onDelete={(path) => setAction({ kind: "delete", path })}
            />
          </nav>
        )}
      </QueryView>

      <NameDialog
        opened={action?.kind === "new"}
        title="New file"
        label="Path"
        hint="Relative to the workspace, e.g. src/util.ts"
        confirmLabel="Create"
        initial=""
        busy={create.isPending}
        error={create.error}
        onSubmit={(p) => create.mutate(p)}
        onClose={() => {
          create.reset();
          setAction(undefined);
        }}
      />
      <NameDialog
        opened={action?.kind === "rename"}
        title="Rename the file"
        label="New path"
        confirmLabel="Rename"
        initial={action?.kind === "rename" ? action.path : ""}
        busy={rename.isPending}
        error={rename.error}
        onSubmit={(input) => action?.kind === "rename" && rename.mutate({ from: action.path, input })}
        onClose={() => {
          rename.reset();
          setAction(undefined);
        }}
      />
      <ConfirmDialog
        opened={action?.kind === "delete"}
        title="Delete this file?"
        confirmLabel="Delete file"
        busy={remove.isPending}
        onConfirm={() => action?.kind === "delete" && remove.mutate(action.path)}
        onClose={() => setAction(undefined)}
      >
        {action?.kind === "delete" ? action.path : ""} leaves the working tree; the snapshots keep it.
      </ConfirmDialog>
    </Paper>
  );
}

function Nodes({
  nodes,
  open,
  dirty,
  onOpen,
  onRename,
  onDelete,
}: {
  nodes: TreeNode<WorkspaceFile>[];
  open?: string;
  dirty: string[];
  onOpen: (path: string) => void;
  onRename: (path: string) => void;
  onDelete: (path: string) => void;
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
          >
            <Nodes
              nodes={n.children}
              open={open}
              dirty={dirty}
              onOpen={onOpen}
              onRename={onRename}
              onDelete={onDelete}
            />
          </NavLink>
        ) : (
          <Group key={n.path} gap={0} wrap="nowrap">
            <NavLink
              component="button"
              label={
                <>
                  {n.name}
                  {dirty.includes(n.path) && (
                    <Text span c="orange" ml={4} aria-label="unsaved">
                      ●
                    </Text>
                  )}
                </>
              }
              active={n.path === open}
              aria-current={n.path === open ? "true" : undefined}
              leftSection={<IconFileCode size={16} />}
              onClick={() => onOpen(n.path)}
              data-testid="agent-file"
              data-path={n.path}
              styles={{ label: { wordBreak: "break-all" } }}
              style={{ flex: 1, minWidth: 0 }}
            />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`Actions for ${n.path}`}>
                  <IconDots size={14} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item leftSection={<IconPencil size={14} />} onClick={() => onRename(n.path)}>
                  Rename
                </Menu.Item>
                <Menu.Item leftSection={<IconTrash size={14} />} color="red" onClick={() => onDelete(n.path)}>
                  Delete
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        ),
      )}
    </>
  );
}
