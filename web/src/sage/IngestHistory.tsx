import { Badge, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { formatCount } from "../format";
import { DateTime } from "../ui/DateTime";
import { LoadMore } from "../ui/LoadMore";
import { QueryView } from "../ui/QueryView";
import { StatusBadge } from "../ui/StatusBadge";
import { TableFrame } from "../ui/TableFrame";
import { ingestsQuery } from "./queries";
import { ScoreBadge } from "./ScoreBadge";

/** Every ingest of the project, newest first: when, how it came, its size, score and labels. */
export function IngestHistory({ projectId }: { projectId: string }) {
  const ingests = useInfiniteQuery(ingestsQuery(projectId));
  return (
    <Stack gap="sm" component="section" aria-labelledby="sage-ingests">
      <Title order={2} size="h4" id="sage-ingests">
        Ingests
      </Title>
      <QueryView query={ingests} what="the ingests">
        {(d) => {
          const rows = d.pages.flatMap((p) => p.items);
          if (rows.length === 0) {
            return (
              <Text size="sm" c="dimmed">
                No ingests yet.
              </Text>
            );
          }
          return (
            <>
              <TableFrame label="Ingests" minWidth={720}>
                <Table verticalSpacing="xs" horizontalSpacing="md" data-testid="sage-ingest-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Time</Table.Th>
                      <Table.Th scope="col">Score</Table.Th>
                      <Table.Th scope="col">Source</Table.Th>
                      <Table.Th scope="col" ta="right">
                        Lines
                      </Table.Th>
                      <Table.Th scope="col">Labels</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((i) => (
                      <Table.Tr key={i.id} data-testid="sage-ingest-row" data-id={i.id}>
                        <Table.Td>
                          <DateTime iso={i.created_at} />
                        </Table.Td>
                        <Table.Td>
                          {i.status === "scored" && i.score != null ? (
                            <ScoreBadge score={i.score} />
                          ) : (
                            <StatusBadge status={i.status} />
                          )}
                        </Table.Td>
                        <Table.Td>{i.source}</Table.Td>
                        <Table.Td ta="right">{formatCount(i.lines)}</Table.Td>
                        <Table.Td>
                          {i.error ? (
                            <Text size="sm" c="red">
                              {i.error}
                            </Text>
                          ) : i.labels.length === 0 ? (
                            <Text size="sm" c="dimmed">
                              none
                            </Text>
                          ) : (
                            <Group gap={4}>
                              {i.labels.map((l) => (
                                <Badge key={l} variant="default" size="sm" tt="none">
                                  {l}
                                </Badge>
                              ))}
                            </Group>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </TableFrame>
              <LoadMore query={ingests} what="ingests" />
            </>
          );
        }}
      </QueryView>
    </Stack>
  );
}
