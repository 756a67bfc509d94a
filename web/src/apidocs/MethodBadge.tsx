import { Badge, Box } from "@mantine/core";
import type { Method } from "./openapi";

/** One colour per HTTP method, as API references usually have them. */
const COLORS: Record<Method, string> = {
  get: "blue",
  post: "teal",
  put: "orange",
  patch: "grape",
  delete: "red",
  head: "gray",
  options: "gray",
  trace: "gray",
};

/** The method as a coloured badge; in lists every badge has the same width, so the paths line up. */
export function MethodBadge({ method, size = "sm" }: { method: Method; size?: "sm" | "lg" }) {
  const badge = (
    <Badge color={COLORS[method]} variant="light" radius="sm" size={size} ff="monospace" fullWidth={size === "sm"}>
      {method}
    </Badge>
  );
  if (size !== "sm") return badge;
  return (
    <Box w={66} style={{ flexShrink: 0 }}>
      {badge}
    </Box>
  );
}
