// The accessibility scan every browser test runs: axe-core, injected through the DevTools
// protocol (the server's CSP rightly refuses injected <script>s).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Serious and critical axe violations on the page as it is now, one line each: the rule, and
 * per element its selector and why (a contrast failure names its colours and ratio).
 */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  // eslint-disable-next-line no-undef
  const result = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => `${n.target.join(" ")}${n.any[0]?.message ? ` (${n.any[0].message})` : ""}`)
          .join(", ")}`,
    );
}
