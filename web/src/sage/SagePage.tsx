import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { Badge, Button, Group, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { IconChartLine, IconPlus } from "@tabler/icons-react";
import { useInfiniteQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { APPS } from "../apps";
import { formatRelative } from "../format";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { PageHeader } from "../ui/PageHeader";
import { QueryView } from "../ui/QueryView";
import { bandColor, scoreBand } from "./model";
import { ProjectDialog } from "./ProjectDialog";
import { createProject, projectKey, projectsQuery, SAGE } from "./queries";
import type { Project, ProjectPage } from "./types";

const SUMMARY = APPS.find((a) => a.path === "/sage")?.summary;

/** `/sage`: your log projects as cards with their latest score; a new one from a dialog. */
export function SagePage() {
  const projects = useInfiniteQuery(projectsQuery);
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const client = useQueryClient();

  const save = async (v: { name: string; description: string }) => {
    const project = await createProject(v);
    client.setQueryData([...projectKey(project.id), "detail"], project);
    void client.invalidateQueries({ queryKey: [...SAGE, "list"] });
    setCreating(false);
    void navigate(`/sage/${encodeURIComponent(project.id)}`);
  };

  const newButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="sage-new">
      New project
    </Button>
  );

  return (
    <>
      <PageHeader title="Sage" description={<span data-testid="app-summary">{SUMMARY}</span>} actions={newButton} />
      <QueryView
        query={projects}
        what="your projects"
        isEmpty={(d: InfiniteData<ProjectPage>) => d.pages.every((p) => p.items.length === 0)}
        empty={
          <EmptyState icon={<IconChartLine size={22} />} title="No projects yet" testId="sage-empty" action={newButton}>
            A project is one system whose logs you send. Create one, paste or upload its logs, and Sage scores their
            risk, explains the score and learns what is usual for it.
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid="sage-projects">
              {d.pages.flatMap((p) => p.items.map((project) => <ProjectCard key={project.id} project={project} />))}
            </SimpleGrid>
            {(projects.hasNextPage || d.pages.length > 1) && <LoadMore query={projects} what="projects" />}
          </>
        )}
      </QueryView>
      <ProjectDialog
        opened={creating}
        title="New project"
        submitLabel="Create project"
        onClose={() => setCreating(false)}
        save={save}
      />
    </>
  );
}

function ProjectCard({ project: p }: { project: Project }) {
  const score = p.last_score ?? null;
  const band = score === null ? null : scoreBand(score);
  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      component={Link}
      to={`/sage/${encodeURIComponent(p.id)}`}
      data-testid="sage-project-card"
      data-id={p.id}
      style={{ color: "inherit", textDecoration: "none", display: "block" }}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
          <Text fw={650} size="lg" truncate="end" miw={0}>
            {p.name}
          </Text>
          {p.learning && (
            <Badge variant="light" color="cistern" style={{ flexShrink: 0 }}>
              learning
            </Badge>
          )}
        </Group>
        <Text size="sm" c="dimmed" lineClamp={2} mih={40}>
          {p.description || "No description."}
        </Text>
        <Group justify="space-between" align="flex-end" wrap="nowrap">
          {score === null || band === null ? (
            <Text size="sm" c="dimmed">
              No logs yet
            </Text>
          ) : (
            <Group gap="xs" align="baseline">
              <Text
                fz={28}
                fw={700}
                lh={1}
                c={`var(--mantine-color-${bandColor(band)}-light-color)`}
                data-testid="sage-card-score"
              >
                {score}
              </Text>
              <Badge color={bandColor(band)} variant="light">
                {band}
              </Badge>
            </Group>
          )}
          <Text size="xs" c="dimmed" ta="right">
            {p.ingests} ingest{p.ingests === 1 ? "" : "s"}
            {p.last_ingest_at && (
              <>
                <br />
                last {formatRelative(p.last_ingest_at)}
              </>
            )}
          </Text>
        </Group>
      </Stack>
    </Paper>
  );
}
