import { Accordion, Alert, Badge, Code, Group, List, Stack, Table, Text, Title } from "@mantine/core";
import { IconCircleCheck, IconCircleX, IconInfoCircle } from "@tabler/icons-react";
import { StatusBadge } from "../ui/StatusBadge";
import type { Finding, ReportView as Report } from "./model";

/** The validation report: the browser check (or why it did not run), findings, repairs, timings. */
export function ReportView({ report }: { report: Report }) {
  const b = report.browser;
  return (
    <Stack gap="md" data-testid="extension-report">
      <Alert
        // Light green and grey titles fall below AA contrast: only a failure is tinted.
        variant={b.status === "failed" ? "light" : "default"}
        color={b.status === "loaded" ? "green" : b.status === "failed" ? "red" : "gray"}
        icon={
          b.status === "loaded" ? (
            <IconCircleCheck size={18} />
          ) : b.status === "failed" ? (
            <IconCircleX size={18} />
          ) : (
            <IconInfoCircle size={18} />
          )
        }
        title={`Browser check: ${b.status.replace("_", " ")}`}
        data-testid="extension-browser-check"
      >
        <Text size="sm">{b.text}</Text>
        {b.status === "failed" && b.errors.length > 0 && (
          <List size="sm" mt="xs" aria-label="Chromium errors">
            {b.errors.map((e) => (
              <List.Item key={e}>
                <Code>{e}</Code>
              </List.Item>
            ))}
          </List>
        )}
      </Alert>
      <Stack gap="xs">
        <Title order={3} size="h5">
          Findings
        </Title>
        {report.findings.length === 0 ? (
          <Text size="sm" c="dimmed">
            No findings: the static checks passed.
          </Text>
        ) : (
          <Findings findings={report.findings} label="Findings" />
        )}
      </Stack>
      {report.repairs.length > 0 && (
        <Stack gap="xs">
          <Title order={3} size="h5">
            Repair rounds
          </Title>
          <Accordion variant="separated" multiple>
            {report.repairs.map((r) => (
              <Accordion.Item key={r.round} value={String(r.round)}>
                <Accordion.Control>
                  Round {r.round}: {r.findings.length} error{r.findings.length === 1 ? "" : "s"} sent back to the model
                </Accordion.Control>
                <Accordion.Panel>
                  <Findings findings={r.findings} label={`Round ${r.round} findings`} />
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
        </Stack>
      )}
      {report.timings.length > 0 && (
        <Group gap={6} role="group" aria-label="Server time">
          <Text size="sm" c="dimmed">
            Server time:
          </Text>
          {report.timings.map(([step, ms]) => (
            <Badge key={step} variant="default" tt="none" fw={500}>
              {step.replace(/_/g, " ")} {ms} ms
            </Badge>
          ))}
        </Group>
      )}
    </Stack>
  );
}

function Findings({ findings, label }: { findings: Finding[]; label: string }) {
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table aria-label={label} verticalSpacing={6} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Severity</Table.Th>
            <Table.Th>Code</Table.Th>
            <Table.Th>File</Table.Th>
            <Table.Th>Message</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {findings.map((f, i) => (
            <Table.Tr key={`${f.code}-${f.file ?? ""}-${i}`}>
              <Table.Td>
                <StatusBadge status={f.severity} />
              </Table.Td>
              <Table.Td>
                <Code>{f.code}</Code>
              </Table.Td>
              <Table.Td>{f.file ? <Code>{f.file}</Code> : "—"}</Table.Td>
              <Table.Td>{f.message}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
