import { Alert, Progress as Bar, Stack, Stepper, Text } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { IconAlertTriangle, IconX } from "@tabler/icons-react";
import { useJobProgress } from "../jobs/useJobProgress";
import { INITIAL_PROGRESS, STEPS, applyEvent, isTerminal, stepperView } from "./model";

/**
 * A generation's progress as a stepper (queued → generating → validating → repairing (n) →
 * checking in browser → done), fed by the job's event stream: a running job moves it live, a
 * finished one replays its history to the state it ended in. `onEnd` fires once when a job that
 * was still running when this mounted ends. `reason` is the version's recorded failure, which
 * wins over the job's last error.
 */
export function JobProgress({
  jobId,
  live,
  reason,
  onEnd,
}: {
  jobId: string;
  /** Whether the version is still generating (its end then refreshes the page's data). */
  live: boolean;
  reason?: string | null;
  onEnd?: () => void;
}) {
  const { progress, streamError } = useJobProgress(jobId, live, onEnd, INITIAL_PROGRESS, applyEvent);
  const vertical = useMediaQuery("(max-width: 48em)") ?? false;

  const view = stepperView(progress);
  const failed = view.failed;
  const why = reason ?? progress.error;
  const running = !isTerminal(progress.status);
  return (
    <Stack
      gap="sm"
      data-testid="extension-progress"
      data-status={progress.status}
      role="group"
      aria-label="Generation progress"
    >
      {running && (
        <Bar
          value={Math.max(progress.percent, 3)}
          animated
          size="sm"
          aria-label={`Generation progress: ${view.label}`}
          data-testid="extension-progress-bar"
        />
      )}
      <Stepper
        active={view.active}
        orientation={vertical ? "vertical" : "horizontal"}
        size="xs"
        allowNextStepsSelect={false}
        wrap
      >
        {STEPS.map((label, i) => {
          const isFailedStep = failed && i === view.active;
          let description: string | undefined;
          if (label === "Repairing") description = progress.round > 0 ? `round ${progress.round}` : "if needed";
          if (isFailedStep) description = "failed here";
          else if (
            i === view.active &&
            running &&
            progress.message &&
            label !== "Repairing" &&
            progress.message.toLowerCase() !== label.toLowerCase()
          )
            description = progress.message;
          return (
            <Stepper.Step
              key={label}
              label={label}
              description={description}
              loading={running && i === view.active && i > 0}
              color={isFailedStep ? "red" : undefined}
              icon={isFailedStep ? <IconX size={16} /> : undefined}
              data-step={label}
              data-state={i < view.active ? "done" : i === view.active ? (isFailedStep ? "failed" : "now") : "todo"}
            />
          );
        })}
      </Stepper>
      <Text size="sm" aria-live="polite" data-testid="extension-progress-label" hidden={failed}>
        {running ? `${view.label}…` : view.label}
      </Text>
      {failed && (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          title="The generation failed"
          data-testid="extension-failure"
        >
          <Text size="sm">{why ?? "The job ended without a reason."}</Text>
          <Text size="sm" mt={6}>
            What to do: describe the extension more concretely (what it shows, where, when), or check the model on the
            LLM calls page; then iterate or generate again.
          </Text>
        </Alert>
      )}
      {streamError && (
        <Text size="sm" c="dimmed">
          Live progress is unavailable ({streamError.message}); the page refreshes when the version is done.
        </Text>
      )}
    </Stack>
  );
}
