import { Badge, Group, List, Paper, Progress as Bar, Stack, Stepper, Text, ThemeIcon } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { IconCheck, IconFileCode, IconX } from "@tabler/icons-react";
import { useJobProgress } from "../jobs/useJobProgress";
import { INITIAL_PROGRESS, STEPS, applyEvent, isTerminal, stageLabel, stepperView } from "./model";

/**
 * A generation's progress, fed by its job's event stream: a stepper (queued → writing files →
 * checking syntax → repairing → packaging → done), the bar and the stage, and the files the
 * model has finished so far, listed as they arrive. A running job moves it live; a finished one
 * replays its history to the state it ended in. `onEnd` fires once when a job that was still
 * running when this mounted ends. A failure is only marked here: the panel says why.
 */
export function CodegenProgress({ jobId, live, onEnd }: { jobId: string; live: boolean; onEnd?: () => void }) {
  const { progress, streamError } = useJobProgress(jobId, live, onEnd, INITIAL_PROGRESS, applyEvent);
  const vertical = useMediaQuery("(max-width: 48em)") ?? false;

  const view = stepperView(progress);
  const running = !isTerminal(progress.status);
  const label = stageLabel(progress);
  return (
    <Stack
      gap="sm"
      data-testid="codegen-progress"
      data-status={progress.status}
      role="group"
      aria-label="Generation progress"
    >
      {running && (
        <Bar
          value={Math.max(progress.percent, 3)}
          animated
          size="sm"
          aria-label={`Generation progress: ${label}`}
          data-testid="codegen-progress-bar"
        />
      )}
      <Stepper
        active={view.active}
        orientation={vertical ? "vertical" : "horizontal"}
        size="xs"
        allowNextStepsSelect={false}
        wrap
      >
        {STEPS.map((step, i) => {
          const failedHere = view.failed && i === view.active;
          return (
            <Stepper.Step
              key={step}
              label={step}
              description={failedHere ? "failed here" : undefined}
              loading={running && i === view.active && i > 0}
              color={failedHere ? "red" : undefined}
              icon={failedHere ? <IconX size={16} /> : undefined}
              data-step={step}
              data-state={i < view.active ? "done" : i === view.active ? (failedHere ? "failed" : "now") : "todo"}
            />
          );
        })}
      </Stepper>
      <Group gap="xs" justify="space-between" hidden={view.failed}>
        <Text size="sm" aria-live="polite" data-testid="codegen-stage">
          {running ? `${label}…` : label}
        </Text>
        {running && (
          <Text size="sm" c="dimmed">
            {progress.percent}%
          </Text>
        )}
      </Group>
      {progress.files.length > 0 && (
        <Paper withBorder radius="md" p="sm" component="section" aria-labelledby={`${jobId}-files`}>
          <Group gap="xs" mb={6}>
            <Text size="sm" fw={600} id={`${jobId}-files`}>
              {running ? "Files written so far" : "Files as they were written"}
            </Text>
            <Badge size="sm" variant="default" circle>
              {progress.files.length}
            </Badge>
          </Group>
          <List
            spacing={4}
            size="sm"
            center
            data-testid="codegen-live-files"
            icon={
              <ThemeIcon variant="light" size={20} radius="xl" aria-hidden>
                <IconFileCode size={13} />
              </ThemeIcon>
            }
          >
            {progress.files.map((path) => (
              <List.Item key={path} data-testid="codegen-live-file">
                <Text span size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
                  {path}
                </Text>
              </List.Item>
            ))}
          </List>
          {!running && progress.status === "succeeded" && (
            <Group gap={6} mt={6}>
              <IconCheck size={14} aria-hidden />
              <Text size="xs" c="dimmed">
                Every file was then checked for syntax and packaged.
              </Text>
            </Group>
          )}
        </Paper>
      )}
      {streamError && (
        <Text size="sm" c="dimmed">
          Live progress is unavailable ({streamError.message}); the page refreshes when the generation is done.
        </Text>
      )}
    </Stack>
  );
}
