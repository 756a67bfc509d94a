import { useState } from "react";
import { useSearchParams } from "react-router";
import { Autocomplete, Badge, Box, Button, Checkbox, Code, Group, Table, Text, Tooltip } from "@mantine/core";
import { IconFilter, IconShieldCheck } from "@tabler/icons-react";
import { keepPreviousData, useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { useUser } from "../auth/current";
import { DateTime } from "../ui/DateTime";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { FilterBar } from "../ui/FilterBar";
import { PageHeader } from "../ui/PageHeader";
import { QueryView } from "../ui/QueryView";
import { metadataPairs } from "../format";
import { TableFrame } from "../ui/TableFrame";

type AuditPage = components["schemas"]["Page_AuditEventView"];
type AuditEvent = components["schemas"]["AuditEventView"];
type Action = components["schemas"]["Action"];

const PAGE_SIZE = 50;
/** Suggestions for the filter: every action the server records (its API document lists them). */
const KNOWN_ACTIONS: Action[] = [
  "auth.register",
  "auth.login",
  "auth.logout",
  "auth.refresh_replay",
  "api_key.create",
  "api_key.revoke",
  "quota.change",
];

/** `/audit`: your audit events, newest first (admins can see everyone's); filter and page. */
export function AuditLogPage() {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const action = params.get("action") ?? "";
  const everyone = user.role === "admin" && params.get("all") === "1";

  const events = useInfiniteQuery({
    queryKey: ["audit", action, everyone],
    queryFn: ({ pageParam, signal }) =>
      call(
        api.GET("/api/v1/audit", {
          params: {
            query: {
              action: (action || undefined) as Action | undefined,
              all: everyone || undefined,
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

  const setQuery = (change: { action?: string; all?: boolean }) =>
    setParams(
      (p) => {
        if (change.action !== undefined) {
          if (change.action) p.set("action", change.action);
          else p.delete("action");
        }
        if (change.all !== undefined) {
          if (change.all) p.set("all", "1");
          else p.delete("all");
        }
        return p;
      },
      { replace: true },
    );

  return (
    <>
      <PageHeader
        title="Audit log"
        description={`${everyone ? "Everyone's" : "Your"} sign-ins, keys and other account events, newest first.`}
      />
      <AuditFilter
        key={action}
        action={action}
        everyone={everyone}
        isAdmin={user.role === "admin"}
        onAction={(a) => setQuery({ action: a })}
        onEveryone={(all) => setQuery({ all })}
      />
      <QueryView
        query={events}
        what="the audit log"
        skeletonRows={6}
        isEmpty={(d: InfiniteData<AuditPage>) => d.pages.every((p) => p.items.length === 0)}
        empty={
          <EmptyState icon={<IconShieldCheck size={22} />} title="No events match" testId="no-events">
            {action
              ? `Nothing recorded for “${action}”. Clear the filter to see every event.`
              : "Signing in, creating or revoking a key and changing a quota are recorded here."}
          </EmptyState>
        }
      >
        {(data) => (
          <Box opacity={events.isPlaceholderData ? 0.6 : 1}>
            <EventTable events={data.pages.flatMap((p) => p.items)} showActor={everyone} me={user.id} />
            <LoadMore query={events} what="events" />
          </Box>
        )}
      </QueryView>
    </>
  );
}

function AuditFilter(props: {
  action: string;
  everyone: boolean;
  isAdmin: boolean;
  onAction: (action: string) => void;
  onEveryone: (all: boolean) => void;
}) {
  const [draft, setDraft] = useState(props.action);
  const submit = () => {
    props.onAction(draft.trim());
  };
  return (
    <FilterBar label="Filter the audit log" onSubmit={submit}>
      <Autocomplete
        label="Action"
        placeholder="All actions (e.g. auth.login)"
        data={KNOWN_ACTIONS}
        value={draft}
        onChange={setDraft}
        autoComplete="off"
        spellCheck={false}
        style={{ flex: "1 1 240px" }}
      />
      <Group gap="xs">
        <Button type="submit" variant="light" leftSection={<IconFilter size={16} />}>
          Filter
        </Button>
        {props.action && (
          <Button
            variant="subtle"
            color="gray"
            onClick={() => {
              setDraft("");
              props.onAction("");
            }}
          >
            Clear
          </Button>
        )}
      </Group>
      {props.isAdmin && (
        <Checkbox
          label="Everyone's events"
          checked={props.everyone}
          onChange={(e) => props.onEveryone(e.currentTarget.checked)}
          mb={8}
        />
      )}
    </FilterBar>
  );
}

function EventTable({ events, showActor, me }: { events: AuditEvent[]; showActor: boolean; me: string }) {
  return (
    <TableFrame label="Audit events" minWidth={showActor ? 860 : 720}>
      <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="audit-events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Time</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
            <Table.Th scope="col">Outcome</Table.Th>
            {showActor && <Table.Th scope="col">Actor</Table.Th>}
            <Table.Th scope="col">Target</Table.Th>
            <Table.Th scope="col">Details</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => (
            <EventRow key={e.id} event={e} showActor={showActor} me={me} />
          ))}
        </Table.Tbody>
      </Table>
    </TableFrame>
  );
}

function EventRow({ event: e, showActor, me }: { event: AuditEvent; showActor: boolean; me: string }) {
  const details = metadataPairs(e.metadata);
  if (e.ip) details.push(["ip", e.ip]);
  return (
    <Table.Tr data-action={e.action} data-event-id={e.id}>
      <Table.Td fz="sm">
        <DateTime iso={e.created_at} />
      </Table.Td>
      <Table.Td>
        <Code>{e.action}</Code>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={e.outcome === "success" ? "green" : "red"}>
          {e.outcome}
        </Badge>
      </Table.Td>
      {showActor && (
        <Table.Td fz="sm">{e.actor_id === me ? "you" : (e.actor_email ?? <Id value={e.actor_id} />)}</Table.Td>
      )}
      <Table.Td>
        <Id value={e.target} />
      </Table.Td>
      <Table.Td>
        <Group gap={6}>
          {details.map(([k, v]) => (
            <Text key={k} size="xs" component="span">
              <Text component="span" c="dimmed" inherit>
                {k}
              </Text>{" "}
              {v}
            </Text>
          ))}
          {e.request_id && (
            <Tooltip label={e.request_id}>
              <Text size="xs" component="span">
                <Text component="span" c="dimmed" inherit>
                  request
                </Text>{" "}
                {e.request_id.slice(0, 8)}
              </Text>
            </Tooltip>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** Long ids shortened for reading; the full one on hover. */
function Id({ value }: { value?: string | null }) {
  if (!value) return <Text c="dimmed">—</Text>;
  if (value.length <= 13) return <Code>{value}</Code>;
  return (
    <Tooltip label={value}>
      <Code>{`${value.slice(0, 8)}…${value.slice(-4)}`}</Code>
    </Tooltip>
  );
}
