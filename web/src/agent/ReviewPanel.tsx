import { useState } from "react";
import { Button, Group, Stack, Text, Textarea, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCheck, IconGitCompare, IconX } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors";
import { EmptyState } from "../ui/EmptyState";
import { ErrorAlert } from "../ui/ErrorAlert";
import { LoadingRows } from "../ui/QueryView";
import { FileReview } from "./FileReview";
import { Conflicts } from "./Merge";
import { chooseAll, conflictsOf, reviewPlan, undecidedCount, type Choice, type Choices, type Conflict } from "./model";
import { acceptTask, rejectTask, taskQuery } from "./queries";
import type { ReviewRequest } from "./types";

/**
 * A task's proposal, file by file: a diff editor (the base the task read against its proposal)
 * with Accept and Reject on each hunk, Accept/Reject for the file, and for the whole task. The
 * choices made here are sent by "Apply my choices" (rejections first, with the reason; then the
 * accepted hunks — the server rejects whatever is left undecided at an accept). A 409
 * `merge_conflict` shows each conflicting region.
 */
export function ReviewPanel({
  workspaceId,
  taskId,
  onChanged,
  onOpenFile,
}: {
  workspaceId: string;
  taskId: string | undefined;
  onChanged: () => void;
  onOpenFile: (path: string) => void;
}) {
  if (!taskId) {
    return (
      <EmptyState icon={<IconGitCompare size={22} />} title="Nothing to review">
        Ask the agent for a change: its proposal is reviewed here, hunk by hunk.
      </EmptyState>
    );
  }
  return (
    <TaskReview key={taskId} workspaceId={workspaceId} taskId={taskId} onChanged={onChanged} onOpenFile={onOpenFile} />
  );
}

function TaskReview({
  workspaceId,
  taskId,
  onChanged,
  onOpenFile,
}: {
  workspaceId: string;
  taskId: string;
  onChanged: () => void;
  onOpenFile: (path: string) => void;
}) {
  const client = useQueryClient();
  const task = useQuery(taskQuery(taskId));
  const [choices, setChoices] = useState<Choices>({});
  const [reason, setReason] = useState("");
  const [conflicts, setConflicts] = useState<Conflict[]>([]);

  const decide = useMutation({
    mutationFn: async (steps: { reject?: ReviewRequest; accept?: ReviewRequest }) => {
      let written: string[] = [];
      if (steps.reject) await rejectTask(taskId, steps.reject);
      if (steps.accept) written = (await acceptTask(taskId, steps.accept)).written;
      return written;
    },
    onMutate: () => setConflicts([]),
    onSuccess: (written) => {
      setChoices({});
      setReason("");
      notifications.show({
        color: "green",
        message: written.length ? `Accepted: ${written.join(", ")} written; a snapshot was taken.` : "Recorded.",
      });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.code === "merge_conflict") setConflicts(conflictsOf(e.details));
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: taskQuery(taskId).queryKey });
      onChanged();
    },
  });

  if (task.isPending) return <LoadingRows rows={4} />;
  if (task.isError) return <ErrorAlert title="Could not load the task" error={task.error} />;
  const t = task.data;
  const files = t.result?.files_modified ?? [];
  if (t.status !== "done" || files.length === 0) {
    return (
      <EmptyState icon={<IconGitCompare size={22} />} title="Nothing to review">
        {t.status === "done"
          ? "This task proposes no change."
          : t.status === "failed"
            ? "This task failed: it proposes nothing."
            : "The task is still running; its proposal is shown here when it is done."}
      </EmptyState>
    );
  }
  const review = t.review;
  const open = undecidedCount(review, files);
  const plan = reviewPlan(review, choices, files, reason);
  const chosen = (plan.reject?.hunks ?? []).concat(plan.accept?.hunks ?? []).length > 0;
  const trimmed = reason.trim();

  return (
    <Stack gap="sm" data-testid="agent-review" data-task={t.id}>
      <Group justify="space-between" align="flex-start" gap="xs">
        <Stack gap={2}>
          <Title order={2} size="h5">
            Review: {t.prompt || t.mode}
          </Title>
          <Text size="sm" c="dimmed" data-testid="agent-review-summary">
            {files.length} file{files.length === 1 ? "" : "s"} · {files.reduce((n, f) => n + f.hunks.length, 0)} hunks ·{" "}
            {open} undecided
          </Text>
        </Stack>
        <Group gap="xs">
          <Button
            leftSection={<IconCheck size={16} />}
            color="green"
            disabled={open === 0}
            loading={decide.isPending}
            onClick={() => decide.mutate({ accept: {} })}
            data-testid="agent-accept-all"
          >
            Accept all
          </Button>
          <Button
            leftSection={<IconX size={16} />}
            variant="default"
            disabled={open === 0}
            loading={decide.isPending}
            onClick={() => decide.mutate({ reject: trimmed ? { reason: trimmed } : {} })}
            data-testid="agent-reject-all"
          >
            Reject all
          </Button>
        </Group>
      </Group>
      <Textarea
        label="Why reject? (optional)"
        description="Kept with the rejected hunks and told to the agent's next tasks in this workspace."
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        autosize
        minRows={1}
        maxRows={4}
        data-testid="agent-reject-reason"
      />
      <Group gap="xs" justify="space-between">
        <Group gap="xs">
          <Button
            size="xs"
            variant="subtle"
            disabled={open === 0}
            onClick={() => setChoices(chooseAll(choices, review, files, "accept"))}
          >
            Mark all accepted
          </Button>
          <Button
            size="xs"
            variant="subtle"
            disabled={open === 0}
            onClick={() => setChoices(chooseAll(choices, review, files, "reject"))}
          >
            Mark all rejected
          </Button>
        </Group>
        <Button
          disabled={!chosen}
          loading={decide.isPending}
          onClick={() => decide.mutate(plan)}
          data-testid="agent-apply-choices"
        >
          Apply my choices
        </Button>
      </Group>
      {plan.leftOver > 0 && (
        <Text size="xs" c="dimmed">
          Accepting rejects the {plan.leftOver} hunk{plan.leftOver === 1 ? "" : "s"} you have not chosen for.
        </Text>
      )}
      {decide.error && !(decide.error instanceof ApiError && decide.error.code === "merge_conflict") && (
        <ErrorAlert title="Could not apply the review" error={decide.error} testId="agent-review-error" />
      )}
      {conflicts.length > 0 && (
        <Conflicts conflicts={conflicts} title="The file changed since the task read it, and the changes overlap">
          Nothing was accepted. Edit the file so the regions below no longer overlap and accept again, or reject these
          hunks.
        </Conflicts>
      )}
      {files.map((f) => (
        <FileReview
          key={f.path}
          workspaceId={workspaceId}
          task={t}
          file={f}
          choices={choices[f.path] ?? {}}
          onChoose={(ids: number[], choice: Choice | undefined) =>
            setChoices((c) => {
              const file: Record<number, Choice> = { ...c[f.path] };
              for (const id of ids) {
                if (review?.files[f.path]?.[String(id)]) continue;
                if (choice) file[id] = choice;
                else delete file[id];
              }
              return { ...c, [f.path]: file };
            })
          }
          onOpen={() => onOpenFile(f.path)}
        />
      ))}
    </Stack>
  );
}
