import type { ReactNode } from "react";
import { Badge, Box, Code, Group, Stack, Text } from "@mantine/core";
import { Inline } from "./Inline";
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
    <Box py={2}>
      <Group gap={6} wrap="wrap">
        {name !== undefined && (
          <Code fw={600} c="var(--mantine-color-text)">
            {name}
          </Code>
        )}
        <Text size="sm" ff="monospace" c="var(--mantine-color-anchor)">
          {info.label}
        </Text>
        {info.typeHint && info.typeHint !== info.label && (
          <Text size="xs" c="dimmed">
            {info.typeHint}
          </Text>
        )}
        {required && <Pill color="red">required</Pill>}
        {info.nullable && <Pill>nullable</Pill>}
        {info.notes.map((n) => (
          <Pill key={n}>{n}</Pill>
        ))}
        {info.recursive && (
          <Text size="xs" c="dimmed">
            (recursive, shown above)
          </Text>
        )}
        {info.unresolved && <Pill color="orange">unresolved $ref</Pill>}
      </Group>
      {info.description && (
        <Text size="xs" c="dimmed" mt={2}>
          <Inline text={info.description} />
        </Text>
      )}
      {info.enumValues && (
        <Group gap={4} mt={4}>
          <Text size="xs" c="dimmed">
            one of:
          </Text>
          {info.enumValues.map((v) => (
            <Code key={v}>{v}</Code>
          ))}
        </Group>
      )}
      {info.example && (
        <Text size="xs" c="dimmed" mt={4}>
          example: <Code>{info.example}</Code>
        </Text>
      )}
      {showChildren && <ChildrenView doc={doc} of={info.children!} depth={depth + 1} seen={info.seen} />}
      {info.children && depth >= MAX_DEPTH && <Text c="dimmed">…</Text>}
    </Box>
  );
}

function Pill({ children, color = "gray" }: { children: string; color?: string }) {
  return (
    <Badge variant="light" color={color} size="xs" radius="sm">
      {children}
    </Badge>
  );
}

/** Nested fields, indented under a thin rule so the structure reads at a glance. */
function Nested({ children }: { children: ReactNode }) {
  return (
    <Stack gap={2} mt={4} pl="sm" style={{ borderLeft: "2px solid var(--mantine-color-default-border)" }}>
      {children}
    </Stack>
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
        <Nested>
          {of.props.map((p) => (
            <SchemaView
              key={p.name}
              doc={doc}
              schema={p.schema}
              name={p.name}
              required={p.required}
              depth={depth}
              seen={seen}
            />
          ))}
        </Nested>
      );
    case "items":
    case "map": {
      // "array of string" already says it all; only structured items get their own block.
      const item = describeSchema(doc, of.schema, seen);
      if (!item.children && !item.enumValues && !item.description) return null;
      return (
        <Nested>
          <SchemaView
            doc={doc}
            schema={of.schema}
            name={of.kind === "map" ? "{key}" : "[ ]"}
            depth={depth}
            seen={seen}
          />
        </Nested>
      );
    }
    case "variants":
      return (
        <Nested>
          {of.schemas.map((s, i) => (
            <SchemaView key={i} doc={doc} schema={s} name={`${of.label} #${i + 1}`} depth={depth} seen={seen} />
          ))}
        </Nested>
      );
  }
}
