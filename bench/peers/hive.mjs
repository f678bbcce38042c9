/**
 * Hive Gateway over CityGraph's supergraph and subgraphs, as a peer to measure against. PLANNER=router
 * uses the Hive Router runtime (its Rust query planner). It forwards the principal token the bench
 * client sends, since a peer cannot sign one; it authenticates nothing itself.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createGatewayRuntime } from '@graphql-hive/gateway';

const forwarded = ['x-citygraph-principal', 'x-request-id'];
const options = {
  supergraph: readFileSync(process.env.SUPERGRAPH_FILE, 'utf8'),
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => Object.fromEntries(forwarded.map((h) => [h, request.headers.get(h) ?? undefined]).filter(([, v]) => v)),
  },
  logging: 'error',
  graphiql: false,
};
if (process.env.PLANNER === 'router') options.unifiedGraphHandler = (await import('@graphql-hive/router-runtime')).unifiedGraphHandler;
const gateway = createGatewayRuntime(options);
const server = createServer(gateway);
server.listen(0, '127.0.0.1', () => process.send?.({ ready: `http://127.0.0.1:${server.address().port}/graphql`, node: process.version }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
