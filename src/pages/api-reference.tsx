/**
 * `/docs`: the API reference, rendered on the server from the generated OpenAPI document (src/routes/docs.ts
 * passes it in; this file imports nothing from the routes). Operations are grouped by tag; each shows its method
 * and path, who may call it, its parameters, request and response schemas and its failure statuses, and a small
 * "Try it" form. The form is plain HTML: a GET without path parameters submits natively; web/src/docs/try-it.ts
 * enhances every form into a same-origin fetch that shows the status and the JSON answer. Our own markup and
 * styles, so it passes the same axe audit as every shop page (docs/accessibility.md says why not Scalar).
 */
import { entryAssets } from "./assets";
import { Layout } from "./layout";

/** The parts of a JSON Schema (as the OpenAPI document holds them) the page reads. */
type Schema = {
  [key: string]: unknown;
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  format?: string;
  default?: unknown;
  minimum?: number;
  minItems?: number;
};
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Response = { description?: string; content?: Record<string, { schema?: Schema }> };
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  "x-who"?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, Response>;
};
export type OpenApiDoc = {
  info: { title: string; description?: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const MAX_DEPTH = 8;

/** The operations of `doc` by tag, in the document's order (tags in order of first appearance). */
export function operationsByTag(doc: OpenApiDoc): Map<string, { method: string; path: string; op: Operation }[]> {
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)?.push({ method, path, op });
    }
  }
  return byTag;
}

/** The anchor of one operation: its operationId, or method and path. */
export const operationAnchor = (method: string, path: string, op: Operation): string =>
  `op-${op.operationId ?? `${method}-${path.replace(/[^A-Za-z0-9]+/g, "-")}`}`;

