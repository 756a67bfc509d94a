import { Button, Center, Text } from "@mantine/core";
import type { UseInfiniteQueryResult } from "@tanstack/react-query";
import { ErrorAlert } from "./ErrorAlert";

/**
 * The foot of a cursor-paged list (`useInfiniteQuery`): "Load more" while there is a next page,
 * "No older {what}." at the end, and the error of a failed page with a retry.
 */
export function LoadMore({
  query,
  what,
}: {
  query: Pick<
    UseInfiniteQueryResult,
    "hasNextPage" | "isFetchingNextPage" | "fetchNextPage" | "isFetchNextPageError" | "error"
  >;
  /** Plural noun for the items: "events", "calls". */
  what: string;
}) {
  return (
    <>
      {query.isFetchNextPageError && query.error && (
        <ErrorAlert
          title={`Could not load older ${what}`}
          error={query.error}
          onRetry={() => void query.fetchNextPage()}
        />
      )}
      <Center mt="md">
        {query.hasNextPage ? (
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            Load more
          </Button>
        ) : (
          <Text size="sm" c="dimmed">
            No older {what}.
          </Text>
        )}
      </Center>
    </>
  );
}
