/**
 * The code generator page's reads and writes through TanStack Query. Every key starts with
 * `["codegen"]`, so one invalidation after a write (or a job's end) refreshes the history and
 * the open generation.
 */
import { queryOptions, infiniteQueryOptions } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { authorisedGet, downloadAs } from "../api/raw";
import { fileUrl } from "./model";
import type { GenerateAnswer, Generation } from "./types";

export const CODEGEN = ["codegen"] as const;

const PAGE_SIZE = 20;

/** Your generations, newest first, a page at a time. */
export const historyQuery = infiniteQueryOptions({
  queryKey: [...CODEGEN, "history"],
  queryFn: ({ pageParam, signal }) =>
    call(api.GET("/api/v1/generations", { params: { query: { cursor: pageParam, limit: PAGE_SIZE } }, signal })),
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last) => last.next_cursor ?? undefined,
});

/** One generation; polled while it is pending (its job's end also refreshes it). */
export const generationQuery = (id: string) =>
  queryOptions({
    queryKey: [...CODEGEN, "generation", id],
    queryFn: ({ signal }): Promise<Generation> =>
      call(api.GET("/api/v1/generations/{id}", { params: { path: { id } }, signal })),
    refetchInterval: (q) => (q.state.data?.status === "pending" ? 4000 : false),
  });

/** The frameworks the picker offers (they change only with the server: fetched once). */
export const frameworksQuery = queryOptions({
  queryKey: [...CODEGEN, "frameworks"],
  queryFn: ({ signal }) => call(api.GET("/api/v1/codegen/frameworks", { signal })),
  staleTime: Infinity,
});

/** What a generation of `prompt` would be built with (no model call: cheap, pure). */
export const detectQuery = (prompt: string, framework: string | undefined) =>
  queryOptions({
    queryKey: [...CODEGEN, "detect", prompt, framework ?? ""],
    queryFn: ({ signal }) => call(api.POST("/api/v1/codegen/detect", { body: { prompt, framework }, signal })),
    staleTime: Infinity,
    enabled: prompt.trim() !== "",
    retry: false,
  });

/** Starts a generation (`async`): 202 with its job, or 200 with a finished one from the cache. */
export function generate(body: { prompt: string; framework?: string; cache: boolean }): Promise<GenerateAnswer> {
  return call(api.POST("/api/v1/generate_code", { body: { ...body, async: true } }));
}

/** A file's text (a generation's files never change: cached for good). */
export const fileQuery = (id: string, path: string) =>
  queryOptions({
    queryKey: [...CODEGEN, "file", id, path],
    queryFn: async ({ signal }) => (await authorisedGet(fileUrl(id, path), signal)).text(),
    staleTime: Infinity,
  });

/** GETs `url` with the session's credentials (a plain link or <a download> would carry no token). */
/** Downloads a ready generation's ZIP as `filename`. */
export function downloadZip(id: string, filename: string): Promise<void> {
  return downloadAs(`/api/v1/generations/${encodeURIComponent(id)}/download`, filename);
}
