import { describe, expect, it } from "vitest";
import { formatBytes, latestVersion } from "./versions";

describe("latestVersion", () => {
  it("compares numerically and skips pending versions", () => {
    expect(latestVersion(["1.9.0", null, "1.10.0", "1.2.0"])).toBe("1.10.0");
    expect(latestVersion([null, undefined])).toBeUndefined();
  });
});

describe("formatBytes", () => {
  it("picks a unit", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
  });
});
