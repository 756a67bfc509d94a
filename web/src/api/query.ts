/**
 * Data fetching and caching: TanStack Query over the typed client. Pages call `useQuery` with
 * `queryFn: () => call(api.GET(...))`; errors are `ApiError`s, so `error.message` is the
 * server's own words.
 */
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./errors";

/** Retry a failed read only when retrying can help: network errors and 5xx, at most twice. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (error instanceof ApiError) return error.status === 0 || error.status >= 500;
  return false;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 5_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
