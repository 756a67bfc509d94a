import type { ReactNode } from "react";
import { Button, Code, Group, Paper, Progress, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { IconArrowDownRight, IconArrowUpRight, IconChartBar, IconCoin, IconRefresh } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import { QueryView } from "../ui/QueryView";
import { StatCard } from "../ui/StatCard";
import { budgetShare, budgetTone, formatCount, formatDateTime, formatRelative, formatUsd } from "../format";
import { TableFrame } from "../ui/TableFrame";

type Usage = components["schemas"]["Usage"];
type Budget = components["schemas"]["Budget"];

const TONE_COLOR = { ok: "cistern", warn: "yellow", bad: "red" } as const;

/** `/usage`: this month's token budget and what used it. */
export function UsagePage() {
  const usage = useQuery({ queryKey: ["usage"], queryFn: ({ signal }) => call(api.GET("/api/v1/usage", { signal })) });

  return (
    <>
      <PageHeader
        title="Usage"
        description="Tokens and cost of every model call made with your account this month."
        actions={
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} />}
            loading={usage.isFetching}
            onClick={() => void usage.refetch()}
          >
            Refresh
          </Button>
        }
      />
      <QueryView query={usage} what="your usage" skeletonRows={5}>
        {(data) => <UsageReport usage={data} />}
      </QueryView>
    </>
  );
}

function UsageReport({ usage }: { usage: Usage }) {
  return (
    <Stack gap="lg">
      <BudgetCard budget={usage.budget} />
      <SimpleGrid cols={{ base: 1, xs: 3 }} data-testid="usage-totals">
        <StatCard
          label="Tokens in"
          value={formatCount(usage.tokens_in)}
          testId="tokens-in"
          icon={<IconArrowUpRight size={18} />}
          hint="Prompts sent"
        />
        <StatCard
          label="Tokens out"
          value={formatCount(usage.tokens_out)}
          testId="tokens-out"
          icon={<IconArrowDownRight size={18} />}
          hint="Completions received"
        />
        <StatCard
          label="Cost"
          value={formatUsd(usage.cost_usd)}
          testId="cost"
          icon={<IconCoin size={18} />}
          hint="At the configured prices"
        />
      </SimpleGrid>

      <Stack gap="sm" component="section" aria-label="By model and app">
        <Title order={2} fz="lg">
          By model and app
        </Title>
        {usage.breakdown.length === 0 ? (
          <EmptyState icon={<IconChartBar size={22} />} title="Nothing used yet this month" testId="no-usage">
            Start a conversation in <Link to="/chat">Chat</Link>, or call <Code>/v1/chat/completions</Code> with an{" "}
            <Link to="/keys">API key</Link>: each call's tokens and cost show here.
          </EmptyState>
        ) : (
          <Breakdown usage={usage} />
        )}
      </Stack>
    </Stack>
  );
}

function Breakdown({ usage }: { usage: Usage }) {
  const total = usage.tokens_in + usage.tokens_out;
  return (
    <TableFrame label="Usage by model and app" minWidth={640}>
      <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="breakdown">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Model</Table.Th>
            <Table.Th scope="col">App</Table.Th>
            <Table.Th scope="col" ta="right">
              Requests
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Tokens in
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Tokens out
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Cost
            </Table.Th>
            <Table.Th scope="col" w={120}>
              Share
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {usage.breakdown.map((line) => {
            const share = total > 0 ? ((line.tokens_in + line.tokens_out) / total) * 100 : 0;
            return (
              <Table.Tr key={`${line.model}\u0000${line.app}`}>
                <Table.Th scope="row" ff="monospace" fz="sm" fw={500}>
                  {line.model}
                </Table.Th>
                <Table.Td>{line.app}</Table.Td>
                <Table.Td ta="right">{formatCount(line.requests)}</Table.Td>
                <Table.Td ta="right">{formatCount(line.tokens_in)}</Table.Td>
                <Table.Td ta="right">{formatCount(line.tokens_out)}</Table.Td>
                <Table.Td ta="right">{formatUsd(line.cost_usd)}</Table.Td>
                <Table.Td>
                  <Progress
                    value={share}
                    size="sm"
                    aria-label={`${line.model} via ${line.app}: ${Math.round(share)} % of tokens`}
                  />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </TableFrame>
  );
}

function BudgetCard({ budget }: { budget: Budget }) {
  const limit = budget.limit ?? null;
  const share = budgetShare(budget.used, limit);
  const percent = share === null ? null : Math.round(share * 1000) / 10;
  return (
    <Paper withBorder radius="md" p="lg" data-testid="budget">
      <Group justify="space-between" align="baseline" gap="xs" mb="sm">
        <Title order={2} fz="lg">
          Token budget for {budget.month}
        </Title>
        <Text size="sm" c="dimmed" data-testid="budget-used">
          {limit === null
            ? `${formatCount(budget.used)} tokens used · no limit`
            : `${formatCount(budget.used)} of ${formatCount(limit)} tokens used`}
        </Text>
      </Group>
      {percent !== null && (
        <Progress
          value={percent}
          color={TONE_COLOR[budgetTone(share)]}
          size="lg"
          radius="xl"
          aria-label="Share of this month's token budget used"
          data-testid="budget-bar"
        />
      )}
      <SimpleGrid cols={{ base: 1, xs: percent === null ? 2 : 3 }} mt="md" spacing="md">
        <Fact label="Remaining" testId="budget-remaining">
          {budget.remaining === null || budget.remaining === undefined
            ? "Unlimited"
            : `${formatCount(budget.remaining)} tokens`}
        </Fact>
        {percent !== null && <Fact label="Used">{percent} %</Fact>}
        <Fact label="Resets" testId="budget-resets">
          <time dateTime={budget.resets_at} title={budget.resets_at}>
            {formatDateTime(budget.resets_at)}
          </time>{" "}
          <Text component="span" c="dimmed" inherit>
            ({formatRelative(budget.resets_at)})
          </Text>
        </Fact>
      </SimpleGrid>
    </Paper>
  );
}

function Fact({ label, testId, children }: { label: string; testId?: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600} data-testid={testId}>
        {children}
      </Text>
    </div>
  );
}
