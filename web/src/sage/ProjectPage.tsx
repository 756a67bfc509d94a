import { lazy, Suspense, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Anchor, Button, Grid, Stack } from "@mantine/core";
import { IconArrowLeft, IconSettings, IconTrash } from "@tabler/icons-react";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import { LoadingRows, QueryView } from "../ui/QueryView";
import { AlertSettings } from "./AlertSettings";
import { ForecastCard } from "./ForecastCard";
import { IngestHistory } from "./IngestHistory";
import { IngestPanel } from "./IngestPanel";
import { ProjectDialog } from "./ProjectDialog";
import { deleteProject, ingestsQuery, projectKey, projectQuery, SAGE, updateProject } from "./queries";
import { RiskPanel } from "./RiskPanel";
import { TemplatesTable } from "./TemplatesTable";
import type { Factor, Ingest, IngestOutcome, Project, Scored } from "./types";

// The chart library (recharts) is most of the page's weight: its own chunk, so the rest shows first.
const HistoryChart = lazy(() => import("./HistoryChart").then((m) => ({ default: m.HistoryChart })));

/** `/sage/:projectId`: one project's risk, history, forecast, logs in, templates, ingests and alerts. */
export function ProjectPage() {
  const { projectId = "" } = useParams();
  const project = useQuery(projectQuery(projectId));
  const notFound = project.error instanceof ApiError && project.error.status === 404;
  if (notFound) {
    return (
      <>
        <PageHeader title="Project not found" />
        <EmptyState title="No such project" testId="sage-not-found" action={<BackLink />}>
          It was deleted, or it belongs to another account.
        </EmptyState>
      </>
    );
  }
  return (
    <QueryView query={project} what="the project" skeletonRows={6}>
      {(p) => <ProjectView key={p.id} project={p} />}
    </QueryView>
  );
}

function BackLink() {
  return (
    <Anchor component={Link} to="/sage" size="sm">
      <IconArrowLeft size={14} aria-hidden /> All projects
    </Anchor>
  );
}

/** The newest scored ingest as the risk panel shows it (with factors when the API sends them). */
function latestOf(ingest: Ingest | undefined): Scored | null {
  if (!ingest || ingest.status !== "scored" || ingest.score == null) return null;
  const factors = (ingest as Ingest & { factors?: Factor[] }).factors;
  return { score: ingest.score, labels: ingest.labels, at: ingest.created_at, factors, counts: ingest.counts };
}

function ProjectView({ project: p }: { project: Project }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<Error | null>(null);
  // The answer of an ingest made here: it carries the factors, which the list of ingests does not.
  const [fresh, setFresh] = useState<IngestOutcome | null>(null);
  const ingests = useInfiniteQuery(ingestsQuery(p.id));
  const newest = ingests.data?.pages[0]?.items.find((i) => i.status === "scored");

  const latest: Scored | null =
    fresh && (!newest || Date.parse(fresh.ingest.created_at) >= Date.parse(newest.created_at))
      ? {
          score: fresh.score,
          labels: fresh.labels,
          at: fresh.ingest.created_at,
          factors: fresh.factors,
          counts: fresh.ingest.counts,
        }
      : latestOf(newest);

  const onIngested = (outcome: IngestOutcome) => {
    setFresh(outcome);
    void client.invalidateQueries({ queryKey: projectKey(p.id) });
    void client.invalidateQueries({ queryKey: [...SAGE, "list"] });
  };

  const saveDetails = async (v: { name: string; description: string }) => {
    const updated = await updateProject(p.id, v);
    client.setQueryData([...projectKey(p.id), "detail"], updated);
    void client.invalidateQueries({ queryKey: [...SAGE, "list"] });
    setEditing(false);
  };

  const remove = async () => {
    setDeleteBusy(true);
    setDeleteError(null);
    try {
      await deleteProject(p.id);
      await client.invalidateQueries({ queryKey: [...SAGE, "list"] });
      void navigate("/sage");
      client.removeQueries({ queryKey: projectKey(p.id) });
    } catch (e) {
      setDeleteError(e as Error);
      setDeleteBusy(false);
    }
  };

  return (
    <Stack gap="lg" data-testid="sage-project" data-id={p.id}>
      <div>
        <BackLink />
        <PageHeader
          title={p.name}
          description={p.description || undefined}
          actions={
            <>
              <Button
                variant="default"
                leftSection={<IconSettings size={16} />}
                onClick={() => setEditing(true)}
                data-testid="sage-settings"
              >
                Settings
              </Button>
              <Button
                variant="light"
                color="red"
                leftSection={<IconTrash size={16} />}
                onClick={() => setDeleting(true)}
                data-testid="sage-delete"
              >
                Delete
              </Button>
            </>
          }
        />
      </div>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <RiskPanel latest={latest} learning={p.learning} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Suspense fallback={<LoadingRows rows={5} />}>
            <HistoryChart projectId={p.id} />
          </Suspense>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <IngestPanel projectId={p.id} onIngested={onIngested} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <ForecastCard projectId={p.id} hasHistory={p.ingests > 0} />
        </Grid.Col>
      </Grid>
      <TemplatesTable projectId={p.id} />
      <IngestHistory projectId={p.id} />
      <AlertSettings project={p} />
      <ProjectDialog
        opened={editing}
        title="Project settings"
        submitLabel="Save"
        initial={{ name: p.name, description: p.description }}
        onClose={() => setEditing(false)}
        save={saveDetails}
      />
      <ConfirmDialog
        opened={deleting}
        title={`Delete ${p.name}?`}
        confirmLabel="Delete project"
        busy={deleteBusy}
        onConfirm={() => void remove()}
        onClose={() => setDeleting(false)}
        testId="sage-delete-dialog"
      >
        Its ingests, raw logs, templates, scores and forecasts are deleted for good.
        {deleteError && <> Deleting failed: {deleteError.message}</>}
      </ConfirmDialog>
    </Stack>
  );
}
