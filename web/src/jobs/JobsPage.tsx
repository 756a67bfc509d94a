import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import {
  Alert,
  Badge,
  Button,
  Code,
  DataList,
  Drawer,
  Group,
  List,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Timeline,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import {
  IconClockPause,
  IconInbox,
  IconListCheck,
  IconPlayerPlay,
  IconPlayerStop,
  IconRotateClockwise,
  IconSkull,
} from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { followEvents } from "../api/sse";
import { getSession } from "../auth/current";
import { DateTime } from "../ui/DateTime";
import { EmptyState } from "../ui/EmptyState";
import { ErrorAlert } from "../ui/ErrorAlert";
import { PageHeader } from "../ui/PageHeader";
import { QueryView } from "../ui/QueryView";
import { StatCard } from "../ui/StatCard";
import { StatusBadge } from "../ui/StatusBadge";
import { describeEvent, totalDepths } from "./events";
import { TableFrame } from "../ui/TableFrame";

type Job = components["schemas"]["JobView"];
type Status = components["schemas"]["Status"];
type JobEvent = components["schemas"]["JobEventView"];
type Depth = components["schemas"]["QueueDepthView"];

/** The status filters offered, in the order people look for trouble. */
const FILTERS: { label: string; value: string; status?: Status }[] = [
  { label: "All", value: "all" },
  { label: "Running", value: "running", status: "running" },
  { label: "Queued", value: "queued", status: "queued" },
  { label: "Failed", value: "failed", status: "failed" },
  { label: "Dead", value: "dead", status: "dead" },
  { label: "Succeeded", value: "succeeded", status: "succeeded" },
];

/** Statuses change on their own (workers run jobs): ask again every few seconds. */
const REFRESH_MS = 5_000;

/** `/jobs`: your queues' depths, your jobs by status, and one job's events live with retry/cancel. */
export function JobsPage() {
  const [params, setParams] = useSearchParams();
  const status = FILTERS.find((f) => f.value === params.get("status"))?.status;
  const selected = params.get("job");

  const queues = useQuery({
    queryKey: ["queues"],
    queryFn: ({ signal }) => call(api.GET("/api/v1/queues", { signal })),
    refetchInterval: REFRESH_MS,
  });

  const set = (key: string, value?: string) =>
    setParams(
      (p) => {
        if (value) p.set(key, value);
        else p.delete(key);
        return p;
      },
      { replace: true },
    );

  return (
    <>
      <PageHeader title="Jobs" description="Background work your apps run, and the pull queues they use." />
      <Stack gap="xl">
        <Stack gap="sm" component="section" aria-label="Queues">
          <Title order={2} fz="lg">
            Queues
          </Title>
          <QueryView query={queues} what="your queues" skeletonRows={2}>
            {(data) => <Queues depths={data.queues} />}
          </QueryView>
        </Stack>

        <Stack gap="sm" component="section" aria-label="Jobs">
          <Title order={2} fz="lg">
            Jobs
          </Title>
          <Tabs
            keepMounted={false}
            value={status ?? "all"}
            onChange={(v) => set("status", v === "all" ? undefined : (v ?? undefined))}
          >
            <Tabs.List aria-label="Filter jobs by status" mb="sm">
              {FILTERS.map((f) => (
                <Tabs.Tab key={f.value} value={f.value}>
                  {f.label}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            {FILTERS.map((f) => (
              <Tabs.Panel key={f.value} value={f.value}>
                <JobList status={f.status} onSelect={(id) => set("job", id)} />
              </Tabs.Panel>
            ))}
          </Tabs>
        </Stack>
      </Stack>
      <Drawer
        opened={selected !== null}
        onClose={() => set("job", undefined)}
        position="right"
        size="lg"
        title="Job"
        closeButtonProps={{ "aria-label": "Close" }}
      >
        {selected && <JobDetail key={selected} id={selected} />}
      </Drawer>
    </>
  );
}

function Queues({ depths }: { depths: Depth[] }) {
  const total = totalDepths(depths);
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, sm: 4 }} data-testid="queue-totals">
        <StatCard label="Ready" value={total.ready} icon={<IconInbox size={18} />} hint="Due now" />
        <StatCard
          label="Delayed"
          value={total.delayed}
          icon={<IconClockPause size={18} />}
          hint="Waiting until later"
        />
        <StatCard label="Leased" value={total.running} icon={<IconPlayerPlay size={18} />} hint="Being worked on" />
        <StatCard
          label="Dead"
          value={total.dead}
          icon={<IconSkull size={18} />}
          color={total.dead > 0 ? "red" : undefined}
          hint="Out of attempts"
        />
      </SimpleGrid>
      {depths.length === 0 ? (
        <Text size="sm" c="dimmed">
          No messages in your queues. Send some with <Code>POST /api/v1/queues/&#123;queue&#125;/messages</Code>.
        </Text>
      ) : (
        <TableFrame label="Queue depths" minWidth={480}>
          <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="queue-depths">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Queue</Table.Th>
                <Table.Th scope="col" ta="right">
                  Ready
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Delayed
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Leased
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Dead
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {depths.map((d) => (
                <Table.Tr key={d.queue}>
                  <Table.Td>
                    <Code>{d.queue}</Code>
                  </Table.Td>
                  <Table.Td ta="right">{d.ready}</Table.Td>
                  <Table.Td ta="right">{d.delayed}</Table.Td>
                  <Table.Td ta="right">{d.running}</Table.Td>
                  <Table.Td ta="right" c={d.dead > 0 ? "red" : undefined}>
                    {d.dead}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableFrame>
      )}
    </Stack>
  );
}

function JobList({ status, onSelect }: { status?: Status; onSelect: (id: string) => void }) {
  const jobs = useQuery({
    queryKey: ["jobs", status ?? "all"],
    queryFn: ({ signal }) => call(api.GET("/api/v1/jobs", { params: { query: { status, limit: 50 } }, signal })),
    refetchInterval: REFRESH_MS,
  });
  return (
    <QueryView
      query={jobs}
      what="your jobs"
      isEmpty={(d) => d.items.length === 0}
      empty={
        <EmptyState icon={<IconListCheck size={22} />} title="No jobs match" testId="no-jobs">
          {status
            ? `None of your jobs is ${status}. Pick another status above.`
            : "Apps run long work (generating an extension, ingesting logs) as jobs; they appear here with their progress."}
        </EmptyState>
      }
    >
      {(data) => <JobTable jobs={data.items} onSelect={onSelect} />}
    </QueryView>
  );
}

function JobTable({ jobs, onSelect }: { jobs: Job[]; onSelect: (id: string) => void }) {
  return (
    <TableFrame label="Jobs" minWidth={760}>
      <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover data-testid="jobs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Queue</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Progress</Table.Th>
            <Table.Th scope="col" ta="right">
              Attempts
            </Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Open</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((j) => (
            <Table.Tr key={j.id} data-job-id={j.id}>
              <Table.Td fz="sm">
                <DateTime iso={j.created_at} />
              </Table.Td>
              <Table.Td>
                <Code>{j.name}</Code>
              </Table.Td>
              <Table.Td fz="sm">{j.queue}</Table.Td>
              <Table.Td>
                <StatusBadge status={j.status} />
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Progress value={j.progress} size="sm" w={80} aria-label={`Progress of ${j.name}`} />
                  <Text size="xs">{j.progress}%</Text>
                </Group>
              </Table.Td>
              <Table.Td ta="right" fz="sm">
                {j.attempts}/{j.max_attempts}
              </Table.Td>
              <Table.Td ta="right">
                <Button variant="subtle" size="compact-sm" onClick={() => onSelect(j.id)} title={j.id}>
                  Details
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableFrame>
  );
}

/** One job: its state, its events as they happen, and what you can do to it. */
function JobDetail({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: ["job", id],
    queryFn: ({ signal }) => call(api.GET("/api/v1/jobs/{id}", { params: { path: { id } }, signal })),
  });
  const [events, setEvents] = useState<JobEvent[]>([]);
  const [streamError, setStreamError] = useState<Error>();

  useEffect(() => {
    const ctrl = new AbortController();
    followEvents(
      `/api/v1/jobs/${encodeURIComponent(id)}/events`,
      getSession().fetch,
      (m) => {
        const event = JSON.parse(m.data) as JobEvent;
        setEvents((prev) => [...prev, event]);
        void queryClient.invalidateQueries({ queryKey: ["job", id] });
      },
      ctrl.signal,
    ).catch((e: Error) => setStreamError(e));
    return () => ctrl.abort();
  }, [id, queryClient]);

  const act = useMutation({
    mutationFn: (what: "cancel" | "retry") =>
      call(
        api.POST(what === "cancel" ? "/api/v1/jobs/{id}/cancel" : "/api/v1/jobs/{id}/retry", {
          params: { path: { id } },
        }),
      ),
    onSuccess: (answer) => {
      queryClient.setQueryData(["job", id], answer.job);
      void queryClient.invalidateQueries({ queryKey: ["jobs"] });
      void queryClient.invalidateQueries({ queryKey: ["queues"] });
    },
  });

  return (
    <Stack gap="md" data-testid="job-detail">
      <QueryView query={job} what="this job" skeletonRows={4}>
        {(j) => (
          <Stack gap="md">
            <Group justify="space-between" wrap="nowrap">
              <Code fz="md">{j.name}</Code>
              <StatusBadge status={j.status} />
            </Group>
            <Group gap="xs" wrap="nowrap">
              <Progress value={j.progress} style={{ flex: 1 }} aria-label="Progress" />
              <Text size="sm">{j.progress}%</Text>
            </Group>
            <DataList labelWidth={90}>
              <DataList.Item>
                <DataList.ItemLabel>Id</DataList.ItemLabel>
                <DataList.ItemValue>
                  <Code>{j.id}</Code>
                </DataList.ItemValue>
              </DataList.Item>
              <DataList.Item>
                <DataList.ItemLabel>Queue</DataList.ItemLabel>
                <DataList.ItemValue>{j.queue}</DataList.ItemValue>
              </DataList.Item>
              <DataList.Item>
                <DataList.ItemLabel>Attempts</DataList.ItemLabel>
                <DataList.ItemValue>
                  {j.attempts} of {j.max_attempts}
                </DataList.ItemValue>
              </DataList.Item>
              <DataList.Item>
                <DataList.ItemLabel>Created</DataList.ItemLabel>
                <DataList.ItemValue>
                  <DateTime iso={j.created_at} />
                </DataList.ItemValue>
              </DataList.Item>
              {j.finished_at && (
                <DataList.Item>
                  <DataList.ItemLabel>Finished</DataList.ItemLabel>
                  <DataList.ItemValue>
                    <DateTime iso={j.finished_at} />
                  </DataList.ItemValue>
                </DataList.Item>
              )}
            </DataList>
            <Group gap="xs">
              {(j.status === "queued" || j.status === "running") && (
                <Button
                  variant="default"
                  color="red"
                  leftSection={<IconPlayerStop size={16} />}
                  loading={act.isPending}
                  disabled={j.cancel_requested}
                  onClick={() => act.mutate("cancel")}
                >
                  {j.cancel_requested ? "Cancelling…" : "Cancel job"}
                </Button>
              )}
              {(j.status === "failed" || j.status === "dead" || j.status === "cancelled") && (
                <Button
                  leftSection={<IconRotateClockwise size={16} />}
                  loading={act.isPending}
                  onClick={() => act.mutate("retry")}
                >
                  Retry
                </Button>
              )}
            </Group>
            {act.error && <ErrorAlert title="That did not work" error={act.error} />}
            {j.errors.length > 0 && (
              <Alert color="red" variant="light" title="Failed attempts">
                <List size="sm" aria-label="Failed attempts">
                  {j.errors.map((e) => (
                    <List.Item key={`${e.attempt}-${e.at}`}>
                      Attempt {e.attempt}: {e.error}
                    </List.Item>
                  ))}
                </List>
              </Alert>
            )}
            {j.result !== null && j.result !== undefined && (
              <Stack gap={6}>
                <Title order={3} fz="md">
                  Result
                </Title>
                <Code block mah={240} tabIndex={0} aria-label="Result" style={{ overflow: "auto" }}>
                  {JSON.stringify(j.result, null, 2)}
                </Code>
              </Stack>
            )}
          </Stack>
        )}
      </QueryView>

      <Title order={3} fz="md">
        Events
      </Title>
      {streamError && <ErrorAlert title="The live event stream stopped" error={streamError} />}
      {events.length === 0 ? (
        <Text size="sm" c="dimmed">
          No events yet. They appear here as the job runs.
        </Text>
      ) : (
        <Timeline bulletSize={14} lineWidth={2} active={events.length - 1} data-testid="job-events">
          {events.map((e) => (
            <Timeline.Item
              key={e.id}
              data-kind={e.kind}
              title={
                <Group gap="xs">
                  <Badge variant="light" size="sm" color="gray">
                    {e.kind.replace(/_/g, " ")}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    <DateTime iso={e.at} />
                  </Text>
                </Group>
              }
            >
              {describeEvent(e) && (
                <Text size="sm" style={{ overflowWrap: "anywhere" }}>
                  {describeEvent(e)}
                </Text>
              )}
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Stack>
  );
}
