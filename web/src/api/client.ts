/**
 * The typed API client. Paths, parameters and bodies are typed by `schema.d.ts`, which
 * `npm run gen:api` generates from the server's OpenAPI document (docs/openapi.json).
 */
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { ApiError, networkError, toApiError } from "./errors";
import { getSession } from "../auth/current";

export { ApiError } from "./errors";

/**
 * Same-origin: the UI is served by the binary that serves the API. Requests go through the
 * session, which attaches the access token and refreshes it once on a 401.
 */
export const api = createClient<paths>({ baseUrl: "", fetch: (request) => getSession().fetch(request) });

/** What every openapi-fetch call resolves to, reduced to the parts we read. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Await an openapi-fetch call and return its data, or throw an ApiError carrying the
 * envelope's message. Usage: `const x = await call(api.GET("/health"))`.
 */
export async function call<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch (e) {
    throw networkError(e);
  }
  if (result.response.ok) return result.data as T;
  throw toApiError(result.response, result.error);
}

/**
 * GET a JSON URL that is not part of the typed paths (e.g. the OpenAPI document itself),
 * with the same error handling as `call`.
 */
export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { Accept: "application/json" } });
  } catch (e) {
    throw networkError(e);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw toApiError(response, body);
  if (body === undefined) throw new ApiError("The server sent a body that is not JSON", response.status, "bad_json");
  return body as T;
}
