import type { ReactNode } from "react";
import { Group, Stack, Text, Title } from "@mantine/core";
import { usePageTitle } from "./usePageTitle";

/**
 * The top of every page: its title (also the tab's), one sentence on what it is for, and the
 * page's main actions on the right (below the title on a phone).
 */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  usePageTitle(title);
  return (
    <Group justify="space-between" align="flex-start" mb="lg" gap="sm">
      <Stack gap={4} style={{ flex: "1 1 320px", minWidth: 0 }}>
        <Title order={1} fz={{ base: 24, sm: 28 }}>
          {title}
        </Title>
        {description && (
          <Text c="dimmed" size="sm">
            {description}
          </Text>
        )}
      </Stack>
      {actions && <Group gap="xs">{actions}</Group>}
    </Group>
  );
}
