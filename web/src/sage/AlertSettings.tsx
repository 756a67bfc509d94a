import { useState, type FormEvent } from "react";
import { Alert, Button, Group, NumberInput, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconAlertTriangle, IconCheck } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { errorField } from "../api/errors";
import { alertPatch, formatInterval, type AlertDraft } from "./model";
import { projectKey, SAGE, updateProject } from "./queries";
import type { Project } from "./types";

const FIELDS = ["alert_threshold", "alert_webhook", "alert_interval_secs"];

/** When an ingest scores at least the threshold, a message goes to the webhook (at most once per interval). */
export function AlertSettings({ project }: { project: Project }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<AlertDraft>({
    threshold: project.alert_threshold == null ? "" : String(project.alert_threshold),
    webhook: project.alert_webhook ?? "",
    interval: String(project.alert_interval_secs),
  });
  const save = useMutation({
    mutationFn: () => updateProject(project.id, alertPatch(draft)),
    onSuccess: (p) => {
      client.setQueryData([...projectKey(p.id), "detail"], p);
      void client.invalidateQueries({ queryKey: [...SAGE, "list"] });
    },
  });
  const field = errorField(save.error);
  const fieldError = (name: string) => (field === name ? save.error?.message : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const interval = Number(draft.interval);
  const set = (key: keyof AlertDraft) => (value: string | number) => {
    save.reset();
    setDraft((d) => ({ ...d, [key]: String(value) }));
  };
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="sage-alerts">
      <Title order={2} size="h4" id="sage-alerts" mb={4}>
        Alerts
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        When an ingest scores at or above the threshold, Sage posts a Slack-compatible message to the webhook. Leave the
        threshold empty for no alerts.
      </Text>
      <form onSubmit={submit} noValidate data-testid="sage-alert-form">
        <Stack gap="sm">
          <Group align="flex-start" gap="sm" wrap="wrap">
            <NumberInput
              label="Threshold"
              description="Score 0–100"
              placeholder="off"
              min={0}
              max={100}
              allowDecimal={false}
              value={draft.threshold}
              onChange={set("threshold")}
              error={fieldError("alert_threshold")}
              style={{ flex: "0 1 160px" }}
              data-testid="sage-alert-threshold"
            />
            <TextInput
              label="Webhook URL"
              description="http or https"
              placeholder="https://hooks.example.com/…"
              type="url"
              value={draft.webhook}
              onChange={(e) => set("webhook")(e.currentTarget.value)}
              error={fieldError("alert_webhook")}
              style={{ flex: "1 1 280px" }}
              data-testid="sage-alert-webhook"
            />
            <NumberInput
              label="At most one alert per"
              description={
                Number.isInteger(interval) && interval > 0 ? `seconds (${formatInterval(interval)})` : "seconds"
              }
              min={60}
              max={604800}
              allowDecimal={false}
              value={draft.interval}
              onChange={set("interval")}
              error={fieldError("alert_interval_secs")}
              style={{ flex: "0 1 200px" }}
              data-testid="sage-alert-interval"
            />
          </Group>
          {save.error && !FIELDS.includes(field ?? "") && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
              {save.error.message}
            </Alert>
          )}
          <Group gap="sm">
            <Button type="submit" loading={save.isPending} data-testid="sage-alert-save">
              Save alerts
            </Button>
            {save.isSuccess && (
              <Text size="sm" c="green" role="status" data-testid="sage-alert-saved">
                <IconCheck size={14} aria-hidden /> Saved
              </Text>
            )}
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
