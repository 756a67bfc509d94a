import { Badge, Code, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { formatCount } from "../format";
import { DateTime } from "../ui/DateTime";
import { QueryView } from "../ui/QueryView";
import { TableFrame } from "../ui/TableFrame";
import { templateRows } from "./model";
import { templatesQuery } from "./queries";

/** The project's most frequent templates with their counts and an example line; new ones marked. */
export function TemplatesTable({ projectId }: { projectId: string }) {
  const templates = useQuery(templatesQuery(projectId));
  return (
    <Stack gap="sm" component="section" aria-labelledby="sage-templates">
      <Title order={2} size="h4" id="sage-templates">
        Templates
      </Title>
      <QueryView query={templates} what="the templates">
        {(d) =>
          d.top.length === 0 ? (
            <Text size="sm" c="dimmed">
              The shapes of the log lines (values replaced by <Code>{"<*>"}</Code>) are listed here once logs arrive.
            </Text>
          ) : (
            <TableFrame label="Templates" minWidth={0}>
              <Table verticalSpacing="xs" horizontalSpacing="sm" data-testid="sage-templates">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Template and example</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Records
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      Errors
                    </Table.Th>
                    <Table.Th scope="col" visibleFrom="sm">
                      Last seen
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {templateRows(d.top, d.new).map((t) => (
                    <Table.Tr key={t.template} data-testid="sage-template" data-new={t.isNew || undefined}>
                      <Table.Td maw={720} miw={0}>
                        <Text size="sm" ff="monospace" fw={600} style={{ overflowWrap: "anywhere" }}>
                          {t.isNew && (
                            <Badge size="xs" variant="filled" mr={6} data-testid="sage-template-new">
                              new
                            </Badge>
                          )}
                          {t.template}
                        </Text>
                        <Text size="xs" ff="monospace" c="dimmed" style={{ overflowWrap: "anywhere" }}>
                          {t.example}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">{formatCount(t.records)}</Table.Td>
                      <Table.Td ta="right" c={t.errors > 0 ? "red" : "dimmed"} fw={t.errors > 0 ? 600 : undefined}>
                        {formatCount(t.errors)}
                      </Table.Td>
                      <Table.Td visibleFrom="sm">
                        <Text size="sm" c="dimmed">
                          <DateTime iso={t.last_seen} relative />
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableFrame>
          )
        }
      </QueryView>
    </Stack>
  );
}
