/**
 * Pure helpers that turn a JSON Schema (as utoipa writes it) into short readable labels.
 * The SchemaView component does the layout; everything it says is decided here.
 */
import { deref, isRef, refName, type OpenApiDoc, type Ref, type Schema } from "./openapi";

/**
 * utoipa writes `Option<T>` as `{oneOf: [{type: "null"}, T]}` and OpenAPI 3.1 as
 * `type: ["string", "null"]`; readers want "T, nullable", not a two-way union.
 */
export function unwrapNullable(schema: Schema): { inner: Schema | Ref; nullable: boolean } {
  const union = schema.oneOf ?? schema.anyOf;
  if (union?.length === 2) {
    const i = union.findIndex((s) => !isRef(s) && s.type === "null");
    // The outer schema's description/default still describe the field; the view reads them there.
    if (i !== -1) return { inner: union[1 - i]!, nullable: true };
  }
  if (Array.isArray(schema.type) && schema.type.includes("null")) {
    const types = schema.type.filter((t) => t !== "null");
    return { inner: { ...schema, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { inner: schema, nullable: Boolean(schema.nullable) };
}

/** "string", "string (date-time)", "integer (int64)", "array of Check", "object", "string | integer". */
export function typeLabel(doc: OpenApiDoc, schema: Schema | Ref | undefined): string {
  if (!schema) return "any";
  if (isRef(schema)) return refName(schema.$ref);
  if (schema.allOf?.length === 1) return typeLabel(doc, schema.allOf[0]);
  if (schema.const !== undefined) return `constant ${JSON.stringify(schema.const)}`;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes("array") || schema.items) return `array of ${typeLabel(doc, schema.items)}`;
  // utoipa writes HashMap<String, T> as an object with only additionalProperties.
  if (
    !schema.properties &&
    typeof schema.additionalProperties === "object" &&
    (types.length === 0 || types.includes("object"))
  )
    return `map of string → ${typeLabel(doc, schema.additionalProperties)}`;
  if (types.length === 0) {
    if (schema.properties || schema.additionalProperties) return "object";
    if (schema.oneOf) return "one of";
    if (schema.anyOf) return "any of";
    if (schema.allOf) return "all of";
    if (schema.enum) return "enum";
    return "any";
  }
  const base = types.join(" | ");
  return schema.format ? `${base} (${schema.format})` : base;
}

/** Human-readable constraints: "≥ 1", "max length 200", "pattern ^[a-z]+$", "default 10". */
export function constraints(schema: Schema): string[] {
  const out: string[] = [];
  if (schema.minimum !== undefined) out.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) out.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) out.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) out.push(`max length ${schema.maxLength}`);
  if (schema.minItems !== undefined) out.push(`min items ${schema.minItems}`);
  if (schema.maxItems !== undefined) out.push(`max items ${schema.maxItems}`);
  if (schema.pattern !== undefined) out.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.readOnly) out.push("read-only");
  if (schema.writeOnly) out.push("write-only");
  if (schema.deprecated) out.push("deprecated");
  return out;
}

/**
 * `allOf` of objects (how utoipa writes flattened/extended structs) read best as one object.
 * Returns undefined when a part is not an object, so the view falls back to listing parts.
 */
export function mergeAllOf(doc: OpenApiDoc, parts: (Schema | Ref)[]): Schema | undefined {
  const merged: Schema = { type: "object", properties: {}, required: [] };
  for (const part of parts) {
    const s = deref<Schema>(doc, part);
    if (!s) return undefined;
    const inner = s.allOf ? mergeAllOf(doc, s.allOf) : s;
    if (!inner || !(inner.properties || inner.type === "object")) return undefined;
    Object.assign(merged.properties!, inner.properties);
    merged.required!.push(...(inner.required ?? []));
    if (!merged.description && inner.description) merged.description = inner.description;
  }
  return merged;
}

/** An example worth showing next to a field, as compact JSON. */
export function exampleOf(schema: Schema): string | undefined {
  const ex = schema.example ?? schema.examples?.[0];
  return ex === undefined ? undefined : JSON.stringify(ex);
}

