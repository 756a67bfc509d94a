import { useState } from "react";
import { Badge, Button, Group, Paper, Stack, Text, Textarea, Title } from "@mantine/core";
import { IconThumbDown, IconThumbUp } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors";
import { DateTime } from "../ui/DateTime";
import { ErrorAlert } from "../ui/ErrorAlert";
import { LoadingRows } from "../ui/QueryView";
import { bandColor, priorityColor, withFeedback } from "./model";
import { forecastQuery, sendFeedback } from "./queries";
import type { Forecast } from "./types";

/**
 * Today's forecast: its outlook, what it expects and three actions by priority; then whether it
 * was right (with an optional comment), and the verdict once given.
 */
export function ForecastCard({ projectId, hasHistory }: { projectId: string; hasHistory: boolean }) {
  // Without a scored ingest the server answers 409 `no_history`: not asked until there is one.
  const forecast = useQuery({ ...forecastQuery(projectId), enabled: hasHistory });
  const noHistory = !hasHistory || (forecast.error instanceof ApiError && forecast.error.code === "no_history");
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="sage-forecast" h="100%">
      <Group justify="space-between" mb="sm" gap="xs">
        <Title order={2} size="h4" id="sage-forecast">
          Today's forecast
        </Title>
        {forecast.data && (
          <Badge
            color={bandColor(forecast.data.outlook)}
            variant="light"
            size="lg"
            data-testid="sage-outlook"
            data-outlook={forecast.data.outlook}
          >
            {forecast.data.outlook} outlook
          </Badge>
        )}
      </Group>
      {noHistory ? (
        <Text size="sm" c="dimmed" data-testid="sage-forecast-none">
          Ingest logs to get a forecast.
        </Text>
      ) : forecast.isPending ? (
        <LoadingRows rows={3} />
      ) : forecast.isError ? (
        <ErrorAlert
          title="Could not load the forecast"
          error={forecast.error}
          onRetry={() => void forecast.refetch()}
          testId="sage-forecast-error"
        />
      ) : (
        <ForecastBody projectId={projectId} forecast={forecast.data} />
      )}
    </Paper>
  );
}

function ForecastBody({ projectId, forecast: f }: { projectId: string; forecast: Forecast }) {
  return (
    <Stack gap="sm" data-testid="sage-forecast-body" data-id={f.id}>
      <Text size="sm">{f.text}</Text>
      <Stack gap="xs" component="ol" p={0} m={0} style={{ listStyle: "none" }} aria-label="Recommended actions">
        {f.actions.map((a, i) => (
          <Paper component="li" key={i} withBorder radius="sm" p="xs" data-testid="sage-action">
            <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
              <Text fw={600} size="sm">
                {a.title}
              </Text>
              <Badge color={priorityColor(a.priority)} variant="light" size="sm" style={{ flexShrink: 0 }}>
                {a.priority}
              </Badge>
            </Group>
            <Text size="sm" c="dimmed" mt={2}>
              {a.detail}
            </Text>
          </Paper>
        ))}
      </Stack>
      <Text size="xs" c="dimmed" data-testid="sage-forecast-source">
        {f.source === "statistical"
          ? `Source: statistical${f.note ? ` (${f.note})` : " (written from the score history, without a model)"}`
          : `Source: ${f.model ?? "model"}`}{" "}
        · <DateTime iso={f.created_at} relative />
      </Text>
      {f.feedback ? (
        <Text size="sm" data-testid="sage-feedback" data-accurate={f.feedback.accurate}>
          You marked this forecast <b>{f.feedback.accurate ? "accurate" : "not accurate"}</b>
          {f.feedback.comment ? `: “${f.feedback.comment}”` : "."}
        </Text>
      ) : (
        <FeedbackForm projectId={projectId} forecastId={f.id} />
      )}
    </Stack>
  );
}

function FeedbackForm({ projectId, forecastId }: { projectId: string; forecastId: string }) {
  const client = useQueryClient();
  const [comment, setComment] = useState("");
  const give = useMutation({
    mutationFn: (accurate: boolean) =>
      sendFeedback(projectId, forecastId, { accurate, comment: comment.trim() || undefined }),
    onSuccess: (answer) => {
      client.setQueryData<Forecast>(forecastQuery(projectId).queryKey, (f) => (f ? withFeedback(f, answer) : f));
    },
  });
  return (
    <Stack gap="xs" data-testid="sage-feedback-form">
      <Textarea
        label="Was it right? (optional comment)"
        autosize
        minRows={1}
        maxRows={4}
        maxLength={1000}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
      />
      <Group gap="xs">
        <Button
          variant="light"
          color="green"
          leftSection={<IconThumbUp size={16} />}
          loading={give.isPending && give.variables === true}
          disabled={give.isPending}
          onClick={() => give.mutate(true)}
          data-testid="sage-accurate"
        >
          Accurate
        </Button>
        <Button
          variant="light"
          color="red"
          leftSection={<IconThumbDown size={16} />}
          loading={give.isPending && give.variables === false}
          disabled={give.isPending}
          onClick={() => give.mutate(false)}
          data-testid="sage-not-accurate"
        >
          Not accurate
        </Button>
      </Group>
      {give.error && <ErrorAlert title="The feedback was not recorded" error={give.error} />}
    </Stack>
  );
}
