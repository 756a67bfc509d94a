import { useEffect, useRef, useState } from "react";
import { Badge, Button, Code, Group, List, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconClock,
  IconCode,
  IconCoins,
  IconDatabase,
  IconDownload,
  IconFiles,
  IconInfoCircle,
  IconRefresh,
  IconTrash,
} from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { ErrorAlert } from "../ui/ErrorAlert";
import { QueryView } from "../ui/QueryView";
import { StatCard } from "../ui/StatCard";
import { StatusBadge } from "../ui/StatusBadge";
import { formatCount, formatDateTime } from "../format";
import { CodegenProgress } from "./CodegenProgress";
import { FilesView } from "./FilesView";
import { defaultFile, formatConfidence, formatDuration, syntaxState, zipName } from "./model";
import { CODEGEN, downloadZip, generate, generationQuery, historyQuery } from "./queries";
import type { GenerateAnswer, Generation, Warning } from "./types";

/**
 * The selected generation: its prompt, status and actions (Download ZIP, Regenerate, Delete);
 * while it runs (or when it was just started here) its live progress; once ready its numbers,
 * the changes Cistern made to the model's files, and the files with their syntax checks; once
 * failed, why.
 */
export function GenerationPanel({
  id,
  autoFocus,
  file,
  onFile,
  startedHere,
  cachedHit,
  onRegenerated,
  onDeleted,
}: {
  id: string;
  /** Move focus to the heading once loaded (after the user picked or started it). */
  autoFocus: boolean;
  /** The open file's path (from the URL); the default file when absent. */
  file?: string;
  onFile: (path: string) => void;
  /** Started from this page: its progress (and the files as they were written) stays shown. */
  startedHere: boolean;
  /** The submit was answered from the result cache. */
  cachedHit: boolean;
  onRegenerated: (answer: GenerateAnswer) => void;
  onDeleted: () => void;
}) {
  const client = useQueryClient();
  const detail = useQuery(generationQuery(id));
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = detail.isSuccess;
  useEffect(() => {
    if (autoFocus && loaded) heading.current?.focus();
  }, [autoFocus, loaded, id]);

  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/generations/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setConfirming(false);
      notifications.show({ color: "green", message: "Deleted the generation." });
      // Unselect and drop it from the history at once; its own cached reads are left to expire
      // (refetching them would ask the server for a generation that is gone).
      onDeleted();
      client.setQueryData(
        historyQuery.queryKey,
        (old) => old && { ...old, pages: old.pages.map((p) => ({ ...p, items: p.items.filter((g) => g.id !== id) })) },
      );
      void client.invalidateQueries({ queryKey: historyQuery.queryKey });
    },
  });
  const regenerate = useMutation({
    mutationFn: (g: Generation) =>
      generate({
        prompt: g.prompt,
        // A detected framework is detected again (detection is pure); a chosen one is sent again.
        framework: g.framework?.explicit ? g.framework.name : undefined,
        cache: false,
      }),
    onSuccess: (answer) => {
      void client.invalidateQueries({ queryKey: historyQuery.queryKey });
      onRegenerated(answer);
    },
  });
  const [download, setDownload] = useState<{ busy: boolean; error?: Error }>({ busy: false });

  return (
    <Paper
      withBorder
      radius="md"
      p={{ base: "sm", sm: "lg" }}
      component="section"
      aria-label="Selected generation"
      data-testid="codegen-detail"
    >
      <QueryView query={detail} what="the generation" skeletonRows={5}>
        {(g) => {
          const ready = g.status === "ready";
          const open = file && g.files.some((f) => f.path === file) ? file : defaultFile(g.files);
          return (
            <Stack gap="md" data-testid="codegen-generation" data-status={g.status} data-id={g.id}>
              <Group justify="space-between" align="flex-start" gap="sm">
                <Stack gap={4} miw={0} style={{ flex: "1 1 320px" }}>
                  <Title
                    order={2}
                    size="h4"
                    ref={heading}
                    tabIndex={-1}
                    lineClamp={3}
                    style={{ wordBreak: "break-word", outline: "none" }}
                    data-testid="codegen-prompt-title"
                  >
                    {g.prompt}
                  </Title>
                  <Text size="sm" c="dimmed">
                    Created {formatDateTime(g.created_at)}
                    {g.model && (
                      <>
                        {" "}
                        · model{" "}
                        <Text span ff="monospace" size="sm">
                          {g.model}
                        </Text>
                      </>
                    )}
                  </Text>
                  <Group gap={6} mt={2}>
                    <StatusBadge status={g.status === "pending" ? "generating" : g.status} testId="codegen-status" />
                    {g.language && (
                      <Badge variant="default" tt="none">
                        {g.language}
                      </Badge>
                    )}
                    {(g.cached || cachedHit) && (
                      <Badge
                        variant="light"
                        color="teal"
                        tt="none"
                        leftSection={<IconDatabase size={12} />}
                        data-testid="codegen-cached"
                      >
                        from the cache
                      </Badge>
                    )}
                  </Group>
                </Stack>
                <Group gap="xs">
                  <Button
                    leftSection={<IconDownload size={16} />}
                    disabled={!ready}
                    loading={download.busy}
                    onClick={() => {
                      setDownload({ busy: true });
                      downloadZip(g.id, zipName(g.prompt, g.framework?.name)).then(
                        () => setDownload({ busy: false }),
                        (e: Error) => setDownload({ busy: false, error: e }),
                      );
                    }}
                    data-testid="codegen-download"
                  >
                    Download ZIP
                  </Button>
                  <Button
                    variant="default"
                    leftSection={<IconRefresh size={16} />}
                    disabled={g.status === "pending"}
                    loading={regenerate.isPending}
                    onClick={() => regenerate.mutate(g)}
                    title="Generate again from the same prompt, without the cache"
                    data-testid="codegen-regenerate"
                  >
                    Regenerate
                  </Button>
                  <Button
                    variant="default"
                    color="red"
                    leftSection={<IconTrash size={16} />}
                    onClick={() => setConfirming(true)}
                    data-testid="codegen-delete"
                  >
                    Delete
                  </Button>
                </Group>
              </Group>
              {download.error && <ErrorAlert title="Could not download the ZIP" error={download.error} />}
              {regenerate.error && <ErrorAlert title="Could not regenerate" error={regenerate.error} />}

              {g.status === "failed" && (
                <ErrorAlert
                  title="The generation failed"
                  error={new Error(g.error ?? "The job ended without a reason.")}
                  testId="codegen-failure"
                >
                  {g.error_kind && (
                    <Text size="sm" mt={6}>
                      Cause: <Code data-testid="codegen-error-kind">{g.error_kind}</Code>
                    </Text>
                  )}
                  <Text size="sm" mt={6}>
                    What to do: say more concretely what to build (the files, the framework), or check the model on the
                    LLM calls page; then regenerate.
                  </Text>
                </ErrorAlert>
              )}

              {(g.status !== "ready" || startedHere) && (
                <CodegenProgress
                  key={g.job_id}
                  jobId={g.job_id}
                  live={g.status === "pending"}
                  onEnd={() => void client.invalidateQueries({ queryKey: CODEGEN })}
                />
              )}

              {ready && (
                <>
                  <Stats g={g} />
                  {g.warnings.length > 0 && <Warnings warnings={g.warnings} />}
                  <Stack gap="xs" component="section" aria-labelledby={`files-${g.id}`}>
                    <Title order={3} size="h5" id={`files-${g.id}`}>
                      Files
                    </Title>
                    <FilesView id={g.id} files={g.files} open={open} onOpen={onFile} />
                  </Stack>
                </>
              )}

              <ConfirmDialog
                opened={confirming}
                title="Delete this generation?"
                confirmLabel="Delete generation"
                onConfirm={() => remove.mutate()}
                onClose={() => setConfirming(false)}
                busy={remove.isPending}
                testId="codegen-delete-dialog"
              >
                Its files and its ZIP are deleted for good. This cannot be undone.
                {remove.error && (
                  <Text c="red" size="sm" mt="xs" role="alert">
                    {remove.error.message}
                  </Text>
                )}
              </ConfirmDialog>
            </Stack>
          );
        }}
      </QueryView>
    </Paper>
  );
}

