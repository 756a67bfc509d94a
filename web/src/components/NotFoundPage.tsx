import { Link, useLocation } from "react-router";
import { Button, Code, Group, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { IconActivity, IconApi, IconMapQuestion } from "@tabler/icons-react";
import { usePageTitle } from "../ui/usePageTitle";

export function NotFoundPage() {
  usePageTitle("Not found");
  const { pathname } = useLocation();
  return (
    <Stack align="center" ta="center" gap="md" py={64} px="md">
      <ThemeIcon variant="light" size={64} radius="xl" aria-hidden>
        <IconMapQuestion size={34} />
      </ThemeIcon>
      <Title order={1} fz={{ base: 24, sm: 28 }}>
        Page not found
      </Title>
      <Text c="dimmed" maw={480} style={{ overflowWrap: "anywhere" }}>
        There is no page at <Code>{pathname}</Code>. It may have moved, or the link has a typo.
      </Text>
      <Group justify="center" gap="sm">
        <Button component={Link} to="/" leftSection={<IconActivity size={16} />}>
          Go to the status page
        </Button>
        <Button component={Link} to="/api-docs" variant="default" leftSection={<IconApi size={16} />}>
          API reference
        </Button>
      </Group>
    </Stack>
  );
}
