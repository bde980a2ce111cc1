/** /docs: the HTTP operations and domain events, rendered from the same lists as the JSON documents. */
import { EVENT_SOURCES, EVENT_TYPES } from "../domain/events";
import { OPERATIONS } from "../routes/docs";
import { Layout } from "./layout";

export function ApiDocsPage() {
  const tags = [...new Set(OPERATIONS.map((o) => o.tag))];
  return (
    <Layout title="API" description="The Bracelet Shop HTTP API and domain events">
      <article class="api-docs">
        <h1>Bracelet Shop API</h1>
        <p>
          Machine-readable: <a href="/api/openapi.json">OpenAPI 3</a> (HTTP) and{" "}
          <a href="/api/asyncapi.json">AsyncAPI 3</a> (domain events). Money is integer minor units; every error is{" "}
          <code>{'{"error":{"code","message","details"}}'}</code>.
        </p>
        {tags.map((tag) => (
          <section key={tag} aria-labelledby={`tag-${tag}`}>
            <h2 id={`tag-${tag}`}>{tag}</h2>
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Method</th>
                  <th scope="col">Path</th>
                  <th scope="col">What</th>
                  <th scope="col">Who</th>
                </tr>
              </thead>
              <tbody>
                {OPERATIONS.filter((o) => o.tag === tag).map((o) => (
                  <tr key={`${o.method} ${o.path}`}>
                    <td>
                      <code>{o.websocket ? "WS" : o.method.toUpperCase()}</code>
                    </td>
                    <td>
                      <code>{o.path}</code>
                    </td>
                    <td>
                      {o.summary}
                      {o.idempotent ? " (Idempotency-Key)" : ""}
                    </td>
                    <td>{o.who}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
        <section aria-labelledby="events">
          <h2 id="events">Domain events</h2>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Published by</th>
              </tr>
            </thead>
            <tbody>
              {EVENT_TYPES.map((t) => (
                <tr key={t}>
                  <td>
                    <code>{t}</code>
                  </td>
                  <td>{EVENT_SOURCES[t]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </article>
    </Layout>
  );
}