/** The headline numbers: framework (how sure, and why), files (and how many parse), tokens, time. */
function Stats({ g }: { g: Generation }) {
  const fw = g.framework;
  const broken = g.files.filter((f) => syntaxState(f) === "errors").length;
  const unchecked = g.files.filter((f) => syntaxState(f) === "unchecked").length;
  const ms = Object.values(g.timings_ms).reduce((a, b) => a + b, 0);
  const rounds = [
    g.continue_rounds > 0 ? `${g.continue_rounds} continuation${g.continue_rounds === 1 ? "" : "s"}` : "",
    g.repair_rounds > 0 ? `${g.repair_rounds} repair round${g.repair_rounds === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return (
    <SimpleGrid cols={{ base: 2, lg: 4 }} spacing="sm" data-testid="codegen-stats">
      <StatCard
        label="Framework"
        icon={<IconCode size={16} />}
        value={fw?.display_name ?? "—"}
        testId="codegen-stat-framework"
        hint={
          fw &&
          (fw.explicit
            ? "Your choice"
            : `${formatConfidence(fw.confidence)} sure${fw.evidence.length ? ` · from ${fw.evidence.slice(0, 4).join(", ")}` : ""}`)
        }
      />
      <StatCard
        label="Files"
        icon={<IconFiles size={16} />}
        value={g.files.length}
        testId="codegen-stat-files"
        color={broken > 0 ? "red" : undefined}
        hint={
          broken > 0
            ? `${broken} with syntax errors`
            : unchecked === g.files.length
              ? "None could be checked"
              : `All checked files parse${unchecked ? ` · ${unchecked} not checked` : ""}`
        }
      />
      <StatCard
        label="Tokens"
        icon={<IconCoins size={16} />}
        value={formatCount(g.usage.input_tokens + g.usage.output_tokens)}
        testId="codegen-stat-tokens"
        hint={`${formatCount(g.usage.input_tokens)} in · ${formatCount(g.usage.output_tokens)} out · ${g.usage.calls} call${g.usage.calls === 1 ? "" : "s"}`}
      />
      <StatCard
        label="Time"
        icon={<IconClock size={16} />}
        value={formatDuration(ms)}
        hint={rounds.length ? rounds.join(" · ") : "No continuation or repair needed"}
      />
    </SimpleGrid>
  );
}

const KIND_LABELS: Record<string, string> = {
  dependency_added: "dependency added",
  manifest_created: "manifest created",
  manifest_unreadable: "manifest unreadable",
  readme_added: "README added",
};

/** What Cistern changed in the model's files (a manifest completed, a README added), never silently. */
function Warnings({ warnings }: { warnings: Warning[] }) {
  return (
    <Paper withBorder radius="md" p="sm" component="section" aria-labelledby="codegen-warnings">
      <Group gap="xs" mb={6} wrap="nowrap" align="flex-start">
        <IconInfoCircle size={18} aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
        <Title order={3} size="h6" id="codegen-warnings">
          Changes Cistern made to the model's files
        </Title>
      </Group>
      <List size="sm" spacing={6} data-testid="codegen-warnings">
        {warnings.map((w, i) => (
          <List.Item key={i} style={{ overflowWrap: "anywhere" }}>
            <Badge size="sm" variant="default" tt="none" mr={6}>
              {w.kind ? (KIND_LABELS[w.kind] ?? w.kind.replace(/_/g, " ")) : "note"}
            </Badge>
            {w.path && <Code mr={6}>{w.path}</Code>}
            {w.message}
          </List.Item>
        ))}
      </List>
    </Paper>
  );
}
