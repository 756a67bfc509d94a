import { useState } from "react";
import { Badge, Button, Checkbox, Group, Loader, Paper, Select, Stack, Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconWand } from "@tabler/icons-react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, errorField } from "../api/errors";
import { PromptBox } from "../extensions/PromptBox";
import { ErrorAlert } from "../ui/ErrorAlert";
import { EXAMPLES, formatConfidence } from "./model";
import { detectQuery, frameworksQuery, generate, historyQuery } from "./queries";
import type { Detected, GenerateAnswer } from "./types";

/** The picker's value for "no framework: detect it from the prompt". */
const AUTO = "auto";

/**
 * The prompt, with example prompts, the framework picker (detect automatically, or one of the
 * server's frameworks), the framework the prompt would get (asked as the user types, debounced)
 * and the cache switch. Ctrl/⌘+Enter or Generate starts the generation as a job.
 */
export function NewGeneration({ onStarted }: { onStarted: (answer: GenerateAnswer) => void }) {
  const client = useQueryClient();
  const [prompt, setPrompt] = useState("");
  const [framework, setFramework] = useState(AUTO);
  const [cache, setCache] = useState(true);
  const chosen = framework === AUTO ? undefined : framework;

  const frameworks = useQuery(frameworksQuery);
  const [typed] = useDebouncedValue(prompt.trim(), 350);
  const detect = useQuery({ ...detectQuery(typed, chosen), placeholderData: keepPreviousData });

  const create = useMutation({
    mutationFn: () => generate({ prompt: prompt.trim(), framework: chosen, cache }),
    onSuccess: (answer) => {
      setPrompt("");
      void client.invalidateQueries({ queryKey: historyQuery.queryKey });
      onStarted(answer);
    },
  });
  const field = errorField(create.error);
  const fieldError = (name: string) => (field === name ? create.error?.message : undefined);

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label="New generation">
      <PromptBox
        label="Describe the project"
        placeholder="What should it do, and with what? e.g. A Flask app with a form that saves notes to SQLite"
        value={prompt}
        onChange={setPrompt}
        onSubmit={() => create.mutate()}
        submitLabel="Generate"
        busy={create.isPending}
        testId="codegen-prompt"
        error={fieldError("prompt")}
        extra={
          <Checkbox
            label="Use the cache"
            checked={cache}
            onChange={(e) => setCache(e.currentTarget.checked)}
            mb={8}
            data-testid="codegen-cache"
          />
        }
      >
        <Group gap={6} mt="xs" role="group" aria-label="Examples">
          <Text size="xs" c="dimmed">
            Try:
          </Text>
          {EXAMPLES.map((e) => (
            <Button
              key={e}
              size="compact-xs"
              variant="light"
              radius="xl"
              fw={500}
              h="auto"
              py={3}
              maw="100%"
              styles={{ label: { whiteSpace: "normal", textAlign: "left", lineHeight: 1.35 } }}
              onClick={() => setPrompt(e)}
              data-testid="codegen-example"
            >
              {e}
            </Button>
          ))}
        </Group>
        <Group gap="sm" mt="sm" align="flex-end">
          <Select
            label="Framework"
            data={[
              { value: AUTO, label: "Detect automatically" },
              ...(frameworks.data?.items ?? []).map((f) => ({ value: f.name, label: f.display_name })),
            ]}
            value={framework}
            onChange={(v) => setFramework(v ?? AUTO)}
            allowDeselect={false}
            w={{ base: "100%", xs: 240 }}
            comboboxProps={{ withinPortal: true }}
            error={fieldError("framework") ?? (frameworks.error ? "Could not load the frameworks" : undefined)}
            data-testid="codegen-framework"
          />
          <Detection
            prompt={typed}
            current={prompt.trim()}
            loading={detect.isFetching}
            data={detect.data}
            error={detect.error}
            chosen={chosen !== undefined}
          />
        </Group>
      </PromptBox>
      {create.error && !field && (
        <ErrorAlert title="Could not start the generation" error={create.error} testId="codegen-create-error" />
      )}
      {create.error && field && field !== "prompt" && field !== "framework" && (
        <ErrorAlert title={`Check ${field}`} error={create.error} testId="codegen-create-error" />
      )}
    </Paper>
  );
}

/** The framework the prompt would get: a badge with the confidence, and the words that decided it. */
function Detection({
  prompt,
  current,
  loading,
  data,
  error,
  chosen,
}: {
  prompt: string;
  current: string;
  loading: boolean;
  data: Detected | undefined;
  error: Error | null;
  chosen: boolean;
}) {
  let body;
  if (current === "") {
    body = (
      <Text size="xs" c="dimmed">
        Type a prompt to see which framework it gets.
      </Text>
    );
  } else if (error && !(error instanceof ApiError && error.status === 422)) {
    body = (
      <Text size="xs" c="dimmed">
        Detection is unavailable ({error.message}).
      </Text>
    );
  } else if (error) {
    body = (
      <Text size="xs" c="var(--mantine-color-red-light-color)">
        {error.message}
      </Text>
    );
  } else if (data && prompt !== "") {
    const fw = data.framework;
    const unsure = !fw.explicit && fw.confidence < 0.5;
    body = (
      <Stack gap={2} miw={0}>
        <Group gap={6} wrap="wrap">
          <Badge
            size="lg"
            variant="light"
            color={unsure ? "yellow" : undefined}
            tt="none"
            leftSection={<IconWand size={14} />}
            data-testid="codegen-detected-badge"
            data-framework={fw.name}
          >
            {fw.display_name} · {fw.explicit ? "your choice" : formatConfidence(fw.confidence)}
          </Badge>
          <Badge size="lg" variant="default" tt="none" fw={500}>
            {data.language}
          </Badge>
          {loading && <Loader size={14} aria-label="Detecting" />}
        </Group>
        <Text size="xs" c="dimmed" data-testid="codegen-evidence">
          {fw.explicit
            ? "Picked above: the prompt is not asked."
            : fw.evidence.length > 0
              ? `From: ${fw.evidence.join(", ")}${unsure ? " — not sure: pick one to be certain." : ""}`
              : "No framework words in the prompt: pick one, or it is built as a generic project."}
        </Text>
      </Stack>
    );
  } else {
    body = <Loader size={14} aria-label="Detecting" />;
  }
  return (
    <Stack
      gap={2}
      justify="flex-end"
      mih={current === "" ? undefined : 36}
      miw={0}
      style={{ flex: "1 1 260px" }}
      aria-live="polite"
      data-testid="codegen-detected"
    >
      <Text size="xs" fw={500} c="dimmed" hidden={current === "" || chosen}>
        Detected framework
      </Text>
      {body}
    </Stack>
  );
}
