/**
 * The one theme: Mantine's components with Cistern's colours, system fonts (nothing is fetched
 * at run time) and one radius. Light and dark come from Mantine's colour-scheme manager.
 */
import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from "@mantine/core";

/** Cistern's water blue, from light to dark (index 6 is the filled shade in light mode). */
const cistern: MantineColorsTuple = [
  "#e7f1ff",
  "#cfe0ff",
  "#9dbfff",
  "#689bfd",
  "#3e7dfb",
  "#2369fa",
  "#115ef3",
  "#004ed9",
  "#0045c3",
  "#003bac",
];

export const theme = createTheme({
  primaryColor: "cistern",
  primaryShade: { light: 7, dark: 5 },
  colors: { cistern },
  defaultRadius: "md",
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace',
  headings: { fontWeight: "650" },
  cursorType: "pointer",
  focusRing: "auto",
  components: {
    // Mantine's toasts have an unnamed close button (axe: button-name).
    Notification: { defaultProps: { closeButtonProps: { "aria-label": "Dismiss" } } },
  },
});

/**
 * Secondary ("dimmed") text one step stronger than Mantine's default, which is below WCAG AA's
 * 4.5:1 on white: the e2e suite scans every page with axe in both schemes.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    // A field's error text: Mantine's red-6 is 3.3:1 on white.
    "--mantine-color-error": "var(--mantine-color-red-9)",
    // Text of "light" badges, alerts and buttons on their tinted ground: Mantine's darkest
    // shade is still below 4.5:1 on it for green, yellow and orange, so darker still.
    ...lightVariantText((c) => `color-mix(in srgb, var(--mantine-color-${c}-9), black 35%)`),
    ...filledGround(),
  },
  dark: {
    "--mantine-color-dimmed": "var(--mantine-color-dark-1)",
    "--mantine-color-anchor": "var(--mantine-color-cistern-3)",
    "--mantine-color-error": "var(--mantine-color-red-4)",
    ...lightVariantText((c) => `var(--mantine-color-${c}-3)`),
    ...filledGround(),
  },
});

/** The colours the UI uses for status words and actions (see ui/StatusBadge.tsx). */
const TINTED = ["cistern", "blue", "green", "teal", "yellow", "orange", "red", "violet", "grape", "gray", "cyan"];

function lightVariantText(shade: (color: string) => string): Record<string, string> {
  return Object.fromEntries(TINTED.map((c) => [`--mantine-color-${c}-light-color`, shade(c)]));
}

/**
 * The ground of "filled" buttons and badges in every colour but the primary: white text on
 * Mantine's shade 6 (light) or 8 (dark) is below 4.5:1 for green, teal, yellow, orange, cyan
 * and red, so their darkest shade, darker still.
 */
function filledGround(): Record<string, string> {
  const mix = (c: string, black: number) => `color-mix(in srgb, var(--mantine-color-${c}-9), black ${black}%)`;
  return Object.fromEntries(
    TINTED.filter((c) => c !== "cistern").flatMap((c) => [
      [`--mantine-color-${c}-filled`, mix(c, 25)],
      [`--mantine-color-${c}-filled-hover`, mix(c, 40)],
    ]),
  );
}

/** Where the chosen colour scheme is remembered (Mantine's local-storage manager). */
export const COLOR_SCHEME_KEY = "cistern.color-scheme";
