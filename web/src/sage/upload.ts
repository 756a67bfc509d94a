/**
 * Sends logs with upload progress. `fetch` reports no upload progress, so this is an
 * XMLHttpRequest carrying the session's bearer token; a 401 gets one fresh token and one retry,
 * as the session's own `fetch` does.
 */
import { ApiError, networkError, toApiError } from "../api/errors";

export interface UploadOptions {
  url: string;
  body: Blob | string;
  /** `text/plain` for a file, `application/json` for pasted `{logs}`. */
  contentType: string;
  /** The token to send; with `rejected` (a token the server refused), a fresh one or null. */
  token: (rejected?: string) => Promise<string | null>;
  /** Bytes sent so far of `total`. */
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
  /** Tests pass a fake. */
  createXhr?: () => XMLHttpRequest;
}

interface Answer {
  status: number;
  statusText: string;
  retryAfter: string | null;
  text: string;
}

function sendOnce(o: UploadOptions, token: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const xhr = (o.createXhr ?? (() => new XMLHttpRequest()))();
    xhr.open("POST", o.url);
    xhr.setRequestHeader("Content-Type", o.contentType);
    xhr.setRequestHeader("Accept", "application/json");
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) o.onProgress?.(e.loaded, e.total);
    };
    xhr.onload = () =>
      resolve({
        status: xhr.status,
        statusText: xhr.statusText,
        retryAfter: xhr.getResponseHeader("Retry-After"),
        text: xhr.responseText,
      });
    xhr.onerror = () => reject(networkError(new Error("the upload failed")));
    xhr.onabort = () => reject(new ApiError("The upload was cancelled", 0, "aborted"));
    const abort = () => xhr.abort();
    o.signal?.addEventListener("abort", abort, { once: true });
    xhr.onloadend = () => o.signal?.removeEventListener("abort", abort);
    xhr.send(o.body);
  });
}

/** POSTs `body` and resolves to the parsed JSON answer; a non-2xx answer throws the API's error. */
export async function upload<T>(o: UploadOptions): Promise<T> {
  if (o.signal?.aborted) throw new ApiError("The upload was cancelled", 0, "aborted");
  const token = await o.token();
  let answer = await sendOnce(o, token);
  if (answer.status === 401 && token !== null) {
    const fresh = await o.token(token);
    if (fresh !== null && fresh !== token) answer = await sendOnce(o, fresh);
  }
  let parsed: unknown;
  try {
    parsed = answer.text === "" ? undefined : JSON.parse(answer.text);
  } catch {
    parsed = undefined;
  }
  if (answer.status >= 200 && answer.status < 300) {
    if (parsed === undefined) throw new ApiError("The server sent a body that is not JSON", answer.status, "bad_json");
    return parsed as T;
  }
  const headers = new Headers();
  if (answer.retryAfter) headers.set("Retry-After", answer.retryAfter);
  throw toApiError(new Response(null, { status: answer.status, statusText: answer.statusText, headers }), parsed);
}
