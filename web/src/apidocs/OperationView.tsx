import { TableFrame } from "../ui/TableFrame";
import type { ReactNode } from "react";
import { Accordion, Badge, Box, Code, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { Inline } from "./Inline";
import { MethodBadge } from "./MethodBadge";
import { SchemaView } from "./SchemaView";
import {
  deref,
  type MediaType,
  type OpenApiDoc,
  type OperationEntry,
  type RequestBody,
  type Response,
} from "./openapi";

/** The colour of a response status: success, redirect, the caller's error, the server's error. */
function statusColor(status: string): string {
  switch (status[0]) {
    case "2":
      return "green";
    case "3":
      return "blue";
    case "4":
      return "orange";
    case "5":
      return "red";
    default:
      return "gray";
  }
}

/** One operation in full: what it does, its parameters, its request body and every response. */
export function OperationView({ doc, entry }: { doc: OpenApiDoc; entry: OperationEntry }) {
  const { op, method, path, parameters } = entry;
  const body = deref<RequestBody>(doc, op.requestBody);
  const auth = [...new Set((op.security ?? []).flatMap((req) => Object.keys(req)))];
  return (
    <Paper withBorder radius="md" p={{ base: "md", sm: "lg" }} id={entry.id} data-testid="operation-detail">
      <Stack gap="lg">
        <Stack gap="xs">
          <Group gap="sm" wrap="nowrap" align="flex-start">
            <MethodBadge method={method} size="lg" />
            <Text
              ff="monospace"
              fw={600}
              td={op.deprecated ? "line-through" : undefined}
              style={{ overflowWrap: "anywhere" }}
            >
              {path}
            </Text>
          </Group>
          {op.summary && (
            <Title order={2} fz="lg">
              <Inline text={op.summary} />
            </Title>
          )}
          {op.description && op.description !== op.summary && (
            <Text size="sm" style={{ whiteSpace: "pre-line" }}>
              <Inline text={op.description} />
            </Text>
          )}
          <Group gap="xs">
            {op.operationId && (
              <Text size="xs" c="dimmed">
                operation id <Code>{op.operationId}</Code>
              </Text>
            )}
            {auth.length > 0 && (
              <Badge variant="outline" color="gray" size="sm">
                auth: {auth.join(", ")}
              </Badge>
            )}
            {op.deprecated && (
              <Badge variant="light" color="orange" size="sm">
                deprecated
              </Badge>
            )}
          </Group>
        </Stack>

        {parameters.length > 0 && (
          <Section title="Parameters">
            <TableFrame label="Parameters" minWidth={480}>
              <Table verticalSpacing="xs" horizontalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">In</Table.Th>
                    <Table.Th scope="col">Schema</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {parameters.map((p) => (
                    <Table.Tr key={`${p.in}:${p.name}`}>
                      <Table.Td valign="top">
                        <Group gap={6}>
                          <Code>{p.name}</Code>
                          {p.required && <Required />}
                        </Group>
                        {p.description && (
                          <Text size="xs" c="dimmed" mt={4}>
                            <Inline text={p.description} />
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td valign="top" fz="sm">
                        {p.in}
                      </Table.Td>
                      <Table.Td valign="top">
                        <SchemaView doc={doc} schema={p.schema} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableFrame>
          </Section>
        )}

        {body && (
          <Section title="Request body" extra={body.required && <Required />}>
            {body.description && (
              <Text size="sm" c="dimmed">
                <Inline text={body.description} />
              </Text>
            )}
            <Content doc={doc} content={body.content} />
          </Section>
        )}

        <Section title="Responses">
          <Accordion
            multiple
            variant="separated"
            radius="sm"
            defaultValue={Object.keys(op.responses ?? {}).filter((s) => s.startsWith("2"))}
            data-testid="op-responses"
          >
            {Object.entries(op.responses ?? {}).map(([status, r]) => {
              const res = deref<Response>(doc, r);
              return (
                <Accordion.Item key={status} value={status}>
                  <Accordion.Control>
                    <Group gap="xs" wrap="nowrap" align="flex-start">
                      <Badge color={statusColor(status)} variant="light" radius="sm" ff="monospace" miw={48}>
                        {status}
                      </Badge>
                      <Text size="sm">{res?.description && <Inline text={res.description} />}</Text>
                    </Group>
                  </Accordion.Control>
                  <Accordion.Panel>
                    {res?.content ? (
                      <Content doc={doc} content={res.content} />
                    ) : (
                      <Text size="sm" c="dimmed">
                        No body.
                      </Text>
                    )}
                  </Accordion.Panel>
                </Accordion.Item>
              );
            })}
          </Accordion>
        </Section>
      </Stack>
    </Paper>
  );
}

function Section({ title, extra, children }: { title: string; extra?: ReactNode; children: ReactNode }) {
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Title order={3} fz="md">
          {title}
        </Title>
        {extra}
      </Group>
      {children}
    </Stack>
  );
}

function Required() {
  return (
    <Badge variant="light" color="red" size="xs">
      required
    </Badge>
  );
}

function Content({ doc, content }: { doc: OpenApiDoc; content?: Record<string, MediaType> }) {
  if (!content) return null;
  return (
    <>
      {Object.entries(content).map(([type, media]) => (
        <Box key={type} mt="xs">
          <Text size="xs" c="dimmed" ff="monospace" mb={4}>
            {type}
          </Text>
          {media.schema ? (
            <SchemaView doc={doc} schema={media.schema} />
          ) : (
            <Text size="sm" c="dimmed">
              no schema
            </Text>
          )}
        </Box>
      ))}
    </>
  );
}
