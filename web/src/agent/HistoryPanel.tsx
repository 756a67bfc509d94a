import { useState } from "react";
import {
  Box,
  Button,
  Group,
  NavLink,
  Paper,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Text,
  useComputedColorScheme,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconHistory, IconRestore } from "@tabler/icons-react";
import { Diff, READ_ONLY_DIFF } from "./Diff";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { EmptyState } from "../ui/EmptyState";
import { ErrorAlert } from "../ui/ErrorAlert";
import { LoadingRows, QueryView } from "../ui/QueryView";
import { formatDateTime, formatRelative } from "../format";
import { languageOf } from "./model";
import { editorTheme, modelPath } from "./monaco";
import { applyPatch } from "./patch";
import { diffQuery, fileQuery, restoreSnapshot, snapshotsQuery, wsKey } from "./queries";
import type { Snapshot } from "./types";

/**
 * The workspace's snapshots, newest first; a picked one shows what differs between it and the
 * working tree (what Restore would change back), file by file in a diff editor, and Restore.
 */
export function HistoryPanel({ workspaceId, onRestored }: { workspaceId: string; onRestored: () => void }) {
  const snapshots = useQuery(snapshotsQuery(workspaceId));
  const [picked, setPicked] = useState<string>();
  const [confirm, setConfirm] = useState<Snapshot>();
  const restore = useMutation({
    mutationFn: (sid: string) => restoreSnapshot(workspaceId, sid),
    onSuccess: (s) => {
      setConfirm(undefined);
      notifications.show({ color: "green", message: `Restored: “${s.message}”.` });
      onRestored();
    },
  });
  return (
    <QueryView
      query={snapshots}
      what="the snapshots"
      isEmpty={(d) => d.items.length === 0}
      empty={
        <EmptyState icon={<IconHistory size={22} />} title="No snapshots yet">
          Save (Ctrl/Cmd+S) to take one.
        </EmptyState>
      }
    >
      {(d) => {
        const current = d.items.find((s) => s.id === picked) ?? d.items[0]!;
        return (
          <SimpleGrid cols={{ base: 1, lg: 3 }} spacing="sm">
            <Paper withBorder radius="md" p={4}>
              <ScrollArea.Autosize mah={520} type="auto">
                <nav aria-label="Snapshots" data-testid="agent-snapshots">
                  {d.items.map((s) => (
                    <NavLink
                      key={s.id}
                      component="button"
                      active={s.id === current.id}
                      aria-current={s.id === current.id ? "true" : undefined}
                      label={s.message}
                      description={`${formatRelative(s.created_at)} · ${s.files} file${s.files === 1 ? "" : "s"}`}
                      onClick={() => setPicked(s.id)}
                      data-testid="agent-snapshot"
                      data-id={s.id}
                      styles={{ label: { wordBreak: "break-word" } }}
                    />
                  ))}
                </nav>
              </ScrollArea.Autosize>
            </Paper>
            <Box style={{ gridColumn: "span 2", minWidth: 0 }}>
              <Stack gap="xs">
                <Group justify="space-between" gap="xs">
                  <Stack gap={0} miw={0}>
                    <Text size="sm" fw={600} style={{ wordBreak: "break-word" }}>
                      {current.message}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(current.created_at)} · compared with the working tree
                    </Text>
                  </Stack>
                  <Button
                    leftSection={<IconRestore size={16} />}
                    variant="light"
                    onClick={() => setConfirm(current)}
                    data-testid="agent-restore"
                  >
                    Restore
                  </Button>
                </Group>
                <SnapshotDiff key={current.id} workspaceId={workspaceId} sid={current.id} />
              </Stack>
            </Box>
            <ConfirmDialog
              opened={confirm !== undefined}
              title="Restore this snapshot?"
              confirmLabel="Restore"
              danger={false}
              busy={restore.isPending}
              onConfirm={() => confirm && restore.mutate(confirm.id)}
              onClose={() => setConfirm(undefined)}
            >
              The working tree becomes “{confirm?.message}” again, as a new snapshot: the snapshots after it stay. Save
              first if you have unsaved edits.
              {restore.error && (
                <Text c="red" size="sm" mt="xs" role="alert">
                  {restore.error.message}
                </Text>
              )}
            </ConfirmDialog>
          </SimpleGrid>
        );
      }}
    </QueryView>
  );
}

/** The files that differ between a snapshot and the working tree, one at a time in a diff editor. */
function SnapshotDiff({ workspaceId, sid }: { workspaceId: string; sid: string }) {
  const diff = useQuery(diffQuery(workspaceId, sid));
  const [path, setPath] = useState<string>();
  return (
    <QueryView query={diff} what="the differences">
      {(d) => {
        if (d.files.length === 0) {
          return (
            <Text size="sm" c="dimmed" data-testid="agent-snapshot-same">
              The working tree is the same as this snapshot.
            </Text>
          );
        }
        const f = d.files.find((x) => x.path === path) ?? d.files[0]!;
        return (
          <Stack gap="xs">
            <Select
              label={`Changed files (${d.files.length})`}
              data={d.files.map((x) => ({ value: x.path, label: `${x.path} (${x.status})` }))}
              value={f.path}
              onChange={(v) => v && setPath(v)}
              allowDeselect={false}
            />
            <FileDiff workspaceId={workspaceId} sid={sid} path={f.path} patch={f.patch} status={f.status} />
          </Stack>
        );
      }}
    </QueryView>
  );
}

function FileDiff({
  workspaceId,
  sid,
  path,
  patch,
  status,
}: {
  workspaceId: string;
  sid: string;
  path: string;
  patch: string;
  status: string;
}) {
  const client = useQueryClient();
  const dark = useComputedColorScheme("light") === "dark";
  // The snapshot's side is the working tree's with the diff undone.
  const sides = useQuery({
    queryKey: [...wsKey(workspaceId), "snapshot-file", sid, path],
    queryFn: async () => {
      const now =
        status === "deleted" ? null : await client.fetchQuery({ ...fileQuery(workspaceId, path), staleTime: 0 });
      const tree = now?.content ?? "";
      return { snapshot: applyPatch(tree, patch, { reverse: true }), tree };
    },
  });
  if (sides.isPending) return <LoadingRows rows={3} />;
  if (sides.isError) return <ErrorAlert title="Could not read the file" error={sides.error} />;
  return (
    <Box
      h="min(55vh, 520px)"
      style={{ border: "1px solid var(--mantine-color-default-border)", borderRadius: 4, overflow: "hidden" }}
      data-testid="agent-snapshot-diff"
    >
      <Diff
        original={sides.data.snapshot}
        modified={sides.data.tree}
        language={languageOf(path)}
        originalModelPath={modelPath(workspaceId, path, `snapshot-${sid}`)}
        modifiedModelPath={modelPath(workspaceId, path, `tree-now-${sid}`)}
        theme={editorTheme(dark)}
        loading={<LoadingRows rows={3} />}
        options={{
          ...READ_ONLY_DIFF,
          ariaLabel: `${path}: the snapshot beside the working tree`,
          originalAriaLabel: `${path} in the snapshot`,
          modifiedAriaLabel: `${path} in the working tree`,
        }}
      />
    </Box>
  );
}
