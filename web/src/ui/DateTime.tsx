import { Text, Tooltip } from "@mantine/core";
import { formatDateTime, formatRelative } from "../format";

/**
 * A timestamp as people read it ("21 Nov 2026, 23:31" in their locale), in a `<time>` element
 * with the exact ISO time on hover; `relative` shows "3 minutes ago" instead.
 */
export function DateTime({ iso, relative = false }: { iso: string; relative?: boolean }) {
  const shown = relative ? formatRelative(iso) : formatDateTime(iso);
  const exact = relative ? formatDateTime(iso) : iso;
  return (
    <Tooltip label={exact} openDelay={400} withinPortal>
      <Text component="time" dateTime={iso} inherit style={{ whiteSpace: "nowrap" }}>
        {shown}
      </Text>
    </Tooltip>
  );
}
