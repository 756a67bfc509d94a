import { useState } from "react";
import { useSearchParams } from "react-router";
import { Box, Button, Card, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconPuzzle, IconSparkles } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { EmptyState } from "../ui/EmptyState";
import { ErrorAlert } from "../ui/ErrorAlert";
import { PageHeader } from "../ui/PageHeader";
import { ProviderBanner } from "../ui/ProviderBanner";
import { QueryView } from "../ui/QueryView";
import { StatusBadge } from "../ui/StatusBadge";
import { formatDateTime } from "../format";
import { ExtensionPanel } from "./ExtensionPanel";
import { EXAMPLES } from "./model";
import { PromptBox } from "./PromptBox";
import { EXTENSIONS, listQuery } from "./queries";
import { VERSION_TABS, type VersionTab } from "./VersionView";

type Extension = components["schemas"]["ExtensionListItem"];

/**
 * `/extensions`: a workspace. Describe an extension (or pick an example), follow its generation
 * step by step, then read its blueprint, files and report, download it, iterate on it.
 * The selection lives in the URL (`?id=…&v=<seq>&tab=files`), so it survives a reload.
 */
export function ExtensionsPage() {
  const [params, setParams] = useSearchParams();
  const selected = params.get("id") ?? undefined;
  const seq = params.get("v");
  const tabParam = params.get("tab");
  const tab = VERSION_TABS.includes(tabParam as VersionTab) ? (tabParam as VersionTab) : undefined;
  // Set once the user picks something: the panel then takes focus (not on a deep link's first load).
  const [focusPanel, setFocusPanel] = useState(false);
  const select = (next: { id?: string; v?: number; tab?: VersionTab }) => {
    setFocusPanel(true);
    const p: Record<string, string> = {};
    if (next.id) p.id = next.id;
    if (next.v !== undefined) p.v = String(next.v);
    if (next.tab) p.tab = next.tab;
    setParams(p, { replace: false });
  };

  const client = useQueryClient();
  const list = useQuery(listQuery);
  const [prompt, setPrompt] = useState("");
  const create = useMutation({
    mutationFn: (text: string) => call(api.POST("/api/v1/extensions", { body: { prompt: text } })),
    onSuccess: (accepted) => {
      setPrompt("");
      void client.invalidateQueries({ queryKey: EXTENSIONS });
      select({ id: accepted.extension_id, v: accepted.seq });
    },
  });

  return (
    <Stack gap="lg">
      <div>
        <PageHeader
          title="Extensions"
          description="Describe a Chrome extension: Cistern plans it, writes its files, checks that Chromium loads it and packages it as a ZIP."
        />
        <ProviderBanner />
        <Paper withBorder radius="md" p="md" component="section" aria-label="New extension">
          <PromptBox
            label="Describe your extension"
            placeholder="What should it do, where, and when? e.g. Show how many tabs are open as a badge on the toolbar icon"
            value={prompt}
            onChange={setPrompt}
            onSubmit={() => create.mutate(prompt.trim())}
            submitLabel="Generate"
            busy={create.isPending}
            testId="extension-prompt"
          >
            <Group gap={6} mt="xs" role="group" aria-label="Examples">
              <Text size="xs" c="dimmed">
                Try:
              </Text>
              {EXAMPLES.map((e) => (
                <Button
                  key={e}
                  size="compact-xs"
                  variant="light"
                  radius="xl"
                  fw={500}
                  h="auto"
                  py={3}
                  maw="100%"
                  styles={{ label: { whiteSpace: "normal", textAlign: "left", lineHeight: 1.35 } }}
                  onClick={() => setPrompt(e)}
                  data-testid="extension-example"
                >
                  {e}
                </Button>
              ))}
            </Group>
          </PromptBox>
          {create.error && (
            <ErrorAlert title="Could not start the generation" error={create.error} testId="extension-create-error" />
          )}
        </Paper>
      </div>

      <Stack gap="sm" component="section" aria-labelledby="your-extensions">
        <Title order={2} size="h4" id="your-extensions">
          Your extensions
        </Title>
        <QueryView
          query={list}
          what="your extensions"
          isEmpty={(d) => d.items.length === 0}
          empty={
            <EmptyState icon={<IconPuzzle size={22} />} title="No extensions yet" testId="extensions-empty">
              Describe one above, or click an example, then press Generate. It appears here while it is generated.
            </EmptyState>
          }
        >
          {(d) => (
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" data-testid="extension-list">
              {d.items.map((e) => (
                <ExtensionCard
                  key={e.id}
                  extension={e}
                  selected={e.id === selected}
                  onSelect={() => select({ id: e.id })}
                />
              ))}
            </SimpleGrid>
          )}
        </QueryView>
      </Stack>

      {selected && (
        <ExtensionPanel
          key={selected}
          id={selected}
          autoFocus={focusPanel}
          seq={seq === null ? undefined : Number(seq)}
          tab={tab}
          onSelectVersion={(v, t) => select({ id: selected, v, tab: t })}
          onDeleted={() => select({})}
        />
      )}
      {!selected && list.data && list.data.items.length > 0 && (
        <EmptyState icon={<IconSparkles size={22} />} title="Pick an extension">
          Choose a card above to see its versions, blueprint, files and validation report.
        </EmptyState>
      )}
    </Stack>
  );
}

/** One extension as a selectable card: name, when it was made, its newest version's status. */
function ExtensionCard({
  extension,
  selected,
  onSelect,
}: {
  extension: Extension;
  selected: boolean;
  onSelect: () => void;
}) {
  const newest = extension.newest_status;
  return (
    <Card
      component="button"
      type="button"
      withBorder
      radius="md"
      padding="md"
      ta="left"
      w="100%"
      onClick={onSelect}
      aria-current={selected ? "true" : undefined}
      data-testid="extension-card"
      data-id={extension.id}
      bd={selected ? "2px solid var(--mantine-primary-color-filled)" : undefined}
      style={{ cursor: "pointer" }}
    >
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
          <Text fw={600} lineClamp={2} style={{ wordBreak: "break-word" }}>
            {extension.name}
          </Text>
          <Box style={{ flexShrink: 0 }}>
            {newest && (
              <StatusBadge status={newest === "pending" ? "generating" : newest} testId="extension-card-status" />
            )}
          </Box>
        </Group>
        <Text size="xs" c="dimmed">
          Created {formatDateTime(extension.created_at)}
          {extension.ready_version ? ` · v${extension.ready_version}` : ""}
        </Text>
      </Stack>
    </Card>
  );
}
