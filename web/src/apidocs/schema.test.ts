import { describe, expect, it } from "vitest";
import type { OpenApiDoc } from "./openapi";
import { describeSchema, typeLabel } from "./schema";

const doc: OpenApiDoc = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  components: {
    schemas: {
      Check: {
        type: "object",
        description: "One dependency",
        required: ["name"],
        properties: { name: { type: "string" }, detail: { type: ["string", "null"] } },
      },
      Report: {
        type: "object",
        properties: { checks: { type: "array", items: { $ref: "#/components/schemas/Check" } } },
      },
      Tree: {
        type: "object",
        properties: { children: { type: "array", items: { $ref: "#/components/schemas/Tree" } } },
      },
      Base: { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } },
      Status: { type: "string", enum: ["ok", "error"] },
    },
  },
};

describe("typeLabel", () => {
  it("names refs, formats and arrays readably", () => {
    expect(typeLabel(doc, { $ref: "#/components/schemas/Check" })).toBe("Check");
    expect(typeLabel(doc, { type: "integer", format: "int64" })).toBe("integer (int64)");
    expect(typeLabel(doc, { type: "array", items: { $ref: "#/components/schemas/Check" } })).toBe("array of Check");
    expect(typeLabel(doc, { type: "object", additionalProperties: { type: "number" } })).toBe("map of string → number");
  });
});

describe("describeSchema", () => {
  it("resolves a ref into its fields with required flags", () => {
    const info = describeSchema(doc, { $ref: "#/components/schemas/Check" });
    expect(info.label).toBe("Check");
    expect(info.description).toBe("One dependency");
    expect(info.children).toEqual({
      kind: "props",
      props: [
        { name: "name", required: true, schema: { type: "string" } },
        { name: "detail", required: false, schema: { type: ["string", "null"] } },
      ],
    });
  });
  it("reads 3.1 type arrays and utoipa's oneOf-null as nullable", () => {
    const a = describeSchema(doc, { type: ["string", "null"] });
    expect([a.label, a.nullable]).toEqual(["string", true]);
    const b = describeSchema(doc, {
      oneOf: [{ type: "null" }, { $ref: "#/components/schemas/Status" }],
      description: "why",
    });
    expect([b.label, b.nullable, b.description, b.enumValues]).toEqual(["Status", true, "why", ['"ok"', '"error"']]);
    expect(b.typeHint).toBe("string");
  });
  it("stops at a type that contains itself", () => {
    const root = describeSchema(doc, { $ref: "#/components/schemas/Tree" });
    expect(root.recursive).toBe(false);
    const items = root.children?.kind === "props" ? root.children.props[0]!.schema : undefined;
    const arr = describeSchema(doc, items, root.seen);
    const inner = arr.children?.kind === "items" ? describeSchema(doc, arr.children.schema, arr.seen) : undefined;
    expect(inner?.recursive).toBe(true);
  });
  it("merges allOf of objects into one object", () => {
    const info = describeSchema(doc, {
      allOf: [{ $ref: "#/components/schemas/Base" }, { type: "object", properties: { n: { type: "integer" } } }],
    });
    expect(info.children?.kind === "props" && info.children.props.map((p) => [p.name, p.required])).toEqual([
      ["id", true],
      ["n", false],
    ]);
  });
  it("marks a dangling ref instead of throwing", () => {
    expect(describeSchema(doc, { $ref: "#/components/schemas/Missing" }).unresolved).toBe(true);
  });
});