const refName = (ref: string) => ref.replace(/^#\/components\/schemas\//, "");

/** A one-line type: `string`, `integer or null`, `array of object`, `one of "a", "b"`. */
function typeLabel(s: Schema | undefined, depth = 0): string {
  if (!s || depth > MAX_DEPTH) return "any";
  if (s.$ref) return refName(s.$ref);
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`;
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map((m) => typeLabel(m, depth + 1)).join(" or ");
  if (Array.isArray(s.type)) return s.type.join(" or ");
  if (s.type === "array") return `array of ${typeLabel(s.items, depth + 1)}`;
  return String(s.type ?? "any");
}

/** Limits worth knowing before sending: lengths, ranges, patterns, formats, defaults. */
function constraints(s: Schema): string[] {
  const out: string[] = [];
  const add = (label: string, key: string) => {
    if (s[key] !== undefined) out.push(`${label} ${JSON.stringify(s[key])}`);
  };
  add("format", "format");
  add("min", "minimum");
  add("max", "maximum");
  add("min length", "minLength");
  add("max length", "maxLength");
  add("min items", "minItems");
  add("max items", "maxItems");
  add("pattern", "pattern");
  add("default", "default");
  return out;
}

/** The object schema to list properties of inside `s` (itself, an array's items, a union's object member). */
function objectIn(s: Schema | undefined, depth = 0): Schema | undefined {
  if (!s || depth > MAX_DEPTH || s.$ref) return undefined;
  if (s.properties) return s;
  if (s.type === "array") return objectIn(s.items, depth + 1);
  const union = s.anyOf ?? s.oneOf;
  return union?.map((m) => objectIn(m, depth + 1)).find(Boolean);
}

/** A schema as nested lists: each property with its type, whether it is required, its limits and description. */
function SchemaView({ schema, depth = 0 }: { schema: Schema | undefined; depth?: number }) {
  const obj = objectIn(schema);
  if (!obj || depth > MAX_DEPTH) {
    return (
      <p class="api-type">
        {schema?.$ref ? <a href="#errors">{refName(schema.$ref)}</a> : <code>{typeLabel(schema)}</code>}
      </p>
    );
  }
  const required = new Set(obj.required ?? []);
  const props = Object.entries(obj.properties ?? {});
  return (
    <>
      {obj !== schema && depth === 0 ? (
        <p class="api-type">
          <code>{typeLabel(schema)}</code>
        </p>
      ) : null}
      {props.length === 0 ? (
        <p class="api-type">
          <code>object</code>
        </p>
      ) : (
        <ul class="api-props">
          {props.map(([name, prop]) => {
            const limits = constraints(prop);
            return (
              <li key={name}>
                <code class="api-prop-name">{name}</code> <span class="api-prop-type">{typeLabel(prop)}</span>{" "}
                <span class="api-prop-req">{required.has(name) ? "required" : "optional"}</span>
                {limits.length > 0 ? <span class="api-prop-limits"> ({limits.join("; ")})</span> : null}
                {prop.description ? <span class="api-prop-desc">: {String(prop.description)}</span> : null}
                {objectIn(prop) ? <SchemaView schema={prop} depth={depth + 1} /> : null}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

/** A JSON value that satisfies `s` as far as the form needs: the Try-it body starts from it. */
export function exampleFor(s: Schema | undefined, depth = 0): unknown {
  if (!s || depth > MAX_DEPTH) return null;
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const union = s.anyOf ?? s.oneOf;
  if (union) return exampleFor(union.find((m) => m.type !== "null") ?? union[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "object": {
      const required = new Set(s.required ?? []);
      const props = Object.entries(s.properties ?? {}).filter(([k]) => required.has(k));
      return Object.fromEntries(props.map(([k, v]) => [k, exampleFor(v, depth + 1)]));
    }
    case "array":
      return s.minItems ? [exampleFor(s.items, depth + 1)] : [];
    case "integer":
    case "number":
      return s.minimum ?? 0;
    case "boolean":
      return false;
    case "string":
      return s.format === "email" ? "someone@example.com" : "";
    default:
      return null;
  }
}

function Method({ method }: { method: string }) {
  return <span class={`api-method api-method-${method}`}>{method.toUpperCase()}</span>;
}

function TryIt({ method, path, op }: { method: string; path: string; op: Operation }) {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content?.["application/json"]?.schema;
  // Without the script, only a GET whose URL needs no filling-in can be sent by the form itself.
  const native = method === "get" && !params.some((p) => p.in !== "query");
  const anchor = operationAnchor(method, path, op);
  return (
    <form
      class="api-try"
      method={native ? "get" : "post"}
      action={native ? path : undefined}
      data-method={method.toUpperCase()}
      data-path={path}
      hidden={!native}
      aria-labelledby={`${anchor}-try`}
    >
      <h4 id={`${anchor}-try`}>Try it</h4>
      {params.map((p) => (
        <label key={`${p.in}:${p.name}`} class="api-field">
          <span>
            {p.name}{" "}
            <span class="api-field-where">
              ({p.in}
              {p.required ? ", required" : ""})
            </span>
          </span>
          <input name={p.name} data-in={p.in} required={p.required} autocomplete="off" spellcheck={false} />
        </label>
      ))}
      {body ? (
        <label class="api-field">
          <span>Request body (JSON)</span>
          <textarea name="body" data-in="body" rows={6} spellcheck={false}>
            {JSON.stringify(exampleFor(body), null, 2)}
          </textarea>
        </label>
      ) : null}
      <button type="submit">Send {method.toUpperCase()} request</button>
      <p class="api-try-status" role="status" />
      <pre class="api-try-result" hidden />
    </form>
  );
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  const anchor = operationAnchor(method, path, op);
  const params = op.parameters ?? [];
  const body = op.requestBody?.content?.["application/json"]?.schema;
  const responses = Object.entries(op.responses ?? {}).filter(([status]) => status !== "default");
  const ok = responses.filter(([s]) => /^[123]/.test(s));
  const failures = responses.filter(([s]) => /^[45]/.test(s));
  const websocket = ok.some(([s]) => s === "101");
  return (
    <section class="api-op" id={anchor} aria-labelledby={`${anchor}-h`}>
      <h3 id={`${anchor}-h`}>
        <Method method={method} /> <code class="api-path">{path}</code>
      </h3>
      <p class="api-summary">{op.summary}</p>
      <p>
        <strong>Who may call:</strong> {op.description}
      </p>
      {params.length > 0 ? (
        <>
          <h4>Parameters</h4>
          <ul class="api-props">
            {params.map((p) => (
              <li key={`${p.in}:${p.name}`}>
                <code class="api-prop-name">{p.name}</code> <span class="api-prop-type">in {p.in}</span>{" "}
                <span class="api-prop-type">{typeLabel(p.schema)}</span>{" "}
                <span class="api-prop-req">{p.required ? "required" : "optional"}</span>
                {p.description ? <span class="api-prop-desc">: {p.description}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {body ? (
        <>
          <h4>Request body (application/json)</h4>
          <SchemaView schema={body} />
        </>
      ) : null}
      {ok.map(([status, res]) => (
        <div key={status}>
          <h4>
            Response {status} {res.description ? `(${res.description})` : ""}
          </h4>
          {res.content?.["application/json"] ? (
            <SchemaView schema={res.content["application/json"].schema} />
          ) : (
            <p class="api-type">No body.</p>
          )}
        </div>
      ))}
      {failures.length > 0 ? (
        <>
          <h4>Failures (each answered with the error envelope)</h4>
          <ul class="api-failures">
            {failures.map(([status, res]) => (
              <li key={status}>
                <code>{status}</code> {res.description}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {websocket ? (
        <p class="api-type">A WebSocket: open it from a client, not from this form.</p>
      ) : (
        <TryIt method={method} path={path} op={op} />
      )}
    </section>
  );
}

const tagAnchor = (tag: string) => `tag-${tag}`;

export function ApiReference({ doc }: { doc: OpenApiDoc }) {
  const byTag = operationsByTag(doc);
  const error = doc.components?.schemas?.Error;
  const codes = error?.properties?.error?.properties?.code?.enum as string[] | undefined;
  return (
    <Layout title="API reference" description={doc.info.description}>
      <div class="api-ref">
        <h1>{doc.info.title}</h1>
        <p>
          {doc.info.description} Version {doc.info.version}. Machine-readable:{" "}
          <a href="/api/openapi.json">OpenAPI 3.1</a> (HTTP) and <a href="/api/asyncapi.json">AsyncAPI 3.0</a> (domain
          events). "Try it" sends the request from this page, with your session if you are signed in.
        </p>
        <nav class="api-toc" aria-label="Operations">
          <h2>Operations</h2>
          <ul>
            {[...byTag].map(([tag, ops]) => (
              <li key={tag}>
                <a href={`#${tagAnchor(tag)}`}>{tag}</a>
                <ul>
                  {ops.map(({ method, path, op }) => (
                    <li key={`${method} ${path}`}>
                      <a href={`#${operationAnchor(method, path, op)}`}>
                        <Method method={method} /> <code>{path}</code>
                      </a>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
            <li>
              <a href="#errors">Errors</a>
            </li>
          </ul>
        </nav>
        {[...byTag].map(([tag, ops]) => (
          <section key={tag} class="api-tag" id={tagAnchor(tag)} aria-labelledby={`${tagAnchor(tag)}-h`}>
            <h2 id={`${tagAnchor(tag)}-h`}>{tag}</h2>
            {ops.map(({ method, path, op }) => (
              <OperationView key={`${method} ${path}`} method={method} path={path} op={op} />
            ))}
          </section>
        ))}
        <section class="api-tag" id="errors" aria-labelledby="errors-h">
          <h2 id="errors-h">Errors</h2>
          <p>Every failure is answered with this envelope; `code` is stable and safe to branch on.</p>
          <SchemaView schema={error} />
          {codes ? (
            <>
              <h3>Codes</h3>
              <ul class="api-codes">
                {codes.map((code) => (
                  <li key={code}>
                    <code>{code}</code>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      </div>
      <script type="module" src={entryAssets().docs} />
    </Layout>
  );
}
