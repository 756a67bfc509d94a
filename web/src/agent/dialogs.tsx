import { useState } from "react";
import { Button, Group, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { historyQuery } from "../codegen/queries";

/** A name (or a path) asked for in a dialog: a workspace's, a new file's, a renamed file's. */
export function NameDialog({
  opened,
  title,
  label = "Name",
  confirmLabel,
  initial,
  busy,
  error,
  hint,
  onSubmit,
  onClose,
}: {
  opened: boolean;
  title: string;
  label?: string;
  confirmLabel: string;
  initial: string;
  busy: boolean;
  error?: Error | null;
  hint?: string;
  onSubmit: (value: string) => void;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered closeButtonProps={{ "aria-label": "Close" }}>
      {/* Remounted on each opening, so it starts from `initial`. */}
      {opened && (
        <NameForm
          label={label}
          confirmLabel={confirmLabel}
          initial={initial}
          busy={busy}
          error={error}
          hint={hint}
          onSubmit={onSubmit}
          onClose={onClose}
        />
      )}
    </Modal>
  );
}

function NameForm({
  label,
  confirmLabel,
  initial,
  busy,
  error,
  hint,
  onSubmit,
  onClose,
}: {
  label: string;
  confirmLabel: string;
  initial: string;
  busy: boolean;
  error?: Error | null;
  hint?: string;
  onSubmit: (value: string) => void;
  onClose: () => void;
}) {
  const [value, setValue] = useState(initial);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onSubmit(value.trim());
      }}
    >
      <Stack>
        <TextInput
          label={label}
          description={hint}
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          data-autofocus
          required
          maxLength={400}
          error={error?.message}
          data-testid="agent-name-input"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!value.trim()}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Picks one of your ready code generations to start a workspace from its files. */
export function FromGenerationDialog({
  opened,
  busy,
  error,
  onSubmit,
  onClose,
}: {
  opened: boolean;
  busy: boolean;
  error?: Error | null;
  onSubmit: (generationId: string) => void;
  onClose: () => void;
}) {
  const history = useInfiniteQuery({ ...historyQuery, enabled: opened });
  const ready = (history.data?.pages ?? []).flatMap((p) => p.items).filter((g) => g.status === "ready");
  const [picked, setPicked] = useState<string | null>(null);
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Workspace from a code generation"
      centered
      closeButtonProps={{ "aria-label": "Close" }}
    >
      <Stack>
        {history.isSuccess && ready.length === 0 ? (
          <Text size="sm">You have no ready code generation yet: generate a project on the Code generator page.</Text>
        ) : (
          <Select
            label="Generation"
            placeholder={history.isPending ? "Loading…" : "Pick a generation"}
            data={ready.map((g) => ({ value: g.id, label: g.prompt.slice(0, 80) }))}
            value={picked}
            onChange={setPicked}
            searchable
            error={error?.message}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={busy} disabled={!picked} onClick={() => picked && onSubmit(picked)}>
            Create workspace
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
