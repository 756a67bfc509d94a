import type { ReactNode } from "react";
import { Alert, Button } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";

/** A failed request, said plainly: what failed, then the server's own message (and a retry). */
export function ErrorAlert({
  title,
  error,
  testId,
  onRetry,
  children,
}: {
  title: string;
  error: Error;
  testId?: string;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  return (
    <Alert
      color="red"
      variant="light"
      title={title}
      icon={<IconAlertTriangle size={18} />}
      role="alert"
      data-testid={testId}
    >
      {error.message}
      {children}
      {onRetry && (
        <div>
          <Button variant="light" color="red" size="xs" mt="sm" onClick={onRetry}>
            Try again
          </Button>
        </div>
      )}
    </Alert>
  );
}
