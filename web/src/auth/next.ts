/** The `next` back-link between app pages and the sign-in page. */

/** `/login?next=/keys`: where to go back to after signing in (slashes kept readable). */
export function loginPath(next: string): string {
  return `/login?next=${encodeURIComponent(next).replace(/%2F/gi, "/")}`;
}

/**
 * Only a path on this site, and never the login page itself: a `next` of
 * `https://evil.example` or `//evil.example` must not send a fresh sign-in elsewhere.
 */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (next === "/login" || next.startsWith("/login?") || next.startsWith("/login#")) return "/";
  return next;
}
