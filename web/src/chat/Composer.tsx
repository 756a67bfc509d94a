/**
 * The message box at the bottom of the chat: grows with its text, Enter sends, Shift+Enter adds
 * a line; while a reply streams it is read-only and Stop replaces Send. The model picker (fed by
 * `GET /v1/models`) sits beside the buttons and hides itself when no model is listed.
 */
import type { Ref } from "react";
import { ActionIcon, Group, Paper, Select, Text, Textarea, Tooltip } from "@mantine/core";
import { IconArrowUp, IconPlayerStopFilled } from "@tabler/icons-react";

export function Composer({
  value,
  onChange,
  onSend,
  onStop,
  streaming,
  models,
  model,
  onModel,
  inputRef,
}: {
  value: string;
  onChange: (value: string) => void;
  onSend: () => void;
  onStop: () => void;
  streaming: boolean;
  /** The models to choose from; the picker is hidden when empty. */
  models: string[];
  /** The chosen model; null: the conversation's (or the server's default). */
  model: string | null;
  onModel: (model: string | null) => void;
  inputRef?: Ref<HTMLTextAreaElement>;
}) {
  const canSend = value.trim() !== "" && !streaming;
  return (
    <Paper
      component="form"
      withBorder
      radius="lg"
      p="xs"
      shadow="xs"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSend) onSend();
      }}
      data-testid="composer"
    >
      <Textarea
        ref={inputRef}
        aria-label="Message"
        placeholder={streaming ? "Waiting for the reply…" : "Message the agent"}
        variant="unstyled"
        autosize
        minRows={1}
        maxRows={8}
        px="xs"
        value={value}
        disabled={streaming}
        onChange={(e) => onChange(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            if (canSend) onSend();
          }
        }}
      />
      <Group justify="space-between" gap="xs" wrap="nowrap" mt={4}>
        <Group gap="xs" wrap="nowrap" miw={0}>
          {models.length > 0 && (
            <Select
              aria-label="Model"
              placeholder="Default model"
              data={models}
              value={model}
              onChange={onModel}
              clearable
              size="xs"
              variant="filled"
              w={{ base: 150, xs: 200 }}
              comboboxProps={{ withinPortal: true }}
              disabled={streaming}
            />
          )}
          <Text size="xs" c="dimmed" visibleFrom="sm" truncate>
            Enter to send · Shift+Enter for a new line
          </Text>
        </Group>
        {streaming ? (
          <Tooltip label="Stop the reply">
            <ActionIcon size="lg" radius="xl" color="red" variant="filled" aria-label="Stop" onClick={onStop}>
              <IconPlayerStopFilled size={16} />
            </ActionIcon>
          </Tooltip>
        ) : (
          <Tooltip label="Send (Enter)">
            <ActionIcon size="lg" radius="xl" type="submit" aria-label="Send" disabled={!canSend}>
              <IconArrowUp size={18} />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
    </Paper>
  );
}
