import { useEffect, useRef, useState } from "react";
import { Badge, Button, Group, Paper, NativeSelect, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDownload, IconTrash } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { ErrorAlert } from "../ui/ErrorAlert";
import { QueryView } from "../ui/QueryView";
import { StatusBadge } from "../ui/StatusBadge";
import { formatDateTime } from "../format";
import { JobProgress } from "./JobProgress";
import { newestVersion, versionKey, versionLabel } from "./model";
import { PromptBox } from "./PromptBox";
import { EXTENSIONS, detailQuery, downloadZip, listQuery } from "./queries";
import { VersionView, type VersionTab } from "./VersionView";
import { latestVersion } from "./versions";

/**
 * The selected extension: its versions (newest first), the chosen version's progress or failure,
 * its tabs, Download ZIP, Delete, and a prompt to iterate on it. `seq` picks the version (the
 * newest when absent); a new version is selected as soon as it is accepted.
 */
export function ExtensionPanel({
  id,
  autoFocus,
  seq,
  tab,
  onSelectVersion,
  onDeleted,
}: {
  id: string;
  /** Move focus to the panel's heading once it has loaded (after the user picked or created it). */
  autoFocus: boolean;
  seq?: number;
  tab?: VersionTab;
  onSelectVersion: (seq: number, tab?: VersionTab) => void;
  onDeleted: () => void;
}) {
  const client = useQueryClient();
  const detail = useQuery(detailQuery(id));
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard users land on the panel when they pick an extension or start a generation.
  const loaded = detail.isSuccess;
  useEffect(() => {
    if (autoFocus && loaded) heading.current?.focus();
  }, [autoFocus, loaded, id]);

  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/extensions/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setConfirming(false);
      notifications.show({ color: "green", message: `Deleted ${detail.data?.name ?? "the extension"}.` });
      // Unselect and drop it from the list at once, and refresh the list only: its own cached
      // reads are left to expire (refetching them, or removing them while they are still
      // observed, would ask the server for an extension that is gone).
      onDeleted();
      client.setQueryData(listQuery.queryKey, (old) => old && { ...old, items: old.items.filter((e) => e.id !== id) });
      void client.invalidateQueries({ queryKey: listQuery.queryKey });
    },
  });
  const [download, setDownload] = useState<{ busy: boolean; error?: Error }>({ busy: false });

  return (
    <Paper
      withBorder
      radius="md"
      p={{ base: "sm", sm: "lg" }}
      component="section"
      aria-label="Selected extension"
      data-testid="extension-detail"
    >
      <QueryView query={detail} what="the extension" skeletonRows={5}>
        {(d) => {
          const versions = [...d.versions].sort((a, b) => b.seq - a.seq);
          const shown = versions.find((v) => v.seq === seq) ?? newestVersion(d.versions);
          const ready = shown?.status === "ready" && shown.version;
          const activeTab: VersionTab = tab ?? (shown?.status === "failed" ? "report" : "blueprint");
          return (
            <Stack gap="md">
              <Group justify="space-between" align="flex-start" gap="sm">
                <Stack gap={2} miw={0} style={{ flex: "1 1 280px" }}>
                  <Title
                    order={2}
                    size="h3"
                    ref={heading}
                    tabIndex={-1}
                    style={{ wordBreak: "break-word", outline: "none" }}
                    data-testid="extension-name"
                  >
                    {d.name}
                  </Title>
                  <Text size="sm" c="dimmed">
                    Created {formatDateTime(d.created_at)} · model{" "}
                    <Text span ff="monospace" size="sm">
                      {d.model}
                    </Text>
                  </Text>
                </Stack>
                <Group gap="xs">
                  <Button
                    leftSection={<IconDownload size={16} />}
                    disabled={!ready}
                    loading={download.busy}
                    onClick={() => {
                      if (!shown?.version) return;
                      setDownload({ busy: true });
                      downloadZip(id, shown.version, `${slug(d.name)}-${shown.version}.zip`).then(
                        () => setDownload({ busy: false }),
                        (e: Error) => setDownload({ busy: false, error: e }),
                      );
                    }}
                    data-testid="extension-download"
                  >
                    Download ZIP
                  </Button>
                  <Button
                    variant="default"
                    color="red"
                    leftSection={<IconTrash size={16} />}
                    onClick={() => setConfirming(true)}
                    data-testid="extension-delete"
                  >
                    Delete
                  </Button>
                </Group>
              </Group>
              {download.error && <ErrorAlert title="Could not download the ZIP" error={download.error} />}

              {versions.length > 0 && shown && (
                <Group gap="sm" align="flex-end">
                  <NativeSelect
                    label="Version"
                    data={versions.map((v) => ({
                      value: String(v.seq),
                      label: `${versionLabel(v)} · ${v.status === "pending" ? "generating" : v.status}`,
                    }))}
                    value={String(shown.seq)}
                    onChange={(e) => onSelectVersion(Number(e.currentTarget.value))}
                    w={{ base: "100%", xs: 240 }}
                    data-testid="extension-version-select"
                  />
                  <Group gap="xs" mb={6}>
                    <StatusBadge
                      status={shown.status === "pending" ? "generating" : shown.status}
                      testId="extension-version-status"
                    />
                    {shown.base_version && (
                      <Badge variant="default" tt="none">
                        from v{shown.base_version}
                      </Badge>
                    )}
                  </Group>
                </Group>
              )}
              {shown && (
                <Text size="sm" data-testid="extension-version-prompt">
                  <Text span fw={600} size="sm">
                    Prompt:{" "}
                  </Text>
                  {shown.prompt}
                </Text>
              )}

              {shown && shown.status !== "ready" && (
                <JobProgress
                  key={shown.job_id}
                  jobId={shown.job_id}
                  live={shown.status === "pending"}
                  reason={shown.error}
                  onEnd={() => void client.invalidateQueries({ queryKey: EXTENSIONS })}
                />
              )}

              {shown && shown.status !== "pending" && (
                <VersionView
                  key={versionKey(shown)}
                  id={id}
                  version={versionKey(shown)}
                  tab={activeTab}
                  onTab={(t) => onSelectVersion(shown.seq, t)}
                />
              )}

              <Iterate
                id={id}
                readyVersions={d.versions.flatMap((v) => (v.status === "ready" && v.version ? [v.version] : []))}
                generating={d.versions.some((v) => v.status === "pending")}
                onCreated={(s) => onSelectVersion(s)}
              />

              <ConfirmDialog
                opened={confirming}
                title={`Delete ${d.name}?`}
                confirmLabel="Delete extension"
                onConfirm={() => remove.mutate()}
                onClose={() => setConfirming(false)}
                busy={remove.isPending}
                testId="extension-delete-dialog"
              >
                Every version, its files and its ZIP are deleted for good. This cannot be undone.
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

/** "Improve this": a prompt for a new version made from a ready one (the latest by default). */
function Iterate({
  id,
  readyVersions,
  generating,
  onCreated,
}: {
  id: string;
  readyVersions: string[];
  generating: boolean;
  onCreated: (seq: number) => void;
}) {
  const client = useQueryClient();
  const [prompt, setPrompt] = useState("");
  const [base, setBase] = useState<string | null>(null);
  const latest = latestVersion(readyVersions);
  const iterate = useMutation({
    mutationFn: (text: string) =>
      call(
        api.POST("/api/v1/extensions/{id}/versions", {
          params: { path: { id } },
          body: { prompt: text, base_version: base ?? undefined },
        }),
      ),
    onSuccess: (accepted) => {
      setPrompt("");
      void client.invalidateQueries({ queryKey: EXTENSIONS });
      onCreated(accepted.seq);
    },
  });
  const none = readyVersions.length === 0;
  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      bg="var(--mantine-color-default-hover)"
      component="section"
      aria-label="Iterate"
    >
      <Title order={3} size="h5" mb={4}>
        Improve it
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        {none && generating
          ? "Iterating starts from a ready version: this one can be improved once its generation is done."
          : none
            ? "Iterating starts from a ready version; this extension has none yet. Generate it again from the box at the top with a clearer description."
            : "Say what to change; Cistern makes a new version from the one you pick and shows what changed in its Diff tab."}
      </Text>
      <PromptBox
        label="What to change"
        placeholder="e.g. Also show the count in the popup, and reset it at midnight"
        value={prompt}
        onChange={setPrompt}
        onSubmit={() => iterate.mutate(prompt.trim())}
        submitLabel="Iterate"
        busy={iterate.isPending}
        disabled={none}
        testId="extension-iterate"
        minRows={2}
        extra={
          !none && (
            <NativeSelect
              label="Start from"
              size="sm"
              w={150}
              data={[...readyVersions].reverse().map((v) => ({ value: v, label: `v${v}` }))}
              value={base ?? latest ?? ""}
              onChange={(e) => setBase(e.currentTarget.value)}
              data-testid="extension-iterate-base"
            />
          )
        }
      />
      {iterate.error && <ErrorAlert title="Could not iterate" error={iterate.error} />}
    </Paper>
  );
}

/** A file-name-safe form of the extension's name. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "extension"
  );
}
