/**
 * The conversation list: New chat, search by title (client-side, over the loaded titles),
 * conversations grouped by date, and a menu per conversation to rename or delete it (deleting
 * asks first). Shown beside the chat on wide screens and in a drawer on phones.
 */
import { useState } from "react";
import { ActionIcon, Button, Group, Menu, Modal, NavLink, ScrollArea, Stack, Text, TextInput } from "@mantine/core";
import { IconDots, IconMessagePlus, IconPencil, IconSearch, IconTrash } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { ErrorAlert } from "../ui/ErrorAlert";
import { LoadingRows } from "../ui/QueryView";
import { groupByDate, searchByTitle } from "./groupByDate";
import { chatKeys, conversationsQuery, type Conversation } from "./queries";

export function ConversationSidebar({
  open,
  onOpen,
  onNew,
  onDeleted,
}: {
  /** The open conversation's id. */
  open?: string;
  onOpen: (id: string) => void;
  onNew: () => void;
  /** After a conversation is deleted (the page closes it when it was open). */
  onDeleted: (id: string) => void;
}) {
  const queryClient = useQueryClient();
  const conversations = useQuery(conversationsQuery);
  const [search, setSearch] = useState("");
  const [renaming, setRenaming] = useState<Conversation | undefined>();
  const [deleting, setDeleting] = useState<Conversation | undefined>();

  const remove = useMutation({
    mutationFn: (id: string) => call(api.DELETE("/api/v1/conversations/{id}", { params: { path: { id } } })),
    onSettled: () => {
      setDeleting(undefined);
      void queryClient.invalidateQueries({ queryKey: chatKeys.conversations });
    },
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: chatKeys.messages(id) });
      onDeleted(id);
    },
  });

  const items = conversations.data?.items ?? [];
  const shown = searchByTitle(items, search);
  const groups = groupByDate(shown, (c) => c.updated_at, conversations.dataUpdatedAt);

  return (
    <Stack gap="sm" h="100%" mih={0}>
      <Button leftSection={<IconMessagePlus size={16} />} variant="light" onClick={onNew} fullWidth>
        New chat
      </Button>
      <TextInput
        aria-label="Search conversations"
        placeholder="Search conversations"
        leftSection={<IconSearch size={14} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        type="search"
      />
      <ScrollArea flex={1} mih={0} type="auto" offsetScrollbars>
        <nav aria-label="Conversations" data-testid="conversations">
          {conversations.isPending && <LoadingRows rows={4} />}
          {conversations.isError && (
            <ErrorAlert
              title="Could not load conversations"
              error={conversations.error}
              onRetry={() => void conversations.refetch()}
            />
          )}
          {conversations.isSuccess && items.length === 0 && (
            <Text size="sm" c="dimmed" px="xs">
              No conversations yet. Send a message to start one.
            </Text>
          )}
          {remove.isError && <ErrorAlert title="Could not delete the conversation" error={remove.error} />}
          {items.length > 0 && shown.length === 0 && (
            <Text size="sm" c="dimmed" px="xs">
              No conversation title matches “{search.trim()}”.
            </Text>
          )}
          <Stack gap="sm">
            {groups.map((group) => (
              <div key={group.label}>
                <Text size="xs" fw={700} c="dimmed" px="xs" mb={2}>
                  {group.label}
                </Text>
                {group.items.map((c) => (
                  <Group key={c.id} gap={0} wrap="nowrap" data-testid="conversation">
                    <NavLink
                      component="button"
                      label={c.title}
                      active={c.id === open}
                      aria-current={c.id === open ? "page" : undefined}
                      onClick={() => onOpen(c.id)}
                      styles={{ root: { borderRadius: "var(--mantine-radius-md)" }, label: { overflow: "hidden" } }}
                      style={{ flex: 1, minWidth: 0 }}
                      title={c.title}
                      noWrap
                    />
                    <Menu position="bottom-end" withinPortal>
                      <Menu.Target>
                        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${c.title}`}>
                          <IconDots size={16} />
                        </ActionIcon>
                      </Menu.Target>
                      <Menu.Dropdown>
                        <Menu.Item leftSection={<IconPencil size={14} />} onClick={() => setRenaming(c)}>
                          Rename
                        </Menu.Item>
                        <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => setDeleting(c)}>
                          Delete
                        </Menu.Item>
                      </Menu.Dropdown>
                    </Menu>
                  </Group>
                ))}
              </div>
            ))}
          </Stack>
        </nav>
      </ScrollArea>
      {renaming && <RenameDialog conversation={renaming} onClose={() => setRenaming(undefined)} />}
      <ConfirmDialog
        opened={deleting !== undefined}
        title="Delete this conversation?"
        confirmLabel="Delete"
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onClose={() => {
          setDeleting(undefined);
          remove.reset();
        }}
        busy={remove.isPending}
        testId="delete-conversation"
      >
        “{deleting?.title}” and all its messages will be deleted for good.
      </ConfirmDialog>
    </Stack>
  );
}

/** Rename: the title in a text box, saved on Enter or Save (1–200 characters, one line). */
function RenameDialog({ conversation, onClose }: { conversation: Conversation; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(conversation.title);
  const rename = useMutation({
    mutationFn: (title: string) =>
      call(api.PATCH("/api/v1/conversations/{id}", { params: { path: { id: conversation.id } }, body: { title } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: chatKeys.conversations });
      onClose();
    },
  });
  const trimmed = title.trim();
  return (
    <Modal opened onClose={onClose} title="Rename conversation" centered closeButtonProps={{ "aria-label": "Close" }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (trimmed) rename.mutate(trimmed);
        }}
      >
        <Stack>
          <TextInput
            label="Title"
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            maxLength={200}
            data-autofocus
            error={rename.error?.message}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={!trimmed || trimmed === conversation.title} loading={rename.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
