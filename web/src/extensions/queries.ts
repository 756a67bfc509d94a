/**
 * The extensions page's reads and writes through TanStack Query. Every key starts with
 * `["extensions"]`, so one invalidation after a write (or a job's end) refreshes the list, the
 * open extension and its versions.
 */
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { authorisedGet, downloadAs } from "../api/raw";
import { fileUrl } from "./model";

export const EXTENSIONS = ["extensions"] as const;

/** The newest extensions (one page: the workspace shows the recent ones). */
export const listQuery = queryOptions({
  queryKey: [...EXTENSIONS, "list"],
  queryFn: ({ signal }) => call(api.GET("/api/v1/extensions", { params: { query: { limit: 48 } }, signal })),
});

/** One extension with its versions; polled while one of them is generating. */
export const detailQuery = (id: string) =>
  queryOptions({
    queryKey: [...EXTENSIONS, "detail", id],
    queryFn: ({ signal }) => call(api.GET("/api/v1/extensions/{id}", { params: { path: { id } }, signal })),
    refetchInterval: (q) => (q.state.data?.versions.some((v) => v.status === "pending") ? 5000 : false),
  });

/** One version: blueprint, files, report. `version` is `1.0.0` or `seq-N`. */
export const versionQuery = (id: string, version: string) =>
  queryOptions({
    queryKey: [...EXTENSIONS, "version", id, version],
    queryFn: ({ signal }) =>
      call(api.GET("/api/v1/extensions/{id}/versions/{version}", { params: { path: { id, version } }, signal })),
  });

/** A text file of a ready version (files never change: cached for good). */
export const fileQuery = (id: string, version: string, path: string) =>
  queryOptions({
    queryKey: [...EXTENSIONS, "file", id, version, path],
    queryFn: async ({ signal }) => (await authorisedGet(fileUrl(id, version, path), signal)).text(),
    staleTime: Infinity,
  });

/** An image file (an icon) of a ready version, as a data URL for an <img>. */
export const imageQuery = (id: string, version: string, path: string) =>
  queryOptions({
    queryKey: [...EXTENSIONS, "image", id, version, path],
    queryFn: async ({ signal }) => {
      const blob = await (await authorisedGet(fileUrl(id, version, path), signal)).blob();
      return new Promise<string>((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result));
        reader.onerror = () => reject(reader.error ?? new Error("could not read the image"));
        reader.readAsDataURL(blob);
      });
    },
    staleTime: Infinity,
  });

/** The unified diff of a ready version from the one it was iterated from. */
export const diffQuery = (id: string, version: string) =>
  queryOptions({
    queryKey: [...EXTENSIONS, "diff", id, version],
    queryFn: async ({ signal }) => {
      const url = `/api/v1/extensions/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}/diff`;
      return (await authorisedGet(url, signal)).text();
    },
    staleTime: Infinity,
  });

/** Downloads a ready version's ZIP as `filename`. */
export function downloadZip(id: string, version: string, filename: string): Promise<void> {
  return downloadAs(
    `/api/v1/extensions/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}/download`,
    filename,
  );
}
