import { useId, type KeyboardEvent, type ReactNode } from "react";
import { Button, Group, Kbd, Text, Textarea } from "@mantine/core";

/** Whether a key press is Ctrl+Enter (or ⌘+Enter on a Mac): the shortcut that submits a prompt. */
export const isSubmitShortcut = (e: KeyboardEvent) => e.key === "Enter" && (e.ctrlKey || e.metaKey);

/**
 * A prompt textarea that grows with its text, with its submit button and the Ctrl/⌘+Enter hint;
 * `children` go between the text and the button row (examples, a base-version picker).
 */
export function PromptBox({
  label,
  placeholder,
  value,
  onChange,
  onSubmit,
  submitLabel,
  busy,
  disabled,
  children,
  extra,
  testId,
  minRows = 3,
  error,
}: {
  label: string;
  placeholder?: string;
  value: string;
  onChange: (v: string) => void;
  onSubmit: () => void;
  submitLabel: string;
  busy: boolean;
  disabled?: boolean;
  children?: ReactNode;
  /** Beside the submit button (e.g. a version picker). */
  extra?: ReactNode;
  testId: string;
  minRows?: number;
  /** A problem with the text (a 422 about this field), shown under it. */
  error?: ReactNode;
}) {
  const hintId = useId();
  const canSubmit = value.trim() !== "" && !busy && !disabled;
  return (
    <>
      <Textarea
        label={label}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (isSubmitShortcut(e)) {
            e.preventDefault();
            if (canSubmit) onSubmit();
          }
        }}
        autosize
        minRows={minRows}
        maxRows={12}
        aria-describedby={hintId}
        data-testid={testId}
        disabled={disabled}
        error={error}
      />
      {children}
      <Group justify="space-between" gap="sm" mt="xs">
        <Text size="xs" c="dimmed" id={hintId}>
          <Kbd size="xs">Ctrl</Kbd> / <Kbd size="xs">⌘</Kbd> + <Kbd size="xs">Enter</Kbd> to submit
        </Text>
        <Group gap="sm" align="flex-end">
          {extra}
          <Button onClick={onSubmit} disabled={!canSubmit} loading={busy} data-testid={`${testId}-submit`}>
            {submitLabel}
          </Button>
        </Group>
      </Group>
    </>
  );
}
