/**
 * The server's error envelope and its client-side form.
 *
 * Every API error body is `{"error": {"code", "message", "details"}}`; pages show
 * `message`, tests and logic branch on `code`.
 */

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown };
}

/** An HTTP response that was not a success, or a request that never got one. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 when the request did not reach the server. */
    readonly status: number,
    /** The envelope's `code`, or a client-side one (`network`, `http_<status>`). */
    readonly code: string,
    readonly details?: unknown,
    /** Seconds from `Retry-After` on a 429 (or 503), when the server sent one. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const e = (body as { error: unknown }).error;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as { message?: unknown }).message === "string" &&
    typeof (e as { code?: unknown }).code === "string"
  );
}

/**
 * Turn a failed response's (already parsed) body into an ApiError. Bodies that are not the
 * envelope — a proxy's HTML page, an empty 502 — still give a readable message.
 */
export function toApiError(response: Response, body: unknown): ApiError {
  const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
  if (isErrorEnvelope(body)) {
    const { code, message, details } = body.error;
    return new ApiError(message, response.status, code, details, retryAfter);
  }
  const text = response.statusText ? ` ${response.statusText}` : "";
  return new ApiError(
    `HTTP ${response.status}${text}`,
    response.status,
    `http_${response.status}`,
    undefined,
    retryAfter,
  );
}

/** `Retry-After` as whole seconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The input field an error is about (`details.field` from a 422), if any. */
export function errorField(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const d = error.details;
  if (typeof d !== "object" || d === null) return undefined;
  const field = (d as { field?: unknown }).field;
  return typeof field === "string" ? field : undefined;
}

/** A fetch that threw (server down, CORS, aborted) becomes an ApiError with status 0. */
export function networkError(cause: unknown): ApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiError(`Could not reach the server (${reason})`, 0, "network");
}
