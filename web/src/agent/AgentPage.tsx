import { useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { Button, Group, Menu, Select, Stack } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconChevronDown,
  IconCode,
  IconFileZip,
  IconFolderPlus,
  IconPencil,
  IconPlus,
  IconSparkles,
  IconTrash,
} from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { EmptyState } from "../ui/EmptyState";
import { ErrorAlert } from "../ui/ErrorAlert";
import { PageHeader } from "../ui/PageHeader";
import { QueryView } from "../ui/QueryView";
import { FromGenerationDialog, NameDialog } from "./dialogs";
import {
  AGENT,
  createWorkspace,
  deleteWorkspace,
  fromGeneration,
  importZip,
  renameWorkspace,
  workspacesQuery,
} from "./queries";
import type { Workspace } from "./types";
import { WorkspaceView } from "./WorkspaceView";

type Dialog = "new" | "rename" | "delete" | "generation" | undefined;

/**
 * `/agent`: the coding workspace. Pick or create a workspace (empty, from a code generation, or
 * from a ZIP), edit its files in Monaco, save snapshots, ask the agent for a patch, an
 * explanation, tests or lint fixes, and review its proposal hunk by hunk. The open workspace is
 * in the URL (`?ws=…`).
 */
export function AgentPage() {
  const [params, setParams] = useSearchParams();
  const selected = params.get("ws") ?? undefined;
  const client = useQueryClient();
  const list = useQuery(workspacesQuery);
  const [dialog, setDialog] = useState<Dialog>();
  const zipInput = useRef<HTMLInputElement>(null);
  const open = (id: string | undefined) => setParams(id ? { ws: id } : {});
  const current = list.data?.items.find((w) => w.id === selected);

  const created = (w: Workspace, what: string) => {
    setDialog(undefined);
    notifications.show({ color: "green", message: what });
    void client.invalidateQueries({ queryKey: workspacesQuery.queryKey });
    open(w.id);
  };
  const create = useMutation({
    mutationFn: createWorkspace,
    onSuccess: (w) => created(w, `Created “${w.name}”.`),
  });
  const fromGen = useMutation({
    mutationFn: fromGeneration,
    onSuccess: (w) => created(w, `Created “${w.name}” from the generation's files.`),
  });
  const upload = useMutation({
    mutationFn: async (zip: File) => {
      const w = await createWorkspace(zip.name.replace(/\.zip$/i, "").slice(0, 100) || "Imported project");
      try {
        const result = await importZip(w.id, zip);
        return { w, result };
      } catch (e) {
        // An archive the server cannot read leaves no empty workspace behind.
        await deleteWorkspace(w.id).catch(() => undefined);
        throw e;
      }
    },
    onSuccess: ({ w, result }) =>
      created(
        w,
        `Imported ${result.imported.length} file${result.imported.length === 1 ? "" : "s"}${
          result.skipped.length ? ` (${result.skipped.length} skipped)` : ""
        }.`,
      ),
  });
  const rename = useMutation({
    mutationFn: (name: string) => renameWorkspace(selected!, name),
    onSuccess: () => {
      setDialog(undefined);
      void client.invalidateQueries({ queryKey: AGENT });
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteWorkspace(selected!),
    onSuccess: () => {
      setDialog(undefined);
      notifications.show({ color: "green", message: "Deleted the workspace." });
      open(undefined);
      void client.invalidateQueries({ queryKey: workspacesQuery.queryKey });
    },
  });
  const error = create.error ?? fromGen.error ?? upload.error;

  const newMenu = (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button
            leftSection={<IconPlus size={16} />}
            rightSection={<IconChevronDown size={14} />}
            loading={upload.isPending}
            data-testid="agent-new"
          >
            New workspace
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item leftSection={<IconFolderPlus size={16} />} onClick={() => setDialog("new")}>
            Empty workspace
          </Menu.Item>
          <Menu.Item leftSection={<IconSparkles size={16} />} onClick={() => setDialog("generation")}>
            From a code generation
          </Menu.Item>
          <Menu.Item
            leftSection={<IconFileZip size={16} />}
            onClick={() => zipInput.current?.click()}
            data-testid="agent-upload-zip"
          >
            Upload a ZIP
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {/* Outside the dropdown, which unmounts when it closes (before the file is chosen). */}
      <input
        ref={zipInput}
        type="file"
        accept=".zip,application/zip"
        hidden
        aria-label="ZIP to import"
        data-testid="agent-zip-input"
        onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = "";
          if (f) upload.mutate(f);
        }}
      />
    </>
  );

  return (
    <Stack gap="md">
      <PageHeader
        title="Coding agent"
        description="Edit a project's files, save snapshots, and ask the agent to change, explain, test or lint them — then accept or reject each hunk it proposes."
        actions={newMenu}
      />
      {error && <ErrorAlert title="Could not create the workspace" error={error} testId="agent-create-error" />}
      <QueryView
        query={list}
        what="your workspaces"
        isEmpty={(d) => d.items.length === 0}
        empty={
          <EmptyState
            icon={<IconCode size={22} />}
            title="No workspace yet"
            testId="agent-empty"
            action={
              <Button variant="default" onClick={() => setDialog("new")}>
                Create an empty workspace
              </Button>
            }
          >
            A workspace holds a project's files and their snapshots. Start empty, from a code generation, or upload a
            ZIP with New workspace.
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <Group gap="xs" align="flex-end" wrap="wrap">
              <Select
                label="Workspace"
                placeholder="Pick a workspace"
                data={d.items.map((w) => ({ value: w.id, label: w.name }))}
                value={current ? current.id : null}
                onChange={(v) => open(v ?? undefined)}
                allowDeselect={false}
                searchable
                w={{ base: "100%", xs: 320 }}
                data-testid="agent-workspace-select"
              />
              <Button
                variant="default"
                leftSection={<IconPencil size={16} />}
                disabled={!current}
                onClick={() => setDialog("rename")}
              >
                Rename
              </Button>
              <Button
                variant="default"
                color="red"
                leftSection={<IconTrash size={16} />}
                disabled={!current}
                onClick={() => setDialog("delete")}
              >
                Delete
              </Button>
            </Group>
            {current ? (
              <WorkspaceView key={current.id} workspace={current} />
            ) : (
              <EmptyState icon={<IconCode size={22} />} title="Pick a workspace">
                Choose one above to open its files, or create a new one.
              </EmptyState>
            )}
          </>
        )}
      </QueryView>

      <NameDialog
        opened={dialog === "new"}
        title="New workspace"
        confirmLabel="Create"
        initial=""
        busy={create.isPending}
        error={create.error}
        onSubmit={(name) => create.mutate(name)}
        onClose={() => setDialog(undefined)}
      />
      <NameDialog
        opened={dialog === "rename"}
        title="Rename the workspace"
        confirmLabel="Rename"
        initial={current?.name ?? ""}
        busy={rename.isPending}
        error={rename.error}
        onSubmit={(name) => rename.mutate(name)}
        onClose={() => setDialog(undefined)}
      />
      <FromGenerationDialog
        opened={dialog === "generation"}
        busy={fromGen.isPending}
        error={fromGen.error}
        onSubmit={(id) => fromGen.mutate(id)}
        onClose={() => setDialog(undefined)}
      />
      <ConfirmDialog
        opened={dialog === "delete"}
        title="Delete this workspace?"
        confirmLabel="Delete workspace"
        onConfirm={() => remove.mutate()}
        onClose={() => setDialog(undefined)}
        busy={remove.isPending}
      >
        “{current?.name}”, its files, snapshots and tasks are deleted for good.
      </ConfirmDialog>
    </Stack>
  );
}
