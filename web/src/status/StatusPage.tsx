import { TableFrame } from "../ui/TableFrame";
import type { ReactNode } from "react";
import {
  Alert,
  Badge,
  Box,
  Button,
  Code,
  DataList,
  Group,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { IconActivity, IconClockHour4, IconPlugConnectedX, IconRefresh, IconTag } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { healthQuery } from "../ui/ProviderBanner";
import { PageHeader } from "../ui/PageHeader";
import { ErrorAlert } from "../ui/ErrorAlert";
import { StatCard } from "../ui/StatCard";
import { StatusBadge } from "../ui/StatusBadge";
import { LoadingRows } from "../ui/QueryView";
import {
  cellText,
  columnsOf,
  extraSections,
  fieldLabel,
  formatLatency,
  formatUptime,
  type HealthCheck,
  type HealthReport,
} from "./health";

/** How often the page asks again; cheap for the server (a few tiny checks). */
const REFRESH_MS = 10_000;

/** `/` and `/status`: every check the server's readiness report carries, refreshed every 10 s. */
export function StatusPage() {
  const health = useQuery({
    ...healthQuery,
    refetchInterval: REFRESH_MS,
    refetchIntervalInBackground: false,
    // The page asks again every 10 s anyway: show an unreachable server at once.
    retry: false,
  });
  const checkedAt = Math.max(health.dataUpdatedAt, health.errorUpdatedAt);

  return (
    <>
      <PageHeader
        title="Status"
        description="What the server sees of its stores, job engine and model providers. Refreshes every 10 seconds."
        actions={
          <>
            {checkedAt > 0 && (
              <Text size="sm" c="dimmed" data-testid="checked-at">
                Checked at {new Date(checkedAt).toLocaleTimeString()}
              </Text>
            )}
            <Button
              variant="default"
              leftSection={<IconRefresh size={16} />}
              loading={health.isFetching}
              onClick={() => void health.refetch()}
            >
              Refresh
            </Button>
          </>
        }
      />

      {health.isError && (
        <ErrorAlert
          title="Could not load the server's health"
          error={health.error}
          testId="status-error"
          onRetry={health.data ? undefined : () => void health.refetch()}
        >
          {health.data && (
            <Text size="sm" mt={4}>
              Showing the last report received.
            </Text>
          )}
        </ErrorAlert>
      )}

      {health.isPending && <ReportSkeleton />}
      {health.data && (
        <Box opacity={health.isError ? 0.6 : 1} mt={health.isError ? "md" : 0}>
          <Report report={health.data} checkedAt={health.dataUpdatedAt} />
        </Box>
      )}
    </>
  );
}

function ReportSkeleton() {
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, xs: 3 }}>
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} height={92} radius="md" />
        ))}
      </SimpleGrid>
      <LoadingRows rows={3} />
    </Stack>
  );
}

