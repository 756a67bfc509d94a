import { lazy, Suspense, useState } from "react";
import {
  Badge,
  Button,
  Group,
  List,
  Paper,
  Progress as Bar,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { IconSend } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { isTerminal } from "../jobs/events";
import { useEventProgress } from "../jobs/useJobProgress";
import { ErrorAlert } from "../ui/ErrorAlert";
import { LoadingRows } from "../ui/QueryView";
import { StatusBadge } from "../ui/StatusBadge";
import { INITIAL_TASK_PROGRESS, applyTaskEvent, taskStageLabel } from "./model";
import { startTask, taskQuery, tasksQuery, wsKey } from "./queries";
import type { Task, TaskMode } from "./types";

// The Markdown renderer (and its grammars) is the chat page's, a chunk of its own.
const Markdown = lazy(() => import("../chat/Markdown").then((m) => ({ default: m.Markdown })));

/** What the editor tells the agent: the file, the cursor, the selection. */
export interface EditorContext {
  path: string;
  line: number;
  column: number;
  selection?: { start_line: number; end_line: number };
}

const MODES: { value: TaskMode; label: string; hint: string }[] = [
  { value: "patch", label: "Change the code", hint: "Proposes a patch to review." },
  { value: "explain", label: "Explain", hint: "Answers in Markdown; changes nothing." },
  { value: "generate_test", label: "Write tests", hint: "Proposes new test files." },
  { value: "lint_fix", label: "Fix problems", hint: "Runs the syntax checks, then proposes fixes." },
];

/**
 * The agent: a prompt, a mode, and what the editor has open (file, cursor, selection) sent as
 * context; then the task's live progress (files read, searches, proposals, repair rounds), its
 * explanation as Markdown, or why it failed. A task with a proposal opens the review.
 */
export function AiPanel({
  workspaceId,
  context,
  taskId,
  onTask,
  onProposal,
}: {
  workspaceId: string;
  context: EditorContext | undefined;
  taskId: string | undefined;
  onTask: (id: string) => void;
  onProposal: () => void;
}) {
  const client = useQueryClient();
  const [prompt, setPrompt] = useState("");
  const [mode, setMode] = useState<TaskMode>("patch");
  // Tasks started from this panel: their end opens the review (also when it came before the
  // page had read the task: the stream's replay ends it then).
  const [startedHere, setStartedHere] = useState<ReadonlySet<string>>(new Set());
  const tasks = useQuery(tasksQuery(workspaceId));
  const start = useMutation({
    mutationFn: () =>
      startTask({
        workspace_id: workspaceId,
        prompt: prompt.trim(),
        mode,
        files: context ? [context.path] : [],
        cursor: context ? { path: context.path, line: context.line, column: context.column } : undefined,
        selection: context?.selection ? { path: context.path, ...context.selection } : undefined,
      }),
    onSuccess: (t) => {
      setStartedHere((s) => new Set(s).add(t.task_id));
      onTask(t.task_id);
      void client.invalidateQueries({ queryKey: tasksQuery(workspaceId).queryKey });
    },
  });
  const needsPrompt = mode !== "lint_fix";

  return (
    <Paper withBorder radius="md" p="sm" component="section" aria-labelledby="agent-ai-title">
      <Stack gap="sm">
        <Title order={2} size="h5" id="agent-ai-title">
          Ask the agent
        </Title>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!needsPrompt || prompt.trim()) start.mutate();
          }}
        >
          <Stack gap="xs">
            <Select
              label="Mode"
              data={MODES.map((m) => ({ value: m.value, label: m.label }))}
              value={mode}
              onChange={(v) => v && setMode(v as TaskMode)}
              allowDeselect={false}
              description={MODES.find((m) => m.value === mode)?.hint}
              data-testid="agent-mode"
            />
            <Textarea
              label="Prompt"
              placeholder={
                mode === "explain" ? "What does this function do?" : "Rename greet to welcome and update its callers"
              }
              value={prompt}
              onChange={(e) => setPrompt(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }}
              autosize
              minRows={3}
              maxRows={10}
              maxLength={20000}
              data-testid="agent-prompt"
            />
            <Text size="xs" c="dimmed" data-testid="agent-context">
              {context
                ? `Sends ${context.path}, the cursor at line ${context.line}${
                    context.selection
                      ? `, lines ${context.selection.start_line}–${context.selection.end_line} selected`
                      : ""
                  }.`
                : "Sends the open file and the cursor once you click into the editor."}
            </Text>
            <Group justify="flex-end">
              <Button
                type="submit"
                leftSection={<IconSend size={16} />}
                loading={start.isPending}
                disabled={needsPrompt && !prompt.trim()}
                data-testid="agent-run"
              >
                Run
              </Button>
            </Group>
          </Stack>
        </form>
        {start.error && <ErrorAlert title="Could not start the task" error={start.error} testId="agent-start-error" />}
        {taskId && (
          <TaskView
            key={taskId}
            id={taskId}
            fresh={startedHere.has(taskId)}
            onEnd={(t) => {
              void client.invalidateQueries({ queryKey: wsKey(workspaceId) });
              if ((t?.result?.files_modified.length ?? 0) > 0) onProposal();
            }}
            onReview={onProposal}
          />
        )}
        {(tasks.data?.items.length ?? 0) > 0 && (
          <Select
            label="Earlier tasks"
            placeholder="Open an earlier task"
            data={(tasks.data?.items ?? []).map((t) => ({
              value: t.id,
              label: `${t.mode} · ${t.status} · ${t.prompt.slice(0, 50) || "(no prompt)"}`,
            }))}
            value={taskId ?? null}
            onChange={(v) => v && onTask(v)}
            allowDeselect={false}
            data-testid="agent-task-select"
          />
        )}
      </Stack>
    </Paper>
  );
}

