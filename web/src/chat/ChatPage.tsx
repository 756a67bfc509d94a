/**
 * The Chat app: the conversation list (a side column on wide screens, a drawer on phones), the
 * open conversation filling the height under the header with the composer at the bottom, and
 * the memory panel in a sheet on the right. Replies stream with a Stop button; the last reply
 * can be retried. The open conversation is in the URL (`/chat?c=<id>`), so it survives a reload.
 */
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { ActionIcon, Box, Button, Drawer, Group, Paper, Stack } from "@mantine/core";
import { IconBrain, IconLayoutSidebar, IconMessagePlus } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { getSession } from "../auth/current";
import { ErrorAlert } from "../ui/ErrorAlert";
import { PageHeader } from "../ui/PageHeader";
import { ProviderBanner } from "../ui/ProviderBanner";
import { LoadingRows } from "../ui/QueryView";
import { Composer } from "./Composer";
import { ConversationSidebar } from "./ConversationSidebar";
import { MemoryPanel } from "./MemoryPanel";
import { MessageList, type LiveTurn } from "./MessageList";
import { chatKeys, conversationsQuery, messagesQuery, modelsQuery } from "./queries";
import { streamRetry, streamTurn, type TurnState, type TurnUsage } from "./turn";

const NO_MESSAGES = { items: [], next_cursor: null };

