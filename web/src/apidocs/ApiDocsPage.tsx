import { useMemo, useRef } from "react";
import { useSearchParams } from "react-router";
import {
  Anchor,
  Badge,
  Box,
  CloseButton,
  Grid,
  Group,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { IconApi, IconFileCode, IconSearch } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { getJson } from "../api/client";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import { QueryView } from "../ui/QueryView";
import { Inline } from "./Inline";
import { MethodBadge } from "./MethodBadge";
import { OperationView } from "./OperationView";
import { groupByTag, listOperations, matchesFilter, type OpenApiDoc, type OperationEntry } from "./openapi";

/** Where the server serves its generated OpenAPI 3.1 document. */
export const OPENAPI_URL = "/api/openapi.json";

/**
 * A browsable reference rendered from the live document: the operations on the left (above on a
 * phone), the chosen one on the right. The filter (`?q=`) and the operation (`?op=`) live in the
 * URL, so both can be linked.
 */
export function ApiDocsPage() {
  const doc = useQuery({
    queryKey: ["openapi"],
    queryFn: ({ signal }) => getJson<OpenApiDoc>(OPENAPI_URL, { signal }),
    staleTime: Infinity,
  });
  return (
    <>
      <PageHeader
        title="API reference"
        description="Every endpoint this server offers, from its live OpenAPI document."
        actions={
          <Anchor href={OPENAPI_URL} size="sm">
            <Group gap={4} wrap="nowrap">
              <IconFileCode size={16} aria-hidden />
              openapi.json
            </Group>
          </Anchor>
        }
      />
      <QueryView query={doc} what="the API document" skeletonRows={8}>
        {(d) => <Reference doc={d} />}
      </QueryView>
    </>
  );
}

function Reference({ doc }: { doc: OpenApiDoc }) {
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";
  const selectedId = params.get("op");

  const all = useMemo(() => listOperations(doc), [doc]);
  const shown = useMemo(() => all.filter((o) => matchesFilter(o, query)), [all, query]);
  const groups = useMemo(() => groupByTag(doc, shown), [doc, shown]);
  const selected = all.find((o) => o.id === selectedId);
  const detail = useRef<HTMLDivElement>(null);

  /** Show an operation; on a phone the list is above the detail, so bring the detail into view. */
  const open = (id: string) => {
    set("op", id);
    if (window.matchMedia("(max-width: 62em)").matches) {
      requestAnimationFrame(() => detail.current?.scrollIntoView({ block: "start" }));
    }
  };

  const set = (key: "q" | "op", value: string) =>
    setParams(
      (p) => {
        if (value) p.set(key, value);
        else p.delete(key);
        return p;
      },
      { replace: key === "q" },
    );

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
        <Paper withBorder radius="md" p="sm">
          <TextInput
            label="Filter operations"
            placeholder="method, path, tag or words, e.g. “post chat”"
            type="search"
            autoComplete="off"
            leftSection={<IconSearch size={16} />}
            value={query}
            onChange={(e) => set("q", e.currentTarget.value)}
            rightSection={
              query ? <CloseButton size="sm" aria-label="Clear the filter" onClick={() => set("q", "")} /> : null
            }
          />
          <Text size="xs" c="dimmed" mt={6} data-testid="op-count" aria-live="polite">
            {shown.length} of {all.length} operations
          </Text>
          <Box
            mah={{ base: "45vh", md: "calc(100vh - 260px)" }}
            mt="xs"
            style={{ overflowY: "auto", overflowX: "hidden" }}
          >
            {groups.length === 0 && (
              <Text size="sm" c="dimmed" p="sm">
                No operations match “{query}”.
              </Text>
            )}
            <Stack gap="sm" component="nav" aria-label="Operations">
              {groups.map((g) => (
                <Box key={g.name}>
                  <Text size="xs" fw={700} tt="uppercase" c="dimmed" px={6} py={4}>
                    {g.name}
                  </Text>
                  {g.operations.map((entry) => (
                    <OperationLink
                      key={entry.id}
                      entry={entry}
                      active={entry.id === selectedId}
                      onSelect={() => open(entry.id)}
                    />
                  ))}
                </Box>
              ))}
            </Stack>
          </Box>
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 7, lg: 8 }} ref={detail} style={{ scrollMarginTop: 72 }}>
        {selected ? <OperationView doc={doc} entry={selected} /> : <Overview doc={doc} count={all.length} />}
      </Grid.Col>
    </Grid>
  );
}

function OperationLink({ entry, active, onSelect }: { entry: OperationEntry; active: boolean; onSelect: () => void }) {
  return (
    <UnstyledButton
      onClick={onSelect}
      aria-current={active ? "true" : undefined}
      data-testid="operation"
      data-method={entry.method}
      data-path={entry.path}
      w="100%"
      px={6}
      py={6}
      bg={active ? "var(--mantine-primary-color-light)" : undefined}
      style={{ borderRadius: "var(--mantine-radius-sm)" }}
    >
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <MethodBadge method={entry.method} />
        <Box style={{ minWidth: 0 }}>
          <Text
            size="sm"
            ff="monospace"
            td={entry.op.deprecated ? "line-through" : undefined}
            style={{ overflowWrap: "anywhere" }}
          >
            {entry.path}
          </Text>
          {entry.op.summary && (
            <Text size="xs" c="dimmed" lineClamp={1}>
              {entry.op.summary.replace(/`/g, "")}
            </Text>
          )}
        </Box>
      </Group>
    </UnstyledButton>
  );
}

/** What the right-hand side shows before an operation is picked: the document's own introduction. */
function Overview({ doc, count }: { doc: OpenApiDoc; count: number }) {
  return (
    <Stack gap="md">
      <Paper withBorder radius="md" p="lg">
        <Group gap="xs" mb="xs">
          <Title order={2} fz="lg">
            {doc.info.title}
          </Title>
          <Badge variant="light" color="gray">
            version {doc.info.version}
          </Badge>
        </Group>
        {doc.info.description && (
          <Text size="sm" style={{ whiteSpace: "pre-line" }}>
            <Inline text={doc.info.description} />
          </Text>
        )}
      </Paper>
      <EmptyState icon={<IconApi size={22} />} title="Pick an operation">
        Choose one of the {count} operations to see its parameters, request body and responses. Type in the filter to
        narrow the list, e.g. “post chat”.
      </EmptyState>
    </Stack>
  );
}
