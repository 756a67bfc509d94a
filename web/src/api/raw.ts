/**
 * Authorised requests whose bodies are not JSON — file contents, diffs, icons, ZIPs — which the
 * typed client (`client.ts`) does not read. A non-2xx answer throws the API's error like `call`.
 */
import { networkError, toApiError } from "./errors";
import { getSession } from "../auth/current";

/** GETs `url` with the session's credentials; the response, once it is known to be 2xx. */
export async function authorisedGet(url: string, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await getSession().fetch(url, { signal });
  } catch (e) {
    throw networkError(e);
  }
  if (!response.ok) throw toApiError(response, await response.json().catch(() => undefined));
  return response;
}

/** Saves what `url` answers as `filename` (a plain link would carry no token). */
export async function downloadAs(url: string, filename: string): Promise<void> {
  const href = URL.createObjectURL(await (await authorisedGet(url)).blob());
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
}
