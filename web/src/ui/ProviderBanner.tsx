import { Alert, Anchor, Code, Text } from "@mantine/core";
import { IconCpu, IconPlugConnectedX } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { fetchHealth } from "../status/health";

/** The health report, shared by the status page and every banner (one request, cached). */
export const healthQuery = {
  queryKey: ["health"],
  queryFn: ({ signal }: { signal: AbortSignal }) => fetchHealth(signal),
};

/**
 * On every page that needs a model: when the server has no LLM provider, say so before the
 * user's first message fails, with the server's own instructions (the text its 503 carries);
 * when the built-in local model answers instead, say that, and that a provider does far better.
 */
export function ProviderBanner() {
  const health = useQuery({ ...healthQuery, staleTime: 30_000 });
  const llm = health.data?.llm;
  if (!llm) return null;
  if (llm.configured && llm.default_model) {
    // No provider, but the built-in model answers: say which, and what a provider would give.
    return (
      <Alert
        color="blue"
        variant="light"
        icon={<IconCpu size={18} />}
        title={`Answering with the built-in model (${llm.default_model})`}
        mb="md"
        data-testid="local-model-banner"
        styles={{ title: { color: "var(--mantine-color-text)" } }}
      >
        <Text size="sm">{llm.message}</Text>
      </Alert>
    );
  }
  if (llm.configured) return null;
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconPlugConnectedX size={18} />}
      title="No LLM provider is configured"
      mb="md"
      data-testid="provider-banner"
      // Yellow text on the light yellow ground is below AA: the words keep the body colour.
      styles={{ title: { color: "var(--mantine-color-text)" } }}
    >
      <Text size="sm">
        This page needs a model. <Code>{llm.message}</Code>
      </Text>
      <Text size="sm" mt={4}>
        Then restart the server. The{" "}
        <Anchor component={Link} to="/status" c="var(--mantine-color-text)" underline="always">
          status page
        </Anchor>{" "}
        shows what the server sees.
      </Text>
    </Alert>
  );
}
