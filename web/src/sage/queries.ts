/**
 * Sage's reads and writes through TanStack Query. Every key starts with `["sage"]`; a project's
 * reads with `["sage", "project", id]`, so one invalidation after an ingest or a settings change
 * refreshes its score, chart, templates, ingests and forecast.
 */
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { getSession } from "../auth/current";
import { upload } from "./upload";
import type {
  CreateProject,
  Forecast,
  ForecastFeedback,
  IngestOutcome,
  IngestPage,
  Project,
  ProjectPage,
  UpdateProject,
} from "./types";

export const SAGE = ["sage"] as const;
export const projectKey = (id: string) => [...SAGE, "project", id] as const;

const PAGE_SIZE = 20;

const base = (id: string) => `/api/v1/sage/projects/${encodeURIComponent(id)}`;

/** Your projects (newest first), a page at a time. */
export const projectsQuery = infiniteQueryOptions({
  queryKey: [...SAGE, "list"],
  queryFn: ({ pageParam, signal }): Promise<ProjectPage> =>
    call(api.GET("/api/v1/sage/projects", { params: { query: { cursor: pageParam, limit: PAGE_SIZE } }, signal })),
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last) => last.next_cursor ?? undefined,
});

export const projectQuery = (id: string) =>
  queryOptions({
    queryKey: [...projectKey(id), "detail"],
    queryFn: ({ signal }): Promise<Project> =>
      call(api.GET("/api/v1/sage/projects/{id}", { params: { path: { id } }, signal })),
  });

/** The project's ingests, newest first, a page at a time. */
export const ingestsQuery = (id: string) =>
  infiniteQueryOptions({
    queryKey: [...projectKey(id), "ingests"],
    queryFn: ({ pageParam, signal }): Promise<IngestPage> =>
      call(
        api.GET("/api/v1/sage/projects/{id}/ingests", {
          params: { path: { id }, query: { cursor: pageParam, limit: PAGE_SIZE } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

/** The last 30 days' scored ingests, oldest first. */
export const historyQuery = (id: string) =>
  queryOptions({
    queryKey: [...projectKey(id), "history"],
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/sage/projects/{id}/risk-history", { params: { path: { id }, query: { days: 30 } }, signal }),
      ),
  });

/** The top templates, and those first seen in the last 24 hours. */
export const templatesQuery = (id: string) =>
  queryOptions({
    queryKey: [...projectKey(id), "templates"],
    queryFn: ({ signal }) =>
      call(api.GET("/api/v1/sage/projects/{id}/templates", { params: { path: { id }, query: { limit: 50 } }, signal })),
  });

/** Today's forecast; a 409 `no_history` until the project has a scored ingest. */
export const forecastQuery = (id: string) =>
  queryOptions({
    queryKey: [...projectKey(id), "forecast"],
    // `as unknown`: the generated type of `actions` is wrong (see `Forecast` in types.ts).
    queryFn: async ({ signal }): Promise<Forecast> =>
      (await call(
        api.GET("/api/v1/sage/projects/{id}/forecast", { params: { path: { id } }, signal }),
      )) as unknown as Forecast,
  });

export function createProject(body: CreateProject): Promise<Project> {
  return call(api.POST("/api/v1/sage/projects", { body }));
}

export function updateProject(id: string, body: UpdateProject): Promise<Project> {
  return call(api.PATCH("/api/v1/sage/projects/{id}", { params: { path: { id } }, body }));
}

export async function deleteProject(id: string): Promise<void> {
  await call(api.DELETE("/api/v1/sage/projects/{id}", { params: { path: { id } } }));
}

/** Records whether a forecast came true. */
export async function sendFeedback(
  id: string,
  forecastId: string,
  body: { accurate: boolean; comment?: string },
): Promise<ForecastFeedback | Forecast> {
  const answer = await call(
    api.POST("/api/v1/sage/projects/{id}/forecasts/{forecast_id}/feedback", {
      params: { path: { id, forecast_id: forecastId } },
      body,
    }),
  );
  return answer as unknown as Forecast;
}

/**
 * Ingests logs with upload progress: a file as `text/plain`, pasted text as JSON `{logs}` (so the
 * ingest's source says which).
 */
export function ingestLogs(
  id: string,
  logs: { file: Blob } | { text: string },
  onProgress?: (share: number) => void,
  signal?: AbortSignal,
): Promise<IngestOutcome> {
  const session = getSession();
  return upload<IngestOutcome>({
    url: `${base(id)}/ingest`,
    body: "file" in logs ? logs.file : JSON.stringify({ logs: logs.text }),
    contentType: "file" in logs ? "text/plain" : "application/json",
    token: session.token,
    onProgress: onProgress && ((loaded, total) => onProgress(total > 0 ? loaded / total : 1)),
    signal,
  });
}
