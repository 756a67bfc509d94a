import { Badge } from "@mantine/core";

/** Colours for the status words the API uses (jobs, versions, checks, calls). */
const COLORS: Record<string, string> = {
  ok: "green",
  succeeded: "green",
  ready: "green",
  passed: "green",
  active: "green",
  degraded: "yellow",
  warning: "yellow",
  queued: "gray",
  pending: "gray",
  scheduled: "gray",
  running: "blue",
  generating: "blue",
  validating: "blue",
  repairing: "violet",
  cancelled: "gray",
  failed: "red",
  error: "red",
  dead: "red",
  down: "red",
  open: "red",
  half_open: "yellow",
  closed: "green",
};

/** A status word as a coloured badge; unknown words are grey. */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <Badge color={COLORS[status] ?? "gray"} variant="light" data-testid={testId}>
      {status.replace(/_/g, " ")}
    </Badge>
  );
}
