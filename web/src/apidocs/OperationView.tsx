import { InlineText } from "../components/InlineText";
import { SchemaView } from "./SchemaView";
import {
  deref,
  type MediaType,
  type OpenApiDoc,
  type OperationEntry,
  type RequestBody,
  type Response,
} from "./openapi";

/** One operation, collapsed to its method, path and summary until opened. */
export function OperationView({ doc, entry }: { doc: OpenApiDoc; entry: OperationEntry }) {
  const { op, method, path, parameters } = entry;
  const body = deref<RequestBody>(doc, op.requestBody);
  const auth = (op.security ?? []).flatMap((req) => Object.keys(req));
  return (
    <details className="op" id={entry.id} data-testid="operation" data-method={method} data-path={path}>
      <summary className="op-summary">
        <span className={`method method-${method}`}>{method.toUpperCase()}</span>
        <code className={op.deprecated ? "op-path deprecated" : "op-path"}>{path}</code>
        {op.summary && (
          <span className="op-title">
            <InlineText text={op.summary} />
          </span>
        )}
      </summary>
      <div className="op-body">
        {op.description && op.description !== op.summary && (
          <p className="op-desc">
            <InlineText text={op.description} />
          </p>
        )}
        <div className="op-meta">
          {op.operationId && (
            <span>
              operation id <code>{op.operationId}</code>
            </span>
          )}
          {auth.length > 0 && <span className="pill">auth: {[...new Set(auth)].join(", ")}</span>}
          {op.deprecated && <span className="pill pill-warn">deprecated</span>}
        </div>

        {parameters.length > 0 && (
          <>
            <h4>Parameters</h4>
            <div className="table-wrap">
              <table className="table params">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">In</th>
                    <th scope="col">Schema</th>
                  </tr>
                </thead>
                <tbody>
                  {parameters.map((p) => (
                    <tr key={`${p.in}:${p.name}`}>
                      <td>
                        <code>{p.name}</code>
                        {p.required && <span className="pill pill-required">required</span>}
                        {p.description && (
                          <div className="schema-desc">
                            <InlineText text={p.description} />
                          </div>
                        )}
                      </td>
                      <td>{p.in}</td>
                      <td>
                        <SchemaView doc={doc} schema={p.schema} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}

        {body && (
          <>
            <h4>Request body {body.required && <span className="pill pill-required">required</span>}</h4>
            {body.description && (
              <p className="schema-desc">
                <InlineText text={body.description} />
              </p>
            )}
            <Content doc={doc} content={body.content} />
          </>
        )}

        <h4>Responses</h4>
        <ul className="responses">
          {Object.entries(op.responses ?? {}).map(([status, r]) => {
            const res = deref<Response>(doc, r);
            return (
              <li key={status} className="response">
                <div className="response-head">
                  <span className={`status status-${status[0]}xx`}>{status}</span>
                  <span>{res?.description && <InlineText text={res.description} />}</span>
                </div>
                <Content doc={doc} content={res?.content} />
              </li>
            );
          })}
        </ul>
      </div>
    </details>
  );
}

function Content({ doc, content }: { doc: OpenApiDoc; content?: Record<string, MediaType> }) {
  if (!content) return null;
  return (
    <>
      {Object.entries(content).map(([type, media]) => (
        <div className="media" key={type}>
          <div className="media-type">{type}</div>
          {media.schema ? <SchemaView doc={doc} schema={media.schema} /> : <span className="muted">no schema</span>}
        </div>
      ))}
    </>
  );
}
