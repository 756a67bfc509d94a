/**
 * The parts of an OpenAPI 3.1 document the reference page reads, and pure helpers over it:
 * `$ref` resolution, flattening paths into operations, grouping by tag, filtering.
 * Kept free of React so it is unit-tested directly.
 */

export interface Ref {
  $ref: string;
}

export interface Schema {
  type?: string | string[];
  format?: string;
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  nullable?: boolean;
  deprecated?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
  properties?: Record<string, Schema | Ref>;
  required?: string[];
  additionalProperties?: boolean | Schema | Ref;
  items?: Schema | Ref;
  prefixItems?: (Schema | Ref)[];
  oneOf?: (Schema | Ref)[];
  anyOf?: (Schema | Ref)[];
  allOf?: (Schema | Ref)[];
  discriminator?: { propertyName: string };
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

export interface MediaType {
  schema?: Schema | Ref;
  example?: unknown;
}

export interface Parameter {
  name: string;
  in: "query" | "header" | "path" | "cookie";
  description?: string;
  required?: boolean;
  deprecated?: boolean;
  schema?: Schema | Ref;
}

export interface RequestBody {
  description?: string;
  required?: boolean;
  content?: Record<string, MediaType>;
}

export interface Response {
  description?: string;
  content?: Record<string, MediaType>;
}

export interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  deprecated?: boolean;
  parameters?: (Parameter | Ref)[];
  requestBody?: RequestBody | Ref;
  responses?: Record<string, Response | Ref>;
  security?: Record<string, string[]>[];
}

export type PathItem = Partial<Record<Method, Operation>> & { parameters?: (Parameter | Ref)[] };

export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths?: Record<string, PathItem>;
  components?: { schemas?: Record<string, Schema | Ref> } & Record<string, unknown>;
  tags?: { name: string; description?: string }[];
}

export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type Method = (typeof METHODS)[number];

export function isRef(x: unknown): x is Ref {
  return typeof x === "object" && x !== null && typeof (x as Ref).$ref === "string";
}

/** The last segment of a ref, which is what a reader calls the type: "HealthReport". */
export function refName(ref: string): string {
  const last = ref.split("/").pop() ?? ref;
  return decodePointerToken(last);
}

function decodePointerToken(token: string): string {
  return decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~");
}

/**
 * Resolve a local JSON pointer (`#/components/schemas/X`, or any `#/...`). Returns undefined
 * for remote refs and for pointers that lead nowhere, so the page can say so instead of crashing.
 */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  const tokens = ref
    .slice(1)
    .split("/")
    .filter((t, i) => i > 0 || t !== "");
  let node: unknown = doc;
  for (const raw of tokens) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[decodePointerToken(raw)];
  }
  return node;
}

/**
 * Follow `$ref`s until a real object is reached. Chains (a ref to a ref) are followed; a cycle
 * or a dangling ref returns undefined.
 */
export function deref<T>(doc: OpenApiDoc, value: T | Ref | undefined): T | undefined {
  const seen = new Set<string>();
  let current: unknown = value;
  while (isRef(current)) {
    if (seen.has(current.$ref)) return undefined;
    seen.add(current.$ref);
    current = resolvePointer(doc, current.$ref);
  }
  return current as T | undefined;
}

export interface OperationEntry {
  /** Stable and unique: used as the element id and React key. */
  id: string;
  method: Method;
  path: string;
  tag: string;
  op: Operation;
  /** Path-level parameters merged with the operation's (the operation's win by name + in). */
  parameters: Parameter[];
}

export interface TagGroup {
  name: string;
  description?: string;
  operations: OperationEntry[];
}

const UNTAGGED = "other";

/** Flatten `paths` into operations, keeping the document's order. */
export function listOperations(doc: OpenApiDoc): OperationEntry[] {
  const out: OperationEntry[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = (item.parameters ?? []).map((p) => deref<Parameter>(doc, p));
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const own = (op.parameters ?? []).map((p) => deref<Parameter>(doc, p));
      const byKey = new Map<string, Parameter>();
      for (const p of [...shared, ...own]) if (p) byKey.set(`${p.in}:${p.name}`, p);
      out.push({
        id: `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`,
        method,
        path,
        tag: op.tags?.[0] ?? UNTAGGED,
        op,
        parameters: [...byKey.values()],
      });
    }
  }
  return out;
}

/** Group by first tag: tags declared in the document first, in its order, then the rest by name. */
export function groupByTag(doc: OpenApiDoc, ops: OperationEntry[]): TagGroup[] {
  const declared = doc.tags ?? [];
  const groups = new Map<string, TagGroup>();
  for (const t of declared) groups.set(t.name, { name: t.name, description: t.description, operations: [] });
  const extra = [...new Set(ops.map((o) => o.tag))].filter((t) => !groups.has(t)).sort();
  for (const t of extra) groups.set(t, { name: t, operations: [] });
  for (const op of ops) groups.get(op.tag)?.operations.push(op);
  return [...groups.values()].filter((g) => g.operations.length > 0);
}

/**
 * Case-insensitive match on what a reader would type: method, path, tag, summary, description,
 * operation id. Every whitespace-separated word must match ("post chat" finds POST /api/v1/chat).
 */
export function matchesFilter(entry: OperationEntry, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const { op } = entry;
  const haystack = [entry.method, entry.path, entry.tag, op.summary, op.description, op.operationId]
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}