function Report({ report, checkedAt }: { report: HealthReport; checkedAt: number }) {
  const failing = report.checks.filter((c) => c.status !== "ok").length;
  const startedAt = new Date(checkedAt - report.uptime_seconds * 1000);
  return (
    <Stack gap="xl">
      <SimpleGrid cols={{ base: 1, xs: 3 }} data-testid="status-summary">
        <StatCard
          label="Overall"
          icon={<IconActivity size={18} />}
          color={report.status === "ok" ? "green" : "yellow"}
          value={<StatusBadge status={report.status} testId="overall-status" />}
          hint={
            failing === 0
              ? `All ${report.checks.length} checks pass`
              : `${failing} of ${report.checks.length} checks failing`
          }
        />
        <StatCard label="Version" icon={<IconTag size={18} />} value={report.version} testId="version" hint="Cistern" />
        <StatCard
          label="Uptime"
          icon={<IconClockHour4 size={18} />}
          value={formatUptime(report.uptime_seconds)}
          testId="uptime"
          hint={`Since ${startedAt.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`}
        />
      </SimpleGrid>

      <Section title="Checks">
        <ChecksTable checks={report.checks} />
      </Section>

      {/* Older servers (and hand-made reports) may have no gateway section. */}
      {report.llm && (
        <Section title="Model providers">
          <LlmSection llm={report.llm} />
        </Section>
      )}

      {extraSections(report).map(([key, value]) => (
        <Section key={key} title={fieldLabel(key)}>
          <GenericSection name={key} value={value} />
        </Section>
      ))}
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="sm" component="section" aria-label={title}>
      <Title order={2} fz="lg">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

function ChecksTable({ checks }: { checks: HealthCheck[] }) {
  if (checks.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        The server reported no checks.
      </Text>
    );
  }
  return (
    <TableFrame label="Checks" minWidth={300}>
      <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="checks">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Check</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col" ta="right">
              Latency
            </Table.Th>
            <Table.Th scope="col" visibleFrom="sm">
              Detail
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {checks.map((c) => (
            <Table.Tr key={c.name} data-check={c.name}>
              <Table.Th scope="row" fw={600}>
                {c.name}
                {/* On a phone the detail goes under the name instead of a fourth column. */}
                {c.detail && (
                  <Text size="xs" fw={400} c={c.status === "ok" ? "dimmed" : undefined} hiddenFrom="sm">
                    {c.detail}
                  </Text>
                )}
              </Table.Th>
              <Table.Td className="check-status">
                <StatusBadge status={c.status} />
              </Table.Td>
              <Table.Td className="num" ta="right" ff="monospace" style={{ whiteSpace: "nowrap" }}>
                {formatLatency(c.latency_ms)}
              </Table.Td>
              <Table.Td c={c.status === "ok" ? "dimmed" : undefined} visibleFrom="sm">
                {c.detail ?? ""}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableFrame>
  );
}

/** The deployment fields this page knows, in the order they read best; others follow. */
const DEPLOYMENT_COLUMNS = ["name", "provider", "breaker", "healthy", "consecutive_failures"];

function LlmSection({ llm }: { llm: HealthReport["llm"] }) {
  const deployments = (llm.deployments ?? []) as unknown as Record<string, unknown>[];
  const columns = columnsOf(deployments, DEPLOYMENT_COLUMNS);
  return (
    <Stack gap="sm" data-testid="llm-health">
      <Group gap="xs">
        <Text size="sm">LLM gateway</Text>
        <Badge color={llm.configured ? "green" : "yellow"} variant="light" data-testid="llm-configured">
          {llm.configured ? "configured" : "not configured"}
        </Badge>
      </Group>
      {!llm.configured && (
        <Alert color="yellow" variant="light" icon={<IconPlugConnectedX size={18} />} title="No LLM provider">
          <Text size="sm">
            Chat, extensions and the other model-backed apps answer 503 until one is configured.
            {llm.message && (
              <>
                {" "}
                <Code>{llm.message}</Code>
              </>
            )}
          </Text>
        </Alert>
      )}
      {deployments.length === 0 ? (
        llm.configured && (
          <Text size="sm" c="dimmed">
            No deployments reported.
          </Text>
        )
      ) : (
        <TableFrame label="LLM deployments" minWidth={520}>
          <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="llm-deployments">
            <Table.Thead>
              <Table.Tr>
                {columns.map((c) => (
                  <Table.Th key={c} scope="col">
                    {c === "breaker" ? "Circuit" : fieldLabel(c)}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {deployments.map((d, i) => (
                <Table.Tr key={String(d.name ?? i)} data-deployment={String(d.name ?? i)}>
                  {columns.map((c) => (
                    <DeploymentCell key={c} column={c} value={d[c]} />
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableFrame>
      )}
    </Stack>
  );
}

function DeploymentCell({ column, value }: { column: string; value: unknown }) {
  if (column === "name") {
    return (
      <Table.Th scope="row" fw={600} ff="monospace" fz="sm">
        {cellText(value)}
      </Table.Th>
    );
  }
  if (column === "breaker" && typeof value === "string") {
    return (
      <Table.Td>
        <StatusBadge status={value} />
      </Table.Td>
    );
  }
  if (column === "healthy" && typeof value === "boolean") {
    return (
      <Table.Td>
        <Badge color={value ? "green" : "red"} variant="light">
          {value ? "healthy" : "unhealthy"}
        </Badge>
      </Table.Td>
    );
  }
  return <Table.Td ta={typeof value === "number" ? "right" : undefined}>{cellText(value)}</Table.Td>;
}

/** A part of the report this page has no dedicated view for: a table, a list of fields or a value. */
function GenericSection({ name, value }: { name: string; value: unknown }) {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return (
        <Text size="sm" c="dimmed">
          {name === "queues" ? "No queue has messages waiting." : "Nothing reported."}
        </Text>
      );
    }
    const rows = value as Record<string, unknown>[];
    const columns = columnsOf(rows, ["name", "queue"]);
    return (
      <TableFrame label={fieldLabel(name)} minWidth={Math.min(120 * columns.length, 640)}>
        <Table verticalSpacing="sm" horizontalSpacing="md" data-testid={`section-${name}`}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c} scope="col" ta={typeof rows[0]?.[c] === "number" ? "right" : undefined}>
                  {fieldLabel(c)}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row, i) => (
              <Table.Tr key={i}>
                {columns.map((c) => (
                  <Table.Td key={c} ta={typeof row?.[c] === "number" ? "right" : undefined}>
                    {c === "status" && typeof row?.[c] === "string" ? (
                      <StatusBadge status={row[c] as string} />
                    ) : (
                      cellText(row?.[c])
                    )}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableFrame>
    );
  }
  if (typeof value === "object" && value !== null) {
    return (
      <Paper withBorder radius="md" p="md">
        <DataList data-testid={`section-${name}`}>
          {Object.entries(value).map(([k, v]) => (
            <DataList.Item key={k}>
              <DataList.ItemLabel>{fieldLabel(k)}</DataList.ItemLabel>
              <DataList.ItemValue>{cellText(v)}</DataList.ItemValue>
            </DataList.Item>
          ))}
        </DataList>
      </Paper>
    );
  }
  return <Text size="sm">{cellText(value)}</Text>;
}