/** One task: its live progress while it runs, then its explanation (or failure) and metrics. */
function TaskView({
  id,
  fresh,
  onEnd,
  onReview,
}: {
  id: string;
  /** Started from this panel just now: its end is reported even if it came before this mounted. */
  fresh: boolean;
  onEnd: (task: Task | undefined) => void;
  onReview: () => void;
}) {
  const client = useQueryClient();
  const task = useQuery(taskQuery(id));
  if (task.isPending) return <LoadingRows rows={2} />;
  if (task.isError) return <ErrorAlert title="Could not load the task" error={task.error} />;
  const t = task.data;
  const proposed = t.result?.files_modified ?? [];
  return (
    <Stack gap="xs" data-testid="agent-task" data-status={t.status} data-id={t.id}>
      <Group gap="xs" justify="space-between">
        <Text size="sm" fw={600} lineClamp={2} style={{ flex: 1, wordBreak: "break-word" }}>
          {t.prompt || t.mode}
        </Text>
        <StatusBadge status={t.status === "processing" ? "running" : t.status === "done" ? "succeeded" : t.status} />
      </Group>
      <TaskProgressView
        id={id}
        live={fresh || t.status === "queued" || t.status === "processing"}
        onEnd={() => {
          void client.fetchQuery({ ...taskQuery(id), staleTime: 0 }).then(onEnd, () => onEnd(undefined));
        }}
      />
      {t.status === "failed" && (
        <ErrorAlert
          title="The task failed"
          error={new Error(t.error ?? "It ended without a reason.")}
          testId="agent-task-error"
        />
      )}
      {t.status === "done" && t.result && (
        <>
          {proposed.length > 0 && (
            <Group gap="xs" justify="space-between">
              <Text size="sm">
                Proposes changes to {proposed.length} file{proposed.length === 1 ? "" : "s"}:{" "}
                {proposed.map((f) => f.path).join(", ")}
              </Text>
              <Button size="xs" variant="light" onClick={onReview} data-testid="agent-open-review">
                Review
              </Button>
            </Group>
          )}
          <Paper withBorder radius="sm" p="xs" data-testid="agent-explanation">
            <Suspense fallback={<LoadingRows rows={2} />}>
              <Markdown text={t.result.explanation} />
            </Suspense>
          </Paper>
          {t.metrics && (
            <Group gap={6}>
              <Badge variant="default" tt="none">
                {t.metrics.tokens} tokens
              </Badge>
              <Badge variant="default" tt="none">
                {(t.metrics.duration_ms / 1000).toFixed(1)} s
              </Badge>
              <Badge variant="default" tt="none">
                {t.metrics.rounds} call{t.metrics.rounds === 1 ? "" : "s"}
              </Badge>
              {t.metrics.repair_rounds > 0 && (
                <Badge variant="default" tt="none">
                  {t.metrics.repair_rounds} repair round(s)
                </Badge>
              )}
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}

/**
 * A task's events (`/api/v1/agent/tasks/{id}/events`): while it runs the bar and the stage, and
 * (then and after) what it read and searched, its proposals and repair rounds.
 */
function TaskProgressView({ id, live, onEnd }: { id: string; live: boolean; onEnd: () => void }) {
  const { progress, streamError } = useEventProgress(
    `/api/v1/agent/tasks/${encodeURIComponent(id)}/events`,
    live,
    onEnd,
    INITIAL_TASK_PROGRESS,
    applyTaskEvent,
  );
  const running = live && !isTerminal(progress.status);
  const label = taskStageLabel(progress);
  return (
    <>
      {running && (
        <>
          <Bar value={Math.max(progress.percent, 3)} animated size="sm" aria-label={`Task progress: ${label}`} />
          <Text size="sm" aria-live="polite" data-testid="agent-task-stage">
            {label}…
          </Text>
        </>
      )}
      {(progress.read.length > 0 || progress.searches.length > 0 || progress.proposals > 0 || progress.repairs > 0) && (
        <List size="xs" spacing={2} data-testid="agent-task-activity">
          {progress.steps > 0 && (
            <List.Item>
              {progress.steps} model call{progress.steps === 1 ? "" : "s"}
            </List.Item>
          )}
          {progress.read.length > 0 && <List.Item>Read {progress.read.join(", ")}</List.Item>}
          {progress.searches.length > 0 && (
            <List.Item>Searched {progress.searches.map((s) => `/${s}/`).join(", ")}</List.Item>
          )}
          {progress.proposals > 0 && (
            <List.Item>
              {progress.proposals} proposal{progress.proposals === 1 ? "" : "s"} applied to its working copy
            </List.Item>
          )}
          {progress.repairs > 0 && (
            <List.Item>
              {progress.repairs} repair round{progress.repairs === 1 ? "" : "s"}
            </List.Item>
          )}
        </List>
      )}
      {streamError && running && (
        <Text size="xs" c="dimmed">
          Live progress is unavailable ({streamError.message}); the task is read again when it ends.
        </Text>
      )}
    </>
  );
}
