/**
 * The coding workspace page's reads and writes. Every key starts with `["agent"]`; a workspace's
 * reads with `["agent", "ws", id]`, so one invalidation after an accept, a restore or an import
 * refreshes its tree, its open files and its snapshots.
 */
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { networkError, toApiError } from "../api/errors";
import { getSession } from "../auth/current";
import { fileUrl } from "./model";
import type {
  CreateTask,
  MergePreview,
  ReviewRequest,
  Task,
  Workspace,
  WorkspaceFile,
  WorkspaceFileView,
  WorkspaceImport,
} from "./types";

export const AGENT = ["agent"] as const;
export const wsKey = (id: string) => [...AGENT, "ws", id] as const;

/** Sends a request with the session's credentials; the JSON answer (undefined for 204), or the API's error. */
async function send<T>(method: string, url: string, body?: BodyInit, type = "application/json"): Promise<T> {
  let response: Response;
  try {
    response = await getSession().fetch(url, {
      method,
      body,
      headers: body === undefined ? undefined : { "Content-Type": type },
    });
  } catch (e) {
    throw networkError(e);
  }
  const parsed: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) throw toApiError(response, parsed);
  return parsed as T;
}

/** Your workspaces (the first 100, newest first). */
export const workspacesQuery = queryOptions({
  queryKey: [...AGENT, "list"],
  queryFn: ({ signal }) => call(api.GET("/api/v1/workspaces", { params: { query: { limit: 100 } }, signal })),
});

export const workspaceQuery = (id: string) =>
  queryOptions({
    queryKey: [...wsKey(id), "detail"],
    queryFn: ({ signal }): Promise<Workspace> =>
      call(api.GET("/api/v1/workspaces/{id}", { params: { path: { id } }, signal })),
  });

/** The working tree: every path with its hash. */
export const treeQuery = (id: string) =>
  queryOptions({
    queryKey: [...wsKey(id), "tree"],
    queryFn: ({ signal }): Promise<WorkspaceFile[]> =>
      call(api.GET("/api/v1/workspaces/{id}/files", { params: { path: { id } }, signal })),
  });

/** One file with its text and hash; `null` when the working tree no longer has it. */
export const fileQuery = (id: string, path: string) =>
  queryOptions({
    queryKey: [...wsKey(id), "file", path],
    queryFn: async ({ signal }): Promise<WorkspaceFileView | null> => {
      let response: Response;
      try {
        response = await getSession().fetch(fileUrl(id, path), { signal });
      } catch (e) {
        throw networkError(e);
      }
      if (response.status === 404) return null;
      const body: unknown = await response.json().catch(() => undefined);
      if (!response.ok) throw toApiError(response, body);
      return body as WorkspaceFileView;
    },
  });

/** A content of the workspace by its hash: immutable, so never read twice. */
export const contentQuery = (id: string, hash: string) =>
  queryOptions({
    queryKey: [...AGENT, "content", id, hash],
    queryFn: ({ signal }) =>
      call(api.GET("/api/v1/workspaces/{id}/contents/{hash}", { params: { path: { id, hash } }, signal })),
    staleTime: Infinity,
  });

export const snapshotsQuery = (id: string) =>
  queryOptions({
    queryKey: [...wsKey(id), "snapshots"],
    queryFn: ({ signal }) =>
      call(api.GET("/api/v1/workspaces/{id}/snapshots", { params: { path: { id }, query: { limit: 100 } }, signal })),
  });

/** From snapshot `sid` to the working tree (or to snapshot `to`). */
export const diffQuery = (id: string, sid: string, to?: string) =>
  queryOptions({
    queryKey: [...wsKey(id), "diff", sid, to ?? "tree"],
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/workspaces/{id}/snapshots/{sid}/diff", {
          params: { path: { id, sid }, query: to ? { to } : {} },
          signal,
        }),
      ),
  });

export const taskQuery = (id: string) =>
  queryOptions({
    queryKey: [...AGENT, "task", id],
    queryFn: ({ signal }): Promise<Task> =>
      call(api.GET("/api/v1/agent/tasks/{id}", { params: { path: { id } }, signal })),
    // The event stream refreshes it at the end; polling covers a stream that could not connect.
    refetchInterval: (q) => (q.state.data?.status === "queued" || q.state.data?.status === "processing" ? 3000 : false),
  });

/**
 * What accepting every undecided hunk of a task would make of the files changed since it read
 * them (merged, or the conflicting regions). Under the workspace's key: a save refreshes it.
 */
export const mergePreviewQuery = (workspaceId: string, taskId: string) =>
  queryOptions({
    queryKey: [...wsKey(workspaceId), "merge-preview", taskId],
    queryFn: ({ signal }): Promise<MergePreview> =>
      call(api.GET("/api/v1/agent/tasks/{id}/merge-preview", { params: { path: { id: taskId } }, signal })),
  });

/** This workspace's recent tasks, newest first. */
export const tasksQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: [...wsKey(workspaceId), "tasks"],
    queryFn: ({ signal }) =>
      call(
        api.GET("/api/v1/agent/tasks", {
          params: { query: { workspace_id: workspaceId, limit: 20 } },
          signal,
        }),
      ),
  });

export const createWorkspace = (name: string) => call(api.POST("/api/v1/workspaces", { body: { name } }));

export const fromGeneration = (generationId: string) =>
  call(api.POST("/api/v1/workspaces/from_generation", { body: { generation_id: generationId } }));

export const renameWorkspace = (id: string, name: string) =>
  call(api.PATCH("/api/v1/workspaces/{id}", { params: { path: { id } }, body: { name } }));

export const deleteWorkspace = (id: string) =>
  call(api.DELETE("/api/v1/workspaces/{id}", { params: { path: { id } } }));

/** Saves a file; with `baseHash`, only over that version (a 409 `conflict` otherwise). */
export const saveFile = (id: string, path: string, content: string, baseHash?: string) =>
  send<WorkspaceFile>("PUT", fileUrl(id, path), JSON.stringify({ content, base_hash: baseHash }));

export const deleteFile = (id: string, path: string) => send<void>("DELETE", fileUrl(id, path));

/** Adds a ZIP's text files to the workspace (a snapshot follows). */
export const importZip = (id: string, zip: Blob) =>
  send<WorkspaceImport>("POST", `/api/v1/workspaces/${encodeURIComponent(id)}/import`, zip, "application/zip");

export const takeSnapshot = (id: string, message?: string) =>
  call(api.POST("/api/v1/workspaces/{id}/snapshots", { params: { path: { id } }, body: { message } }));

export const restoreSnapshot = (id: string, sid: string) =>
  call(api.POST("/api/v1/workspaces/{id}/snapshots/{sid}/restore", { params: { path: { id, sid } } }));

export const startTask = (body: CreateTask) => call(api.POST("/api/v1/agent/tasks", { body }));

export const acceptTask = (id: string, body: ReviewRequest) =>
  call(api.POST("/api/v1/agent/tasks/{id}/accept", { params: { path: { id } }, body }));

export const rejectTask = (id: string, body: ReviewRequest) =>
  call(api.POST("/api/v1/agent/tasks/{id}/reject", { params: { path: { id } }, body }));
