import type { ReactNode } from "react";
import { Group, Paper, Text, ThemeIcon } from "@mantine/core";

/**
 * One headline number (or word) of a dashboard: a small label above a large value, with an
 * optional icon and a hint below. Lay several out in a `SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}`.
 */
export function StatCard({
  label,
  value,
  hint,
  icon,
  color,
  testId,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  icon?: ReactNode;
  /** Tint of the icon (a theme colour). */
  color?: string;
  /** Put on the value, so tests read just the value. */
  testId?: string;
}) {
  return (
    <Paper withBorder radius="md" p="md">
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
        <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4}>
          {label}
        </Text>
        {icon && (
          <ThemeIcon variant="light" color={color} size="md" radius="md" aria-hidden>
            {icon}
          </ThemeIcon>
        )}
      </Group>
      <Text component="div" fz={22} fw={650} mt={4} style={{ overflowWrap: "anywhere" }} data-testid={testId}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed" mt={4}>
          {hint}
        </Text>
      )}
    </Paper>
  );
}
