import { describe, expect, it } from "vitest";
import { deref, groupByTag, listOperations, matchesFilter, resolvePointer, type OpenApiDoc } from "./openapi";

const doc: OpenApiDoc = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  tags: [{ name: "jobs" }, { name: "health" }],
  paths: {
    "/health": { get: { tags: ["health"], summary: "Liveness", responses: {} } },
    "/api/v1/jobs/{id}": {
      parameters: [{ $ref: "#/components/parameters/Id" }],
      get: { tags: ["jobs"], summary: "Read a job", responses: {} },
      delete: {
        tags: ["jobs"],
        summary: "Cancel",
        parameters: [{ name: "id", in: "path", required: true, description: "overrides" }],
        responses: {},
      },
    },
    "/metrics": { get: { summary: "Prometheus", responses: {} } },
  },
  components: {
    schemas: {
      A: { $ref: "#/components/schemas/B" },
      B: { type: "string" },
      "a/b": { type: "integer" },
      Loop: { $ref: "#/components/schemas/Loop" },
    },
    parameters: { Id: { name: "id", in: "path", required: true, description: "shared" } },
  },
};

describe("$ref resolution", () => {
  it("follows chains of refs to the concrete schema", () => {
    expect(deref(doc, { $ref: "#/components/schemas/A" })).toEqual({ type: "string" });
  });
  it("decodes JSON pointer escapes", () => {
    expect(resolvePointer(doc, "#/components/schemas/a~1b")).toEqual({ type: "integer" });
  });
  it("returns undefined for cycles, dangling and remote refs instead of looping", () => {
    expect(deref(doc, { $ref: "#/components/schemas/Loop" })).toBeUndefined();
    expect(deref(doc, { $ref: "#/components/schemas/Nope" })).toBeUndefined();
    expect(deref(doc, { $ref: "other.json#/x" })).toBeUndefined();
  });
});

describe("operations", () => {
  const ops = listOperations(doc);
  it("flattens every method of every path", () => {
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual([
      "get /health",
      "get /api/v1/jobs/{id}",
      "delete /api/v1/jobs/{id}",
      "get /metrics",
    ]);
    expect(new Set(ops.map((o) => o.id)).size).toBe(ops.length);
  });
  it("merges path-level parameters, the operation's winning", () => {
    const [read, cancel] = ops.filter((o) => o.path.startsWith("/api"));
    expect(read!.parameters.map((p) => p.description)).toEqual(["shared"]);
    expect(cancel!.parameters.map((p) => p.description)).toEqual(["overrides"]);
  });
  it("groups by declared tag order, untagged last", () => {
    expect(groupByTag(doc, ops).map((g) => [g.name, g.operations.length])).toEqual([
      ["jobs", 2],
      ["health", 1],
      ["other", 1],
    ]);
  });
  it("filters on every word across method, path and summary", () => {
    const names = (q: string) => ops.filter((o) => matchesFilter(o, q)).map((o) => `${o.method} ${o.path}`);
    expect(names("")).toHaveLength(4);
    expect(names("DELETE jobs")).toEqual(["delete /api/v1/jobs/{id}"]);
    expect(names("liveness")).toEqual(["get /health"]);
    expect(names("zzz")).toEqual([]);
  });
});
