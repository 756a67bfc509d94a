/** Pure helpers of the extensions page. */

/** The highest of `versions` (dot-separated integers compared numerically), or undefined. */
export function latestVersion(versions: readonly (string | null | undefined)[]): string | undefined {
  const key = (v: string) => v.split(".").map((p) => Number.parseInt(p, 10) || 0);
  let best: string | undefined;
  for (const v of versions) {
    if (!v) continue;
    if (best === undefined) {
      best = v;
      continue;
    }
    const [a, b] = [key(v), key(best)];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d !== 0) {
        if (d > 0) best = v;
        break;
      }
    }
  }
  return best;
}

/** Human size: 512 B, 1.5 KB, 2.0 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
