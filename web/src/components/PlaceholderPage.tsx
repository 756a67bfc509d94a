import { Link } from "react-router";
import { Anchor, Badge, Group, Paper, Stack, Text, ThemeIcon } from "@mantine/core";
import { IconChartLine, IconCode, IconRocket, IconTerminal2 } from "@tabler/icons-react";
import type { AppInfo } from "../apps";
import { PageHeader } from "../ui/PageHeader";

const ICONS: Record<string, typeof IconRocket> = {
  "/codegen": IconCode,
  "/agent": IconTerminal2,
  "/sage": IconChartLine,
};

/** Stands in for an app until its real UI lands; says what the app will do. */
export function PlaceholderPage({ app }: { app: AppInfo }) {
  const Icon = ICONS[app.path] ?? IconRocket;
  return (
    <>
      <PageHeader title={app.name} />
      <Paper withBorder radius="lg" p={{ base: "lg", sm: "xl" }} maw={640}>
        <Stack gap="md">
          <Group justify="space-between" align="flex-start">
            <ThemeIcon variant="light" size={48} radius="md" aria-hidden>
              <Icon size={26} />
            </ThemeIcon>
            <Badge variant="light" color="gray">
              Coming soon
            </Badge>
          </Group>
          <Text size="lg" fw={500} data-testid="app-summary">
            {app.summary}
          </Text>
          <Text size="sm" c="dimmed">
            This app's page is on its way. Meanwhile, the{" "}
            <Anchor component={Link} to="/api-docs" underline="always">
              API reference
            </Anchor>{" "}
            lists every endpoint the server offers, and the{" "}
            <Anchor component={Link} to="/status" underline="always">
              status page
            </Anchor>{" "}
            shows what it runs today.
          </Text>
        </Stack>
      </Paper>
    </>
  );
}
