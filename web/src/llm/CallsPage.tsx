import { useState } from "react";
import { useSearchParams } from "react-router";
import {
  Badge,
  Blockquote,
  Box,
  Button,
  Code,
  DataList,
  Drawer,
  Group,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { IconBrain, IconFilter, IconRefresh } from "@tabler/icons-react";
import { keepPreviousData, useInfiniteQuery, useQuery, type InfiniteData } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { DateTime } from "../ui/DateTime";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { FilterBar } from "../ui/FilterBar";
import { PageHeader } from "../ui/PageHeader";
import { QueryView } from "../ui/QueryView";
import { formatCount, formatUsd } from "../format";
import { answerText, bodyText, filtersFrom, formatMs, type CallFilters } from "./calls";
import { TableFrame } from "../ui/TableFrame";

type CallPage = components["schemas"]["Page_CallView"];
type CallView = components["schemas"]["CallView"];

const PAGE_SIZE = 50;

const STATUS_CHOICES = [
  { value: "", label: "Any" },
  { value: "ok", label: "ok" },
  { value: "error", label: "error" },
];

/** `/llm-calls`: your calls through the LLM gateway, newest first; filter, page, open one. */
export function CallsPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const [open, setOpen] = useState<string | null>(null);

  const calls = useInfiniteQuery({
    queryKey: ["llm-calls", filters.model, filters.status, filters.app],
    queryFn: ({ pageParam, signal }) =>
      call(
        api.GET("/api/v1/llm/calls", {
          params: {
            query: {
              model: filters.model || undefined,
              status: filters.status || undefined,
              app: filters.app || undefined,
              cursor: pageParam,
              limit: PAGE_SIZE,
            },
          },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });

  const apply = (f: CallFilters) =>
    setParams(
      (p) => {
        for (const key of ["model", "status", "app"] as const) {
          if (f[key]) p.set(key, f[key]);
          else p.delete(key);
        }
        return p;
      },
      { replace: true },
    );
  const filtered = Boolean(filters.model || filters.status || filters.app);

  return (
    <>
      <PageHeader
        title="LLM calls"
        description={
          <>
            Every model call made with your account — through <Code>/v1</Code> or by an app — with its tokens, cost and
            latency. Open one to see the prompt and the answer, when the server keeps them.
          </>
        }
        actions={
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} />}
            loading={calls.isFetching && !calls.isFetchingNextPage}
            onClick={() => void calls.refetch()}
          >
            Refresh
          </Button>
        }
      />
      <FilterForm key={`${filters.model}|${filters.status}|${filters.app}`} filters={filters} onApply={apply} />
      <QueryView
        query={calls}
        what="the call log"
        skeletonRows={6}
        isEmpty={(d: InfiniteData<CallPage>) => d.pages.every((p) => p.items.length === 0)}
        empty={
          <EmptyState icon={<IconBrain size={22} />} title="No calls match" testId="no-calls">
            {filtered ? (
              "No call matches these filters. Clear them to see every call."
            ) : (
              <>
                Nothing called a model with your account yet. Send a message in <Link to="/chat">Chat</Link>, or call{" "}
                <Code>/v1/chat/completions</Code> with an <Link to="/keys">API key</Link>.
              </>
            )}
          </EmptyState>
        }
      >
        {(data) => (
          <Box opacity={calls.isPlaceholderData ? 0.6 : 1}>
            <CallTable calls={data.pages.flatMap((p) => p.items)} onOpen={setOpen} />
            <LoadMore query={calls} what="calls" />
          </Box>
        )}
      </QueryView>
      <CallDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}

function FilterForm({ filters, onApply }: { filters: CallFilters; onApply: (f: CallFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  const submit = () => {
    onApply({ ...draft, model: draft.model.trim(), app: draft.app.trim() });
  };
  const active = filters.model || filters.status || filters.app;
  return (
    <FilterBar label="Filter the LLM calls" onSubmit={submit}>
      <TextInput
        label="Model"
        placeholder="Any"
        value={draft.model}
        onChange={(e) => setDraft({ ...draft, model: e.currentTarget.value })}
        style={{ flex: "1 1 160px" }}
      />
      <NativeSelect
        label="Status"
        data={STATUS_CHOICES}
        value={draft.status}
        onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value as CallFilters["status"] })}
        style={{ flex: "0 1 120px" }}
      />
      <TextInput
        label="App"
        placeholder="Any (api, chat, …)"
        value={draft.app}
        onChange={(e) => setDraft({ ...draft, app: e.currentTarget.value })}
        style={{ flex: "1 1 160px" }}
      />
      <Group gap="xs">
        <Button type="submit" variant="light" leftSection={<IconFilter size={16} />}>
          Filter
        </Button>
        {active && (
          <Button
            variant="subtle"
            color="gray"
            onClick={() => {
              const none = { model: "", status: "", app: "" } as const;
              setDraft(none);
              onApply(none);
            }}
          >
            Clear
          </Button>
        )}
      </Group>
    </FilterBar>
  );
}

function CallTable({ calls, onOpen }: { calls: CallView[]; onOpen: (id: string) => void }) {
  return (
    <TableFrame label="LLM calls" minWidth={820}>
      <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover data-testid="llm-calls">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Time</Table.Th>
            <Table.Th scope="col">Model</Table.Th>
            <Table.Th scope="col">App</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col" ta="right">
              Tokens in / out
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Cost
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Latency
            </Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Open</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {calls.map((c) => (
            <CallRow key={c.id} call={c} onOpen={onOpen} />
          ))}
        </Table.Tbody>
      </Table>
    </TableFrame>
  );
}

function CallRow({ call: c, onOpen }: { call: CallView; onOpen: (id: string) => void }) {
  return (
    <Table.Tr data-call-id={c.id} data-status={c.status}>
      <Table.Td fz="sm">
        <DateTime iso={c.created_at} />
      </Table.Td>
      <Table.Td>
        <Code>{c.model}</Code>
        {c.deployment && (
          <Text size="xs" c="dimmed">
            via {c.deployment}
          </Text>
        )}
      </Table.Td>
      <Table.Td fz="sm">{c.app}</Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Tooltip label={c.error_message ?? ""} disabled={!c.error_message} multiline maw={360}>
            <Badge variant="light" color={c.status === "ok" ? "green" : "red"}>
              {c.status === "ok" ? "ok" : (c.error_kind ?? "error")}
            </Badge>
          </Tooltip>
          {c.cache_hit && (
            <Badge variant="outline" color="gray">
              cached
            </Badge>
          )}
          {c.stream && (
            <Badge variant="outline" color="gray">
              stream
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td ta="right" fz="sm" style={{ whiteSpace: "nowrap" }}>
        {formatCount(c.tokens_in)} / {formatCount(c.tokens_out)}
        {c.tokens_estimated && (
          <Tooltip label="Counted locally: the provider reported no usage">
            <Text component="span" inherit>
              {" "}
              ≈
            </Text>
          </Tooltip>
        )}
      </Table.Td>
      <Table.Td ta="right" fz="sm">
        {formatUsd(c.cost_usd)}
      </Table.Td>
      <Table.Td ta="right" fz="sm" style={{ whiteSpace: "nowrap" }}>
        {formatMs(c.total_ms)}
        {c.first_token_ms !== null && c.first_token_ms !== undefined && (
          <Text size="xs" c="dimmed">
            first {formatMs(c.first_token_ms)}
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">
        <Button variant="subtle" size="compact-sm" onClick={() => onOpen(c.id)}>
          Open
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

function CallDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  return (
    <Drawer
      opened={id !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title="LLM call"
      closeButtonProps={{ "aria-label": "Close" }}
      data-testid="llm-call"
    >
      {id && <CallDetail id={id} />}
    </Drawer>
  );
}

function CallDetail({ id }: { id: string }) {
  const detail = useQuery({
    queryKey: ["llm-call", id],
    queryFn: ({ signal }) => call(api.GET("/api/v1/llm/calls/{id}", { params: { path: { id } }, signal })),
  });
  return (
    <QueryView query={detail} what="the call" skeletonRows={6}>
      {(d) => {
        const failed = d.status === "error";
        const answer = answerText(d.response);
        return (
          <Stack gap="md">
            <DataList labelWidth={90} withDivider>
              <DataList.Item>
                <DataList.ItemLabel>Model</DataList.ItemLabel>
                <DataList.ItemValue>
                  <Code>{d.model}</Code> → {d.provider ?? "—"} {d.upstream_model && <Code>{d.upstream_model}</Code>}
                </DataList.ItemValue>
              </DataList.Item>
              <DataList.Item>
                <DataList.ItemLabel>Outcome</DataList.ItemLabel>
                <DataList.ItemValue>
                  <Badge variant="light" color={failed ? "red" : "green"} mr="xs">
                    {failed ? (d.error_kind ?? "error") : "ok"}
                  </Badge>
                  {failed && d.error_message} {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
                  {d.fallbacks > 0 && `, ${d.fallbacks} fallback${d.fallbacks === 1 ? "" : "s"}`}
                </DataList.ItemValue>
              </DataList.Item>
              <DataList.Item>
                <DataList.ItemLabel>Tokens</DataList.ItemLabel>
                <DataList.ItemValue>
                  {formatCount(d.tokens_in)} in, {formatCount(d.tokens_out)} out · {formatUsd(d.cost_usd)}
                </DataList.ItemValue>
              </DataList.Item>
              <DataList.Item>
                <DataList.ItemLabel>Latency</DataList.ItemLabel>
                <DataList.ItemValue>
                  {formatMs(d.total_ms)} total, first token {formatMs(d.first_token_ms)}
                </DataList.ItemValue>
              </DataList.Item>
              <DataList.Item>
                <DataList.ItemLabel>When</DataList.ItemLabel>
                <DataList.ItemValue>
                  <DateTime iso={d.created_at} /> · {d.app}
                </DataList.ItemValue>
              </DataList.Item>
            </DataList>
            {answer !== undefined && (
              <Stack gap={6}>
                <Title order={3} fz="md">
                  Answer
                </Title>
                <Blockquote p="sm" data-testid="llm-call-answer" style={{ whiteSpace: "pre-wrap" }}>
                  {answer}
                </Blockquote>
              </Stack>
            )}
            <JsonBlock title="Request" testId="llm-call-request" text={bodyText(d.request, "request", failed)} />
            <JsonBlock title="Response" testId="llm-call-response" text={bodyText(d.response, "response", failed)} />
          </Stack>
        );
      }}
    </QueryView>
  );
}

/** A stored body: scrollable (and reachable by keyboard, to scroll it), never wider than the drawer. */
function JsonBlock({ title, text, testId }: { title: string; text: string; testId: string }) {
  return (
    <Stack gap={6}>
      <Title order={3} fz="md">
        {title}
      </Title>
      <Code
        block
        mah={360}
        tabIndex={0}
        aria-label={`${title} body`}
        data-testid={testId}
        style={{ overflow: "auto", whiteSpace: "pre-wrap", wordBreak: "break-word" }}
      >
        {text}
      </Code>
    </Stack>
  );
}
