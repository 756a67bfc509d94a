import { useState, type FormEvent } from "react";
import { Alert, Button, Group, Modal, Stack, TextInput, Textarea } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { errorField } from "../api/errors";

/**
 * A project's name and description: a new project, or the settings of one. `save` rejects
 * with the server's error, shown on its field (`details.field`) or above the buttons.
 */
export function ProjectDialog({
  opened,
  title,
  submitLabel,
  initial,
  onClose,
  save,
}: {
  opened: boolean;
  title: string;
  submitLabel: string;
  initial?: { name: string; description: string };
  onClose: () => void;
  save: (v: { name: string; description: string }) => Promise<unknown>;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered closeButtonProps={{ "aria-label": "Close" }}>
      {/* Remounted on each opening: the form starts from `initial` again. */}
      {opened && <ProjectForm initial={initial} submitLabel={submitLabel} onCancel={onClose} save={save} />}
    </Modal>
  );
}

function ProjectForm({
  initial,
  submitLabel,
  onCancel,
  save,
}: {
  initial?: { name: string; description: string };
  submitLabel: string;
  onCancel: () => void;
  save: (v: { name: string; description: string }) => Promise<unknown>;
}) {
  const [name, setName] = useState(initial?.name ?? "");
  const [description, setDescription] = useState(initial?.description ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await save({ name: name.trim(), description: description.trim() });
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const field = errorField(error);
  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="sage-project-form">
      <Stack>
        <TextInput
          label="Name"
          required
          data-autofocus
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={field === "name" ? error?.message : undefined}
          placeholder="e.g. checkout-api"
        />
        <Textarea
          label="Description"
          description="What the project watches (optional)"
          maxLength={2000}
          autosize
          minRows={2}
          maxRows={6}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={field === "description" ? error?.message : undefined}
        />
        {error && field !== "name" && field !== "description" && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
            {error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} data-testid="sage-project-save">
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
