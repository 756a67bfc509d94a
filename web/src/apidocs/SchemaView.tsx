import { InlineText } from "../components/InlineText";
import { describeSchema, type Children } from "./schema";
import type { OpenApiDoc, Ref, Schema } from "./openapi";

/** Deep enough for real payloads; past it, a reader is better served by the type's own entry. */
const MAX_DEPTH = 8;

interface Props {
  doc: OpenApiDoc;
  schema: Schema | Ref | undefined;
  /** Property name, when this node is a field of an object. */
  name?: string;
  required?: boolean;
  depth?: number;
  seen?: ReadonlySet<string>;
}

/** One schema node: a type line, its description, then its fields / items / variants, nested. */
export function SchemaView({ doc, schema, name, required, depth = 0, seen }: Props) {
  const info = describeSchema(doc, schema, seen);
  const showChildren = info.children && !info.recursive && depth < MAX_DEPTH;
  return (
    <div className="schema">
      <div className="schema-line">
        {name !== undefined && <code className="prop-name">{name}</code>}
        <span className="schema-type">{info.label}</span>
        {info.typeHint && info.typeHint !== info.label && <span className="muted schema-hint">{info.typeHint}</span>}
        {required && <span className="pill pill-required">required</span>}
        {info.nullable && <span className="pill">nullable</span>}
        {info.notes.map((n) => (
          <span className="pill" key={n}>
            {n}
          </span>
        ))}
        {info.recursive && <span className="muted">(recursive, shown above)</span>}
        {info.unresolved && <span className="pill pill-warn">unresolved $ref</span>}
      </div>
      {info.description && (
        <p className="schema-desc">
          <InlineText text={info.description} />
        </p>
      )}
      {info.enumValues && (
        <div className="schema-enum">
          one of:{" "}
          {info.enumValues.map((v) => (
            <code key={v}>{v}</code>
          ))}
        </div>
      )}
      {info.example && (
        <div className="schema-example">
          example: <code>{info.example}</code>
        </div>
      )}
      {showChildren && <ChildrenView doc={doc} of={info.children!} depth={depth + 1} seen={info.seen} />}
      {info.children && depth >= MAX_DEPTH && <div className="muted">…</div>}
    </div>
  );
}

function ChildrenView({
  doc,
  of,
  depth,
  seen,
}: {
  doc: OpenApiDoc;
  of: Children;
  depth: number;
  seen: ReadonlySet<string>;
}) {
  switch (of.kind) {
    case "props":
      return (
        <ul className="schema-children">
          {of.props.map((p) => (
            <li key={p.name}>
              <SchemaView doc={doc} schema={p.schema} name={p.name} required={p.required} depth={depth} seen={seen} />
            </li>
          ))}
        </ul>
      );
    case "items":
    case "map": {
      // "array of string" already says it all; only structured items get their own block.
      const item = describeSchema(doc, of.schema, seen);
      if (!item.children && !item.enumValues && !item.description) return null;
      return (
        <ul className="schema-children">
          <li>
            <SchemaView
              doc={doc}
              schema={of.schema}
              name={of.kind === "map" ? "{key}" : "[ ]"}
              depth={depth}
              seen={seen}
            />
          </li>
        </ul>
      );
    }
    case "variants":
      return (
        <ul className="schema-children">
          {of.schemas.map((s, i) => (
            <li key={i}>
              <SchemaView doc={doc} schema={s} name={`${of.label} #${i + 1}`} depth={depth} seen={seen} />
            </li>
          ))}
        </ul>
      );
  }
}
