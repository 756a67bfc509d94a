import { useEffect, useRef, useState, type FormEvent } from "react";
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  NativeSelect,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { IconAlertTriangle, IconCheck, IconCopy, IconKey, IconPlus } from "@tabler/icons-react";
import { useClipboard } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { errorField } from "../api/errors";
import type { components } from "../api/schema";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { DateTime } from "../ui/DateTime";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import { QueryView } from "../ui/QueryView";
import { TableFrame } from "../ui/TableFrame";

type ApiKey = components["schemas"]["ApiKeyView"];
type CreatedKey = components["schemas"]["CreatedApiKey"];

const KEYS = ["api-keys"];

const EXPIRY_CHOICES = [
  { value: "0", label: "Never" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In 1 year" },
];

function keyState(key: ApiKey, now = Date.now()): "active" | "revoked" | "expired" {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && Date.parse(key.expires_at) <= now) return "expired";
  return "active";
}

/** The listing form of a new key: the secret must not linger in the list's cache. */
function stripSecret({ key: _secret, ...view }: CreatedKey): ApiKey {
  return view;
}

/** `/keys`: create, list and revoke API keys. */
export function KeysPage() {
  const keys = useQuery({ queryKey: KEYS, queryFn: ({ signal }) => call(api.GET("/api/v1/api-keys", { signal })) });
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            A key lets a program call the API as you, sent as <Code>Authorization: Bearer &lt;key&gt;</Code>.
          </>
        }
      />
      <Stack gap="lg">
        <CreateKeyForm onCreated={setCreated} />
        <QueryView
          query={keys}
          what="your keys"
          isEmpty={(list) => list.length === 0}
          empty={
            <EmptyState icon={<IconKey size={22} />} title="No keys yet" testId="no-keys">
              Create one above, then send it as a bearer token from your scripts, CI or any OpenAI-compatible client
              pointed at this server's <Code>/v1</Code>.
            </EmptyState>
          }
        >
          {(list) => <KeyTable keys={list} onRevoke={setRevoking} />}
        </QueryView>
      </Stack>

      <NewKeyDialog created={created} onClose={() => setCreated(null)} />
      <RevokeDialog apiKey={revoking} onClose={() => setRevoking(null)} />
    </>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [days, setDays] = useState("0");
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/v1/api-keys", {
          body: { name: name.trim(), expires_in_days: Number(days) || undefined },
        }),
      ),
    onSuccess: (key) => {
      setName("");
      setDays("0");
      queryClient.setQueryData<ApiKey[]>(KEYS, (list) => [stripSecret(key), ...(list ?? [])]);
      void queryClient.invalidateQueries({ queryKey: KEYS });
      onCreated(key);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  const nameError = create.error && errorField(create.error) === "name" ? create.error.message : undefined;
  const otherError = create.error && !nameError ? create.error.message : undefined;
  return (
    <Paper withBorder radius="md" p="md" component="form" onSubmit={submit} noValidate aria-label="Create an API key">
      <Group align="flex-start" gap="sm" wrap="wrap">
        <TextInput
          label="Name"
          name="key-name"
          autoComplete="off"
          placeholder="e.g. laptop, CI"
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={nameError}
          style={{ flex: "1 1 220px" }}
        />
        <NativeSelect
          label="Expires"
          data={EXPIRY_CHOICES}
          value={days}
          onChange={(e) => setDays(e.currentTarget.value)}
          style={{ flex: "0 1 160px" }}
        />
        <Button type="submit" loading={create.isPending} leftSection={<IconPlus size={16} />} mt={25}>
          Create key
        </Button>
      </Group>
      {otherError && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} mt="sm" role="alert">
          {otherError}
        </Alert>
      )}
    </Paper>
  );
}

