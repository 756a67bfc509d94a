/**
 * The open conversation: the user's messages as right-aligned bubbles, the assistant's replies
 * full width beside an avatar, rendered as Markdown, each with Copy (and Retry on the last one),
 * and its tokens and cost on hover (stored with the reply; from the stream for one just streamed). A reply being streamed shows a cursor. The
 * list follows the stream unless the reader scrolled up; then "Jump to latest" brings it back.
 */
import { lazy, Suspense, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import {
  ActionIcon,
  Badge,
  Box,
  Button,
  CopyButton,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
  Title,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import {
  IconArrowDown,
  IconCheck,
  IconCopy,
  IconInfoCircle,
  IconMessageChatbot,
  IconRefresh,
  IconSparkles,
} from "@tabler/icons-react";
import { formatCount, formatUsd } from "../format";
import { isAtBottom } from "./groupByDate";
import type { Message } from "./queries";
import { usageOf, type TurnState, type TurnUsage } from "./turn";

// The Markdown renderer and its grammars are a chunk of their own, loaded by this page only.
const Markdown = lazy(() => import("./Markdown").then((m) => ({ default: m.Markdown })));

/** A turn in flight: the user's message (none for a retry) and the reply so far. */
export interface LiveTurn {
  message?: string;
  state: TurnState;
}

/** Example prompts of the empty state: a click sends one. */
export const EXAMPLES = [
  { title: "Explain a concept", prompt: "Explain how a rainwater cistern works, in three short paragraphs." },
  { title: "Write some code", prompt: 'Write a Rust function that parses a duration like "5m30s" into seconds.' },
  { title: "Plan something", prompt: "Give me a one-week plan for learning SQL window functions." },
  { title: "Remember a preference", prompt: "Remember that I prefer metric units and short answers." },
];

export function MessageList({
  conversationKey,
  messages,
  turn,
  usage,
  onRetry,
  onPrompt,
  header,
}: {
  /** Changes when another conversation is opened (the list jumps to its end). */
  conversationKey: string;
  messages: Message[];
  turn?: LiveTurn;
  /** Usage by reply `seq`, for the replies this page streamed (until their stored usage is read). */
  usage: Record<number, TurnUsage>;
  /** Retry the last reply; absent while nothing can be retried. */
  onRetry?: () => void;
  onPrompt: (prompt: string) => void;
  /** Shown above the messages (errors, loading). */
  header?: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const [behind, setBehind] = useState(false);

  const shown = messages.filter((m) => m.role !== "tool" && (m.content || m.status !== "complete"));
  const lastAssistant = shown.at(-1)?.role === "assistant" ? shown.at(-1) : undefined;

  const scrollToEnd = () => {
    const el = box.current;
    if (!el) return;
    following.current = true;
    setBehind(false);
    el.scrollTo({ top: el.scrollHeight });
  };

  // Another conversation, or a new turn: start at the end and follow.
  const turnStarted = turn !== undefined;
  useLayoutEffect(() => {
    following.current = true;
    scrollToEnd();
  }, [conversationKey, turnStarted]);
  // New text: keep up with it, unless the reader scrolled away.
  const size = shown.length + (turn?.state.reply.length ?? 0);
  useEffect(() => {
    if (following.current) box.current?.scrollTo({ top: box.current.scrollHeight });
    else setBehind(true);
  }, [size]);

  const empty = shown.length === 0 && !turn;
  return (
    <Box pos="relative" flex={1} mih={0}>
      <Box
        ref={box}
        h="100%"
        style={{ overflowY: "auto", overflowX: "hidden" }}
        onScroll={(e) => {
          const atEnd = isAtBottom(e.currentTarget);
          following.current = atEnd;
          if (atEnd) setBehind(false);
        }}
        data-testid="messages"
      >
        <Stack gap="lg" maw={820} mx="auto" px={{ base: 2, sm: "md" }} py="md">
          {header}
          {empty ? (
            <Welcome onPrompt={onPrompt} />
          ) : (
            <>
              {shown.map((m) =>
                m.role === "user" ? (
                  <UserBubble key={m.seq} text={m.content} />
                ) : (
                  <AssistantReply
                    key={m.seq}
                    text={m.content}
                    status={m.status}
                    error={m.error ?? undefined}
                    usage={usageOf(m.usage) ?? usage[m.seq]}
                    onRetry={m === lastAssistant && !turn ? onRetry : undefined}
                  />
                ),
              )}
              {turn?.message !== undefined && <UserBubble text={turn.message} />}
              {turn && (
                <AssistantReply
                  text={turn.state.reply}
                  status={
                    turn.state.status === "streaming" || turn.state.status === "done" ? "streaming" : turn.state.status
                  }
                  error={turn.state.error}
                  live
                />
              )}
            </>
          )}
        </Stack>
      </Box>
      {behind && !empty && (
        <Button
          pos="absolute"
          bottom={12}
          left="50%"
          style={{ transform: "translateX(-50%)" }}
          size="xs"
          radius="xl"
          variant="default"
          leftSection={<IconArrowDown size={14} />}
          onClick={scrollToEnd}
        >
          Jump to latest
        </Button>
      )}
    </Box>
  );
}

function UserBubble({ text }: { text: string }) {
  return (
    <Group justify="flex-end" data-testid="user-message">
      <Paper
        px="md"
        py="xs"
        radius="lg"
        maw="85%"
        bg="var(--mantine-primary-color-light)"
        style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}
      >
        <Text size="sm" component="div">
          {text}
        </Text>
      </Paper>
    </Group>
  );
}

const STATUS_LABEL: Record<string, string> = { partial: "stopped", stopped: "stopped", error: "failed" };

function AssistantReply({
  text,
  status,
  error,
  usage,
  onRetry,
  live = false,
}: {
  text: string;
  /** `complete`, `partial`, `error` (stored) or `streaming`, `stopped`, `error` (live). */
  status: string;
  error?: string;
  usage?: TurnUsage;
  onRetry?: () => void;
  live?: boolean;
}) {
  const streaming = status === "streaming";
  const mark = STATUS_LABEL[status];
  return (
    <Group
      align="flex-start"
      wrap="nowrap"
      gap="sm"
      data-testid={live ? "streaming-reply" : "assistant-message"}
      data-status={status}
      aria-busy={streaming || undefined}
    >
      <ThemeIcon variant="light" radius="xl" size={30} visibleFrom="xs" aria-hidden>
        <IconMessageChatbot size={18} />
      </ThemeIcon>
      <Stack gap={4} flex={1} miw={0}>
        {text ? (
          <Suspense fallback={<Text style={{ whiteSpace: "pre-wrap" }}>{text}</Text>}>
            <Markdown text={streaming ? `${text} ▍` : text} />
          </Suspense>
        ) : streaming ? (
          <Text c="dimmed" aria-label="Thinking">
            ▍
          </Text>
        ) : null}
        {mark && (
          <Group gap="xs">
            <Badge size="sm" variant="light" color={status === "error" ? "red" : "gray"} data-testid="reply-mark">
              {mark}
            </Badge>
            {error && (
              <Text size="xs" c="dimmed">
                {error}
              </Text>
            )}
          </Group>
        )}
        {!streaming && !live && (
          <Group gap={4}>
            {text && (
              <CopyButton value={text} timeout={1500}>
                {({ copied, copy }) => (
                  <Tooltip label={copied ? "Copied" : "Copy reply"}>
                    <ActionIcon variant="subtle" color="gray" size="sm" onClick={copy} aria-label="Copy reply">
                      {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
                    </ActionIcon>
                  </Tooltip>
                )}
              </CopyButton>
            )}
            {onRetry && (
              <Tooltip label="Answer the last message again; this reply stays in the history">
                <Button
                  variant="subtle"
                  color="gray"
                  size="compact-xs"
                  leftSection={<IconRefresh size={14} />}
                  onClick={onRetry}
                >
                  Retry
                </Button>
              </Tooltip>
            )}
            {usage && <UsageInfo usage={usage} />}
          </Group>
        )}
      </Stack>
    </Group>
  );
}

/** A reply's tokens and cost, on hover or focus. */
function UsageInfo({ usage }: { usage: TurnUsage }) {
  const calls = usage.modelCalls === 1 ? "1 model call" : `${formatCount(usage.modelCalls)} model calls`;
  const tokens = `${formatCount(usage.inputTokens)} prompt + ${formatCount(usage.outputTokens)} reply tokens`;
  const label = `${tokens} · ${calls} · ${formatUsd(usage.costUsd)}`;
  return (
    <Tooltip label={label}>
      <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`Usage: ${label}`} data-testid="reply-usage">
        <IconInfoCircle size={14} />
      </ActionIcon>
    </Tooltip>
  );
}

/** A new chat: what this is, and a few prompts to start from. */
function Welcome({ onPrompt }: { onPrompt: (prompt: string) => void }) {
  return (
    <Stack align="center" gap="md" py="xl" data-testid="chat-welcome">
      <ThemeIcon variant="light" radius="xl" size={52}>
        <IconSparkles size={28} />
      </ThemeIcon>
      <Title order={2} size="h3" ta="center">
        What can I help with?
      </Title>
      <Text c="dimmed" size="sm" ta="center" maw={460}>
        Ask anything. The agent remembers what you tell it across conversations — see Memory.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" w="100%" maw={640}>
        {EXAMPLES.map((ex) => (
          <UnstyledButton key={ex.title} onClick={() => onPrompt(ex.prompt)} data-testid="example-prompt">
            <Paper withBorder p="sm" radius="md" h="100%">
              <Text size="sm" fw={600}>
                {ex.title}
              </Text>
              <Text size="sm" c="dimmed" lineClamp={2}>
                {ex.prompt}
              </Text>
            </Paper>
          </UnstyledButton>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
