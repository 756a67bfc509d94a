import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { Box, Group, NavLink, Paper, Stack, Text, Title } from "@mantine/core";
import { IconCode, IconSparkles } from "@tabler/icons-react";
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { PageHeader } from "../ui/PageHeader";
import { ProviderBanner } from "../ui/ProviderBanner";
import { QueryView } from "../ui/QueryView";
import { StatusBadge } from "../ui/StatusBadge";
import { formatRelative } from "../format";
import { GenerationPanel } from "./GenerationPanel";
import { NewGeneration } from "./NewGeneration";
import { frameworksQuery, generationQuery, historyQuery } from "./queries";
import { isStarted, type GenerateAnswer, type GenerationSummary } from "./types";

type HistoryPage = { items: GenerationSummary[]; next_cursor?: string | null };

/**
 * `/codegen`: describe a project (or pick an example), see the framework it would get, start it,
 * watch its files being written, then read them with their syntax checks, download the ZIP,
 * regenerate or delete it. The open generation and file live in the URL (`?id=…&file=src/App.tsx`;
 * `?g=` is read too), so a generation is linkable and survives a reload.
 */
export function CodegenPage() {
  const [params, setParams] = useSearchParams();
  const selected = params.get("id") ?? params.get("g") ?? undefined;
  const file = params.get("file") ?? undefined;
  // Set once the user picks or starts something: the panel then takes focus (not on a deep link).
  const [focusPanel, setFocusPanel] = useState(false);
  // Generations started from this page (their progress stays shown) and submits the cache answered.
  const [startedHere, setStartedHere] = useState<ReadonlySet<string>>(new Set());
  const [cacheHits, setCacheHits] = useState<ReadonlySet<string>>(new Set());
  const client = useQueryClient();

  const select = (next: { id?: string; file?: string }, replace = false) => {
    if (!replace) setFocusPanel(true);
    const p: Record<string, string> = {};
    if (next.id) p.id = next.id;
    if (next.file) p.file = next.file;
    setParams(p, { replace });
  };
  const started = (answer: GenerateAnswer) => {
    if (isStarted(answer)) {
      setStartedHere((s) => new Set(s).add(answer.generation_id));
      select({ id: answer.generation_id });
    } else {
      // A cache hit: the finished generation itself, no job run.
      client.setQueryData(generationQuery(answer.id).queryKey, answer);
      setCacheHits((s) => new Set(s).add(answer.id));
      select({ id: answer.id });
    }
  };

  const history = useInfiniteQuery({
    ...historyQuery,
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.items.some((g) => g.status === "pending")) ? 5000 : false,
  });
  const frameworks = useQuery(frameworksQuery);
  const names = new Map((frameworks.data?.items ?? []).map((f) => [f.name, f.display_name]));
  const hasAny = history.data?.pages.some((p) => p.items.length > 0) ?? false;

  return (
    <Stack gap="lg">
      <div>
        <PageHeader
          title="Code generator"
          description="Describe a project: Cistern picks its framework, has the model write its files, checks their syntax and packages them as a ZIP."
        />
        <ProviderBanner />
        <NewGeneration onStarted={started} />
      </div>

      {selected ? (
        <GenerationPanel
          key={selected}
          id={selected}
          autoFocus={focusPanel}
          file={file}
          onFile={(path) => select({ id: selected, file: path }, true)}
          startedHere={startedHere.has(selected)}
          cachedHit={cacheHits.has(selected)}
          onRegenerated={started}
          onDeleted={() => select({})}
        />
      ) : (
        hasAny && (
          <EmptyState icon={<IconSparkles size={22} />} title="Pick a generation">
            Open one from the history below to read its files, or describe a new project above.
          </EmptyState>
        )
      )}

      <Stack gap="sm" component="section" aria-labelledby="codegen-history">
        <Title order={2} size="h4" id="codegen-history">
          History
        </Title>
        <QueryView
          query={history}
          what="your generations"
          isEmpty={(d: InfiniteData<HistoryPage>) => d.pages.every((p) => p.items.length === 0)}
          empty={
            <EmptyState icon={<IconCode size={22} />} title="No generations yet" testId="codegen-empty">
              Describe a project above, or click an example, then press Generate. It is listed here while it is
              generated.
            </EmptyState>
          }
        >
          {(d) => (
            <>
              <Paper
                withBorder
                radius="md"
                p={4}
                component="nav"
                aria-label="Generations"
                data-testid="codegen-history"
              >
                {d.pages.flatMap((p) =>
                  p.items.map((g) => (
                    <HistoryItem
                      key={g.id}
                      g={g}
                      framework={g.framework ? (names.get(g.framework) ?? g.framework) : undefined}
                      selected={g.id === selected}
                      onPick={() => setFocusPanel(true)}
                    />
                  )),
                )}
              </Paper>
              <LoadMore query={history} what="generations" />
            </>
          )}
        </QueryView>
      </Stack>
    </Stack>
  );
}

/** One generation of the history: a link to it, with its prompt, framework, files, age and status. */
function HistoryItem({
  g,
  framework,
  selected,
  onPick,
}: {
  g: GenerationSummary;
  framework?: string;
  selected: boolean;
  onPick: () => void;
}) {
  const facts = [
    framework,
    g.status === "ready" ? `${g.file_count} file${g.file_count === 1 ? "" : "s"}` : undefined,
    formatRelative(g.created_at),
  ].filter(Boolean);
  return (
    <NavLink
      component={Link}
      to={{ search: `?id=${encodeURIComponent(g.id)}` }}
      onClick={onPick}
      active={selected}
      aria-current={selected ? "page" : undefined}
      data-testid="codegen-history-item"
      data-id={g.id}
      data-status={g.status}
      label={
        <Text size="sm" fw={500} lineClamp={2} style={{ wordBreak: "break-word" }}>
          {g.prompt}
        </Text>
      }
      description={
        <Group gap={6} component="span" wrap="wrap">
          <Text span size="xs" c={selected ? undefined : "dimmed"}>
            {facts.join(" · ")}
          </Text>
          {g.status === "failed" && g.error && (
            <Text span size="xs" c={selected ? undefined : "dimmed"} lineClamp={1}>
              — {g.error}
            </Text>
          )}
        </Group>
      }
      rightSection={
        <Box style={{ flexShrink: 0 }}>
          <StatusBadge status={g.status === "pending" ? "generating" : g.status} />
        </Box>
      }
    />
  );
}
