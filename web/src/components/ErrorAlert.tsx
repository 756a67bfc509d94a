/** A failed request, said plainly: what failed, then the server's own message. */
export function ErrorAlert({ title, error, testId }: { title: string; error: Error; testId?: string }) {
  return (
    <div className="alert alert-error" role="alert" data-testid={testId}>
      <strong>{title}</strong> {error.message}
    </div>
  );
}
