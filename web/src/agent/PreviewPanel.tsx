import { lazy, Suspense, useMemo } from "react";
import { Text } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import { LoadingRows } from "../ui/QueryView";
import { fileQuery } from "./queries";

// esbuild-wasm and the vendored React load with the preview, not with the page.
const LivePreview = lazy(() => import("./preview"));

/** Most files the preview reads: a project bigger than this is not a preview's job. */
const MAX_FILES = 300;

/**
 * The workspace's saved files, built and run in the sandboxed live preview. It reads the saved
 * contents (the query cache the editor shares), so it rebuilds on every save, accept and restore.
 */
export function PreviewPanel({ workspaceId, paths }: { workspaceId: string; paths: string[] }) {
  const shown = paths.slice(0, MAX_FILES);
  const results = useQueries({ queries: shown.map((p) => fileQuery(workspaceId, p)) });
  const loaded = results.every((r) => r.data !== undefined || r.isError);
  // One identity per set of contents: the preview rebuilds only when a file really changed.
  const key = results.map((r, i) => `${shown[i]}:${r.data?.hash ?? ""}`).join("\n");
  const files = useMemo(() => {
    const out: Record<string, string> = {};
    results.forEach((r) => {
      if (r.data) out[r.data.path] = r.data.content;
    });
    return out;
    // `key` stands for the contents; `results` is a new array on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (paths.length === 0) {
    return (
      <Text size="sm" c="dimmed" p="md">
        Add an index.html or a React entry (src/main.jsx) to see the project running here.
      </Text>
    );
  }
  if (!loaded) return <LoadingRows rows={4} />;
  return (
    <>
      {paths.length > MAX_FILES && (
        <Text size="sm" c="dimmed" pb="xs">
          The preview reads the first {MAX_FILES} of {paths.length} files.
        </Text>
      )}
      <Suspense fallback={<LoadingRows rows={4} />}>
        <LivePreview files={files} />
      </Suspense>
    </>
  );
}
