import { AreaChart } from "@mantine/charts";
import "@mantine/charts/styles.css";
import { Badge, Group, Paper, Stack, Text, Title, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { formatDateTime } from "../format";
import { QueryView } from "../ui/QueryView";
import { bandColor, chartPoints, scoreBand, type ChartPoint } from "./model";
import { historyQuery } from "./queries";

/** The last 30 days' scores as an area chart; hovering a point shows its time, score and labels. */
export function HistoryChart({ projectId }: { projectId: string }) {
  const history = useQuery(historyQuery(projectId));
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="sage-history" h="100%">
      <Title order={2} size="h4" id="sage-history" mb="sm">
        Last 30 days
      </Title>
      <QueryView query={history} what="the risk history">
        {(d) =>
          d.points.length === 0 ? (
            <Text size="sm" c="dimmed" data-testid="sage-chart-empty">
              Each ingest adds a point here.
            </Text>
          ) : (
            <Chart points={chartPoints(d.points)} />
          )
        }
      </QueryView>
    </Paper>
  );
}

function Chart({ points }: { points: ChartPoint[] }) {
  const last = points[points.length - 1] as ChartPoint;
  return (
    <figure style={{ margin: 0 }} data-testid="sage-chart" data-points={points.length}>
      <AreaChart
        h={240}
        data={points}
        dataKey="n"
        xAxisProps={{ tickFormatter: (n: number) => points[n - 1]?.time ?? "", minTickGap: 24 }}
        series={[{ name: "score", label: "Score", color: "cistern.6" }]}
        curveType="linear"
        withDots
        yAxisProps={{ domain: [0, 100], ticks: [0, 30, 60, 100] }}
        referenceLines={[
          { y: 30, color: "yellow.6", label: "medium" },
          { y: 60, color: "red.6", label: "high" },
        ]}
        tooltipProps={{
          content: ({ active, payload }) => (
            <PointTooltip point={active ? (payload?.[0]?.payload as ChartPoint | undefined) : undefined} />
          ),
        }}
        tooltipAnimationDuration={150}
        fillOpacity={0.25}
      />
      <VisuallyHidden component="figcaption">
        Risk score of {points.length} ingest{points.length === 1 ? "" : "s"} over the last 30 days; the latest,{" "}
        {formatDateTime(last.at)}, scored {last.score}.
      </VisuallyHidden>
    </figure>
  );
}

/** The hovered point: when, the score with its band, the labels. */
function PointTooltip({ point }: { point: ChartPoint | undefined }) {
  if (!point) return null;
  const band = scoreBand(point.score);
  return (
    <Paper withBorder shadow="md" radius="md" p="xs" maw={260} data-testid="sage-chart-tooltip">
      <Stack gap={4}>
        <Text size="xs" c="dimmed">
          {formatDateTime(point.at)}
        </Text>
        <Group gap={6}>
          <Text fw={700}>{point.score}</Text>
          <Badge color={bandColor(band)} variant="light" size="sm">
            {band}
          </Badge>
        </Group>
        {point.labels.length > 0 ? (
          <Group gap={4}>
            {point.labels.map((l) => (
              <Badge key={l} variant="default" size="xs" tt="none">
                {l}
              </Badge>
            ))}
          </Group>
        ) : (
          <Text size="xs" c="dimmed">
            No labels
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
