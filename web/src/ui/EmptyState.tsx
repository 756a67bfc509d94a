import type { ReactNode } from "react";
import { Paper, Stack, Text, ThemeIcon } from "@mantine/core";

/** What a list shows when it has nothing yet: what would be here and how to get it there. */
export function EmptyState({
  icon,
  title,
  children,
  action,
  testId,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <Paper withBorder radius="md" p="xl" data-testid={testId}>
      <Stack align="center" gap="xs" ta="center">
        {icon && (
          <ThemeIcon variant="light" size={44} radius="xl">
            {icon}
          </ThemeIcon>
        )}
        <Text fw={600}>{title}</Text>
        {children && (
          <Text c="dimmed" size="sm" maw={460}>
            {children}
          </Text>
        )}
        {action}
      </Stack>
    </Paper>
  );
}
