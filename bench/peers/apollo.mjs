/**
 * Bare @apollo/gateway (its default fetcher, no limits, no auth) over CityGraph's supergraph and
 * subgraphs, as a peer to measure against. It forwards the principal token the bench client sends.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const forwarded = ['x-citygraph-principal', 'x-request-id'];
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(process.env.SUPERGRAPH_FILE, 'utf8'),
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request, context }) {
        for (const h of forwarded) if (context.headers[h]) request.http?.headers.set(h, context.headers[h]);
      },
    }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' }, context: async ({ req }) => ({ headers: req.headers }) });
process.send?.({ ready: url, node: process.version });
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
