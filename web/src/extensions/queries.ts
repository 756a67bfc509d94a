/**
 * The extensions page's reads and writes through TanStack Query. Every key starts with
 * `["extensions"]`, so one invalidation after a write (or a job's end) refreshes the list, the
 * open extension and its versions.
 */
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../api/client";
import { networkError, toApiError } from "../api/errors";
import { getSession } from "../auth/current";
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

/** GETs `url` with the session's credentials as text (file contents and diffs are not JSON). */
async function getText(url: string, signal: AbortSignal): Promise<string> {
  let response: Response;
  try {
    response = await getSession().fetch(url, { signal });
  } catch (e) {
    throw networkError(e);
  }
  if (!response.ok) throw toApiError(response, await response.json().catch(() => undefined));
  return response.text();
}

/** A text file of a ready version (files never change: cached for good). */
export const fileQuery = (id: string, version: string, path: string) =>
  queryOptions({
    queryKey: [...EXTENSIONS, "file", id, version, path],
    queryFn: ({ signal }) => getText(fileUrl(id, version, path), signal),
    staleTime: Infinity,
  });

/** An image file (an icon) of a ready version, as a data URL for an <img>. */
export const imageQuery = (id: string, version: string, path: string) =>
  queryOptions({
    queryKey: [...EXTENSIONS, "image", id, version, path],
    queryFn: async ({ signal }) => {
      let response: Response;
      try {
        response = await getSession().fetch(fileUrl(id, version, path), { signal });
      } catch (e) {
        throw networkError(e);
      }
      if (!response.ok) throw toApiError(response, await response.json().catch(() => undefined));
      const blob = await response.blob();
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
    queryFn: ({ signal }) =>
      getText(`/api/v1/extensions/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}/diff`, signal),
    staleTime: Infinity,
  });

/** Downloads a ready version's ZIP with the session's credentials (a plain link would carry no token). */
export async function downloadZip(id: string, version: string, filename: string): Promise<void> {
  const url = `/api/v1/extensions/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}/download`;
  let response: Response;
  try {
    response = await getSession().fetch(url);
  } catch (e) {
    throw networkError(e);
  }
  if (!response.ok) throw toApiError(response, await response.json().catch(() => undefined));
  const href = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
}