function KeyTable({ keys, onRevoke }: { keys: ApiKey[]; onRevoke: (key: ApiKey) => void }) {
  return (
    <TableFrame label="API keys" minWidth={720}>
      <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover data-testid="keys">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Key</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Last used</Table.Th>
            <Table.Th scope="col">Expires</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((k) => {
            const state = keyState(k);
            const dim = state === "active" ? undefined : "dimmed";
            return (
              <Table.Tr key={k.id} data-key-id={k.id} data-key-name={k.name}>
                <Table.Th scope="row" fw={600} c={dim}>
                  {k.name}
                </Table.Th>
                <Table.Td>
                  <Code>{k.prefix}_…</Code>
                </Table.Td>
                <Table.Td c={dim}>
                  <DateTime iso={k.created_at} />
                </Table.Td>
                <Table.Td c={dim}>
                  {k.last_used_at ? (
                    <DateTime iso={k.last_used_at} relative />
                  ) : (
                    <Text c="dimmed" inherit>
                      Never
                    </Text>
                  )}
                </Table.Td>
                <Table.Td c={dim}>
                  {k.expires_at ? (
                    <DateTime iso={k.expires_at} />
                  ) : (
                    <Text c="dimmed" inherit>
                      Never
                    </Text>
                  )}
                </Table.Td>
                <Table.Td className="key-status">
                  <Badge variant="light" color={state === "active" ? "green" : "gray"}>
                    {state}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">
                  {state !== "revoked" && (
                    <Button
                      variant="subtle"
                      color="red"
                      size="compact-sm"
                      onClick={() => onRevoke(k)}
                      aria-label={`Revoke ${k.name}`}
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </TableFrame>
  );
}

/** Shows a new key once, with a Copy button; after this it cannot be seen again. */
function NewKeyDialog({ created, onClose }: { created: CreatedKey | null; onClose: () => void }) {
  return (
    <Modal
      opened={created !== null}
      onClose={onClose}
      title="Your new API key"
      centered
      size="lg"
      closeButtonProps={{ "aria-label": "Close" }}
      data-testid="new-key-dialog"
    >
      {created && (
        <Stack>
          <Text size="sm">
            Copy the key for <strong>{created.name}</strong> now. <strong>It won't be shown again</strong>: Cistern
            keeps only a fingerprint of it.
          </Text>
          <KeyCopy value={created.key} />
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/**
 * The key with a Copy button. Without clipboard access (plain http on another host, or a
 * refused permission) the key is selected instead, for Ctrl+C.
 */
function KeyCopy({ value }: { value: string }) {
  const clipboard = useClipboard({ timeout: 3000 });
  const box = useRef<HTMLElement>(null);
  function select() {
    const el = box.current;
    const selection = window.getSelection();
    if (!el || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    selection.removeAllRanges();
    selection.addRange(range);
  }
  const failed = clipboard.error !== null;
  // The clipboard refused: select the key so Ctrl+C copies it.
  useEffect(() => {
    if (failed) select();
  }, [failed]);
  return (
    <>
      <Group gap="xs" wrap="nowrap" align="stretch">
        <Code
          ref={box}
          block
          aria-label="API key"
          data-testid="new-key"
          onClick={select}
          style={{ flex: 1, wordBreak: "break-all", whiteSpace: "pre-wrap" }}
        >
          {value}
        </Code>
        <Tooltip label={clipboard.copied ? "Copied" : "Copy"} withArrow>
          <ActionIcon
            variant={clipboard.copied ? "filled" : "default"}
            color={clipboard.copied ? "teal" : undefined}
            size="xl"
            onClick={() => clipboard.copy(value)}
            aria-label="Copy"
          >
            {clipboard.copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
          </ActionIcon>
        </Tooltip>
      </Group>
      <Text size="sm" c={failed ? "red" : undefined} role="status" mih={20}>
        {clipboard.copied
          ? "Copied to the clipboard."
          : failed
            ? "Could not use the clipboard: the key is selected, copy it with Ctrl+C."
            : "Click the key to select it, or use Copy."}
      </Text>
    </>
  );
}

/** Asks before revoking: programs using the key stop working at once. */
function RevokeDialog({ apiKey, onClose }: { apiKey: ApiKey | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => call(api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      onClose();
      void queryClient.invalidateQueries({ queryKey: KEYS });
    },
  });
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      opened={apiKey !== null}
      title={apiKey ? `Revoke “${apiKey.name}”?` : "Revoke key?"}
      confirmLabel="Revoke key"
      onConfirm={() => apiKey && revoke.mutate(apiKey.id)}
      onClose={close}
      busy={revoke.isPending}
      testId="revoke-dialog"
    >
      Programs using <Code>{apiKey?.prefix}_…</Code> will be refused from now on. This cannot be undone.
      {revoke.error && (
        <Text component="span" display="block" c="red" mt="sm" role="alert">
          {revoke.error.message}
        </Text>
      )}
    </ConfirmDialog>
  );
}
