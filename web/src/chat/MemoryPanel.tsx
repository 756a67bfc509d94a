/**
 * What the agent remembers about you (shown in the chat page's Memory sheet): your standing
 * instructions (procedural memory, editable), remembered facts (semantic memory: add, forget)
 * and the summary of the open conversation (episodic memory, read-only — it goes with its
 * conversation). The page invalidates the `memory` keys after every turn, so facts the model
 * remembered and new summaries show up.
 */
import { useState } from "react";
import {
  ActionIcon,
  Button,
  Group,
  List,
  Paper,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { ErrorAlert } from "../ui/ErrorAlert";
import { LoadingRows, QueryView } from "../ui/QueryView";
import { chatKeys, episodesQuery, factsQuery, systemPromptQuery } from "./queries";

export function MemoryPanel({ conversation }: { conversation?: string }) {
  return (
    <Stack gap="lg">
      <Instructions />
      <Facts />
      {conversation && <Summary conversation={conversation} />}
    </Stack>
  );
}

function Instructions() {
  const queryClient = useQueryClient();
  const prompt = useQuery(systemPromptQuery);
  // The editable copy; undefined until the user types (then the server's text is the start).
  const [draft, setDraft] = useState<string | undefined>();
  const saved = prompt.data?.system_prompt ?? "";
  const value = draft ?? saved;
  const save = useMutation({
    mutationFn: (system_prompt: string) => call(api.PUT("/api/v1/chat/system-prompt", { body: { system_prompt } })),
    onSuccess: (data) => {
      queryClient.setQueryData(chatKeys.systemPrompt, data);
      setDraft(undefined);
    },
  });
  if (prompt.isPending) return <LoadingRows rows={2} />;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(value);
      }}
    >
      <Stack gap="xs">
        {prompt.isError && (
          <ErrorAlert
            title="Could not load your instructions"
            error={prompt.error}
            onRetry={() => void prompt.refetch()}
          />
        )}
        <Textarea
          label="Instructions"
          description="How the agent should answer you, in every conversation."
          placeholder="For example: answer in metric units, keep it short."
          autosize
          minRows={3}
          maxRows={10}
          value={value}
          onChange={(e) => setDraft(e.currentTarget.value)}
        />
        {save.isError && <ErrorAlert title="Could not save your instructions" error={save.error} />}
        <Group justify="flex-end">
          <Button type="submit" size="xs" disabled={value === saved} loading={save.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Facts() {
  const queryClient = useQueryClient();
  const facts = useQuery(factsQuery);
  const [newFact, setNewFact] = useState("");
  const add = useMutation({
    mutationFn: (content: string) => call(api.POST("/api/v1/memory/facts", { body: { content } })),
    onSuccess: () => {
      setNewFact("");
      return queryClient.invalidateQueries({ queryKey: chatKeys.facts });
    },
  });
  const forget = useMutation({
    mutationFn: (id: string) => call(api.DELETE("/api/v1/memory/facts/{id}", { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: chatKeys.facts }),
  });
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Facts
      </Title>
      <Text size="sm" c="dimmed">
        What the agent knows about you. It adds facts itself when you tell it something worth remembering.
      </Text>
      <QueryView query={facts} what="facts" skeletonRows={2}>
        {(data) =>
          data.items.length === 0 ? (
            <Text size="sm" c="dimmed" fs="italic">
              Nothing remembered yet.
            </Text>
          ) : (
            <List aria-label="Facts" listStyleType="none" spacing={4}>
              {data.items.map((f) => (
                <List.Item key={f.id}>
                  <Paper withBorder px="sm" py={6}>
                    <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
                      <Text size="sm" style={{ overflowWrap: "anywhere" }}>
                        {f.content}
                      </Text>
                      <Tooltip label="Forget">
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          size="sm"
                          aria-label="Forget"
                          loading={forget.isPending && forget.variables === f.id}
                          onClick={() => forget.mutate(f.id)}
                        >
                          <IconTrash size={14} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  </Paper>
                </List.Item>
              ))}
            </List>
          )
        }
      </QueryView>
      {(add.error ?? forget.error) && <ErrorAlert title="Memory" error={(add.error ?? forget.error)!} />}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const content = newFact.trim();
          if (content) add.mutate(content);
        }}
      >
        <Group gap="xs" wrap="nowrap" align="flex-end">
          <TextInput
            aria-label="New fact"
            placeholder="Remember…"
            value={newFact}
            onChange={(e) => setNewFact(e.currentTarget.value)}
            style={{ flex: 1 }}
          />
          <Button
            type="submit"
            variant="light"
            leftSection={<IconPlus size={14} />}
            disabled={!newFact.trim()}
            loading={add.isPending}
          >
            Add
          </Button>
        </Group>
      </form>
    </Stack>
  );
}

function Summary({ conversation }: { conversation: string }) {
  const episodes = useQuery(episodesQuery(conversation));
  const latest = episodes.data?.items[0];
  if (!latest) return null;
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Summary of this conversation
      </Title>
      <Text size="xs" c="dimmed">
        Messages 1–{latest.to_seq}, summarised when they fell out of the model&apos;s window.
      </Text>
      <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
        {latest.summary}
      </Text>
    </Stack>
  );
}
