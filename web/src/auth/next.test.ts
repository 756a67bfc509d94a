import { describe, expect, it } from "vitest";
import { loginPath, safeNext } from "./next";

describe("next back-link", () => {
  it("keeps slashes readable and encodes the rest", () => {
    expect(loginPath("/keys")).toBe("/login?next=/keys");
    expect(loginPath("/audit?action=auth.login&all=1")).toBe("/login?next=/audit%3Faction%3Dauth.login%26all%3D1");
  });

  it("round-trips through URLSearchParams", () => {
    const next = "/audit?action=auth.login&all=1";
    expect(new URLSearchParams(loginPath(next).split("?")[1]).get("next")).toBe(next);
  });

  it("only follows paths on this site, never back to the login page", () => {
    expect(safeNext("/keys")).toBe("/keys");
    expect(safeNext("/audit?all=1")).toBe("/audit?all=1");
    for (const bad of [
      null,
      "",
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "keys",
      "/login",
      "/login?next=/x",
    ]) {
      expect(safeNext(bad)).toBe("/");
    }
  });
});