export function ChatPage() {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const open = params.get("c") ?? undefined;
  const setOpen = (id: string | undefined) => setParams(id ? { c: id } : {}, { replace: false });

  const [draft, setDraft] = useState("");
  const [turn, setTurn] = useState<LiveTurn | undefined>();
  const [error, setError] = useState<Error | undefined>();
  // Usage of the replies streamed here (from `done`), by conversation and reply seq: shown until
  // the stored history, which carries it too, is read.
  const [usage, setUsage] = useState<Record<string, Record<number, TurnUsage>>>({});
  // The model the user picked; undefined: the open conversation's own.
  const [picked, setPicked] = useState<string | null | undefined>();
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [memoryOpen, setMemoryOpen] = useState(false);
  const stop = useRef<AbortController | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  const conversations = useQuery(conversationsQuery);
  const messages = useQuery({ ...messagesQuery(open ?? ""), enabled: open !== undefined });
  const models = useQuery(modelsQuery);
  const conversation = conversations.data?.items.find((c) => c.id === open);
  const model = picked !== undefined ? picked : (conversation?.model ?? null);

  // The composer has focus on arrival and whenever a turn ends (not on touch screens, where
  // focusing would pop the keyboard over the page).
  const streaming = turn?.state.status === "streaming";
  useEffect(() => {
    if (!streaming && !window.matchMedia("(pointer: coarse)").matches) input.current?.focus();
  }, [streaming, open]);

  function openConversation(id: string | undefined) {
    if (stop.current) return;
    setOpen(id);
    setPicked(undefined);
    setError(undefined);
    setTurn(undefined);
    setSidebarOpen(false);
  }

  /**
   * Streams a turn or a retry; Stop aborts it. Afterwards the stored history replaces it — except
   * for a new chat stopped before the server named its conversation: that turn stays on screen,
   * marked stopped (the conversation appears in the list).
   */
  async function stream(
    message: string | undefined,
    start: (onState: (state: TurnState) => void, signal: AbortSignal) => Promise<TurnState>,
  ) {
    setError(undefined);
    const ctrl = new AbortController();
    stop.current = ctrl;
    setTurn({ message, state: { reply: "", status: "streaming" } });
    let keep = false;
    try {
      const end = await start((state) => setTurn({ message, state }), ctrl.signal);
      const id = end.conversationId ?? open;
      if (id && end.seq !== undefined && end.usage) {
        const { seq, usage: used } = end;
        setUsage((u) => ({ ...u, [id]: { ...u[id], [seq]: used } }));
      }
      if (id) {
        await queryClient.fetchQuery({ ...messagesQuery(id), staleTime: 0 }).catch(() => undefined);
        if (id !== open) setOpen(id);
        // A stopped reply is stored as the server notices the closed stream: look again shortly.
        if (end.status === "stopped") {
          setTimeout(() => void queryClient.invalidateQueries({ queryKey: chatKeys.messages(id) }), 800);
        }
      } else {
        keep = true;
      }
    } catch (e) {
      setError(e as Error);
      // Nothing was sent: give the message back to edit or send again.
      if (message !== undefined) setDraft((d) => d || message);
    } finally {
      stop.current = null;
      if (!keep) setTurn(undefined);
      void queryClient.invalidateQueries({ queryKey: chatKeys.conversations });
      void queryClient.invalidateQueries({ queryKey: ["memory"] });
    }
  }

  function send(text = draft) {
    const message = text.trim();
    if (!message || stop.current) return;
    setDraft("");
    const body = {
      message,
      ...(open ? { conversation_id: open } : {}),
      ...(model ? { model } : {}),
    };
    void stream(message, (onState, signal) => streamTurn(body, getSession().fetch, onState, signal));
  }

  /** Answers the last user message again; the old reply stays in history. */
  function retry() {
    if (!open || stop.current) return;
    const id = open;
    void stream(undefined, (onState, signal) =>
      streamRetry(id, getSession().fetch, onState, signal, model ?? undefined),
    );
  }

  const sidebar = (
    <ConversationSidebar
      open={open}
      onOpen={openConversation}
      onNew={() => openConversation(undefined)}
      onDeleted={(id) => id === open && openConversation(undefined)}
    />
  );
  const items = open ? (messages.data ?? NO_MESSAGES).items : [];
  const last = items.at(-1);

  return (
    <Stack h="calc(100dvh - var(--app-shell-header-height) - 2 * var(--app-shell-padding))" gap={0} mih={420}>
      <PageHeader
        title="Chat"
        description={open ? (conversation?.title ?? "…") : "A new conversation"}
        actions={
          <>
            <Button
              variant="default"
              size="xs"
              hiddenFrom="md"
              leftSection={<IconLayoutSidebar size={16} />}
              onClick={() => setSidebarOpen(true)}
            >
              Conversations
            </Button>
            <ActionIcon
              variant="default"
              size={30}
              hiddenFrom="md"
              onClick={() => openConversation(undefined)}
              aria-label="New chat"
              title="New chat"
            >
              <IconMessagePlus size={16} />
            </ActionIcon>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconBrain size={16} />}
              onClick={() => setMemoryOpen(true)}
            >
              Memory
            </Button>
          </>
        }
      />
      <ProviderBanner />
      <Group align="stretch" gap="md" wrap="nowrap" flex={1} mih={0}>
        <Paper
          withBorder
          p="sm"
          w={264}
          visibleFrom="md"
          style={{ flexShrink: 0 }}
          component="aside"
          aria-label="Conversation list"
        >
          {sidebar}
        </Paper>
        <Stack gap="xs" flex={1} miw={0}>
          <MessageList
            conversationKey={open ?? "new"}
            messages={items}
            turn={turn}
            usage={(open && usage[open]) || {}}
            onRetry={last?.role === "assistant" ? retry : undefined}
            onPrompt={(prompt) => send(prompt)}
            header={
              <>
                {open && messages.isPending && <LoadingRows rows={3} />}
                {messages.isError && (
                  <ErrorAlert
                    title="Could not load this conversation"
                    error={messages.error}
                    onRetry={() => void messages.refetch()}
                  />
                )}
              </>
            }
          />
          <Box maw={820} w="100%" mx="auto">
            {error && (
              <Box mb="xs">
                <ErrorAlert title="The message was not answered" error={error} testId="chat-error" />
              </Box>
            )}
            <Composer
              inputRef={input}
              value={draft}
              onChange={setDraft}
              onSend={() => send()}
              onStop={() => stop.current?.abort()}
              streaming={streaming}
              models={models.data ?? []}
              model={model}
              onModel={setPicked}
            />
          </Box>
        </Stack>
      </Group>
      <Drawer
        opened={sidebarOpen}
        onClose={() => setSidebarOpen(false)}
        title="Conversations"
        size={300}
        hiddenFrom="md"
        styles={{ body: { height: "calc(100% - 60px)" } }}
        closeButtonProps={{ "aria-label": "Close conversations" }}
      >
        {sidebar}
      </Drawer>
      <Drawer
        opened={memoryOpen}
        onClose={() => setMemoryOpen(false)}
        title="Memory"
        position="right"
        size="md"
        closeButtonProps={{ "aria-label": "Close memory" }}
      >
        <MemoryPanel conversation={open} />
      </Drawer>
    </Stack>
  );
}
