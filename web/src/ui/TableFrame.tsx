import type { ReactNode } from "react";
import { Paper, Table } from "@mantine/core";

/**
 * A bordered frame for a data table that scrolls sideways when the screen is narrower than
 * `minWidth` (the page itself never does). The scrolling area is a labelled, focusable region,
 * so keyboard users can scroll it with the arrow keys.
 */
export function TableFrame({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    <Paper withBorder radius="md">
      <Table.ScrollContainer
        minWidth={minWidth}
        scrollAreaProps={{
          offsetScrollbars: false,
          viewportProps: { tabIndex: 0, role: "region", "aria-label": label },
        }}
      >
        {children}
      </Table.ScrollContainer>
    </Paper>
  );
}
