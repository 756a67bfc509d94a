import { Badge } from "@mantine/core";
import { bandColor, scoreBand } from "./model";

/** A score with its band, for tables and cards: "72 high". */
export function ScoreBadge({ score }: { score: number }) {
  const band = scoreBand(score);
  return (
    <Badge color={bandColor(band)} variant="light" data-band={band} aria-label={`Score ${score}, ${band}`}>
      {score} · {band}
    </Badge>
  );
}
