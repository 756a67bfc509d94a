import { Badge, Group, Paper, Progress, Stack, Text, Title } from "@mantine/core";
import { DateTime } from "../ui/DateTime";
import { bandColor, countsLine, factorRows, formatPoints, scoreBand } from "./model";
import type { Scored } from "./types";

/**
 * The latest score, large, with its band and labels, and every factor behind it as a row: its
 * label, its points and the sentence that explains it.
 */
export function RiskPanel({ latest, learning }: { latest: Scored | null; learning: boolean }) {
  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      component="section"
      aria-labelledby="sage-risk"
      h="100%"
      data-testid="sage-risk-panel"
    >
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="sage-risk">
          Risk
        </Title>
        {learning && (
          <Badge variant="light" color="cistern" data-testid="sage-learning">
            learning
          </Badge>
        )}
      </Group>
      {latest === null ? (
        <Text c="dimmed" size="sm" data-testid="sage-no-score">
          No score yet. Paste or upload logs below: the score, its labels and the reasons behind it appear here.
        </Text>
      ) : (
        <Score latest={latest} learning={learning} />
      )}
    </Paper>
  );
}

function Score({ latest, learning }: { latest: Scored; learning: boolean }) {
  const band = scoreBand(latest.score);
  const color = bandColor(band);
  const rows = latest.factors ? factorRows(latest.factors) : undefined;
  return (
    <Stack gap="sm">
      <Group gap="md" align="center" wrap="nowrap">
        <Text
          fz={56}
          fw={750}
          lh={1}
          c={`var(--mantine-color-${color}-light-color)`}
          data-testid="sage-score"
          aria-label={`Risk score ${latest.score} of 100`}
        >
          {latest.score}
        </Text>
        <Stack gap={4}>
          <Badge color={color} variant="filled" size="lg" data-testid="sage-band" data-band={band}>
            {band} risk
          </Badge>
          <Text size="xs" c="dimmed">
            <DateTime iso={latest.at} relative />
          </Text>
        </Stack>
      </Group>
      {learning && (
        <Text size="xs" c="dimmed">
          Still learning this project's baseline: early scores compare the logs with general rules more than with this
          project's usual.
        </Text>
      )}
      {latest.labels.length > 0 && (
        <Group gap={6} data-testid="sage-labels">
          {latest.labels.map((l) => (
            <Badge key={l} variant="light" color={color} tt="none">
              {l}
            </Badge>
          ))}
        </Group>
      )}
      {latest.counts && (
        <Text size="sm" c="dimmed" data-testid="sage-counts">
          {countsLine(latest.counts)}
        </Text>
      )}
      {rows === undefined ? (
        <Text size="sm" c="dimmed">
          The factors behind a score are listed after an ingest from this page.
        </Text>
      ) : rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing stands out: no factor added to the score.
        </Text>
      ) : (
        <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: "none" }} data-testid="sage-factors">
          {rows.map((f, i) => (
            <li key={`${f.label}-${i}`} data-testid="sage-factor">
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text fw={600} size="sm">
                  {f.label}
                </Text>
                <Text size="sm" fw={600} ff="monospace" style={{ whiteSpace: "nowrap" }}>
                  {formatPoints(f.points)}
                </Text>
              </Group>
              <Progress
                value={Math.min(100, Math.max(0, f.points))}
                color={color}
                size="xs"
                my={4}
                aria-label={`${f.label}: ${formatPoints(f.points)}`}
              />
              <Text size="sm" c="dimmed">
                {f.detail}
              </Text>
            </li>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
