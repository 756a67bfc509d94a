import type { ReactNode } from "react";
import { Skeleton, Stack } from "@mantine/core";
import type { UseQueryResult } from "@tanstack/react-query";
import { ErrorAlert } from "./ErrorAlert";

/**
 * The three states of loaded data in one place: skeleton lines while loading, the error with a
 * retry, then the content. `empty` is shown instead of `children` when `isEmpty(data)`.
 */
export function QueryView<T>({
  query,
  what,
  children,
  isEmpty,
  empty,
  skeletonRows = 3,
  errorTestId,
}: {
  query: UseQueryResult<T>;
  /** What is being loaded, for the error title: "Could not load {what}". */
  what: string;
  children: (data: T) => ReactNode;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  skeletonRows?: number;
  errorTestId?: string;
}) {
  if (query.isPending) return <LoadingRows rows={skeletonRows} />;
  if (query.isError) {
    return (
      <ErrorAlert
        title={`Could not load ${what}`}
        error={query.error as Error}
        onRetry={() => void query.refetch()}
        testId={errorTestId}
      />
    );
  }
  if (isEmpty?.(query.data) && empty) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

/** Skeleton lines of a list or table that is loading. */
export function LoadingRows({ rows = 3 }: { rows?: number }) {
  return (
    <Stack gap="xs" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={36} radius="sm" />
      ))}
    </Stack>
  );
}
