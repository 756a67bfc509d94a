import type { FormEvent, ReactNode } from "react";
import { Group, Paper } from "@mantine/core";

/**
 * A list's filters: a framed search form (a `search` landmark named by `label`) whose fields
 * sit in one row that wraps on a phone. `onSubmit` gets the event already prevented.
 */
export function FilterBar({ label, onSubmit, children }: { label: string; onSubmit: () => void; children: ReactNode }) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <Paper withBorder radius="md" p="sm" mb="md" component="form" onSubmit={submit} role="search" aria-label={label}>
      <Group align="flex-end" gap="sm">
        {children}
      </Group>
    </Paper>
  );
}