export type Children =
  | { kind: "props"; props: { name: string; required: boolean; schema: Schema | Ref }[] }
  | { kind: "items"; schema: Schema | Ref }
  | { kind: "variants"; label: "one of" | "any of" | "all of"; schemas: (Schema | Ref)[] }
  | { kind: "map"; schema: Schema | Ref };

/** Everything the view shows about one schema node, with refs and nullability already read. */
export interface SchemaNodeInfo {
  /** A type name from a `$ref` ("HealthReport"), else a structural label ("array of string"). */
  label: string;
  /** For a named type that is not an object, what it is underneath ("string (uuid)"). */
  typeHint?: string;
  nullable: boolean;
  description?: string;
  notes: string[];
  enumValues?: string[];
  example?: string;
  /** The node refers back to a type already being shown above it: stop here. */
  recursive: boolean;
  unresolved: boolean;
  children?: Children;
  /** Refs on the path from the root down to this node's children, for cycle detection. */
  seen: ReadonlySet<string>;
}

/** Resolve refs, nullable wrappers and single-part allOfs until a concrete schema remains. */
export function describeSchema(
  doc: OpenApiDoc,
  schema: Schema | Ref | undefined,
  seen: ReadonlySet<string> = new Set(),
): SchemaNodeInfo {
  const info: SchemaNodeInfo = { label: "any", nullable: false, notes: [], recursive: false, unresolved: false, seen };
  let name: string | undefined;
  let cur: Schema | Ref | undefined = schema;
  const path = new Set(seen);
  // Bounded: every step either follows a new ref or strips one wrapper.
  for (let step = 0; step < 32 && cur; step++) {
    if (isRef(cur)) {
      name ??= refName(cur.$ref);
      if (path.has(cur.$ref)) return { ...info, label: name, recursive: true };
      path.add(cur.$ref);
      const target = deref<Schema>(doc, cur);
      if (!target) return { ...info, label: refName(cur.$ref), unresolved: true };
      cur = target;
      continue;
    }
    info.description ??= cur.description;
    info.notes.push(...constraints(cur).filter((n) => !info.notes.includes(n)));
    info.example ??= exampleOf(cur);
    const { inner, nullable } = unwrapNullable(cur);
    info.nullable ||= nullable;
    if (inner !== cur && (isRef(inner) || inner.oneOf === undefined)) {
      cur = inner;
      continue;
    }
    if (cur.allOf?.length === 1) {
      cur = cur.allOf[0];
      continue;
    }
    break;
  }
  if (!cur || isRef(cur)) return { ...info, label: name ?? "any", seen: path };

  let s: Schema = cur;
  if (s.allOf && s.allOf.length > 1) s = mergeAllOf(doc, s.allOf) ?? s;
  info.label = name ?? typeLabel(doc, s);
  if (name && !s.properties && !s.allOf) info.typeHint = typeLabel(doc, s);
  info.description ??= s.description;
  if (s.enum) info.enumValues = s.enum.map((v) => JSON.stringify(v));
  info.seen = path;
  info.children = childrenOf(s);
  return info;
}

function childrenOf(s: Schema): Children | undefined {
  if (s.properties && Object.keys(s.properties).length > 0) {
    const required = new Set(s.required ?? []);
    return {
      kind: "props",
      props: Object.entries(s.properties).map(([name, schema]) => ({ name, required: required.has(name), schema })),
    };
  }
  if (s.items) return { kind: "items", schema: s.items };
  const variants = s.oneOf
    ? ["one of", s.oneOf]
    : s.anyOf
      ? ["any of", s.anyOf]
      : s.allOf
        ? ["all of", s.allOf]
        : undefined;
  if (variants) return { kind: "variants", label: variants[0] as "one of", schemas: variants[1] as (Schema | Ref)[] };
  if (typeof s.additionalProperties === "object") return { kind: "map", schema: s.additionalProperties };
  return undefined;
}
