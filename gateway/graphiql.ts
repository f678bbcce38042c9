/**
 * GraphiQL for app teams, development only: GraphiQL 3's UMD build and React 18's, from node_modules,
 * served by the gateway (no CDN). The header editor starts with a development token for the demo
 * citizen, the one `npm run -s token -- --role citizen --sub 210102198503152318` prints.
 */

/** The demo citizen of the stand-in registry. */
const DEMO_ID = '210102198503152318';

/** The README's demo query: one citizen's records from two departments. */
export const DEMO_QUERY = `# The demo citizen's records from two departments, in one query.
{
  citizen(id: "${DEMO_ID}") {
    name
    gender
    birthDate
    address { divisionCode }
    insurance { status balance }
  }
}
`;

/** The page: scripts from the gateway only (its CSP has no 'unsafe-inline' for scripts). */
export function graphiqlHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>CityGraph · GraphiQL (development)</title>
<link rel="stylesheet" href="/graphiql/vendor/graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/vendor/react.js"></script>
<script src="/graphiql/vendor/react-dom.js"></script>
<script src="/graphiql/vendor/graphiql.js"></script>
<script src="/graphiql/boot.js"></script>
</body>
</html>
`;
}

/**
 * Starts GraphiQL: asks the dev sign-in for the demo citizen's token (kept in the page's memory and
 * the header editor, never in the URL or in storage), then renders with the demo query.
 */
export const GRAPHIQL_BOOT = `(async () => {
  let headers = '{\\n  "authorization": "Bearer <paste: npm run -s token -- --role citizen --sub ${DEMO_ID}>"\\n}';
  try {
    const r = await fetch('/console/dev-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'citizen', sub: '${DEMO_ID}' }) });
    if (r.ok) headers = JSON.stringify({ authorization: 'Bearer ' + (await r.json()).token }, null, 2);
  } catch (e) {
    // The sign-in endpoint is absent when the gateway verifies an identity provider's tokens: paste one.
  }
  const fetcher = GraphiQL.createFetcher({ url: '/' });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultQuery: ${JSON.stringify(DEMO_QUERY)}, defaultHeaders: headers, headerEditorEnabled: true, shouldPersistHeaders: false, defaultEditorToolsVisibility: 'headers' }),
  );
})();
`;
