import type { ReactNode } from "react";
import { Alert, Badge, Box, Code, Group, Paper, SimpleGrid, Stack, Text, useComputedColorScheme } from "@mantine/core";
import { IconAlertTriangle, IconGitMerge } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { ErrorAlert } from "../ui/ErrorAlert";
import { LoadingRows } from "../ui/QueryView";
import { Diff, READ_ONLY_DIFF } from "./Diff";
import { languageOf, type Conflict } from "./model";
import { editorTheme, modelPath } from "./monaco";
import { fileQuery, mergePreviewQuery } from "./queries";

/**
 * A file changed in the workspace since the task read it: what accepting every undecided hunk
 * will write — the file now beside the server's three-way merge — or the regions that overlap,
 * before the accept is tried.
 */
export function StaleMerge({ workspaceId, taskId, path }: { workspaceId: string; taskId: string; path: string }) {
  const dark = useComputedColorScheme("light") === "dark";
  const preview = useQuery(mergePreviewQuery(workspaceId, taskId));
  const now = useQuery(fileQuery(workspaceId, path));
  if (preview.isPending || now.isPending) return <LoadingRows rows={2} />;
  if (preview.isError)
    return <ErrorAlert title="Could not merge the proposal with the file now" error={preview.error} />;
  if (now.isError) return <ErrorAlert title={`Could not read ${path}`} error={now.error} />;
  const merged = preview.data.files.find((f) => f.path === path);
  if (!merged) return null;
  if (merged.outcome === "conflict") {
    return (
      <Conflicts conflicts={merged.conflicts} title="Accepting every hunk would conflict with the file now">
        The file changed where the proposal changes it. Edit the file so the regions below no longer overlap, accept
        only the hunks elsewhere, or reject these.
      </Conflicts>
    );
  }
  if (merged.outcome === "already_applied") {
    return (
      <Text size="sm" c="dimmed" data-testid="agent-merged" data-outcome={merged.outcome}>
        The file already has this change: accepting writes nothing.
      </Text>
    );
  }
  const before = now.data?.content ?? "";
  const after = merged.content ?? "";
  const lines = Math.max(before.split("\n").length, after.split("\n").length);
  return (
    <Stack gap={4} data-testid="agent-merged" data-outcome={merged.outcome}>
      <Group gap={6}>
        <IconGitMerge size={16} aria-hidden />
        <Text size="sm" fw={600}>
          Merged with your changes
        </Text>
        <Text size="sm" c="dimmed">
          — the file now, and what accepting every undecided hunk writes
        </Text>
      </Group>
      <Box
        h={Math.min(420, Math.max(120, lines * 19 + 24))}
        style={{ border: "1px solid var(--mantine-color-default-border)", borderRadius: 4, overflow: "hidden" }}
      >
        <Diff
          key={`${preview.dataUpdatedAt}-${now.dataUpdatedAt}`}
          original={before}
          modified={after}
          language={languageOf(path)}
          originalModelPath={modelPath(workspaceId, path, `now-${taskId}`)}
          modifiedModelPath={modelPath(workspaceId, path, `merged-${taskId}`)}
          theme={editorTheme(dark)}
          loading={<LoadingRows rows={2} />}
          options={{
            ...READ_ONLY_DIFF,
            renderOverviewRuler: false,
            ariaLabel: `${path} merged with the proposal`,
            originalAriaLabel: `${path} now`,
            modifiedAriaLabel: `${path} after accepting every hunk`,
          }}
        />
      </Box>
    </Stack>
  );
}

/** The regions a merge could not combine: the file now beside the proposal, per region. */
export function Conflicts({
  conflicts,
  title,
  children,
}: {
  conflicts: Conflict[];
  title: string;
  children: ReactNode;
}) {
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={title}
      role="alert"
      data-testid="agent-conflicts"
    >
      <Text size="sm" mb="xs">
        {children}
      </Text>
      <Stack gap="sm">
        {conflicts.map((c, i) => (
          <Paper key={i} withBorder p="xs" radius="sm" data-testid="agent-conflict" data-path={c.path}>
            <Group gap="xs" mb={4}>
              <Code>{c.path}</Code>
              <Badge variant="default" tt="none">
                {c.base_lines === 0
                  ? `at line ${c.base_start}`
                  : c.base_lines === 1
                    ? `line ${c.base_start} of the base`
                    : `lines ${c.base_start}–${c.base_start + c.base_lines - 1} of the base`}
              </Badge>
            </Group>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
              <div>
                <Text size="xs" fw={600}>
                  The file now
                </Text>
                <Code block>{c.current || "(nothing)"}</Code>
              </div>
              <div>
                <Text size="xs" fw={600}>
                  Proposed
                </Text>
                <Code block>{c.proposed || "(nothing)"}</Code>
              </div>
            </SimpleGrid>
          </Paper>
        ))}
      </Stack>
    </Alert>
  );
}
